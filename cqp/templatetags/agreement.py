"""French that fits the person (`cqp.lib.agreement`).

`{{ candidate.sex|agree:"né,née" }}` → "née", "né", or "né(e)" when the sex is unknown;
`{{ place|attendance_label }}` → "Présente" / "Présent"; `{{ seat.get_college_display|lower_first }}` →
"formateur ou accompagnateur CQP".
"""

from __future__ import annotations

from typing import Any

from django import template

from cqp.lib import agreement

register = template.Library()


@register.filter
def agree(sex: str | None, forms: str) -> str:
    return agreement.agree_pair(sex, forms)


@register.filter
def attendance_label(place: Any) -> str:
    """A place's attendance said of its candidate."""
    return agreement.attendance_label(place.attendance, place.get_attendance_display(), place.enrolment.candidate.sex)


@register.filter
def lower_first(text: Any) -> str:
    return agreement.lower_first(text)
