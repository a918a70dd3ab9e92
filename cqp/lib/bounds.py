"""Bounds on every input, in one place: text lengths, invisible characters, plausible dates and durations.

Forms, services and imports all check against these values, so a hostile or mistyped value gets the same French
message wherever it comes in, before any work is spent on it. `check_instance` is the last line: a `pre_save`
signal (see `cqp.apps`) runs it on every model of the app, so a service, an import or the admin cannot write a
text longer than its field, a control character, or a date outside the calendar the app can show.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Text lengths. A name or a title fits on one line of a PDF; a comment or a reason on half a page.
NAME_LENGTH = 150
SHORT_TEXT_LENGTH = 300
LONG_TEXT_LENGTH = 4000
# A word longer than this (no space, no hyphen) is cut for the PDF renderers (see `breakable`).
WORD_LENGTH = 40

# Dates: the app's calendar (anything outside cannot be a real value and breaks date arithmetic near year 10000).
CALENDAR_START = datetime.date(1900, 1, 1)
CALENDAR_END = datetime.date(2100, 12, 31)
# Events of a certification (sessions, exams, juries, decisions): the branch's CQPs exist since 2000, and nothing
# is planned more than this many years ahead.
EVENTS_START = datetime.date(2000, 1, 1)
EVENTS_YEARS_AHEAD = 3
# Candidates: born after 1900, at least this old on the day they are entered.
YOUNGEST_CANDIDATE_AGE = 14

# Durations, in minutes.
EXTRA_MINUTES_MAX = 8 * 60  # extra time granted to a candidate (accommodation)
SLOT_MINUTES_MIN = 5  # one candidate's slot in a session's timetable
SLOT_MINUTES_MAX = 12 * 60
SESSION_DAYS_MAX = 60  # a session spans at most this many days

# Any C0 control character but tab, line feed and carriage return; DEL; C1 controls. NUL is one of them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LONG_WORD = re.compile(rf"\S{{{WORD_LENGTH + 1},}}")
ZERO_WIDTH_SPACE = "\u200b"


def refuse_control_characters(value: Any) -> None:
    """Validator: no invisible control character (NUL, escape, ...) in a text."""
    if isinstance(value, str) and _CONTROL.search(value):
        raise ValidationError(
            _(
                "Ce texte contient un caractère de contrôle invisible (par exemple un octet nul) : "
                "retapez-le ou collez-le sans mise en forme."
            ),
            code="control_character",
        )


def has_control_characters(value: str) -> bool:
    return bool(_CONTROL.search(value))


def check_length(value: str, limit: int, label: str = "") -> None:
    """Refuse a text longer than `limit` characters, saying by how much."""
    if len(value) > limit:
        raise ValidationError(
            _("%(label)s : %(limit)d caractères au plus (ce texte en a %(length)d) ; raccourcissez-le.")
            % {"label": label or _("Texte"), "limit": limit, "length": len(value)},
            code="max_length",
        )


def check_text(value: str, limit: int, label: str = "") -> None:
    """For a service that writes a text by `update()` (which skips the check before saving): its length and no
    control character."""
    check_length(value, limit, label)
    refuse_control_characters(value)


def today() -> datetime.date:
    return timezone.localdate()


def events_end() -> datetime.date:
    day = today()
    try:
        return day.replace(year=day.year + EVENTS_YEARS_AHEAD)
    except ValueError:  # 29 February
        return day.replace(year=day.year + EVENTS_YEARS_AHEAD, day=28)


def youngest_birth_date() -> datetime.date:
    day = today()
    try:
        return day.replace(year=day.year - YOUNGEST_CANDIDATE_AGE)
    except ValueError:
        return day.replace(year=day.year - YOUNGEST_CANDIDATE_AGE, day=28)


def _date_between(value: Any, start: datetime.date, end: datetime.date, message: str) -> None:
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date) and not start <= value <= end:
        raise ValidationError(
            message % {"start": start.strftime("%d/%m/%Y"), "end": end.strftime("%d/%m/%Y")}, code="date_range"
        )


def calendar_date(value: Any) -> None:
    """Validator: any date the app stores lies between 1900 and 2100."""
    _date_between(
        value, CALENDAR_START, CALENDAR_END, str(_("Date hors du calendrier : entre le %(start)s et le %(end)s."))
    )


def event_date(value: Any) -> None:
    """Validator: a session, an exam, a jury or a decision lies between 2000 and three years from today."""
    _date_between(
        value,
        EVENTS_START,
        events_end(),
        str(
            _("Date invraisemblable : une session, un jury ou une décision se situe entre le %(start)s et le %(end)s.")
        ),
    )


def past_event_date(value: Any) -> None:
    """Validator: something that already happened (a decision, a signature), between 2000 and today. Today is
    Paris's, with a day's margin: overseas, the evening's date is already tomorrow's in Paris, or still today."""
    _date_between(
        value,
        EVENTS_START,
        today() + datetime.timedelta(days=1),
        str(_("Date invraisemblable : entre le %(start)s et aujourd'hui (%(end)s au plus tard).")),
    )


def birth_date(value: Any) -> None:
    """Validator: born after 1900 and at least 14 years ago."""
    _date_between(
        value,
        CALENDAR_START,
        youngest_birth_date(),
        str(_("Date de naissance invraisemblable : entre le %(start)s et le %(end)s (14 ans au moins).")),
    )


def breakable(text: str, every: int = WORD_LENGTH) -> str:
    """A text whose words longer than `every` characters carry a zero-width space every `every` characters, so a
    PDF renderer can break them instead of searching for a break that does not exist."""
    if len(text) <= every:
        return text
    return _LONG_WORD.sub(
        lambda m: ZERO_WIDTH_SPACE.join(m.group()[i : i + every] for i in range(0, len(m.group()), every)), text
    )


def check_instance(instance: models.Model, update_fields: Iterable[str] | None = None) -> None:
    """Every text field within its `max_length` and free of control characters; every date within the calendar.
    Raised as one ValidationError naming the fields, before anything is written. With `update_fields`, only the
    fields written are checked: an old row holding a text longer than today's limit can still have another field
    saved."""
    errors: dict[str, list[ValidationError]] = {}
    written = None if update_fields is None else set(update_fields)
    for field in instance._meta.concrete_fields:
        if written is not None and field.name not in written and field.attname not in written:
            continue
        value = getattr(instance, field.attname, None)
        if value is None:
            continue
        try:
            if isinstance(field, (models.CharField, models.TextField)) and isinstance(value, str):
                if field.max_length is not None:
                    # The label is translated only for a refusal: an import checks thousands of rows.
                    if len(value) > field.max_length:
                        check_length(value, field.max_length, str(field.verbose_name))
                    refuse_control_characters(value)
            elif isinstance(field, (models.DateField, models.DateTimeField)):
                calendar_date(value)
        except ValidationError as error:
            errors.setdefault(field.name, []).append(error)
    if errors:
        raise ValidationError(errors)
