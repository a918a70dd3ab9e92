"""Writes to the referential: validation, publication, versions and the freezing of rules in use."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from cqp import services
from cqp.models import Block, CertificationVersion, Competency, VersionStatus
from tests.factories import BlockFactory, CertifierFactory, CompetencyFactory, VersionFactory

pytestmark = pytest.mark.django_db


def _version_fields(**overrides: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "certifier": CertifierFactory(),
        "rncp_code": "RNCP40001",
        "title": "CQP Sertisseur",
        "short_title": "CQP Sertisseur",
    }
    fields.update(overrides)
    return fields


def _messages(excinfo: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(excinfo.value.messages)


def test_a_new_certification_starts_as_a_draft_version_one() -> None:
    version = services.certification_create(slug="sertisseur", name="CQP Sertisseur", **_version_fields())

    assert version.number == 1
    assert version.status == VersionStatus.DRAFT
    assert version.certification.slug == "sertisseur"


@pytest.mark.parametrize("code", ["31313", "RNCP 31313", "rncp31313", "RNCP"])
def test_it_refuses_a_malformed_rncp_code(code: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.certification_create(slug="x", name="X", **_version_fields(rncp_code=code))
    assert "RNCP suivi de chiffres" in _messages(excinfo)
    assert not CertificationVersion.objects.exists()


def test_it_refuses_an_rncp_code_used_by_another_certification() -> None:
    VersionFactory(rncp_code="RNCP40001")
    with pytest.raises(ValidationError) as excinfo:
        services.certification_create(slug="autre", name="Autre", **_version_fields(rncp_code="RNCP40001"))
    assert "RNCP40001 est déjà celui d'une autre certification" in _messages(excinfo)


@pytest.mark.parametrize("threshold", [0, 101])
def test_it_refuses_a_threshold_outside_1_to_100(threshold: int) -> None:
    version = VersionFactory(status=VersionStatus.DRAFT, rncp_code="RNCP40002")
    with pytest.raises(ValidationError) as excinfo:
        services.block_create(
            version=version, code="BC1", rncp_code="RNCP40002BC01", title="Bloc", threshold_percent=threshold
        )
    assert "threshold_percent" in excinfo.value.message_dict
    assert not Block.objects.exists()


@pytest.mark.parametrize("threshold", [1, 100])
def test_it_accepts_the_threshold_bounds(threshold: int) -> None:
    version = VersionFactory(status=VersionStatus.DRAFT, rncp_code="RNCP40003")
    block = services.block_create(
        version=version, code="BC1", rncp_code="RNCP40003BC01", title="Bloc", threshold_percent=threshold
    )
    assert block.threshold_percent == threshold


def test_block_codes_are_unique_within_a_version_only() -> None:
    version = VersionFactory(status=VersionStatus.DRAFT, rncp_code="RNCP40004")
    services.block_create(version=version, code="BC1", rncp_code="RNCP40004BC01", title="Premier")
    with pytest.raises(ValidationError) as excinfo:
        services.block_create(version=version, code="BC1", rncp_code="RNCP40004BC02", title="Doublon")
    assert "Ce code de bloc existe déjà dans cette version." in _messages(excinfo)

    other = VersionFactory(status=VersionStatus.DRAFT, rncp_code="RNCP40005")
    assert services.block_create(version=other, code="BC1", rncp_code="RNCP40005BC01", title="Ailleurs").code == "BC1"


def test_a_block_rncp_code_must_extend_the_version_code() -> None:
    version = VersionFactory(status=VersionStatus.DRAFT, rncp_code="RNCP40006")
    with pytest.raises(ValidationError) as excinfo:
        services.block_create(version=version, code="BC1", rncp_code="RNCP99999BC01", title="Bloc")
    assert "doit commencer par RNCP40006BC" in _messages(excinfo)


def test_competency_codes_are_unique_in_the_block_and_in_the_version() -> None:
    block1 = BlockFactory(code="BC1", version__status=VersionStatus.DRAFT)
    block2 = BlockFactory(code="BC2", version=block1.version)
    services.competency_create(block=block1, code="C1.1", label="Première")

    with pytest.raises(ValidationError) as excinfo:
        services.competency_create(block=block1, code="C1.1", label="Doublon")
    assert "C1.1 est déjà utilisé dans le bloc BC1" in _messages(excinfo)
    with pytest.raises(ValidationError):
        services.competency_create(block=block2, code="C1.1", label="Doublon dans un autre bloc")
    assert Competency.objects.count() == 1


def test_it_refuses_a_malformed_competency_code() -> None:
    block = BlockFactory(version__status=VersionStatus.DRAFT)
    with pytest.raises(ValidationError) as excinfo:
        services.competency_create(block=block, code="1.1", label="Sans C")
    assert "C1.2" in _messages(excinfo)


def test_mandatory_competencies_are_set_exactly() -> None:
    block = BlockFactory(code="BC1")
    for i in range(1, 5):
        CompetencyFactory(block=block, code=f"C1.{i}", order=i, is_mandatory=(i == 4))

    services.block_set_mandatory(block=block, codes=["C1.1", "C1.2"])

    assert set(block.competencies.filter(is_mandatory=True).values_list("code", flat=True)) == {"C1.1", "C1.2"}


def test_a_mandatory_competency_must_belong_to_its_block_and_nothing_changes_otherwise() -> None:
    block = BlockFactory(code="BC1")
    CompetencyFactory(block=block, code="C1.1", is_mandatory=True)
    CompetencyFactory(block=block, code="C1.2")

    with pytest.raises(ValidationError) as excinfo:
        services.block_set_mandatory(block=block, codes=["C1.2", "C2.9"])

    assert "C2.9 n'appartient pas au bloc BC1" in _messages(excinfo)
    assert list(block.competencies.filter(is_mandatory=True).values_list("code", flat=True)) == ["C1.1"]


def test_publishing_needs_blocks_each_with_a_competency() -> None:
    version = VersionFactory(status=VersionStatus.DRAFT)
    with pytest.raises(ValidationError) as excinfo:
        services.version_publish(version=version)
    assert "aucun bloc" in _messages(excinfo)

    BlockFactory(version=version, code="BC1")
    empty = BlockFactory(version=version, code="BC2")
    CompetencyFactory(block=version.blocks.get(code="BC1"))
    with pytest.raises(ValidationError) as excinfo:
        services.version_publish(version=version)
    assert f"Le bloc {empty.code} n'a aucune compétence" in _messages(excinfo)

    CompetencyFactory(block=empty)
    assert services.version_publish(version=version).status == VersionStatus.PUBLISHED
    with pytest.raises(ValidationError, match="Seule une version en préparation"):
        services.version_publish(version=version)


def test_only_a_published_version_can_be_archived() -> None:
    draft = VersionFactory(status=VersionStatus.DRAFT)
    with pytest.raises(ValidationError, match="Seule une version en vigueur"):
        services.version_archive(version=draft)
    published = VersionFactory(status=VersionStatus.PUBLISHED)
    assert services.version_archive(version=published).status == VersionStatus.ARCHIVED


def test_a_new_version_copies_the_referential_into_a_draft() -> None:
    old = VersionFactory(status=VersionStatus.PUBLISHED, rncp_code="RNCP40010", block_validity_years=5)
    block = BlockFactory(version=old, code="BC1", rncp_code="RNCP40010BC01", threshold_percent=75)
    CompetencyFactory(block=block, code="C1.1", label="Polir", is_mandatory=True, order=1)
    CompetencyFactory(block=block, code="C1.2", label="Contrôler", order=2)

    new = services.version_new(previous=old)

    assert (new.number, new.status, new.previous_id) == (2, VersionStatus.DRAFT, old.pk)
    assert (new.rncp_code, new.block_validity_years) == ("RNCP40010", 5)
    copied = new.blocks.get()
    assert (copied.code, copied.threshold_percent) == ("BC1", 75)
    assert list(copied.competencies.values_list("code", "label", "is_mandatory")) == [
        ("C1.1", "Polir", True),
        ("C1.2", "Contrôler", False),
    ]

    services.competency_update(competency=copied.competencies.get(code="C1.2"), is_mandatory=True)
    assert not Competency.objects.get(block=block, code="C1.2").is_mandatory  # the old version is untouched
    with pytest.raises(ValidationError, match="a déjà une version suivante"):
        services.version_new(previous=old)


def test_a_version_with_only_its_own_blocks_and_successor_is_not_in_use() -> None:
    old = VersionFactory()
    CompetencyFactory(block=BlockFactory(version=old))
    services.version_new(previous=old)
    assert services.version_is_in_use(old) is False


class TestAVersionInUse:
    """Once anything refers to a version, its rules are frozen; descriptions stay editable."""

    @pytest.fixture(autouse=True)
    def _in_use(self):  # type: ignore[no-untyped-def]
        with mock.patch("cqp.services.version_is_in_use", return_value=True):
            yield

    @pytest.fixture
    def competency(self) -> Competency:
        return CompetencyFactory(block=BlockFactory(code="BC1"), code="C1.1", label="Polir")

    def test_its_rules_cannot_change(self, competency: Competency) -> None:
        block, version = competency.block, competency.block.version
        refusals = [
            lambda: services.block_create(version=version, code="BC9", rncp_code=f"{version.rncp_code}BC09", title="X"),
            lambda: services.competency_create(block=block, code="C1.9", label="X"),
            lambda: services.competency_update(competency=competency, is_mandatory=True),
            lambda: services.block_update(block=block, threshold_percent=80),
            lambda: services.block_set_mandatory(block=block, codes=["C1.1"]),
            lambda: services.version_update(version=version, partial_award_allowed=False),
            lambda: services.competency_delete(competency=competency),
        ]
        for refuse in refusals:
            with pytest.raises(ValidationError) as excinfo:
                refuse()
            assert "Créez une nouvelle version" in _messages(excinfo)
        competency.refresh_from_db()
        block.refresh_from_db()
        assert (competency.is_mandatory, block.threshold_percent) == (False, 60)

    def test_its_descriptions_can_still_change(self, competency: Competency) -> None:
        services.competency_update(competency=competency, label="Polir une pièce")
        services.version_update(version=competency.block.version, title="Intitulé corrigé")
        competency.refresh_from_db()
        assert competency.label == "Polir une pièce"
        assert CertificationVersion.objects.get().title == "Intitulé corrigé"


def test_the_last_competency_of_a_published_block_cannot_be_deleted() -> None:
    competency = CompetencyFactory(block=BlockFactory(version__status=VersionStatus.PUBLISHED))
    with pytest.raises(ValidationError, match="dernière compétence"):
        services.competency_delete(competency=competency)
    assert Competency.objects.filter(pk=competency.pk).exists()


def test_blocks_are_deleted_only_from_a_draft() -> None:
    block = BlockFactory(version__status=VersionStatus.PUBLISHED)
    with pytest.raises(ValidationError, match="en préparation"):
        services.block_delete(block=block)
    draft_block = BlockFactory(version__status=VersionStatus.DRAFT)
    services.block_delete(block=draft_block)
    assert not Block.objects.filter(pk=draft_block.pk).exists()


def test_an_unknown_field_is_a_programming_error() -> None:
    with pytest.raises(TypeError, match="status"):
        services.version_update(version=VersionFactory(), status=VersionStatus.ARCHIVED)
