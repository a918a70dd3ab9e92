"""PDFs of the certifier's paper: the parchments and the procès-verbal.

A parchment is drawn in two layers. Everything that all the holders of a batch share (certification, certifier,
kind and blocks, jury date, date and place of issue) is the *background*: one WeasyPrint render of
`certificates/pdf/parchment.html`, kept in memory and reused. What belongs to one holder (name, birth line,
number, verification code and URL, QR code) is drawn with reportlab at fixed boxes and laid over the background
with pikepdf. The boxes are defined once below, in millimetres from the page's top-left corner: the template
places its blocks with the same numbers, and `render_parchment_naive` renders the very same template with the
holder's fields written in HTML at those boxes, so both paths give the same page.

Fonts are the DejaVu TTF files shipped in `static/fonts/`, used by WeasyPrint (@font-face) and registered in
reportlab alike: no system font is ever looked up, so a PDF is the same on every machine.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import logging
import unicodedata
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf
import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from fontTools.ttLib import TTFont as FontFile
from reportlab import rl_config
from reportlab.lib.colors import HexColor
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from certificates import rules
from certificates.models import Parchment, ParchmentKind, ProcesVerbal
from cqp.lib import agreement
from cqp.lib.blocks import natural_key
from cqp.lib.outcomes import outcome_words
from evaluations.models import SessionCandidate
from juries.models import OutcomeKind

FONTS_DIR = Path(settings.BASE_DIR) / "static" / "fonts"
PT_PER_MM = 72 / 25.4
PAGE_W, PAGE_H = 297.0, 210.0  # A4 landscape, mm
LEADING = 1.2  # line height of the holder's fields, as a multiple of the font size
QR_QUIET = 4  # modules of blank margin around the QR code, inside its box (ISO/IEC 18004)
BACKGROUNDS_CACHED = 32  # distinct backgrounds kept in memory: one per (certification, kind, blocks, issue)

# reportlab wraps its compressed streams in ASCII85 by default: 25 % bigger and 1 ms a parchment in pure Python,
# for 7-bit transport nobody needs. (This module is the project's only user of reportlab.)
rl_config.useA85 = 0
# WeasyPrint logs seven INFO lines per document: at the project's INFO level they would flood a worker's log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


# --- Fonts ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Font:
    name: str  # reportlab's name
    file: str
    family: str  # CSS family, with weight and style
    weight: str = "normal"
    style: str = "normal"

    @property
    def path(self) -> Path:
        return FONTS_DIR / self.file


FONTS = {
    "serif": Font("CqpSerif", "DejaVuSerif.ttf", "CqpSerif"),
    "serif-bold": Font("CqpSerif-Bold", "DejaVuSerif-Bold.ttf", "CqpSerif", weight="bold"),
    "serif-italic": Font("CqpSerif-Italic", "DejaVuSerif-Italic.ttf", "CqpSerif", style="italic"),
    "sans": Font("CqpSans", "DejaVuSans.ttf", "CqpSans"),
    "sans-bold": Font("CqpSans-Bold", "DejaVuSans-Bold.ttf", "CqpSans", weight="bold"),
}


def font_faces() -> list[dict[str, str]]:
    """The @font-face rules of the PDF templates: the shipped files, by file URL."""
    return [{"family": f.family, "weight": f.weight, "style": f.style, "url": f.path.as_uri()} for f in FONTS.values()]


@functools.cache
def _font_metrics(key: str) -> tuple[float, float]:
    """(ascent, descent) per unit of font size, as WeasyPrint (Pango) places a line: the hhea metrics, since
    DejaVu does not set USE_TYPO_METRICS. The overlay puts its baselines where the HTML lines have theirs."""
    font = FONTS[key]
    with FontFile(font.path, lazy=True) as ttf:
        units = ttf["head"].unitsPerEm
        return ttf["hhea"].ascent / units, -ttf["hhea"].descent / units


@functools.cache
def _rl_font(key: str) -> str:
    """Register FONTS[key] with reportlab (once) and return its name there.

    Its name table is cut to the records a PDF subset keeps (IDs 0-6 and the licence URL, as fontTools'
    subsetter, hence WeasyPrint, does): reportlab copies the table whole into every subset, and DejaVu's
    carries the licence's full text, 60 KB a parchment otherwise. The glyphs are untouched.
    """
    font = FONTS[key]
    with FontFile(font.path, lazy=True) as ttf:
        ttf["name"].names = [record for record in ttf["name"].names if record.nameID <= 6 or record.nameID == 14]
        data = io.BytesIO()
        ttf.save(data)
    data.seek(0)
    # asciiReadable off: a subset holds the characters drawn, not the whole ASCII range besides.
    pdfmetrics.registerFont(TTFont(font.name, data, asciiReadable=False))
    return font.name


def text_width(text: str, font: str, size: float) -> float:
    """Width in mm of `text` set on one line in FONTS[font] at `size` pt (no kerning, no ligatures)."""
    return pdfmetrics.stringWidth(text, _rl_font(font), size) / PT_PER_MM


# --- Boxes and fitting ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rect:
    """A rectangle on the page, in mm from its top-left corner."""

    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True, slots=True)
class TextBox(Rect):
    """Where a holder's field goes, and how it shrinks: from `size` down to `min_size` on one line, then on up
    to `lines` lines; never out of the box."""

    font: str = "serif"
    size: float = 12.0  # pt
    min_size: float = 8.0
    lines: int = 1
    align: str = "center"  # left, center, right
    color: str = "#1d2a44"


BOXES: dict[str, TextBox] = {
    "number": TextBox(196.0, 14.5, 84.0, 6.0, font="serif-bold", size=11, min_size=7, align="right"),
    "duplicate": TextBox(196.0, 20.5, 84.0, 4.5, font="serif", size=7.5, min_size=6, align="right"),
    "holder": TextBox(33.5, 95.5, 230.0, 21.0, font="serif-bold", size=26, min_size=17, lines=2),
    "birth": TextBox(33.5, 116.5, 230.0, 7.0, font="serif", size=12, min_size=8),
    "code": TextBox(60.0, 165.0, 95.0, 7.5, font="serif-bold", size=14, min_size=9, align="left", color="#000000"),
    "url": TextBox(60.0, 180.0, 95.0, 5.0, font="serif", size=8, min_size=4.5, align="left", color="#000000"),
}
QR_BOX = Rect(22.0, 157.0, 34.0, 34.0)
# The parts of the background around the boxes: they never run into a holder's field whatever their content.
REGIONS: dict[str, Rect] = {
    "frame": Rect(9.0, 9.0, PAGE_W - 18.0, PAGE_H - 18.0),
    "inner": Rect(11.5, 11.5, PAGE_W - 23.0, PAGE_H - 23.0),
    "head": Rect(28.5, 26.5, 240.0, 61.0),
    "awarded": Rect(28.5, 88.5, 240.0, 6.5),
    "body": Rect(33.5, 126.0, 230.0, 28.0),
    "code_label": Rect(60.0, 160.5, 95.0, 4.5),
    "url_label": Rect(60.0, 175.5, 95.0, 4.5),
    "signature": Rect(168.0, 157.0, 106.0, 40.0),
}


@dataclass(frozen=True, slots=True)
class Fitted:
    """A field laid out in its box: the size chosen and the lines, each with its top and baseline in mm."""

    box: TextBox
    size: float
    lines: tuple[str, ...]

    @property
    def line_height(self) -> float:
        return self.size * LEADING / PT_PER_MM

    def line_top(self, index: int) -> float:
        return self.box.y + (self.box.h - len(self.lines) * self.line_height) / 2 + index * self.line_height

    def baseline(self, index: int) -> float:
        ascent, descent = _font_metrics(self.box.font)
        size_mm = self.size / PT_PER_MM
        return self.line_top(index) + (self.line_height - (ascent + descent) * size_mm) / 2 + ascent * size_mm


def _floor(size: float) -> float:
    return int(size * 10) / 10  # a tenth of a point down: the text never ends a rounding error past the box


def _balanced_split(words: Sequence[str], font: str) -> tuple[str, str]:
    """The two lines of most even width (a name splits between its words, never inside one)."""
    best: tuple[float, str, str] | None = None
    for cut in range(1, len(words)):
        first, second = " ".join(words[:cut]), " ".join(words[cut:])
        widest = max(text_width(first, font, 1), text_width(second, font, 1))
        if best is None or widest < best[0]:
            best = (widest, first, second)
    assert best is not None  # noqa: S101 - at least two words
    return best[1], best[2]


def fit(text: str, box: TextBox) -> Fitted:
    """Lay `text` out in `box`: on one line at the box's size, shrunk down to its minimum if needed; then on
    two lines (split between words) as large as the box allows; and, for a text that fits nowhere, one line
    small enough. Widths scale with the size, so each size is computed, not searched."""
    text = " ".join(unicodedata.normalize("NFC", text).split())
    if not text:
        return Fitted(box, box.size, ())
    line_mm = LEADING / PT_PER_MM  # line height per pt of size
    one = _floor(min(box.size, box.w / text_width(text, box.font, 1), box.h / line_mm))
    if one >= box.min_size or box.lines < 2 or " " not in text:
        return Fitted(box, one, (text,))
    first, second = _balanced_split(text.split(" "), box.font)
    widest = max(text_width(first, box.font, 1), text_width(second, box.font, 1))
    two = _floor(min(box.size, box.w / widest, box.h / (2 * line_mm)))
    if two > one:
        return Fitted(box, two, (first, second))
    return Fitted(box, one, (text,))


# --- Dates ---------------------------------------------------------------------------------------------


def long_date(day: dt.date | str | None) -> str:
    """15 décembre 2016; 1er mars 2020."""
    if day is None or day == "":
        return ""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    if day.day == 1 and (translation.get_language() or "").startswith("fr"):
        return f"1er {date_format(day, 'F Y')}"
    return date_format(day, "j F Y")


def long_datetime(moment: dt.datetime) -> str:
    """12 mai 2025 à 14 h 32, in the certifier's time zone."""
    local = timezone.localtime(moment)
    return _("%(date)s à %(hour)s h %(minute)02d") % {
        "date": long_date(local.date()),
        "hour": local.hour,
        "minute": local.minute,
    }


# --- QR code -------------------------------------------------------------------------------------------


def qr_matrix(url: str) -> tuple[bytearray, ...]:
    # Mask 0 rather than the best of eight: scanners read it as well, and choosing costs 4 ms a parchment.
    return segno.make(url, error="m", mask=0, micro=False).matrix


def qr_runs(matrix: Sequence[Sequence[int]]) -> list[tuple[int, int, int]]:
    """(row, first column, length) of every run of dark modules: one rectangle each, in a single path."""
    runs = []
    for row, modules in enumerate(matrix):
        col, size = 0, len(modules)
        while col < size:
            if modules[col]:
                start = col
                while col < size and modules[col]:
                    col += 1
                runs.append((row, start, col - start))
            else:
                col += 1
    return runs


# --- Parchments ----------------------------------------------------------------------------------------


def verification_url(code: str) -> str:
    return settings.SITE_URL + reverse("verify:code", args=[code])


def holder_fields(parchment: Parchment) -> dict[str, str]:
    """What one holder's parchment says that no other does, by box."""
    holder = parchment.mentions["holder"]
    # A parchment issued before the sex was copied into its mentions says "né(e)", as it always did.
    born = agreement.agree(holder.get("sex"), _("né"), _("née"))
    birth = _("%(born)s le %(date)s à %(place)s") % {
        "born": born,
        "date": long_date(holder["birth_date"]),
        "place": holder["birth_place"],
    }
    return {
        "number": _("N° %(number)s") % {"number": parchment.display_number},
        "duplicate": _("Duplicata — version %(version)d") % {"version": parchment.version}
        if parchment.version > 1
        else "",
        "holder": holder["name"],
        "birth": birth,
        "code": rules.display_code(parchment.verification_code),
        "url": verification_url(parchment.verification_code),
    }


def _shared_mentions(mentions: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in mentions.items() if key != "holder"}


def _corners(rect: Rect) -> list[tuple[float, float]]:
    return [(rect.x, rect.y), (rect.x + rect.w, rect.y), (rect.x, rect.y + rect.h), (rect.x + rect.w, rect.y + rect.h)]


def _page_context(shared: Mapping[str, Any]) -> dict[str, Any]:
    certification = shared["certification"]
    certifier = shared["certifier"]
    blocks = shared.get("blocks", [])
    nsf = certification.get("nsf_codes") or []
    return {
        "fonts": font_faces(),
        "page": Rect(0, 0, PAGE_W, PAGE_H),
        "r": REGIONS,
        "corners": _corners(REGIONS["inner"]),
        "qr_box": QR_BOX,
        "is_blocks": shared["kind"] == ParchmentKind.BLOCKS,
        "kind_label": ParchmentKind(shared["kind"]).label,
        "certification": certification,
        # The head has a fixed height: a long title is set smaller rather than run into the holder's name.
        "title_size": 18 if len(certification["title"]) <= 60 else (15 if len(certification["title"]) <= 110 else 12),
        "rncp_number": certification.get("rncp_number") or f"RNCP {certification['rncp_code'].removeprefix('RNCP')}",
        "decision_date": long_date(certification.get("decision_date")),
        "nsf_label": _("Codes NSF") if len(nsf) > 1 else _("Code NSF"),
        "nsf_codes": ", ".join(nsf),
        "certifier": certifier,
        "blocks": blocks,
        "blocks_size": 10.5 if len(blocks) <= 3 else (9 if len(blocks) <= 5 else 7.5),
        "jury_date": long_date(shared.get("jury_date")),
        "issued_on": long_date(shared.get("issued_on")),
        "issued_at": shared.get("issued_at", ""),
    }


def _html(context: Mapping[str, Any], template: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(template, dict(context))


def _html_lines(fitted: Fitted) -> list[dict[str, Any]]:
    font = FONTS[fitted.box.font]
    return [
        {
            "text": line,
            "left": round(fitted.box.x, 3),
            "top": round(fitted.line_top(i), 3),
            "width": round(fitted.box.w, 3),
            "height": round(fitted.line_height, 3),
            "size": fitted.size,
            "family": font.family,
            "weight": font.weight,
            "style": font.style,
            "align": fitted.box.align,
            "color": fitted.box.color,
        }
        for i, line in enumerate(fitted.lines)
    ]


def _parchment_html(shared: Mapping[str, Any], fields: Mapping[str, str] | None, title: str) -> str:
    context = _page_context(shared)
    context["title"] = title
    context["lines"] = []
    context["qr_uri"] = ""
    if fields is not None:
        for name, text in fields.items():
            context["lines"].extend(_html_lines(fit(text, BOXES[name])))
        qr = segno.make(fields["url"], error="m", mask=0, micro=False)
        context["qr_uri"] = qr.svg_data_uri(scale=1, border=QR_QUIET, omitsize=True, dark="#000")
    return _html(context, "certificates/pdf/parchment.html")


def _write_pdf(html: str, **options: Any) -> bytes:
    # Imported here: WeasyPrint takes a while to import, and only the processes that render need it.
    from weasyprint import HTML

    pdf: bytes = HTML(string=html, base_url=str(FONTS_DIR)).write_pdf(**options)
    return pdf


@functools.lru_cache(maxsize=BACKGROUNDS_CACHED)
def _background(shared_json: str) -> bytes:
    shared = json.loads(shared_json)
    with translation.override(settings.LANGUAGE_CODE):
        title = f"{ParchmentKind(shared['kind']).label} — {shared['certification']['title']}"
    return _write_pdf(_parchment_html(shared, None, title))


def qr_operators(matrix: Sequence[Sequence[int]]) -> bytes:
    """The QR code as PDF content: one path of a rectangle per run of dark modules, drawn in a coordinate
    system of one unit per module (so every number is a small integer), filled black."""
    module = QR_BOX.w / (len(matrix) + 2 * QR_QUIET) * PT_PER_MM
    left = QR_BOX.x * PT_PER_MM + QR_QUIET * module
    top = (PAGE_H - QR_BOX.y) * PT_PER_MM - QR_QUIET * module
    rects = "".join(f"{col} {row} {length} 1 re\n" for row, col, length in qr_runs(matrix))
    return f"q 0 g {module:.4f} 0 0 {-module:.4f} {left:.4f} {top:.4f} cm\n{rects}f\nQ\n".encode()


def _overlay(fields: Mapping[str, str]) -> bytes:
    page_w, page_h = PAGE_W * PT_PER_MM, PAGE_H * PT_PER_MM
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(page_w, page_h), invariant=True, pageCompression=1)
    for name, text in fields.items():
        fitted = fit(text, BOXES[name])
        box = fitted.box
        canvas.setFont(_rl_font(box.font), fitted.size)
        canvas.setFillColor(HexColor(box.color))
        for i, line in enumerate(fitted.lines):
            y = page_h - fitted.baseline(i) * PT_PER_MM
            if box.align == "left":
                canvas.drawString(box.x * PT_PER_MM, y, line)
            elif box.align == "right":
                canvas.drawRightString((box.x + box.w) * PT_PER_MM, y, line)
            else:
                canvas.drawCentredString((box.x + box.w / 2) * PT_PER_MM, y, line)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _document_title(parchment: Parchment) -> str:
    return _("Parchemin N° %(number)s — %(name)s") % {
        "number": parchment.display_number,
        "name": parchment.mentions["holder"]["name"],
    }


def render_parchment(parchment: Parchment) -> bytes:
    """The parchment's PDF: the shared background (rendered once per certification, kind, blocks and issue,
    then taken from memory) with the holder's fields drawn over it."""
    with translation.override(settings.LANGUAGE_CODE):
        fields = holder_fields(parchment)
        title = _document_title(parchment)
    shared = json.dumps(_shared_mentions(parchment.mentions), sort_keys=True, ensure_ascii=False)
    background = _background(shared)
    overlay = _overlay(fields)
    with pikepdf.open(io.BytesIO(background)) as pdf, pikepdf.open(io.BytesIO(overlay)) as layer:
        page = pdf.pages[0]
        page.add_overlay(layer.pages[0], None)  # no rectangle: the whole page (the stub wants it named)
        qr = pikepdf.Stream(pdf, b"")
        qr.write(zlib.compress(qr_operators(qr_matrix(fields["url"]))), filter=pikepdf.Name.FlateDecode)
        page.contents_add(qr)
        pdf.docinfo["/Title"] = title
        out = io.BytesIO()
        # Every stream is compressed already (WeasyPrint, reportlab, the QR above): written as they are.
        pdf.save(out, deterministic_id=True, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    return out.getvalue()


def render_parchment_naive(parchment: Parchment) -> bytes:
    """The same page in one plain WeasyPrint render, every field written in the HTML: the benchmark's
    baseline, and a check that the two layers add up to the page."""
    with translation.override(settings.LANGUAGE_CODE):
        fields = holder_fields(parchment)
        title = _document_title(parchment)
    return _write_pdf(_parchment_html(_shared_mentions(parchment.mentions), fields, title))


# --- Procès-verbal -------------------------------------------------------------------------------------


def pv_context(pv: ProcesVerbal) -> dict[str, Any]:
    content = pv.content
    block_codes = sorted({code for c in content["candidates"] for code in c["blocks"]}, key=natural_key)
    # The sex is not in the signed content (adding it would change the fingerprint of every PV being signed):
    # read at rendering, for "née le" / "né le" (one query).
    sexes = dict(
        SessionCandidate.objects.filter(pk__in=[c.get("place") for c in content["candidates"]]).values_list(
            "pk", "enrolment__candidate__sex"
        )
    )
    candidates = [
        {
            "name": c["name"],
            "sex": sexes.get(c.get("place"), ""),
            "birth_date": long_date(c["birth_date"]),
            "organisation": c["organisation"],
            "blocks": [c["blocks"].get(code, "—") for code in block_codes],
            "computed": outcome_words(c["computed"], c["computed_blocks"]),
            "recommendation": outcome_words(c["recommendation"]),
            "decision": outcome_words(c["decision"], c["decision_blocks"]),
            "departs": c["departs"],
            "reason": c["reason"],
        }
        for c in content["candidates"]
    ]
    counts = {kind: sum(1 for c in content["candidates"] if c["decision"] == kind) for kind in OutcomeKind.values}
    signatures = [
        {
            "name": s.member.name,
            "signed_at": long_datetime(s.signed_at),
            "sha256": s.content_sha256,
        }
        for s in pv.signatures.select_related("member__user").order_by("signed_at", "pk")
        if s.content_sha256 == pv.content_sha256  # a signature of an earlier content no longer counts
    ]
    return {
        "fonts": font_faces(),
        "pv": pv,
        "content": content,
        "jury_date": long_date(content["jury"]["date"]),
        "sessions": [{**s, "date": long_date(s["date"])} for s in content["sessions"]],
        "block_codes": block_codes,
        "candidates": candidates,
        "counts": {
            "total": counts[OutcomeKind.TOTAL],
            "partial": counts[OutcomeKind.PARTIAL],
            "none": counts[OutcomeKind.NONE],
        },
        "signatures": signatures,
        "signed_at": long_datetime(pv.signed_at) if pv.signed_at else "",
    }


def render_pv(pv: ProcesVerbal) -> bytes:
    """The procès-verbal as PDF/A-3b, for archiving: decisions, reasons, composition, fingerprint, signatures."""
    with translation.override(settings.LANGUAGE_CODE):
        context = pv_context(pv)
    return _write_pdf(_html(context, "certificates/pdf/pv.html"), pdf_variant="pdf/a-3b")
