from __future__ import annotations

import copy
import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pikepdf
import pytest
import segno
from fontTools.ttLib import TTFont
from PIL import Image
from pypdf import PdfReader

from certificates import rendering, rules, services
from certificates.models import Parchment, ParchmentKind, RenderStatus
from juries import services as jury_services

LONG_NAME = "Maria-Magdalena Anastazja Krzyżanowska-Wiśniewska-Ødegård de la Tour d'Auvergne-Lauraguais"

# What `services.parchment_mentions` writes, for the tests that need no database.
MENTIONS: dict[str, Any] = {
    "kind": "full",
    "certification": {
        "rncp_code": "RNCP26850",
        "rncp_number": "RNCP 26850",
        "title": "CQP Opérateur en polissage de bijouterie",
        "level": 3,
        "eu_level": 3,
        "nsf_codes": ["223"],
        "decision_date": "2016-12-15",
        "decision_reference": "",
    },
    "certifier": {
        "legal_name": "Commission paritaire nationale de l'emploi et de la formation professionnelle HBJO",
        "delegate_name": "CNHBJO",
        "signatory_name": "Jeanne Fabre",
        "signatory_title": "Président de la CNHBJO",
    },
    "holder": {"name": "Julie MARTIN", "birth_date": "1995-01-01", "birth_place": "Besançon"},
    "blocks": [],
    "jury_date": "2025-05-12",
    "issued_on": "2025-06-03",
    "issued_at": "Paris",
}


def a_parchment(*, name: str = "Julie MARTIN", birth_place: str = "Besançon", **fields: object) -> Parchment:
    mentions = copy.deepcopy(MENTIONS)
    mentions["holder"].update(name=name, birth_place=birth_place)
    defaults = {"number": 123, "prefix": "", "kind": "full", "verification_code": "ABCDE12345", "version": 1}
    return Parchment(mentions=mentions, **{**defaults, **fields})


def text_of(pdf: bytes) -> str:
    """The PDF's text with every run of white space made one space (lines wrap where the layout says)."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


# --- Without database ----------------------------------------------------------------------------------


def test_dates_are_written_the_french_way():
    assert rendering.long_date("2016-12-15") == "15 décembre 2016"
    assert rendering.long_date("2020-03-01") == "1er mars 2020"
    assert rendering.long_date(None) == ""


def test_a_short_name_stays_on_one_line_at_full_size():
    fitted = rendering.fit("Julie MARTIN", rendering.BOXES["holder"])
    assert fitted.lines == ("Julie MARTIN",)
    assert fitted.size == rendering.BOXES["holder"].size


def test_a_very_long_name_shrinks_then_wraps_on_two_lines_inside_its_box():
    box = rendering.BOXES["holder"]
    fitted = rendering.fit(LONG_NAME, box)
    assert len(fitted.lines) == 2
    assert " ".join(fitted.lines) == LONG_NAME
    assert fitted.size < box.size
    assert all(rendering.text_width(line, box.font, fitted.size) <= box.w for line in fitted.lines)
    assert fitted.line_top(0) >= box.y
    assert fitted.line_top(1) + fitted.line_height <= box.y + box.h + 1e-9


def test_a_name_that_fits_nowhere_still_stays_inside_its_box():
    box = rendering.BOXES["birth"]  # one line only
    fitted = rendering.fit("x" * 400, box)
    assert len(fitted.lines) == 1
    assert rendering.text_width(fitted.lines[0], box.font, fitted.size) <= box.w


def test_the_long_name_is_all_on_the_parchment():
    pdf = rendering.render_parchment(a_parchment(name=LONG_NAME))
    text = text_of(pdf)
    assert LONG_NAME in text
    assert LONG_NAME in text_of(rendering.render_parchment_naive(a_parchment(name=LONG_NAME)))


def test_accents_and_foreign_letters_render():
    name = "Søren Weiß Dvořák Łęcka Śmigły"
    for ch in set(name.replace(" ", "")):  # the shipped fonts have every glyph: no box, no fallback font
        for key in ("serif", "serif-bold"):
            with TTFont(rendering.FONTS[key].path, lazy=True) as font:
                assert ord(ch) in font.getBestCmap(), (ch, key)
    text = text_of(rendering.render_parchment(a_parchment(name=name, birth_place="Łódź (Pologne)")))
    assert "Søren Weiß Dvořák Łęcka Śmigły" in text
    assert "à Łódź (Pologne)" in text


def test_the_qr_path_draws_exactly_the_modules_of_the_verification_url():
    url = rendering.verification_url("ABCDE12345")
    expected = segno.make(url, error="m", mask=0).matrix
    matrix = rendering.qr_matrix(url)
    drawn = [bytearray(len(matrix)) for _ in matrix]
    for row, col, length in rendering.qr_runs(matrix):
        assert not any(drawn[row][col : col + length])  # runs never overlap
        drawn[row][col : col + length] = b"\x01" * length
    assert tuple(drawn) == expected
    assert rendering.qr_operators(matrix).count(b" re\n") == len(rendering.qr_runs(matrix))


PDFTOPPM = shutil.which("pdftoppm")


@pytest.mark.skipif(PDFTOPPM is None, reason="pdftoppm (poppler-utils) absent")
def test_the_qr_code_printed_on_the_page_is_the_one_of_the_verification_url(tmp_path: Path):
    parchment = a_parchment()
    (tmp_path / "p.pdf").write_bytes(rendering.render_parchment(parchment))
    dpi, box = 300, rendering.QR_BOX
    px = dpi / 25.4
    crop = {"-x": box.x, "-y": box.y, "-W": box.w, "-H": box.h}
    arguments = [str(part) for flag, mm in crop.items() for part in (flag, round(mm * px))]
    command: list[str | Path] = [
        PDFTOPPM,
        "-r",
        str(dpi),
        "-gray",
        "-singlefile",
        *arguments,
        tmp_path / "p.pdf",
        tmp_path / "qr",
    ]
    subprocess.run(command, check=True)
    image = Image.open(tmp_path / "qr.pgm")
    expected = segno.make(rendering.verification_url(parchment.verification_code), error="m", mask=0).matrix
    modules = len(expected) + 2 * rendering.QR_QUIET
    step = box.w * px / modules
    origin_x, origin_y = box.x * px - round(box.x * px), box.y * px - round(box.y * px)

    def dark(row: int, col: int) -> int:
        x = origin_x + (col + rendering.QR_QUIET + 0.5) * step
        y = origin_y + (row + rendering.QR_QUIET + 0.5) * step
        pixel = image.getpixel((int(x), int(y)))
        assert isinstance(pixel, int)  # a grey level: the image is read in grey
        return int(pixel < 128)

    seen = tuple(bytearray(dark(r, c) for c in range(len(expected))) for r in range(len(expected)))
    assert seen == expected
    quiet = [dark(-1, c) for c in range(-1, len(expected) + 1)] + [dark(r, -1) for r in range(len(expected))]
    assert not any(quiet)


def test_the_fast_and_the_plain_render_carry_the_same_text():
    for parchment in (a_parchment(), a_parchment(name=LONG_NAME, version=2)):
        fast, naive = (
            text_of(rendering.render_parchment(parchment)),
            text_of(rendering.render_parchment_naive(parchment)),
        )
        assert sorted(fast.split()) == sorted(naive.split())


def test_the_background_is_rendered_once_for_holders_who_share_it():
    rendering._background.cache_clear()
    rendering.render_parchment(a_parchment(name="Inès DURAND", verification_code="AAAAA11111"))
    rendering.render_parchment(a_parchment(name="Zoë PETIT", number=124, verification_code="BBBBB22222"))
    assert rendering._background.cache_info().misses == 1
    blocks = a_parchment(kind=ParchmentKind.BLOCKS)
    blocks.mentions.update(kind="blocks", blocks=[{"code": "BC1", "rncp_code": "RNCP26850BC01", "title": "Préparer"}])
    rendering.render_parchment(blocks)
    assert rendering._background.cache_info().misses == 2


def test_a_duplicate_says_its_version():
    text = text_of(rendering.render_parchment(a_parchment(version=3)))
    assert "Duplicata — version 3" in text
    assert "Duplicata" not in text_of(rendering.render_parchment(a_parchment()))


def test_every_font_is_embedded_from_the_shipped_files():
    for key, font in rendering.FONTS.items():
        assert font.path.parent == Path(rendering.FONTS_DIR) and font.path.is_file(), key
    assert (Path(rendering.FONTS_DIR) / "DejaVu-LICENSE.txt").is_file()
    with pikepdf.open(io.BytesIO(rendering.render_parchment(a_parchment()))) as pdf:
        fonts = [f for f in pdf.objects if isinstance(f, pikepdf.Dictionary) and f.get("/Type") == "/FontDescriptor"]
        assert fonts
        assert all("/FontFile2" in f for f in fonts)


# --- Through the services ------------------------------------------------------------------------------


@pytest.fixture
def issued(decided, django_capture_on_commit_callbacks):
    """The jury's PV signed, its results validated by the CPNEFP, its parchments issued and rendered (the
    tasks enqueued on commit run inline)."""
    admin = decided.world.admin
    with django_capture_on_commit_callbacks(execute=True):
        decided.sign_all()
        services.cpnefp_validation_record(
            jury=decided.certification, meeting_on=decided.certification.meets_on, recorded_by=admin
        )
        services.parchments_issue_for_jury(jury=decided.certification, issued_by=admin)
    return decided


@pytest.mark.django_db
def test_issued_parchments_state_every_mandatory_mention(issued):
    parchments = {p.kind: p for p in Parchment.objects.filter(decision__jury=issued.certification)}
    assert set(parchments) == {ParchmentKind.FULL, ParchmentKind.BLOCKS}
    assert {p.display_number for p in parchments.values()} == {"000001", "000002"}
    for kind, parchment in parchments.items():
        assert parchment.render_status == RenderStatus.DONE, parchment.render_error
        with parchment.pdf.open("rb") as stored:
            text = text_of(stored.read())
        mentions = parchment.mentions
        certification, certifier, holder = mentions["certification"], mentions["certifier"], mentions["holder"]
        born = "née" if holder["sex"] == "F" else "né"  # the word that agrees with the holder, not "né(e)"
        expected = [
            str(ParchmentKind(kind).label),
            certification["title"],
            "Enregistré au RNCP sous le n° RNCP 26850 par décision de France compétences du 15 décembre 2016",
            "Niveau 3 — niveau européen 3",
            "Code NSF : 223",
            certifier["legal_name"],
            f"par délégation, {certifier['delegate_name']}",
            "décerné à",
            holder["name"],
            f"{born} le {rendering.long_date(holder['birth_date'])} à {holder['birth_place']}",
            f"Fait à Paris, le {rendering.long_date(mentions['issued_on'])}",
            certifier["signatory_title"],
            "Jeanne Fabre",
            f"N° {parchment.display_number}",
            rules.display_code(parchment.verification_code),
            "Vérifiez l'authenticité de ce document sur",
            rendering.verification_url(parchment.verification_code),
        ]
        for mention in expected:
            assert " ".join(mention.split()) in text, (kind, mention)
    blocks_text = text_of(parchments[ParchmentKind.BLOCKS].pdf.open("rb").read())
    assert "RNCP26850BC01 — Préparer le travail de polissage d'une pièce de bijouterie" in blocks_text
    assert "RNCP26850BC02" not in blocks_text


@pytest.mark.django_db
def test_the_pv_holds_decisions_reasons_and_signatures_as_pdf_a(decided, django_capture_on_commit_callbacks):
    partial = decided.decisions[1]
    jury_services.decision_record(
        jury=decided.certification,
        place=partial.place,
        kind="none",
        blocks=[],
        reason="Fraude constatée pendant l'épreuve pratique.",
        decided_by=decided.certification.president.user,
    )
    with django_capture_on_commit_callbacks(execute=True):
        decided.sign_all()
    pv = decided.certification.pv
    pv.refresh_from_db()
    assert pv.render_status == RenderStatus.DONE
    with pv.pdf.open("rb") as stored:
        pdf = stored.read()
    text = text_of(pdf)
    for expected in (
        "Procès-verbal du jury de certification",
        "RNCP 26850 — CQP Opérateur en polissage de bijouterie",
        "Attribution totale",
        "Non-attribution",
        "Décision qui s'écarte du résultat calculé. Motif : Fraude constatée pendant l'épreuve pratique.",
        pv.content_sha256,
    ):
        assert expected in text, expected
    for candidate in pv.content["candidates"]:
        assert candidate["name"] in text
    signatures = list(pv.signatures.all())
    assert len(signatures) == 3
    for signature in signatures:
        assert signature.member.name in text
    assert text.count("signé électroniquement — empreinte") == 3
    with pikepdf.open(io.BytesIO(pdf)) as document, document.open_metadata() as meta:
        assert meta["pdfaid:part"] == "3"
        assert meta["pdfaid:conformance"] == "B"
