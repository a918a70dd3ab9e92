"""Reading France compétences' export of RNCP fiches (`cqp.rncp`, issue 13 part 4): the sample's two fiches read
by name, the competency lists split as the referential has them, a zip read as the XML, a broken fiche reported
rather than stopping the file, no entity resolved."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest

from cqp import referential_data, rncp

SAMPLE = Path(__file__).resolve().parents[2].parent / "shared" / "rncp" / "export-fiches-rncp-sample.xml"


def _fiche(body: str) -> bytes:
    return f"<FICHES><VERSION_FLUX>4.1</VERSION_FLUX><FICHE>{body}</FICHE></FICHES>".encode()


@pytest.fixture
def fiches() -> dict[str, rncp.Fiche]:
    return {fiche.number: fiche for fiche in rncp.iter_fiches(SAMPLE)}


def test_the_sample_holds_31313_and_its_fictitious_renewal(fiches: dict[str, rncp.Fiche]) -> None:
    assert list(fiches) == ["RNCP31313", "RNCP99913"]
    fiche = fiches["RNCP31313"]
    assert fiche.title == "CQP : Certificat de qualification professionnelle Horloger qualifié"
    assert (fiche.abbreviation, fiche.state, fiche.active) == ("CQP", "Publiée", False)
    assert fiche.nsf_codes == ["251"]
    assert fiche.certifiers[0].startswith("Commission paritaire nationale de l'emploi")
    assert (fiche.effective_on, fiche.registration_end) == (dt.date(2018, 8, 7), dt.date(2023, 8, 7))
    assert [route.code for route in fiche.routes] == ["FI", "CA", "FC", "CQ", "CL", "VAE"]
    assert fiche.vae and all(route.active for route in fiche.routes)
    assert "Le jury paritaire final composé a minima de 4 membres issus de la CPNEFP" in fiche.routes[-1].composition
    assert fiche.problems == []
    renewal = fiches["RNCP99913"]
    assert renewal.predecessors == ["RNCP31313"] and fiche.predecessors == []
    assert [block.rncp_code for block in renewal.blocks] == [f"RNCP99913BC0{n}" for n in range(1, 5)]


def test_the_proposed_split_is_the_referential_of_31313(fiches: dict[str, rncp.Fiche]) -> None:
    fiche = fiches["RNCP31313"]
    expected = referential_data.HORLOGER_QUALIFIE.blocks
    assert [(b.code, b.rncp_code, b.title) for b in fiche.blocks] == [(b.code, b.rncp_code, b.title) for b in expected]
    for block, known in zip(fiche.blocks, expected, strict=True):
        assert block.proposed == [c.label for c in known.competencies], block.code
    # The renewal adds one competency to its fourth block.
    renewal = fiches["RNCP99913"].blocks[3].proposed
    assert len(renewal) == len(fiche.blocks[3].proposed) + 1


def test_a_zip_is_read_as_the_xml_it_holds(tmp_path: Path) -> None:
    archive = tmp_path / "export-fiches-rncp-v4-1-2026-12-01.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as handle:
        handle.write(SAMPLE, "export-fiches-rncp-v4-1-2026-12-01.xml")
    assert [f.number for f in rncp.iter_fiches(archive)] == ["RNCP31313", "RNCP99913"]


def test_a_zip_with_two_xml_files_is_refused_in_french(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as handle:
        handle.writestr("a.xml", "<FICHES/>")
        handle.writestr("b.xml", "<FICHES/>")
    buffer.seek(0)
    with pytest.raises(ValueError, match="L'archive doit contenir un seul fichier XML"):
        list(rncp.iter_fiches(buffer))


def test_a_broken_fiche_is_yielded_with_its_problems() -> None:
    body = (
        "<NUMERO_FICHE>RNCP-31313</NUMERO_FICHE><DATE_EFFET>2018-08-07</DATE_EFFET>"
        f"<INTITULE>{'x' * (rncp.MAX_TEXT + 1)}</INTITULE>"
        "<BLOCS_COMPETENCES><BLOC_COMPETENCES><CODE>XX01</CODE></BLOC_COMPETENCES></BLOCS_COMPETENCES>"
    )
    (fiche,) = rncp.iter_fiches(io.BytesIO(_fiche(body)))
    assert fiche.problems == [
        "numéro de fiche illisible : « RNCP-31313 »",
        f"INTITULE trop long ({rncp.MAX_TEXT + 1} caractères, {rncp.MAX_TEXT} au plus)",
        "date DATE_EFFET illisible : « 2018-08-07 » (JJ/MM/AAAA attendu)",
        "code de bloc illisible : « XX01 »",
    ]
    assert fiche.blocks == [] and len(fiche.title) == rncp.MAX_TEXT


def test_absent_elements_are_tolerated() -> None:
    (fiche,) = rncp.iter_fiches(io.BytesIO(_fiche("<NUMERO_FICHE>RNCP12345</NUMERO_FICHE>")))
    assert (fiche.number, fiche.title, fiche.level, fiche.routes, fiche.blocks, fiche.problems) == (
        "RNCP12345",
        "",
        "",
        [],
        [],
        [],
    )
    assert fiche.active is None and fiche.effective_on is None and not fiche.vae


def test_no_entity_is_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("MOT-DE-PASSE")
    document = (
        f'<?xml version="1.0"?><!DOCTYPE FICHES [<!ENTITY x SYSTEM "file://{secret}">]>'
        "<FICHES><FICHE><NUMERO_FICHE>RNCP12345</NUMERO_FICHE><INTITULE>&x;</INTITULE></FICHE></FICHES>"
    ).encode()
    (fiche,) = rncp.iter_fiches(io.BytesIO(document))
    assert "MOT-DE-PASSE" not in fiche.title


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Compétences :  - Polir  - Contrôler la pièce.", ["Polir", "Contrôler la pièce"]),
        ("* Polir\n* Contrôler", ["Polir", "Contrôler"]),
        ("o   Polir      o   Contrôler", ["Polir", "Contrôler"]),
        ("Polir\nContrôler\n\n", ["Polir", "Contrôler"]),
        ("Descriptif des compétences évaluées :  - Lire un plan - coté", ["Lire un plan - coté"]),
        ("", []),
    ],
)
def test_the_split_follows_bullets_or_lines(raw: str, expected: list[str]) -> None:
    assert rncp.split_competencies(raw) == expected
