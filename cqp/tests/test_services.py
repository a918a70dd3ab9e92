"""The referential's services through their public functions: what they accept, what they refuse (with a
French message that names what to fix), versions, the freezing of a version in use, and atomicity."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from cqp import services
from cqp.models import Block, Certification, CertificationVersion, Competency, VersionStatus
from cqp.rules import validate_block
from tests.factories import BlockFactory, CertifierFactory, CompetencyFactory, VersionFactory

pytestmark = pytest.mark.django_db

NEW_VERSION_HINT = "Créez une nouvelle version"


def messages_of(excinfo: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(excinfo.value.messages)


def version_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "certifier": CertifierFactory(),
        "rncp_code": "RNCP40001",
        "title": "CQP Sertisseur en joaillerie",
        "short_title": "CQP Sertisseur",
    }
    fields.update(overrides)
    return fields


def draft(rncp_code: str = "RNCP40100") -> CertificationVersion:
    return VersionFactory(status=VersionStatus.DRAFT, rncp_code=rncp_code)


def block_in(version: CertificationVersion, number: int = 1, **fields: Any) -> Block:
    return BlockFactory(
        version=version, code=f"BC{number}", rncp_code=f"{version.rncp_code}BC{number:02d}", order=number, **fields
    )


def competencies_in(block: Block, count: int, *, mandatory: tuple[int, ...] = ()) -> list[Competency]:
    number = block.code.removeprefix("BC")
    return [
        CompetencyFactory(
            block=block, code=f"C{number}.{i}", label=f"Compétence {number}.{i}", order=i, is_mandatory=i in mandatory
        )
        for i in range(1, count + 1)
    ]


def mandatory_codes(block: Block) -> set[str]:
    return set(block.competencies.filter(is_mandatory=True).values_list("code", flat=True))


def row_counts() -> tuple[int, int, int, int]:
    return (
        Certification.objects.count(),
        CertificationVersion.objects.count(),
        Block.objects.count(),
        Competency.objects.count(),
    )


# certification_create


def test_it_creates_a_certification_with_a_draft_version_one() -> None:
    version = services.certification_create(slug="sertisseur", name="CQP Sertisseur", **version_fields())

    version.refresh_from_db()
    assert (version.number, version.status, version.previous) == (1, VersionStatus.DRAFT, None)
    assert (version.certification.slug, version.certification.name) == ("sertisseur", "CQP Sertisseur")
    assert version.rncp_code == "RNCP40001"


def test_it_refuses_an_rncp_code_already_used_by_another_certification() -> None:
    VersionFactory(rncp_code="RNCP40001")

    with pytest.raises(ValidationError) as excinfo:
        services.certification_create(slug="autre", name="Autre CQP", **version_fields(rncp_code="RNCP40001"))

    assert "rncp_code" in excinfo.value.message_dict
    assert "Le code RNCP40001 est déjà celui d'une autre certification." in messages_of(excinfo)
    assert not Certification.objects.filter(slug="autre").exists()


@pytest.mark.parametrize("code", ["31313", "RNCP 31313", "rncp31313", "RNCP31313BC01", "RNCP12", "RNCP"])
def test_it_refuses_a_malformed_rncp_code(code: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.certification_create(slug="sertisseur", name="CQP Sertisseur", **version_fields(rncp_code=code))

    assert "rncp_code" in excinfo.value.message_dict
    assert "RNCP suivi de chiffres, sans espace" in messages_of(excinfo)


def test_an_unknown_field_is_a_programming_error() -> None:
    with pytest.raises(TypeError, match="status"):
        services.version_update(version=VersionFactory(), status=VersionStatus.ARCHIVED)


# Blocks


@pytest.mark.parametrize("threshold", [0, 101])
def test_it_refuses_a_block_threshold_outside_1_to_100(threshold: int) -> None:
    version = draft()

    with pytest.raises(ValidationError) as excinfo:
        services.block_create(
            version=version, code="BC1", rncp_code="RNCP40100BC01", title="Sertir", threshold_percent=threshold
        )

    assert "threshold_percent" in excinfo.value.message_dict
    assert not version.blocks.exists()


def test_it_refuses_to_raise_an_existing_block_threshold_above_100() -> None:
    block = block_in(draft(), threshold_percent=60)

    with pytest.raises(ValidationError) as excinfo:
        services.block_update(block=block, threshold_percent=101)

    assert "threshold_percent" in excinfo.value.message_dict
    block.refresh_from_db()
    assert block.threshold_percent == 60


@pytest.mark.parametrize("threshold", [1, 100])
def test_it_accepts_the_threshold_bounds_1_and_100(threshold: int) -> None:
    block = services.block_create(
        version=draft(), code="BC1", rncp_code="RNCP40100BC01", title="Sertir", threshold_percent=threshold
    )

    block.refresh_from_db()
    assert block.threshold_percent == threshold


def test_it_refuses_a_block_code_already_used_in_the_version() -> None:
    version = draft()
    services.block_create(version=version, code="BC1", rncp_code="RNCP40100BC01", title="Premier")

    with pytest.raises(ValidationError) as excinfo:
        services.block_create(version=version, code="BC1", rncp_code="RNCP40100BC02", title="Doublon")

    assert "Ce code de bloc existe déjà dans cette version." in messages_of(excinfo)
    assert list(version.blocks.values_list("title", flat=True)) == ["Premier"]


def test_it_accepts_the_same_block_code_in_another_version() -> None:
    services.block_create(version=draft("RNCP40100"), code="BC1", rncp_code="RNCP40100BC01", title="Premier")

    other = services.block_create(version=draft("RNCP40200"), code="BC1", rncp_code="RNCP40200BC01", title="Autre")

    assert Block.objects.filter(code="BC1").count() == 2
    assert other.version.rncp_code == "RNCP40200"


@pytest.mark.parametrize("rncp_code", ["RNCP99999BC01", "RNCP4010BC01"])
def test_it_refuses_a_block_rncp_code_that_does_not_extend_the_version_code(rncp_code: str) -> None:
    version = draft("RNCP40100")

    with pytest.raises(ValidationError) as excinfo:
        services.block_create(version=version, code="BC1", rncp_code=rncp_code, title="Sertir")

    assert "Le code RNCP du bloc doit commencer par RNCP40100BC." in messages_of(excinfo)
    assert not version.blocks.exists()


def test_it_refuses_to_move_a_block_rncp_code_out_of_its_version() -> None:
    block = block_in(draft("RNCP40100"))

    with pytest.raises(ValidationError) as excinfo:
        services.block_update(block=block, rncp_code="RNCP40200BC01")

    assert "doit commencer par RNCP40100BC" in messages_of(excinfo)
    block.refresh_from_db()
    assert block.rncp_code == "RNCP40100BC01"


def test_changing_the_version_rncp_code_keeps_its_blocks_codes_consistent() -> None:
    version = draft("RNCP40100")
    block = block_in(version)

    # Refusing the change is one acceptable answer; leaving the blocks inconsistent is not.
    with contextlib.suppress(ValidationError):
        services.version_update(version=version, rncp_code="RNCP40200")

    version.refresh_from_db()
    block.refresh_from_db()
    assert block.rncp_code.startswith(version.rncp_code + "BC")
    services.block_update(block=block, title="Intitulé corrigé")


# Competencies


def test_it_refuses_a_competency_code_already_used_in_the_block() -> None:
    block = block_in(draft())
    services.competency_create(block=block, code="C1.1", label="Sertir à grains")

    with pytest.raises(ValidationError) as excinfo:
        services.competency_create(block=block, code="C1.1", label="Doublon")

    assert "code" in excinfo.value.message_dict
    assert "Le code C1.1 est déjà utilisé dans le bloc BC1." in messages_of(excinfo)
    assert block.competencies.count() == 1


def test_it_refuses_a_competency_code_already_used_in_another_block_of_the_version() -> None:
    version = draft()
    first, second = block_in(version, 1), block_in(version, 2)
    services.competency_create(block=first, code="C1.1", label="Sertir à grains")

    with pytest.raises(ValidationError) as excinfo:
        services.competency_create(block=second, code="C1.1", label="Doublon dans BC2")

    assert "Le code C1.1 est déjà utilisé dans le bloc BC1." in messages_of(excinfo)
    assert not second.competencies.exists()


def test_it_refuses_to_rename_a_competency_to_a_code_used_elsewhere_in_the_version() -> None:
    version = draft()
    competencies_in(block_in(version, 1), 2)
    moved = competencies_in(block_in(version, 2), 1)[0]

    with pytest.raises(ValidationError) as excinfo:
        services.competency_update(competency=moved, code="C1.2")

    assert "Le code C1.2 est déjà utilisé dans le bloc BC1." in messages_of(excinfo)
    moved.refresh_from_db()
    assert moved.code == "C2.1"


def test_it_keeps_a_competency_code_when_only_its_label_changes() -> None:
    competency = competencies_in(block_in(draft()), 1)[0]

    services.competency_update(competency=competency, code="C1.1", label="Sertir à griffes")

    competency.refresh_from_db()
    assert (competency.code, competency.label) == ("C1.1", "Sertir à griffes")


def test_it_accepts_the_same_competency_code_in_another_version() -> None:
    competencies_in(block_in(draft("RNCP40100")), 1)

    competency = services.competency_create(block=block_in(draft("RNCP40200")), code="C1.1", label="Ailleurs")

    assert Competency.objects.filter(code="C1.1").count() == 2
    assert competency.block.version.rncp_code == "RNCP40200"


@pytest.mark.parametrize("code", ["1.1", "C1", "C1.", "c1.1", "C1-1", "C123.1"])
def test_it_refuses_a_malformed_competency_code(code: str) -> None:
    block = block_in(draft())

    with pytest.raises(ValidationError) as excinfo:
        services.competency_create(block=block, code=code, label="Sertir")

    assert "code" in excinfo.value.message_dict
    assert "Le code de la compétence s'écrit comme C1.2" in messages_of(excinfo)
    assert not block.competencies.exists()


# block_set_mandatory


def test_it_makes_exactly_the_given_competencies_mandatory() -> None:
    block = block_in(draft())
    competencies_in(block, 5, mandatory=(4, 5))

    services.block_set_mandatory(block=block, codes=["C1.1", "C1.2", "C1.3"])

    assert mandatory_codes(block) == {"C1.1", "C1.2", "C1.3"}


def test_it_clears_every_mandatory_flag_when_given_no_code() -> None:
    block = block_in(draft())
    competencies_in(block, 3, mandatory=(1, 2))

    services.block_set_mandatory(block=block, codes=[])

    assert mandatory_codes(block) == set()


def test_it_refuses_a_mandatory_code_outside_the_block_names_it_and_changes_nothing() -> None:
    version = draft()
    block = block_in(version, 1)
    competencies_in(block, 3, mandatory=(1,))
    competencies_in(block_in(version, 2), 2)

    with pytest.raises(ValidationError) as excinfo:
        services.block_set_mandatory(block=block, codes=["C1.2", "C2.1"])

    assert "C2.1 n'appartient pas au bloc BC1" in messages_of(excinfo)
    assert "C1.2" not in messages_of(excinfo)
    assert mandatory_codes(block) == {"C1.1"}


def test_it_names_every_stranger_among_mandatory_codes() -> None:
    block = block_in(draft())
    competencies_in(block, 2)

    with pytest.raises(ValidationError) as excinfo:
        services.block_set_mandatory(block=block, codes=["C9.9", "C1.1", "C8.1"])

    assert "C8.1, C9.9 n'appartiennent pas au bloc BC1" in messages_of(excinfo)
    assert mandatory_codes(block) == set()


# Publication and archiving


def test_it_refuses_to_publish_a_version_without_blocks() -> None:
    version = draft()

    assert services.version_problems(version) == ["La version n'a aucun bloc de compétences."]
    with pytest.raises(ValidationError) as excinfo:
        services.version_publish(version=version)

    assert "La version n'a aucun bloc de compétences." in messages_of(excinfo)
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT


def test_it_refuses_to_publish_a_version_with_a_block_without_competency_and_names_the_block() -> None:
    version = draft()
    competencies_in(block_in(version, 1), 2)
    block_in(version, 2)

    assert services.version_problems(version) == ["Le bloc BC2 n'a aucune compétence : ajoutez-en au moins une."]
    with pytest.raises(ValidationError) as excinfo:
        services.version_publish(version=version)

    assert "Le bloc BC2 n'a aucune compétence" in messages_of(excinfo)
    assert "BC1" not in messages_of(excinfo)
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT


def test_it_publishes_a_complete_draft() -> None:
    version = draft()
    competencies_in(block_in(version, 1), 2)
    competencies_in(block_in(version, 2), 1)

    assert services.version_problems(version) == []
    published = services.version_publish(version=version)

    assert published.status == VersionStatus.PUBLISHED
    assert CertificationVersion.objects.get(pk=version.pk).status == VersionStatus.PUBLISHED


def test_it_refuses_to_publish_a_version_that_is_no_longer_a_draft() -> None:
    version = draft()
    competencies_in(block_in(version), 1)
    services.version_publish(version=version)

    with pytest.raises(ValidationError) as excinfo:
        services.version_publish(version=version)

    assert "Seule une version en préparation peut être publiée." in messages_of(excinfo)
    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED


def test_it_refuses_to_publish_an_archived_version() -> None:
    version = VersionFactory(status=VersionStatus.ARCHIVED, rncp_code="RNCP40100")
    competencies_in(block_in(version), 1)

    with pytest.raises(ValidationError, match="Seule une version en préparation peut être publiée"):
        services.version_publish(version=version)

    version.refresh_from_db()
    assert version.status == VersionStatus.ARCHIVED


def test_it_archives_a_published_version() -> None:
    version = VersionFactory(status=VersionStatus.PUBLISHED)

    assert services.version_archive(version=version).status == VersionStatus.ARCHIVED
    version.refresh_from_db()
    assert version.status == VersionStatus.ARCHIVED


@pytest.mark.parametrize("status", [VersionStatus.DRAFT, VersionStatus.ARCHIVED])
def test_it_archives_only_a_published_version(status: VersionStatus) -> None:
    version = VersionFactory(status=status)

    with pytest.raises(ValidationError) as excinfo:
        services.version_archive(version=version)

    assert "Seule une version en vigueur peut être archivée." in messages_of(excinfo)
    version.refresh_from_db()
    assert version.status == status


# version_new


@pytest.fixture
def published_version() -> CertificationVersion:
    version = VersionFactory(
        status=VersionStatus.PUBLISHED, rncp_code="RNCP40300", block_validity_years=5, partial_award_allowed=False
    )
    first = block_in(version, 1, threshold_percent=75, title="Préparer")
    competencies_in(first, 3, mandatory=(1, 3))
    second = block_in(version, 2, threshold_percent=50, title="Polir")
    competencies_in(second, 2, mandatory=(2,))
    return version


def referential_of(version: CertificationVersion) -> list[tuple[Any, ...]]:
    return [
        (
            block.code,
            block.rncp_code,
            block.title,
            block.threshold_percent,
            block.order,
            *block.competencies.order_by("order").values_list("code", "label", "is_mandatory", "order"),
        )
        for block in version.blocks.order_by("order")
    ]


def test_a_new_version_copies_blocks_and_competencies_into_a_draft(published_version: CertificationVersion) -> None:
    new = services.version_new(previous=published_version)

    new.refresh_from_db()
    assert (new.number, new.status, new.previous) == (2, VersionStatus.DRAFT, published_version)
    assert new.certification_id == published_version.certification_id
    assert (new.rncp_code, new.block_validity_years, new.partial_award_allowed) == ("RNCP40300", 5, False)
    assert referential_of(new) == referential_of(published_version)
    assert referential_of(new)[0][5] == ("C1.1", "Compétence 1.1", True, 1)
    assert not set(new.blocks.values_list("pk", flat=True)) & set(published_version.blocks.values_list("pk", flat=True))
    published_version.refresh_from_db()
    assert published_version.status == VersionStatus.PUBLISHED


def test_a_new_version_is_numbered_after_the_last_one(published_version: CertificationVersion) -> None:
    second = services.version_new(previous=published_version)

    third = services.version_new(previous=second)

    assert (second.number, third.number) == (2, 3)
    assert third.previous == second
    assert published_version.certification.versions.count() == 3


def test_editing_the_new_version_leaves_the_previous_one_unchanged(published_version: CertificationVersion) -> None:
    before = referential_of(published_version)
    new = services.version_new(previous=published_version)
    block = new.blocks.get(code="BC1")

    services.block_update(block=block, threshold_percent=90, title="Préparer autrement")
    services.block_set_mandatory(block=block, codes=["C1.2"])
    services.competency_update(competency=block.competencies.get(code="C1.1"), label="Nouveau libellé")
    services.competency_delete(competency=new.blocks.get(code="BC2").competencies.get(code="C2.1"))
    services.competency_create(block=block, code="C1.4", label="Ajoutée", order=4)

    assert referential_of(published_version) == before
    assert referential_of(new) != before


def test_it_refuses_a_second_successor_of_the_same_version(published_version: CertificationVersion) -> None:
    services.version_new(previous=published_version)

    with pytest.raises(ValidationError) as excinfo:
        services.version_new(previous=published_version)

    assert "La version 1 a déjà une version suivante." in messages_of(excinfo)
    assert published_version.certification.versions.count() == 2


# Freezing a version in use


def test_a_fresh_version_is_not_in_use() -> None:
    version = draft()
    competencies_in(block_in(version), 2)

    assert services.version_is_in_use(version) is False


def test_a_version_is_not_in_use_only_because_it_has_a_successor(published_version: CertificationVersion) -> None:
    services.version_new(previous=published_version)

    assert services.version_is_in_use(published_version) is False
    block = services.block_update(block=published_version.blocks.get(code="BC1"), threshold_percent=80)
    assert block.threshold_percent == 80


@pytest.fixture
def in_use() -> Iterator[mock.MagicMock]:
    with mock.patch("cqp.services.version_is_in_use", return_value=True) as patched:
        yield patched


@pytest.fixture
def frozen_block(in_use: mock.MagicMock) -> Block:
    block = block_in(VersionFactory(status=VersionStatus.PUBLISHED, rncp_code="RNCP40400"), threshold_percent=60)
    competencies_in(block, 3, mandatory=(1,))
    return block


def rule_changes(block: Block) -> dict[str, Callable[[], object]]:
    version = block.version
    competency = block.competencies.get(code="C1.2")
    return {
        "block_create": lambda: services.block_create(
            version=version, code="BC2", rncp_code="RNCP40400BC02", title="Nouveau bloc"
        ),
        "competency_create": lambda: services.competency_create(block=block, code="C1.4", label="Nouvelle"),
        "competency_update mandatory": lambda: services.competency_update(competency=competency, is_mandatory=True),
        "competency_update code": lambda: services.competency_update(competency=competency, code="C1.9"),
        "block_update threshold": lambda: services.block_update(block=block, threshold_percent=80),
        "block_set_mandatory": lambda: services.block_set_mandatory(block=block, codes=["C1.1", "C1.2"]),
        "version_update partial award": lambda: services.version_update(version=version, partial_award_allowed=False),
        "version_update block validity": lambda: services.version_update(version=version, block_validity_years=3),
        "competency_delete": lambda: services.competency_delete(competency=competency),
        "block_delete": lambda: services.block_delete(block=block),
    }


@pytest.mark.parametrize(
    "change",
    [
        "block_create",
        "competency_create",
        "competency_update mandatory",
        "competency_update code",
        "block_update threshold",
        "block_set_mandatory",
        "version_update partial award",
        "version_update block validity",
        "competency_delete",
        "block_delete",
    ],
)
def test_it_refuses_to_change_the_rules_of_a_version_in_use(frozen_block: Block, change: str) -> None:
    before = (row_counts(), referential_of(frozen_block.version))

    with pytest.raises(ValidationError) as excinfo:
        rule_changes(frozen_block)[change]()

    assert "RNCP 40400 v1 est déjà utilisée" in messages_of(excinfo)
    assert NEW_VERSION_HINT in messages_of(excinfo)
    frozen_block.version.refresh_from_db()
    assert frozen_block.version.partial_award_allowed is True
    assert frozen_block.version.block_validity_years is None
    assert (row_counts(), referential_of(frozen_block.version)) == before


def test_it_still_edits_descriptions_of_a_version_in_use(frozen_block: Block) -> None:
    version = frozen_block.version
    competency = frozen_block.competencies.get(code="C1.2")

    services.version_update(version=version, title="Intitulé corrigé", prerequisites="Aucun")
    services.competency_update(competency=competency, label="Libellé corrigé", label_is_draft=True)
    services.block_update(block=frozen_block, title="Bloc renommé")

    version.refresh_from_db()
    competency.refresh_from_db()
    frozen_block.refresh_from_db()
    assert (version.title, version.prerequisites) == ("Intitulé corrigé", "Aucun")
    assert (competency.label, competency.label_is_draft, competency.is_mandatory) == ("Libellé corrigé", True, False)
    assert frozen_block.title == "Bloc renommé"


def test_it_accepts_restating_the_same_mandatory_codes_of_a_version_in_use(frozen_block: Block) -> None:
    services.block_set_mandatory(block=frozen_block, codes=["C1.1"])

    assert mandatory_codes(frozen_block) == {"C1.1"}


def test_it_refuses_rule_changes_on_an_archived_version() -> None:
    block = block_in(VersionFactory(status=VersionStatus.ARCHIVED, rncp_code="RNCP40500"))
    competencies_in(block, 2)

    with pytest.raises(ValidationError) as excinfo:
        services.competency_create(block=block, code="C1.3", label="Trop tard")

    assert "RNCP 40500 v1 est archivée" in messages_of(excinfo)
    assert block.competencies.count() == 2


# Deletions


def test_it_refuses_to_delete_the_last_competency_of_a_block_of_a_published_version() -> None:
    block = block_in(VersionFactory(status=VersionStatus.PUBLISHED, rncp_code="RNCP40600"))
    (last,) = competencies_in(block, 1)

    with pytest.raises(ValidationError) as excinfo:
        services.competency_delete(competency=last)

    assert "C1.1 est la dernière compétence du bloc BC1" in messages_of(excinfo)
    assert block.competencies.filter(pk=last.pk).exists()


def test_it_deletes_a_competency_of_a_published_block_that_keeps_others() -> None:
    block = block_in(VersionFactory(status=VersionStatus.PUBLISHED, rncp_code="RNCP40600"))
    first, _second = competencies_in(block, 2)

    services.competency_delete(competency=first)

    assert list(block.competencies.values_list("code", flat=True)) == ["C1.2"]


def test_it_deletes_the_last_competency_of_a_draft_block() -> None:
    block = block_in(draft())
    (last,) = competencies_in(block, 1)

    services.competency_delete(competency=last)

    assert not block.competencies.exists()


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (VersionStatus.PUBLISHED, "On ne supprime un bloc que d'une version en préparation."),
        (VersionStatus.ARCHIVED, "RNCP 40700 v1 est archivée : supprimer un bloc est impossible."),
    ],
)
def test_it_refuses_to_delete_a_block_outside_a_draft(status: VersionStatus, message: str) -> None:
    block = block_in(VersionFactory(status=status, rncp_code="RNCP40700"))
    competencies_in(block, 2)

    with pytest.raises(ValidationError) as excinfo:
        services.block_delete(block=block)

    assert message in messages_of(excinfo)
    assert Block.objects.filter(pk=block.pk).exists()
    assert block.competencies.count() == 2


def test_it_deletes_a_draft_block_with_its_competencies() -> None:
    block = block_in(draft())
    competencies_in(block, 3)

    services.block_delete(block=block)

    assert not Block.objects.filter(pk=block.pk).exists()
    assert not Competency.objects.exists()


# Atomicity


def test_a_refused_certification_leaves_no_certification_behind() -> None:
    before = row_counts()

    with pytest.raises(ValidationError):
        services.certification_create(slug="sertisseur", name="CQP Sertisseur", **version_fields(rncp_code="31313"))

    assert row_counts() == before
    assert not Certification.objects.filter(slug="sertisseur").exists()


def test_a_refused_certification_with_a_taken_rncp_code_leaves_no_certification_behind() -> None:
    VersionFactory(rncp_code="RNCP40001")
    before = row_counts()

    with pytest.raises(ValidationError):
        services.certification_create(slug="sertisseur", name="CQP Sertisseur", **version_fields())

    assert row_counts() == before


def test_a_failing_new_version_leaves_the_database_unchanged(published_version: CertificationVersion) -> None:
    before = (row_counts(), referential_of(published_version))

    with (
        mock.patch("cqp.services.Competency.objects.bulk_create", side_effect=RuntimeError("disque plein")),
        pytest.raises(RuntimeError),
    ):
        services.version_new(previous=published_version)

    assert (row_counts(), referential_of(published_version)) == before
    assert not CertificationVersion.objects.filter(previous=published_version).exists()


def test_a_failing_mandatory_change_leaves_every_flag_as_it_was() -> None:
    block = block_in(draft())
    competencies_in(block, 4, mandatory=(1, 2))

    with (
        mock.patch("cqp.services.Competency.objects.bulk_update", side_effect=RuntimeError("coupure")),
        pytest.raises(RuntimeError),
    ):
        services.block_set_mandatory(block=block, codes=["C1.3"])

    assert mandatory_codes(block) == {"C1.1", "C1.2"}


# The loaded referential feeds the pure rules


def test_the_loaded_26850_block_1_feeds_the_validation_rule(referential: None) -> None:
    block = Block.objects.get(version__rncp_code="RNCP26850", code="BC1")
    competencies = list(block.competencies.order_by("order"))
    codes = [c.code for c in competencies]
    mandatory = {c.code for c in competencies if c.is_mandatory}

    assert codes == ["C1.1", "C1.2", "C1.3", "C1.4", "C1.5"]
    assert mandatory == {"C1.1", "C1.2", "C1.3"}
    grades = {"C1.1": "A", "C1.2": "A", "C1.3": "A", "C1.4": "NA", "C1.5": "NA"}
    decision = validate_block(grades, codes, mandatory, block.threshold_percent)
    assert decision.validated is True
    assert (decision.acquired, decision.total, decision.required) == (3, 5, 3)

    # Three acquired again, but a mandatory one missing: refused.
    grades = {"C1.1": "A", "C1.2": "NA", "C1.3": "A", "C1.4": "A", "C1.5": "NA"}
    decision = validate_block(grades, codes, mandatory, block.threshold_percent)
    assert decision.validated is False
    assert decision.missing_mandatory == ("C1.2",)


def test_the_loaded_26850_block_2_needs_four_of_six_with_its_mandatory_ones(referential: None) -> None:
    block = Block.objects.get(version__rncp_code="RNCP26850", code="BC2")
    competencies = list(block.competencies.order_by("order"))
    codes = [c.code for c in competencies]
    mandatory = {c.code for c in competencies if c.is_mandatory}

    grades = dict.fromkeys(codes, "NA") | {"C2.1": "A", "C2.2": "A", "C2.4": "A"}
    assert validate_block(grades, codes, mandatory, block.threshold_percent).validated is False
    grades["C2.6"] = "A"
    decision = validate_block(grades, codes, mandatory, block.threshold_percent)
    assert decision.validated is True
    assert (decision.acquired, decision.required) == (4, 4)
