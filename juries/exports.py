"""The deliberation grid of an evaluation jury as a spreadsheet (XLSX) and as a document to sign (PDF).

Both read the rows of `selectors.deliberation_rows` and word them through the small functions below, which
the pages can use too: the screen, the spreadsheet and the PDF say the same thing in the same words. The
outcome shown is the one `cqp.rules` computed in the selector; nothing here decides anything.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import cast

from django.conf import settings
from django.core.cache import cache
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from cqp.lib import bounds
from cqp.lib.outcomes import outcome_words
from cqp.models import Block
from cqp.rules import Outcome
from evaluations.models import EvaluationSession, SessionMode
from juries import selectors
from juries.models import Jury, JurySeat, Recommendation, Recusal
from juries.rule_sets import college_titles
from juries.selectors import BlockCell, Row

# --- Wording shared by the pages and the exports -------------------------------------------------------


def day_text(day: dt.date) -> str:
    return date_format(day, "d/m/Y")


def cell_state(cell: BlockCell) -> str:
    """A word for the look of a cell: earlier, not_sat, to_enter (no grid), draft (grid not validated yet),
    validated or not_validated."""
    if not cell.sat:
        return "earlier" if cell.earlier is not None else "not_sat"
    if cell.grid is None or cell.live is None:
        return "to_enter"
    if not cell.submitted:
        return "draft"
    return cell.live.state


def cell_text(cell: BlockCell) -> str:
    """What the deliberation grid says of one block for one candidate, e.g. « Validé 5/6 »,
    « Non validé 3/6 — manque C2.1 », « Acquis le 12/03/2025 (session du 10/03/2025, jury de certification du
    12/03/2025) », « Non présenté »."""
    if not cell.sat:
        if cell.earlier is not None:
            if cell.origin:
                return _("Acquis le %(date)s (%(origin)s)") % {"date": day_text(cell.earlier), "origin": cell.origin}
            return _("Acquis le %(date)s (session antérieure)") % {"date": day_text(cell.earlier)}
        return _("Non présenté")
    live = cell.live
    if cell.grid is None or live is None:
        return _("Grille à saisir")
    score = f"{live.acquired}/{live.total}"
    if live.state == "validated":
        text = _("Validé %(score)s") % {"score": score}
    elif live.state == "not_validated":
        reasons = []
        if live.missing_mandatory:
            reasons.append(_("manque %(codes)s") % {"codes": ", ".join(live.missing_mandatory)})
        if live.acquired < live.required:
            reasons.append(_("seuil %(required)s/%(total)s") % {"required": live.required, "total": live.total})
        text = _("Non validé %(score)s") % {"score": score}
        if reasons:
            text += " — " + " ; ".join(reasons)
    else:
        text = _("En cours %(score)s, %(left)s à noter") % {"score": score, "left": len(live.to_grade)}
    if not cell.submitted:
        text += " " + _("(grille à valider)")
    return text


def outcome_text(outcome: Outcome | None) -> str:
    """The computed result: « Attribution totale », « Attribution partielle : BC1 », « Non-attribution », or
    « Grilles à valider » while a consensus grid is not validated."""
    if outcome is None:
        return _("Grilles à valider")
    return outcome_words(outcome.kind, outcome.acquired_blocks)


def recommendation_text(recommendation: Recommendation | None) -> str:
    """The evaluation jury's recommendation in the same words as the computed result; empty when none."""
    if recommendation is None:
        return ""
    return outcome_words(recommendation.kind, [b.code for b in recommendation.blocks.all()])


def recusal_text(recusal: Recusal) -> str:
    return f"{recusal.member.name} ({str(recusal.get_reason_display()).lower()})"


def seat_text(seat: JurySeat, *, president_id: int | None, titles: dict[str, str] | None = None) -> str:
    college = titles[seat.college] if titles else str(seat.get_college_display())
    text = f"{seat.member.name} — {college}"
    if seat.member_id == president_id:
        text += ", " + _("président(e) du jury")
    return text


def session_text(session: EvaluationSession) -> str:
    """« Session du 12/05/2025 — BJO Formation — sur site : 58 rue du Louvre, 75002 Paris »."""
    if session.ends_on != session.starts_on:
        when = _("Session du %(start)s au %(end)s") % {
            "start": day_text(session.starts_on),
            "end": day_text(session.ends_on),
        }
    else:
        when = _("Session du %(start)s") % {"start": day_text(session.starts_on)}
    where = str(session.get_mode_display())
    if session.mode == SessionMode.ON_SITE and session.address.strip():
        where += " : " + " ".join(session.address.split())
    return f"{when} — {session.organisation} — {where}"


# --- One line per candidate, read by both exports ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CellLine:
    text: str
    state: str


@dataclass(frozen=True, slots=True)
class DeliberationLine:
    name: str
    passage: str
    cells: tuple[CellLine, ...]
    outcome: str
    graded: bool
    recommendation: str
    comments: str
    recusals: tuple[str, ...]


def deliberation_lines(rows: Sequence[Row]) -> list[DeliberationLine]:
    return [
        DeliberationLine(
            name=row.candidate.display_name,
            passage=date_format(timezone.localtime(row.place.starts_at), "d/m/Y H:i"),
            cells=tuple(CellLine(text=cell_text(cell), state=cell_state(cell)) for cell in row.cells),
            outcome=outcome_text(row.outcome),
            graded=row.outcome is not None,
            recommendation=recommendation_text(row.recommendation),
            comments=row.recommendation.comments if row.recommendation else "",
            recusals=tuple(recusal_text(r) for r in row.recusals),
        )
        for row in rows
    ]


@dataclass(frozen=True, slots=True)
class Heading:
    """What the top of both exports says: the certification, the session and the jury."""

    title: str
    version: str
    session: str
    meeting: str
    seats: tuple[str, ...]
    president: str


def deliberation_heading(jury: Jury) -> Heading:
    titles = college_titles(jury.version_id, jury.kind)
    return Heading(
        title=_("Grille de délibération"),
        version=f"{jury.version.rncp_number} — {jury.version.title}",
        session=session_text(jury.session) if jury.session else "",
        meeting=_("%(kind)s réuni le %(date)s") % {"kind": jury.get_kind_display(), "date": day_text(jury.meets_on)},
        seats=tuple(
            seat_text(seat, president_id=jury.president_id, titles=titles) for seat in selectors.jury_seats(jury)
        ),
        president=jury.president.name if jury.president else "",
    )


# --- XLSX ----------------------------------------------------------------------------------------------

_HEADER_FILL = PatternFill("solid", fgColor="E9ECEF")
_STATE_FILLS = {
    "validated": PatternFill("solid", fgColor="D1E7DD"),
    "not_validated": PatternFill("solid", fgColor="F8D7DA"),
    "draft": PatternFill("solid", fgColor="FFF3CD"),
    "to_enter": PatternFill("solid", fgColor="FFF3CD"),
    "earlier": PatternFill("solid", fgColor="E2E3E5"),
}
_WRAP = Alignment(wrap_text=True, vertical="top")


def _put(sheet: Worksheet, row: int, column: int, value: str) -> None:
    """Always text: a comment that starts with « = » stays a comment, never a formula, and the control
    characters a paste may bring (which openpyxl refuses) are dropped."""
    cell = sheet.cell(row=row, column=column, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"


def deliberation_xlsx(jury: Jury, rows: Sequence[Row]) -> bytes:
    """The deliberation grid as a workbook: the session and the jury on top, then one line per candidate
    (one column per block, the computed result, the recommendation, its comments and the recusals)."""
    heading = deliberation_heading(jury)
    blocks = selectors.version_blocks(jury.version)
    workbook = Workbook()
    sheet = cast(Worksheet, workbook.active)  # a new workbook opens on its one worksheet
    sheet.title = _("Délibération")

    _put(sheet, 1, 1, heading.title)
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    top = [
        heading.version,
        heading.session,
        heading.meeting,
        _("Composition du jury : %(seats)s") % {"seats": " ; ".join(heading.seats)},
    ]
    for offset, text in enumerate(top, start=2):
        _put(sheet, offset, 1, text)

    header_row = len(top) + 3
    headers = [
        _("Candidat"),
        *[f"{block.code} — {block.title}" for block in blocks],
        _("Résultat calculé"),
        _("Préconisation"),
        _("Commentaires"),
        _("Déports"),
    ]
    for column, text in enumerate(headers, start=1):
        _put(sheet, header_row, column, text)
        cell = sheet.cell(row=header_row, column=column)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = _WRAP

    for index, line in enumerate(deliberation_lines(rows), start=header_row + 1):
        values = [
            line.name,
            *[c.text for c in line.cells],
            line.outcome,
            line.recommendation,
            line.comments,
            "\n".join(line.recusals),
        ]
        for column, text in enumerate(values, start=1):
            _put(sheet, index, column, text)
            sheet.cell(row=index, column=column).alignment = _WRAP
        for column, cell_line in enumerate(line.cells, start=2):
            fill = _STATE_FILLS.get(cell_line.state)
            if fill is not None:
                sheet.cell(row=index, column=column).fill = fill
        sheet.cell(row=index, column=1).font = Font(bold=True)
        sheet.cell(row=index, column=len(blocks) + 2).font = Font(bold=True)

    widths = [34, *[30] * len(blocks), 30, 30, 50, 40]
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.row_dimensions[header_row].height = 45
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=2).coordinate
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    workbook.properties.creator = "CQP Manager"

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- PDF -----------------------------------------------------------------------------------------------


# The comments column holds about 16 of the widest letters at 8 pt: pieces of 12 always fit, so the renderer never
# searches a long word for a break (`overflow-wrap: anywhere` on a 4,000-letter word: 2–3 s; cut every 40: 1–2 s;
# every 12: 0.3–0.5 s, as much as ordinary words).
PDF_COMMENT_PIECE = 12


def deliberation_context(jury: Jury, rows: Sequence[Row]) -> dict[str, object]:
    blocks: list[Block] = selectors.version_blocks(jury.version)
    lines = [
        replace(line, comments=bounds.breakable(line.comments, every=PDF_COMMENT_PIECE))
        for line in deliberation_lines(rows)
    ]
    return {
        "heading": deliberation_heading(jury),
        "jury": jury,
        "blocks": blocks,
        "lines": lines,
        "with_recusals": [line for line in lines if line.recusals],
        "printed_at": timezone.localtime(),
    }


DELIBERATION_TEMPLATE = "juries/pdf/deliberation.html"
# A PDF is kept for the day it is printed on (its footer gives the day); any change to what it says gives another.
PDF_CACHE_SECONDS = 24 * 3600
# Raise it when the rendering code changes (a template's change is in the fingerprint already).
PDF_CACHE_VERSION = 1


def deliberation_fingerprint(jury: Jury, rows: Sequence[Row]) -> str:
    """The SHA-256 of everything the deliberation PDF says (but its printing date) and of its template: equal
    fingerprints, equal documents. The rows are the reader's (a recused member's leave a candidate out)."""
    blocks = [(b.pk, b.code, b.title) for b in selectors.version_blocks(jury.version)]
    source = get_template(DELIBERATION_TEMPLATE).template.source  # type: ignore[attr-defined]
    content = repr((deliberation_heading(jury), blocks, deliberation_lines(rows), source))
    return hashlib.sha256(content.encode()).hexdigest()


def deliberation_pdf_cached(jury: Jury, rows: Sequence[Row]) -> bytes:
    """The deliberation PDF rendered once per content (`deliberation_fingerprint`) and kept in the cache (Redis
    in production, shared by the workers): a download renders only after a grid, a recommendation, a recusal or
    the composition changed."""
    # The day is in the key (the footer prints it), the version of the code that renders, the language.
    day = timezone.localdate().isoformat()
    key = (
        f"juries:deliberation-pdf:{PDF_CACHE_VERSION}:{translation.get_language()}:{day}:{jury.pk}:"
        f"{deliberation_fingerprint(jury, rows)}"
    )
    pdf = cache.get(key)
    if not isinstance(pdf, bytes):
        pdf = deliberation_pdf(jury, rows)
        cache.set(key, pdf, PDF_CACHE_SECONDS)
    return pdf


def deliberation_pdf(jury: Jury, rows: Sequence[Row]) -> bytes:
    """The deliberation grid as an A4 landscape PDF, page X / Y and the printing date in the footer."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    html = render_to_string(DELIBERATION_TEMPLATE, deliberation_context(jury, rows))
    # Local files only: a PDF is never held up by, nor leaks anything to, a remote server.
    fetcher = URLFetcher(allowed_protocols=("file", "data"))
    pdf: bytes = HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=fetcher).write_pdf()
    return pdf
