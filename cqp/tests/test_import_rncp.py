"""`manage.py import_rncp` (issue 13, part 4): the sample's RNCP 31313 becomes the referential `load_referential`
loads, and RNCP99913 a linked certification naming it; importing again changes nothing; a changed fiche becomes a
new draft version; a fiche that cannot be imported says why, one line a fiche."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cqp import referential_data
from cqp.models import Certification, CertificationVersion, Certifier, Competency
from cqp.tests.test_rncp import SAMPLE

pytestmark = pytest.mark.django_db


def run(path: Path | str, *numbers: str) -> list[str]:
    out = io.StringIO()
    call_command("import_rncp", str(path), *[f"--number={n}" for n in numbers], stdout=out)
    return out.getvalue().splitlines()


@pytest.fixture
def certifiers() -> None:
    """The certifiers alone, as `load_referential` writes them (no certification yet)."""
    for data in referential_data.CERTIFIERS:
        Certifier.objects.create(
            name=data.name, legal_name=data.legal_name, signatory_title=data.signatory_title, city=data.city
        )


def test_the_sample_creates_31313_as_load_referential_does_and_its_linked_renewal(certifiers: None) -> None:
    assert run(SAMPLE) == [
        "RNCP31313: created draft version, 4 blocks, 40 competencies",
        "RNCP99913: created draft version, 4 blocks, 41 competencies",
    ]
    version = CertificationVersion.objects.get(rncp_code="RNCP31313")
    known = referential_data.HORLOGER_QUALIFIE
    assert (version.title, version.short_title, version.nsf_codes) == (
        known.title,
        known.short_title,
        list(known.nsf_codes),
    )
    assert (version.registration_start, version.registration_end) == (known.registration_start, known.registration_end)
    assert version.access_routes == list(known.access_routes)
    assert version.certifier.name == known.certifier and version.status == "draft"
    imported = [
        (b.code, b.rncp_code, b.title, [(c.code, c.label) for c in b.competencies.order_by("order")])
        for b in version.blocks.order_by("order")
    ]
    assert imported == [
        (b.code, b.rncp_code, b.title, [(c.code, c.label) for c in b.competencies]) for b in known.blocks
    ]
    assert not Competency.objects.filter(block__version=version, label_is_draft=False).exists()  # "à vérifier"
    renewal = CertificationVersion.objects.get(rncp_code="RNCP99913")
    assert renewal.certification != version.certification
    assert renewal.certification.predecessor == version.certification
    assert list(version.certification.successors.all()) == [renewal.certification]


def test_importing_again_changes_nothing(certifiers: None) -> None:
    run(SAMPLE)
    rows = (Certification.objects.count(), CertificationVersion.objects.count(), Competency.objects.count())
    assert run(SAMPLE) == ["RNCP31313: unchanged", "RNCP99913: unchanged"]
    assert (Certification.objects.count(), CertificationVersion.objects.count(), Competency.objects.count()) == rows


def test_the_referential_loaded_by_the_command_is_unchanged_by_the_sample(referential: None) -> None:
    """`load_referential` and the import agree on 31313: nothing to import for it."""
    assert run(SAMPLE, "RNCP31313") == ["RNCP31313: unchanged"]


def test_a_changed_fiche_becomes_a_new_draft_version(certifiers: None, tmp_path: Path) -> None:
    run(SAMPLE, "RNCP31313")
    changed = tmp_path / "changed.xml"
    changed.write_text(
        SAMPLE.read_text(encoding="utf-8").replace(
            "Assurer la relation client", "Assurer la relation avec le client", 1
        )
    )
    assert run(changed, "RNCP31313") == ["RNCP31313: created draft version, 4 blocks, 40 competencies"]
    first, second = CertificationVersion.objects.filter(rncp_code="RNCP31313").order_by("number")
    assert (second.number, second.previous, second.certification) == (2, first, first.certification)
    assert second.blocks.get(code="BC1").title == "Assurer la relation avec le client"
    assert run(changed, "RNCP31313") == ["RNCP31313: unchanged"]
    assert run(SAMPLE, "RNCP31313") == ["RNCP31313: unchanged"]  # the fiche version 1 was imported from


def test_a_fiche_that_cannot_be_imported_says_why_and_the_others_go_on(tmp_path: Path) -> None:
    Certifier.objects.create(name="Autre", legal_name="Un autre certificateur")
    broken = tmp_path / "broken.xml"
    broken.write_text(
        SAMPLE.read_text(encoding="utf-8").replace(
            "<DATE_EFFET>07/08/2018</DATE_EFFET>", "<DATE_EFFET>2018</DATE_EFFET>"
        )
    )
    lines = run(broken)
    assert lines[0] == "RNCP31313: skipped: date DATE_EFFET illisible : « 2018 » (JJ/MM/AAAA attendu)"
    assert lines[1].startswith("RNCP99913: skipped: certificateur inconnu ici (Commission paritaire nationale")
    assert not CertificationVersion.objects.exists()


def test_a_missing_or_broken_file_is_refused_in_french(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Fichier introuvable"):
        run(tmp_path / "absent.xml")
    bad = tmp_path / "bad.xml"
    bad.write_text("<FICHES><FICHE>")
    with pytest.raises(CommandError, match="Export illisible"):
        run(bad)


def test_a_fiche_the_referential_refuses_is_skipped_whole(certifiers: None, tmp_path: Path) -> None:
    """A competency longer than the referential allows is cut by the reader; a block code beyond BC99 is reported;
    what the models refuse on saving skips the fiche without writing any of it."""
    broken = tmp_path / "broken.xml"
    broken.write_text(SAMPLE.read_text(encoding="utf-8").replace("RNCP31313BC04", "RNCP31313BC100"))
    assert run(broken, "RNCP31313") == ["RNCP31313: skipped: code de bloc illisible : « RNCP31313BC100 »"]
    nameless = tmp_path / "nameless.xml"
    nameless.write_text(
        SAMPLE.read_text(encoding="utf-8").replace(
            "<INTITULE>CQP : Certificat de qualification professionnelle Horloger qualifié</INTITULE>",
            "<INTITULE></INTITULE>",
        )
    )
    (line,) = run(nameless, "RNCP31313")
    assert line.startswith("RNCP31313: skipped: ")
    assert not CertificationVersion.objects.exists() and not Certification.objects.exists()
