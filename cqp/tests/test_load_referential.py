"""`manage.py load_referential`: the branch's four certifications, their blocks and competencies as
registered, the certifiers and organisations, and a second run that leaves everything as it is."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from cqp import services
from cqp.models import (
    AccessRoute,
    Block,
    Certification,
    CertificationVersion,
    Certifier,
    Competency,
    TrainingOrganisation,
    VersionStatus,
)
from cqp.rules import BlockDecision, validate_block

pytestmark = pytest.mark.django_db

SEED_31313 = Path(settings.BASE_DIR).parent / "shared" / "seeds" / "000_04217fc0b8dc9f6b.txt"


def load() -> str:
    out = io.StringIO()
    call_command("load_referential", stdout=out)
    return out.getvalue()


def normalised(text: str) -> str:
    """One space between words: the PDF-extracted seed breaks lines and doubles spaces inside labels."""
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture
def loaded() -> str:
    return load()


def version(rncp_code: str) -> CertificationVersion:
    return CertificationVersion.objects.select_related("certification", "certifier").get(rncp_code=rncp_code)


def codes_of(block: Block, **filters: object) -> list[str]:
    return list(block.competencies.filter(**filters).order_by("order").values_list("code", flat=True))


def test_it_loads_the_four_certifications_of_the_branch(loaded: str) -> None:
    assert sorted(CertificationVersion.objects.values_list("rncp_code", flat=True)) == [
        "RNCP26849",
        "RNCP26850",
        "RNCP31313",
        "RNCP31394",
    ]
    assert Certification.objects.count() == 4
    assert set(CertificationVersion.objects.values_list("number", flat=True)) == {1}


def test_31313_has_four_blocks_with_their_rncp_codes(loaded: str) -> None:
    blocks = list(version("RNCP31313").blocks.order_by("order"))

    assert [(b.code, b.rncp_code) for b in blocks] == [
        ("BC1", "RNCP31313BC01"),
        ("BC2", "RNCP31313BC02"),
        ("BC3", "RNCP31313BC03"),
        ("BC4", "RNCP31313BC04"),
    ]
    assert [b.competencies.count() for b in blocks] == [12, 7, 11, 10]
    assert [b.threshold_percent for b in blocks] == [60, 60, 60, 60]
    assert blocks[0].title == "Assurer la relation client"


def test_31313_competencies_are_numbered_by_block_and_none_is_mandatory(loaded: str) -> None:
    watchmaker = version("RNCP31313")
    competencies = Competency.objects.filter(block__version=watchmaker)

    assert competencies.count() == 40
    assert not competencies.filter(is_mandatory=True).exists()
    assert not competencies.filter(label_is_draft=True).exists()
    for block in watchmaker.blocks.all():
        number = block.code.removeprefix("BC")
        assert codes_of(block) == [f"C{number}.{i}" for i in range(1, block.competencies.count() + 1)]


def test_31313_carries_its_registration_as_published(loaded: str) -> None:
    watchmaker = version("RNCP31313")

    assert watchmaker.status == VersionStatus.PUBLISHED
    assert watchmaker.nsf_codes == ["251"]
    assert (watchmaker.registration_start, watchmaker.registration_end) == (dt.date(2018, 8, 7), dt.date(2023, 8, 7))
    assert watchmaker.block_validity_years is None
    assert watchmaker.partial_award_allowed is True
    assert watchmaker.title == "CQP : Certificat de qualification professionnelle Horloger qualifié"
    assert watchmaker.certifier.name == "CPNEFP Horlogerie"
    assert watchmaker.decision_date == dt.date(2018, 7, 30)
    assert sorted(watchmaker.access_routes) == sorted(AccessRoute.values)


def test_every_31313_competency_label_is_copied_from_the_rncp_sheet(loaded: str) -> None:
    if not SEED_31313.is_file():
        pytest.skip(f"Fiche RNCP 31313 absente ({SEED_31313}) : libellés non comparés.")
    sheet = normalised(SEED_31313.read_text(encoding="utf-8"))

    labels = list(Block.objects.filter(version__rncp_code="RNCP31313").values_list("title", flat=True)) + list(
        Competency.objects.filter(block__version__rncp_code="RNCP31313").values_list("label", flat=True)
    )

    assert len(labels) == 4 + 40
    missing = [label for label in labels if normalised(label) not in sheet]
    assert missing == []


def test_26850_has_its_two_blocks_with_their_mandatory_competencies(loaded: str) -> None:
    polishing = version("RNCP26850")
    first, second = polishing.blocks.order_by("order")

    assert (first.code, first.rncp_code, second.code, second.rncp_code) == (
        "BC1",
        "RNCP26850BC01",
        "BC2",
        "RNCP26850BC02",
    )
    assert codes_of(first) == ["C1.1", "C1.2", "C1.3", "C1.4", "C1.5"]
    assert codes_of(first, is_mandatory=True) == ["C1.1", "C1.2", "C1.3"]
    assert codes_of(second) == ["C2.1", "C2.2", "C2.3", "C2.4", "C2.5", "C2.6"]
    assert codes_of(second, is_mandatory=True) == ["C2.1", "C2.2", "C2.4"]
    assert (first.threshold_percent, second.threshold_percent) == (60, 60)
    assert polishing.status == VersionStatus.PUBLISHED
    assert polishing.certifier.name == "CPNEFP HBJO"


def test_26850_labels_are_flagged_as_drafts_to_check(loaded: str) -> None:
    polishing = version("RNCP26850")
    competencies = Competency.objects.filter(block__version=polishing)

    assert competencies.count() == 11
    assert set(competencies.values_list("label_is_draft", flat=True)) == {True}
    assert set(polishing.blocks.values_list("title_is_draft", flat=True)) == {True}
    assert "fiche RNCP 26850" in polishing.to_verify


@pytest.mark.parametrize("rncp_code", ["RNCP26849", "RNCP31394"])
def test_the_certifications_still_to_enter_are_drafts_without_blocks(loaded: str, rncp_code: str) -> None:
    draft = version(rncp_code)

    assert draft.status == VersionStatus.DRAFT
    assert not draft.blocks.exists()
    assert draft.to_verify


def test_it_loads_the_certifiers_and_the_three_training_organisations(loaded: str) -> None:
    assert sorted(Certifier.objects.values_list("name", flat=True)) == ["CPNEFP HBJO", "CPNEFP Horlogerie"]
    hbjo = Certifier.objects.get(name="CPNEFP HBJO")
    assert "CNHBJO" in hbjo.delegate_name
    assert sorted(TrainingOrganisation.objects.values_list("name", "city")) == [
        ("BJO Formation", "Paris"),
        ("Lycée professionnel Jean Jaurès", "Rennes"),
        ("École d'horlogerie Charles Edouard Guillaume", "Fougères"),
    ]


def test_the_first_run_reports_what_it_created(loaded: str) -> None:
    assert "RNCP 31313 CQP Horloger qualifié : créée (4 blocs, 40 compétences, en vigueur)" in loaded
    assert "RNCP 26850 CQP Opérateur en polissage : créée (2 blocs, 11 compétences, en vigueur)" in loaded
    assert "RNCP 26849 CQP Concepteur 3D : créée (0 blocs, 0 compétences, en préparation)" in loaded
    assert "Organisme BJO Formation : créé" in loaded
    assert "déjà présent" not in loaded


def counts() -> dict[str, int]:
    return {
        "certifiers": Certifier.objects.count(),
        "organisations": TrainingOrganisation.objects.count(),
        "certifications": Certification.objects.count(),
        "versions": CertificationVersion.objects.count(),
        "blocks": Block.objects.count(),
        "competencies": Competency.objects.count(),
    }


def test_a_second_run_creates_no_duplicate_and_says_so(loaded: str) -> None:
    before = counts()

    output = load()

    assert counts() == before
    assert before == {
        "certifiers": 2,
        "organisations": 3,
        "certifications": 4,
        "versions": 4,
        "blocks": 6,
        "competencies": 51,
    }
    assert output.count("déjà présente, laissée telle quelle") == 4
    assert "RNCP 31313 CQP Horloger qualifié : déjà présente" in output
    assert "Certificateur CPNEFP HBJO : déjà présent, laissé tel quel" in output
    assert "créé" not in output


def test_a_second_run_keeps_an_admins_edits(loaded: str) -> None:
    watchmaker = version("RNCP31313")
    block = watchmaker.blocks.get(code="BC2")
    services.block_set_mandatory(block=block, codes=["C2.3"])
    services.block_update(block=block, threshold_percent=75)
    services.competency_update(competency=block.competencies.get(code="C2.1"), label="Libellé revu")

    load()

    block.refresh_from_db()
    assert codes_of(block, is_mandatory=True) == ["C2.3"]
    assert block.threshold_percent == 75
    assert block.competencies.get(code="C2.1").label == "Libellé revu"


def test_a_second_run_leaves_a_version_where_the_admin_moved_it(loaded: str) -> None:
    services.version_archive(version=version("RNCP31313"))

    load()

    assert version("RNCP31313").status == VersionStatus.ARCHIVED
    assert CertificationVersion.objects.filter(rncp_code="RNCP31313").count() == 1


def validate_bc1_of_26850(grades: dict[str, str]) -> BlockDecision:
    """Feed the pure rule with what the command stored, not with constants copied from the seed."""
    bc1 = Block.objects.get(version__rncp_code="RNCP26850", code="BC1")
    rows = list(bc1.competencies.order_by("order"))
    return validate_block(
        grades,
        competencies=[c.code for c in rows],
        mandatory={c.code for c in rows if c.is_mandatory},
        threshold_percent=bc1.threshold_percent,
    )


def test_the_loaded_26850_rules_validate_three_mandatory_of_five(loaded: str) -> None:
    decision = validate_bc1_of_26850({"C1.1": "A", "C1.2": "A", "C1.3": "A", "C1.4": "NA", "C1.5": "NA"})

    assert decision.validated is True
    assert (decision.acquired, decision.total, decision.required) == (3, 5, 3)
    assert decision.missing_mandatory == ()


def test_the_loaded_26850_rules_refuse_a_block_with_a_mandatory_competency_missing(loaded: str) -> None:
    decision = validate_bc1_of_26850({"C1.1": "A", "C1.2": "A", "C1.3": "NA", "C1.4": "A", "C1.5": "A"})

    assert decision.validated is False
    assert decision.acquired == 4
    assert decision.missing_mandatory == ("C1.3",)
