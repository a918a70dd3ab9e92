"""The VAE services: the file's life, its documents, the decision, the declarative file, the positioning, and the
placement in a session refused until the route is complete."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from evaluations import services as session_services
from evaluations.models import SessionCandidate
from tests.factories import UserFactory, VersionFactory, enrol, make_candidate
from vae import services
from vae.models import AdmissibilityStatus, Positioning, VaeDocument
from vae.tests.conftest import Vae, pdf

pytestmark = pytest.mark.django_db


def test_a_file_needs_a_version_open_to_vae_and_the_candidate_themselves(vae: Vae) -> None:
    closed = VersionFactory(access_routes=["formation_continue"])
    with pytest.raises(ValidationError, match="n'est pas ouverte à la VAE"):
        services.file_create(
            candidate=vae.candidate, version=closed, experience_months=24, experience="Atelier", actor=vae.user
        )
    with pytest.raises(PermissionDenied):
        services.file_create(
            candidate=vae.candidate, version=vae.version, experience_months=24, experience="Atelier", actor=vae.staff
        )
    file = vae.file()
    with pytest.raises(ValidationError, match="déjà en cours"):
        vae.file()
    assert file.status == AdmissibilityStatus.DRAFT


def test_a_file_is_sent_with_a_piece_checked_by_its_content(vae: Vae) -> None:
    file = vae.file()
    with pytest.raises(ValidationError, match="au moins une pièce"):
        services.file_submit(file=file, actor=vae.user)
    fake = SimpleUploadedFile("dossier.pdf", b"<html>pas un PDF</html>", content_type="application/pdf")
    with pytest.raises(ValidationError, match="ni un PDF"):
        services.document_add(file=file, upload=fake, actor=vae.user)
    assert not VaeDocument.objects.exists()
    services.document_add(file=file, upload=pdf(), actor=vae.user)
    file = services.file_submit(file=file, actor=vae.user)
    assert file.status == AdmissibilityStatus.SUBMITTED and file.submitted_at is not None
    with pytest.raises(ValidationError, match="ne se modifie qu'en préparation"):
        services.document_add(file=file, upload=pdf(), actor=vae.user)


def test_the_certifier_decides_incomplete_then_the_candidate_completes_then_admissible(vae: Vae) -> None:
    file = vae.submitted()
    with pytest.raises(PermissionDenied):
        services.file_decide(file=file, decision="admissible", decided_by=vae.staff)
    with pytest.raises(ValidationError) as refused:
        services.file_decide(file=file, decision="incomplete", missing=" ", decided_by=vae.admin)
    assert "ce qui manque" in str(refused.value.message_dict["missing"])
    file = services.file_decide(
        file=file, decision="incomplete", missing="Attestations d'employeur", decided_by=vae.admin
    )
    assert (file.status, file.missing, file.valid_until) == ("incomplete", "Attestations d'employeur", None)
    services.document_add(file=file, upload=pdf("attestation.pdf"), actor=vae.user)
    services.file_update(file=file, experience_months=36, experience="Atelier, 3 ans", actor=vae.user)
    file = services.file_submit(file=file, actor=vae.user)
    file = services.file_decide(file=file, decision="admissible", decided_by=vae.admin)
    assert file.status == "admissible" and file.missing == "" and file.valid_until is not None
    assert (file.valid_until - file.decided_at.date()).days >= 3 * 365
    assert list(file.decisions.values_list("decision", "missing")) == [
        ("incomplete", "Attestations d'employeur"),
        ("admissible", ""),
    ]


def test_not_admissible_needs_a_reason_and_a_year_of_experience_is_required(vae: Vae) -> None:
    file = vae.submitted(months=11)
    with pytest.raises(ValidationError, match="au moins un an"):
        services.file_decide(file=file, decision="admissible", decided_by=vae.admin)
    with pytest.raises(ValidationError):
        services.file_decide(file=file, decision="not_admissible", decided_by=vae.admin)
    file = services.file_decide(
        file=file, decision="not_admissible", reason="Expérience inférieure à un an", decided_by=vae.admin
    )
    assert file.reason == "Expérience inférieure à un an"
    assert vae.file().status == "draft"  # a new file may start


def test_the_declarative_file_comes_after_admissibility_and_is_sent_once(vae: Vae) -> None:
    file = vae.submitted()
    with pytest.raises(ValidationError, match="déclaré recevable"):
        services.declarative_add(file=file, kind="declarative", upload=pdf(), actor=vae.user)
    file = services.file_decide(file=file, decision="admissible", decided_by=vae.admin)
    services.declarative_add(file=file, kind="technical", upload=pdf("plan.pdf"), actor=vae.user)
    with pytest.raises(ValidationError, match="déposez d'abord le dossier déclaratif"):
        services.declarative_submit(file=file, actor=vae.user)
    services.declarative_add(file=file, kind="declarative", upload=pdf("v1.pdf"), actor=vae.user)
    services.declarative_add(file=file, kind="declarative", upload=pdf("v2.pdf"), actor=vae.user)  # replaces
    assert list(file.documents.filter(kind="declarative").values_list("original_name", flat=True)) == ["v2.pdf"]
    file = services.declarative_submit(file=file, actor=vae.user)
    assert file.declarative_submitted_at is not None
    with pytest.raises(ValidationError, match="déjà été transmis"):
        services.declarative_add(file=file, kind="technical", upload=pdf(), actor=vae.user)


def test_a_vae_enrolment_sits_a_session_only_once_admissible_with_its_declarative_file(vae: Vae) -> None:
    session = vae.session()
    with pytest.raises(ValidationError, match="n'a pas de dossier de recevabilité"):
        session_services.session_add_candidate(session=session, enrolment=vae.enrolment)
    file = vae.submitted()
    with pytest.raises(ValidationError, match="transmis, en attente de décision"):
        session_services.session_add_candidate(session=session, enrolment=vae.enrolment)
    file = services.file_decide(file=file, decision="admissible", decided_by=vae.admin)
    with pytest.raises(ValidationError, match="n'a pas encore transmis son dossier déclaratif"):
        session_services.session_add_candidate(session=session, enrolment=vae.enrolment)
    services.declarative_add(file=file, kind="declarative", upload=pdf(), actor=vae.user)
    services.declarative_submit(file=file, actor=vae.user)
    place = session_services.session_add_candidate(session=session, enrolment=vae.enrolment)
    assert SessionCandidate.objects.filter(pk=place.pk).exists()
    # Another route is not asked for any of this.
    other = enrol(make_candidate(vae.organisation, n=2, created_by=vae.staff), vae.version, created_by=vae.staff)
    assert session_services.session_add_candidate(session=session, enrolment=other).pk


def test_positioning_after_the_declarative_file_by_the_certifier_or_the_jury_president(vae: Vae) -> None:
    file = vae.admissible()
    block = vae.version.blocks.order_by("order").first()
    with pytest.raises(ValidationError, match="pas encore transmis"):
        services.positioning_record(file=file, entries={block.pk: (True, "")}, recorded_by=vae.admin)
    services.declarative_add(file=file, kind="declarative", upload=pdf(), actor=vae.user)
    services.declarative_submit(file=file, actor=vae.user)
    with pytest.raises(PermissionDenied):
        services.positioning_record(
            file=file, entries={block.pk: (True, "")}, recorded_by=UserFactory(email="j@x.org", is_jury_member=True)
        )
    services.positioning_record(file=file, entries={block.pk: (False, "Acquis en entreprise")}, recorded_by=vae.admin)
    services.positioning_record(file=file, entries={block.pk: (True, "À vérifier")}, recorded_by=vae.admin)
    assert list(Positioning.objects.values_list("assessed", "notes")) == [(True, "À vérifier")]


def test_one_file_at_a_time_and_none_while_admissible(vae: Vae) -> None:
    vae.admissible()
    with pytest.raises(ValidationError, match="déjà recevable pour cette certification"):
        vae.file()


def test_the_president_of_the_candidates_evaluation_jury_positions_them(client, world) -> None:
    """A VAE candidate placed in a session: its evaluation jury's president reads the file and positions them; a
    member who does not preside gets 403 from the service and 404 from the pages."""
    from candidates.models import Enrolment
    from cqp.models import Block

    place = world.places[0]
    Enrolment.objects.filter(pk=place.enrolment_id).update(access_route="vae")
    candidate = place.enrolment.candidate
    candidate.user = UserFactory(email=candidate.email, is_candidate=True)
    candidate.save()
    file = services.file_create(
        candidate=candidate, version=world.version, experience_months=24, experience="Polissage", actor=candidate.user
    )
    services.document_add(file=file, upload=pdf(), actor=candidate.user)
    services.file_submit(file=file, actor=candidate.user)
    file = services.file_decide(file=file, decision="admissible", decided_by=world.admin)
    services.declarative_add(file=file, kind="declarative", upload=pdf(), actor=candidate.user)
    file = services.declarative_submit(file=file, actor=candidate.user)
    world.evaluation_jury(president=world.employers)
    block = Block.objects.filter(version=world.version).order_by("order").first()
    services.positioning_record(file=file, entries={block.pk: (True, "Bon niveau")}, recorded_by=world.employers.user)
    with pytest.raises(PermissionDenied):
        services.positioning_record(file=file, entries={block.pk: (False, "")}, recorded_by=world.trainer.user)
    client.force_login(world.employers.user)
    assert client.get(f"/vae/{file.pk}/positionnement/").status_code == 200
    assert "Bon niveau" in client.get(f"/vae/{file.pk}/").text
    client.force_login(world.trainer.user)
    assert client.get(f"/vae/{file.pk}/positionnement/").status_code == 404
    assert client.get(f"/vae/{file.pk}/").status_code == 404
