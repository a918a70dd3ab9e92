"""The tests (épreuves) of the blocks, as data: loaded from the seeds, frozen with their version, edited by certifier
admins only, copied into a new version, filled in by the migrations for data stored before them."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from accounts.models import User
from cqp import block_tests, services
from cqp.models import BlockTest, CertificationVersion, EvaluationMethod, VersionStatus
from tests.factories import BlockFactory, CompetencyFactory, VersionFactory, enrol, make_candidate

pytestmark = pytest.mark.django_db


@pytest.fixture
def polishing(referential: None) -> CertificationVersion:
    return CertificationVersion.objects.get(rncp_code="RNCP26850")


@pytest.fixture
def watchmaker(referential: None) -> CertificationVersion:
    return CertificationVersion.objects.get(rncp_code="RNCP31313")


@pytest.fixture
def draft() -> CertificationVersion:
    version = VersionFactory(status=VersionStatus.DRAFT, rncp_code="RNCP40800")
    block = BlockFactory(version=version, code="BC1", rncp_code="RNCP40800BC01", order=1, title="Sertir")
    CompetencyFactory(block=block, code="C1.1", order=1)
    return version


def loaded_tests(version: CertificationVersion) -> list[tuple[str, str, int, str]]:
    return [
        (t.block.code, t.method, t.duration_minutes, t.document_label)
        for t in BlockTest.objects.filter(block__version=version).select_related("block")
    ]


def refused(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(exc.value.messages)


# Loaded from the seeds ---------------------------------------------------------------------------------------


def test_26850_has_a_livret_part_and_its_defence_per_block_45_minutes_in_all(polishing: CertificationVersion) -> None:
    assert loaded_tests(polishing) == [
        ("BC1", EvaluationMethod.LIVRET_DEFENCE, 20, "Partie A"),
        ("BC2", EvaluationMethod.LIVRET_DEFENCE, 25, "Partie B"),
    ]
    assert block_tests.version_minutes(polishing) == polishing.exam_minutes == 45


def test_31313_has_its_fiches_tests_and_the_activity_report_for_bc3(watchmaker: CertificationVersion) -> None:
    assert [(code, method) for code, method, _minutes, _doc in loaded_tests(watchmaker)] == [
        ("BC1", EvaluationMethod.ROLE_PLAY),
        ("BC1", EvaluationMethod.ORAL_PRACTICAL),
        ("BC2", EvaluationMethod.PRACTICAL),
        ("BC3", EvaluationMethod.PRACTICAL),
        ("BC3", EvaluationMethod.REPORT_INTERVIEW),
        ("BC4", EvaluationMethod.OBSERVATION),
    ]
    documents = BlockTest.objects.filter(block__version=watchmaker, document_required=True).select_related("block")
    assert [(t.block.code, t.document_label) for t in documents] == [("BC3", "Rapport d'activité professionnelle")]
    assert "durée des épreuves" in watchmaker.to_verify  # the fiche gives none: said so


# Edited by certifier admins, frozen with the version ---------------------------------------------------------


def test_an_admin_adds_edits_and_removes_a_test_of_a_draft(certifier_admin: User, draft: CertificationVersion) -> None:
    block = draft.blocks.get()
    test = block_tests.block_test_create(
        block=block,
        actor=certifier_admin,
        method=EvaluationMethod.PRACTICAL,
        title="Sertir une bague",
        duration_minutes=90,
    )
    assert test.order == 1 and not test.document_required
    block_tests.block_test_update(
        test=test, actor=certifier_admin, document_required=True, document_label="  Dossier technique "
    )
    test.refresh_from_db()
    assert test.document_label == "Dossier technique"
    block_tests.block_test_delete(test=test, actor=certifier_admin)
    assert not block.tests.exists()


def test_only_a_certifier_admin_edits_the_tests(staff: User, draft: CertificationVersion) -> None:
    with pytest.raises(PermissionDenied):
        block_tests.block_test_create(
            block=draft.blocks.get(), actor=staff, method=EvaluationMethod.PRACTICAL, title="Intrus", duration_minutes=9
        )
    assert not BlockTest.objects.filter(block__version=draft).exists()


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"duration_minutes": 0}, "duration_minutes", "supérieure ou égale à 1"),
        ({"duration_minutes": 721}, "duration_minutes", "inférieure ou égale à 720"),
        ({"document_required": True, "document_label": " "}, "document_label", "Nommez le document"),
        ({"title": "Sertir\x00"}, "title", "contrôle"),
    ],
)
def test_a_test_is_bounded_and_names_its_document(
    certifier_admin: User, draft: CertificationVersion, fields: dict[str, Any], field: str, words: str
) -> None:
    data: dict[str, Any] = {"method": EvaluationMethod.PRACTICAL, "title": "Sertir", "duration_minutes": 30, **fields}
    with pytest.raises(ValidationError) as exc:
        block_tests.block_test_create(block=draft.blocks.get(), actor=certifier_admin, **data)
    assert words in " ".join(exc.value.message_dict[field])


def test_the_tests_of_a_version_in_use_are_frozen(certifier_admin: User, polishing: CertificationVersion) -> None:
    enrol(make_candidate(_organisation()), polishing, access_route="formation_continue")
    test = BlockTest.objects.get(block__version=polishing, block__code="BC1")
    with pytest.raises(ValidationError) as exc:
        block_tests.block_test_update(test=test, actor=certifier_admin, duration_minutes=30)
    assert "déjà utilisée" in refused(exc) and "Créez une nouvelle version" in refused(exc)
    with pytest.raises(ValidationError):
        block_tests.block_test_delete(test=test, actor=certifier_admin)
    with pytest.raises(ValidationError):
        block_tests.block_test_create(
            block=test.block,
            actor=certifier_admin,
            method=EvaluationMethod.INTERVIEW,
            title="En plus",
            duration_minutes=5,
        )
    assert loaded_tests(polishing)[0] == ("BC1", EvaluationMethod.LIVRET_DEFENCE, 20, "Partie A")


def test_a_new_version_copies_the_tests(polishing: CertificationVersion) -> None:
    new = services.version_new(previous=polishing)
    assert loaded_tests(new) == loaded_tests(polishing)
    assert not BlockTest.objects.filter(block__version=new).filter(block__version=polishing).exists()


def _organisation() -> Any:
    from cqp.models import TrainingOrganisation

    return TrainingOrganisation.objects.get(name="BJO Formation")


# Pages ------------------------------------------------------------------------------------------------------


def test_the_version_page_lists_each_blocks_tests(client: Client, staff: User, polishing: CertificationVersion) -> None:
    client.force_login(staff)
    page = client.get(f"/referentiel/versions/{polishing.pk}/").content.decode()
    assert page.count('data-testid="block-test"') == 2
    assert "Document à remettre : Partie A" in page and "25 min" in page
    assert "45 minutes devant le jury pour tous les blocs" in page
    assert "Ajouter une épreuve" not in page  # staff browse only


def test_an_admin_adds_a_test_through_the_form(
    client: Client, certifier_admin: User, draft: CertificationVersion
) -> None:
    client.force_login(certifier_admin)
    block = draft.blocks.get()
    url = f"/referentiel/blocs/{block.pk}/epreuves/nouvelle/"
    form = {
        "order": "1",
        "method": EvaluationMethod.REPORT_INTERVIEW,
        "title": "Entretien sur le rapport",
        "duration_minutes": "30",
        "document_required": "on",
        "document_label": "",
    }
    refused_page = client.post(url, form)
    assert refused_page.status_code == 200 and "Nommez le document" in refused_page.content.decode()
    response = client.post(url, {**form, "document_label": "Rapport d'activité"})
    assert response.status_code == 302
    detail = client.get(response["Location"]).content.decode()
    assert "Document à remettre : Rapport d&#x27;activité" in detail
    assert "Ajouter une épreuve au bloc BC1" in detail


# Stored data before tests were data -------------------------------------------------------------------------


def test_the_migration_fills_the_tests_of_versions_loaded_before_once(polishing: CertificationVersion) -> None:
    fill_tests = importlib.import_module("cqp.migrations.0008_block_tests").fill_tests
    BlockTest.objects.filter(block__version=polishing, block__code="BC2").delete()
    fill_tests(apps, None)
    fill_tests(apps, None)
    assert [label for *_rest, label in loaded_tests(polishing)] == ["Partie A", "Partie B"]


def test_the_migration_maps_livret_parts_sent_before_onto_tests(organisation: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from candidates.models import CandidateDocument, DocumentKind

    version = VersionFactory(status=VersionStatus.PUBLISHED, rncp_code="RNCP40801", exam_minutes=40)
    blocks = [
        BlockFactory(version=version, code=f"BC{n}", rncp_code=f"RNCP40801BC0{n}", order=n, title=f"Bloc {n}")
        for n in (1, 2)
    ]
    for block in blocks:
        CompetencyFactory(block=block, code=f"C{block.order}.1", order=1)
    enrolment = enrol(make_candidate(organisation), version, access_route="formation_continue")
    document = CandidateDocument(
        candidate=enrolment.candidate,
        enrolment=enrolment,
        block=blocks[1],
        kind=DocumentKind.LIVRET_PART,
        original_name="partie B.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
    )
    document.file.save("x.pdf", SimpleUploadedFile("x.pdf", b"%PDF-1.4"), save=False)
    document.save()
    assert document.label.startswith("Partie B — BC2")

    importlib.import_module("candidates.migrations.0005_document_test").map_livret_parts(apps, None)

    document.refresh_from_db()
    assert document.test is not None and document.test.block == blocks[1]
    assert document.label == "Partie B — BC2 Bloc 2"
    assert [
        (t.block.code, t.duration_minutes, t.document_label) for t in BlockTest.objects.order_by("block__order")
    ] == [
        ("BC1", 20, "Partie A"),
        ("BC2", 20, "Partie B"),
    ]
