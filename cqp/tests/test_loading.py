"""`manage.py load_referential`: the branch's certifications as registered, loaded idempotently."""

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

pytestmark = pytest.mark.usefixtures("referential")

SEED_31313 = Path(settings.BASE_DIR).parent / "shared" / "seeds" / "000_04217fc0b8dc9f6b.txt"
REFERENTIAL_MODELS = (Certifier, TrainingOrganisation, Certification, CertificationVersion, Block, Competency)


def version(rncp_code: str) -> CertificationVersion:
    return CertificationVersion.objects.select_related("certifier").get(rncp_code=rncp_code)


def blocks_of(rncp_code: str) -> list[Block]:
    return list(Block.objects.filter(version__rncp_code=rncp_code).prefetch_related("competencies").order_by("order"))


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in REFERENTIAL_MODELS}


def load_again() -> str:
    out = io.StringIO()
    call_command("load_referential", stdout=out)
    return out.getvalue()


def one_spaced(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_it_loads_the_four_certifications_of_the_branch_in_version_1() -> None:
    loaded = CertificationVersion.objects.values_list("rncp_code", "number")

    assert sorted(loaded) == sorted([("RNCP31313", 1), ("RNCP26850", 1), ("RNCP26849", 1), ("RNCP31394", 1)])
    assert Certification.objects.count() == 4


def test_horloger_qualifie_is_published_with_its_registration_facts() -> None:
    v = version("RNCP31313")

    assert v.status == VersionStatus.PUBLISHED
    assert v.certifier.name == "CPNEFP Horlogerie"
    assert v.nsf_codes == ["251"]
    assert v.registration_start == dt.date(2018, 8, 7)
    assert v.registration_end == dt.date(2023, 8, 7)
    assert v.decision_date == dt.date(2018, 7, 30)
    assert v.block_validity_years is None
    assert sorted(v.access_routes) == sorted(AccessRoute.values)


def test_horloger_qualifie_has_its_four_blocks_and_their_competencies() -> None:
    blocks = blocks_of("RNCP31313")

    assert [(b.code, b.rncp_code, b.title) for b in blocks] == [
        ("BC1", "RNCP31313BC01", "Assurer la relation client"),
        ("BC2", "RNCP31313BC02", "Etablir des diagnostics sur des montres à complications"),
        ("BC3", "RNCP31313BC03", "Réviser, réparer, régler et procéder à l’habillage des montres à complications"),
        ("BC4", "RNCP31313BC04", "Organiser l’intervention"),
    ]
    expected_sizes = [12, 7, 11, 10]
    for number, (block, size) in enumerate(zip(blocks, expected_sizes, strict=True), start=1):
        codes = [c.code for c in block.competencies.all()]
        assert codes == [f"C{number}.{i}" for i in range(1, size + 1)]
        assert block.threshold_percent == 60
    assert not Competency.objects.filter(block__version__rncp_code="RNCP31313", is_mandatory=True).exists()


def test_horloger_qualifie_labels_are_copied_exactly_from_the_rncp_sheet() -> None:
    if not SEED_31313.exists():
        pytest.skip(f"Fiche RNCP 31313 absente ({SEED_31313}) : impossible de comparer les libellés.")
    text = one_spaced(SEED_31313.read_text(encoding="utf-8"))
    labels = [b.title for b in blocks_of("RNCP31313")] + list(
        Competency.objects.filter(block__version__rncp_code="RNCP31313").values_list("label", flat=True)
    )

    assert len(labels) == 4 + 40
    missing = [label for label in labels if one_spaced(label) not in text]
    assert missing == []


def test_operateur_polissage_has_its_mandatory_competencies_and_draft_labels() -> None:
    v = version("RNCP26850")
    bc1, bc2 = blocks_of("RNCP26850")

    assert v.status == VersionStatus.PUBLISHED
    assert v.certifier.name == "CPNEFP HBJO"
    assert v.to_verify.strip() != ""
    assert "Aucun prérequis" in v.prerequisites
    assert (bc1.code, bc1.competencies.count()) == ("BC1", 5)
    assert {c.code for c in bc1.competencies.all() if c.is_mandatory} == {"C1.1", "C1.2", "C1.3"}
    assert (bc2.code, bc2.competencies.count()) == ("BC2", 6)
    assert {c.code for c in bc2.competencies.all() if c.is_mandatory} == {"C2.1", "C2.2", "C2.4"}
    assert bc1.title_is_draft and bc2.title_is_draft
    competencies = Competency.objects.filter(block__version=v)
    assert competencies.count() == 11
    assert all(competencies.values_list("label_is_draft", flat=True))


@pytest.mark.parametrize(("rncp_code", "words"), [("RNCP26849", "Concepteur 3D"), ("RNCP31394", "gemmologie")])
def test_the_two_other_certifications_are_drafts_without_blocks(rncp_code: str, words: str) -> None:
    v = version(rncp_code)

    assert words in v.title
    assert v.status == VersionStatus.DRAFT
    assert not v.blocks.exists()


def test_it_loads_the_two_certifiers() -> None:
    hbjo = Certifier.objects.get(name="CPNEFP HBJO")

    assert "CNHBJO" in hbjo.delegate_name
    assert "58 rue du Louvre" in hbjo.address
    assert set(Certifier.objects.values_list("name", flat=True)) == {"CPNEFP HBJO", "CPNEFP Horlogerie"}


def test_it_loads_the_training_organisations() -> None:
    organisations = dict(TrainingOrganisation.objects.values_list("name", "city"))

    assert "BJO Formation" in organisations
    assert organisations["École d'horlogerie Charles Edouard Guillaume"] == "Fougères"
    assert organisations["Lycée professionnel Jean Jaurès"] == "Rennes"


def test_a_second_run_creates_nothing_and_says_so() -> None:
    before = counts()

    output = load_again()

    assert counts() == before
    assert "déjà présente" in output
    assert "créée" not in output


def test_an_admin_edit_survives_a_second_run() -> None:
    bc1 = Block.objects.get(version__rncp_code="RNCP31313", code="BC1")
    services.block_set_mandatory(block=bc1, codes=["C1.1"])

    load_again()

    mandatory = Competency.objects.filter(block__version__rncp_code="RNCP31313", is_mandatory=True)
    assert list(mandatory.values_list("code", flat=True)) == ["C1.1"]


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


def test_the_loaded_26850_rules_validate_three_mandatory_of_five() -> None:
    grades = {"C1.1": "A", "C1.2": "A", "C1.3": "A", "C1.4": "NA", "C1.5": "NA"}

    decision = validate_bc1_of_26850(grades)

    assert decision.validated is True
    assert (decision.acquired, decision.total, decision.required) == (3, 5, 3)
    assert decision.missing_mandatory == ()


def test_the_loaded_26850_rules_refuse_a_block_with_a_mandatory_competency_missing() -> None:
    grades = {"C1.1": "A", "C1.2": "A", "C1.3": "NA", "C1.4": "A", "C1.5": "A"}

    decision = validate_bc1_of_26850(grades)

    assert decision.validated is False
    assert decision.acquired == 4
    assert decision.missing_mandatory == ("C1.3",)
