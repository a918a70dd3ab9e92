"""The letters of an appeal, as PDF on the certifier's letterhead: acknowledgement of receipt, inadmissibility,
outcome (rejected, re-examination ordered, revised decision). Made on request from the appeal's rows (nothing
stored): a letter always says what the appeal says now."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from certificates.rendering import FONTS_DIR, font_faces, long_date
from cqp.lib.outcomes import outcome_words
from juries.models import Decision
from results.models import Appeal, AppealStatus

ACKNOWLEDGEMENT = "accuse-reception"
INADMISSIBILITY = "irrecevabilite"
OUTCOME = "decision"


@dataclass(frozen=True)
class Letter:
    kind: str
    title: Any  # lazy French text


TITLES = {
    ACKNOWLEDGEMENT: _("Accusé de réception du recours"),
    INADMISSIBILITY: _("Irrecevabilité du recours"),
    OUTCOME: _("Décision sur le recours"),
}


def letters(appeal: Appeal) -> list[Letter]:
    """The letters the appeal has now, in the order they are sent."""
    kinds = [INADMISSIBILITY] if appeal.status == AppealStatus.INADMISSIBLE else [ACKNOWLEDGEMENT]
    if appeal.status in (AppealStatus.REJECTED, AppealStatus.REEXAMINATION, AppealStatus.REVISED):
        kinds.append(OUTCOME)
    return [Letter(kind, TITLES[kind]) for kind in kinds]


def has_letter(appeal: Appeal, kind: str) -> bool:
    return any(letter.kind == kind for letter in letters(appeal))


def _words(decision: Decision) -> str:
    return outcome_words(decision.kind, [b.code for b in decision.blocks.all()], lower=True)


def letter_context(appeal: Appeal, kind: str) -> dict[str, Any]:
    decision = appeal.decision
    jury = decision.jury
    version = jury.version
    certifier = version.certifier
    candidate = decision.examined_place.enrolment.candidate
    revised = appeal.revised_decision
    place = appeal.reexamination_place
    return {
        "fonts": font_faces(),
        "kind": kind,
        "title": TITLES[kind],
        "appeal": appeal,
        "certifier": certifier,
        "certification": f"{version.rncp_number} — {version.title}",
        "candidate": candidate,
        "today": long_date(timezone.localdate()),
        "received_on": long_date(appeal.received_on),
        "deadline": long_date(appeal.deadline),
        "jury_date": long_date(jury.meets_on),
        "decision": _words(decision),
        "meeting_on": long_date(appeal.cpnef_meeting_on) if appeal.cpnef_meeting_on else "",
        "revised": _words(revised) if revised else "",
        "session_date": long_date(place.session.starts_on) if place else "",
    }


def render_letter(appeal: Appeal, kind: str) -> bytes:
    """The letter as PDF (WeasyPrint, the fonts shipped with the app)."""
    from weasyprint import HTML  # slow to import: only when a letter is asked

    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string("results/appeals/pdf/letter.html", letter_context(appeal, kind))
    pdf: bytes = HTML(string=html, base_url=str(FONTS_DIR)).write_pdf()
    return pdf


def filename(appeal: Appeal, kind: str) -> str:
    return f"recours-{appeal.pk}-{kind}.pdf"
