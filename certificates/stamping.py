"""A cancelled parchment as it is handed out: the stored original with a red "ANNULÉ" stamp over every page,
saying when and why it was cancelled.

The original file is never touched: its SHA-256 is what the verification page recognises ("authentique mais
annulé"). The stamp is laid over a copy at download time (one by one, in the ZIP, from the holder's space), so a
printed copy says by itself that it no longer counts. A stamped copy is not the original's bytes: the
verification page recognises it by the parchment's verification code, written in its document information
(`COPY_KEY`), and says it is a cancelled copy, never that it is authentic.

Drawn with reportlab (one overlay page per page size) and laid over each page with pikepdf, as the parchment's
own fields are (`certificates.rendering`): the copy is built in memory, one parchment at a time, a few tens of
kilobytes."""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

import pikepdf
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from certificates import rules
from certificates.models import Parchment, ParchmentStatus
from certificates.rendering import _rl_font, long_date, verification_url

# Where a stamped copy names its parchment: the verification page reads it back (`copy_code`).
COPY_KEY = pikepdf.Name("/CQPCancelledCopyOf")
_COPY_MARK = re.compile(rb"/CQPCancelledCopyOf\s*\(([0-9A-Za-z]{10})\)")
_COPY_MARK_MAX = 64  # bytes kept from one block to the next: a mark cut in two is still found
RED = HexColor("#b3001b")
BLACK = HexColor("#000000")
LEADING = 1.3
READ_BLOCK = 64 * 1024


@dataclass(frozen=True, slots=True)
class StampText:
    """What the stamp says, in the certifier's language."""

    word: str  # ANNULÉ, across the page
    headline: str  # ANNULÉ le 4 décembre 2026 — parchemin n° 000004
    reason: str  # Motif : ...
    notice: str  # no longer valid; the verification page is the reference


def stamp_text(parchment: Parchment) -> StampText:
    if parchment.cancelled_at is None:
        raise ValueError("Only a cancelled parchment is stamped.")
    with translation.override(settings.LANGUAGE_CODE):
        day = long_date(timezone.localdate(parchment.cancelled_at))
        return StampText(
            word=_("ANNULÉ"),
            headline=_("ANNULÉ le %(date)s — parchemin n° %(number)s")
            % {"date": day, "number": parchment.display_number},
            reason=_("Motif : %(reason)s") % {"reason": " ".join(parchment.cancel_reason.split())},
            notice=_("Ce parchemin n'est plus valide. La page de vérification fait foi : %(url)s (code %(code)s).")
            % {
                "url": verification_url(parchment.verification_code),
                "code": rules.display_code(parchment.verification_code),
            },
        )


def _overlay(width: float, height: float, text: StampText) -> bytes:
    """One page of `width` × `height` points: the word across the diagonal, translucent so the page stays
    legible under it, and a framed cartouche at the top with the date, the number, the reason and the notice."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height), invariant=True, pageCompression=1)
    bold, regular = _rl_font("sans-bold"), _rl_font("sans")

    # The word, along the diagonal, as wide as 70 % of it.
    diagonal = math.hypot(width, height)
    size = 0.7 * diagonal / (canvas.stringWidth(text.word, bold, 1) or 1)
    canvas.saveState()
    canvas.translate(width / 2, height / 2)
    canvas.rotate(math.degrees(math.atan2(height, width)))
    canvas.setFont(bold, size)
    canvas.setFillColor(Color(RED.red, RED.green, RED.blue, alpha=0.18))
    canvas.setStrokeColor(Color(RED.red, RED.green, RED.blue, alpha=0.55))
    canvas.setLineWidth(max(size / 60, 1))
    canvas.drawCentredString(0, -size * 0.35, text.word, mode=2)  # filled and outlined
    canvas.restoreState()

    # The cartouche: as wide as the page less its margins, as tall as its lines.
    margin = 0.05 * width
    inner = width - 2 * margin - 24
    head_size = min(16.0, height / 30)
    body_size = head_size * 0.65
    lines = [(text.headline, bold, head_size, RED)]
    lines += [(line, regular, body_size, BLACK) for line in simpleSplit(text.reason, regular, body_size, inner)]
    notice_size = body_size * 0.9
    lines += [(line, regular, notice_size, RED) for line in simpleSplit(text.notice, regular, notice_size, inner)]
    box_h = sum(line[2] * LEADING for line in lines) + 16
    top = height - 0.05 * height
    canvas.setFillColor(Color(1, 1, 1, alpha=0.92))
    canvas.setStrokeColor(RED)
    canvas.setLineWidth(2)
    canvas.rect(margin, top - box_h, width - 2 * margin, box_h, stroke=1, fill=1)
    y = top - 8
    for line, font, line_size, colour in lines:
        y -= line_size * LEADING
        canvas.setFont(font, line_size)
        canvas.setFillColor(colour)
        canvas.drawCentredString(width / 2, y + line_size * 0.3, line)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def stamped_pdf(original: IO[bytes], parchment: Parchment) -> bytes:
    """A copy of the `original` PDF with the stamp of `parchment`'s cancellation over every page, naming the
    parchment in its document information (`COPY_KEY`)."""
    text = stamp_text(parchment)
    layers: dict[tuple[float, float], pikepdf.Pdf] = {}
    try:
        with pikepdf.open(io.BytesIO(original.read())) as pdf:
            for page in pdf.pages:
                box = page.mediabox
                key = (round(float(box[2]) - float(box[0]), 2), round(float(box[3]) - float(box[1]), 2))
                if key not in layers:
                    layers[key] = pikepdf.open(io.BytesIO(_overlay(*key, text)))
                page.add_overlay(layers[key].pages[0], pikepdf.Rectangle(*(float(v) for v in box)))
            pdf.docinfo["/Title"] = _title(parchment, text)
            pdf.docinfo[COPY_KEY] = parchment.verification_code
            out = io.BytesIO()
            # No object stream: the document information stays plain text, for `copy_code`.
            pdf.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    finally:
        for layer in layers.values():
            layer.close()
    return out.getvalue()


def _title(parchment: Parchment, text: StampText) -> str:
    return f"{text.word} — " + _("Parchemin N° %(number)s") % {"number": parchment.display_number}


def download_name(parchment: Parchment) -> str:
    """parchemin-000004.pdf, or parchemin-000004-ANNULE.pdf for a cancelled one."""
    suffix = "" if parchment.status == ParchmentStatus.VALID else "-ANNULE"
    return f"parchemin-{parchment.display_number}{suffix}.pdf"


def handed_out(parchment: Parchment) -> Iterator[bytes]:
    """The parchment's PDF as it is handed out, in blocks: the stored file as it is, or stamped if cancelled."""
    with parchment.pdf.open("rb") as source:
        if parchment.status == ParchmentStatus.VALID:
            while block := source.read(READ_BLOCK):
                yield block
            return
        stamped = stamped_pdf(source, parchment)
    for start in range(0, len(stamped), READ_BLOCK):
        yield stamped[start : start + READ_BLOCK]


def copy_code(upload: IO[bytes]) -> str | None:
    """The verification code a stamped copy names, or None. Read as bytes, not parsed: `stamped_pdf` writes its
    document information as plain text (no object stream), so an uploaded file is scanned once, with no PDF
    parser and nothing decompressed (a public page reads it). Anyone can write that entry: the caller only ever
    says what the database says of that parchment."""
    upload.seek(0)
    tail = b""
    try:
        while block := upload.read(READ_BLOCK):
            window = tail + block
            found = _COPY_MARK.search(window)
            if found:
                code = rules.normalise_code(found.group(1).decode("ascii"))
                return code if rules.looks_like_a_code(code) else None
            tail = window[-_COPY_MARK_MAX:]
    finally:
        upload.seek(0)
    return None
