"""Pure rules of evaluation sessions: deadlines, time slots, who may be placed. No database (Django only for
gettext and date formatting)."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cqp.lib import bounds

CONVOCATION_MIN_DAYS = 15
INFORMATION_MONTHS = 3


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` earlier, or the month's last day when it has no such day."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def convocation_deadline(session_day: dt.date) -> dt.date:
    """Convocations leave at the latest on this day: at least 15 days before the tests."""
    return session_day - dt.timedelta(days=CONVOCATION_MIN_DAYS)


def information_deadline(session_day: dt.date) -> dt.date:
    """Candidates get the specification (cahier des charges) 3 months before the jury."""
    return months_before(session_day, INFORMATION_MONTHS)


def convocation_allowed(*, today: dt.date, session_day: dt.date, override: bool) -> bool:
    """Up to 15 days before the tests, or later with a certifier admin's override; never once they have begun
    (the dates alone: `convocation_refusal` also knows a cancelled session)."""
    return not tests_begun(today=today, first_day=session_day) and (
        override or today <= convocation_deadline(session_day)
    )


CONVOCATION_WARNING_DAYS = 5


def convocation_deadline_warning(*, today: dt.date, first_day: dt.date, override: bool) -> str | None:
    """What the session page says while convocations still wait to be sent: the last day they may leave when it is
    `CONVOCATION_WARNING_DAYS` days away or less, or how long ago it passed; None when it is further away or the
    tests have begun (no convocation leaves then: `convocation_refusal` says so). `override`: a certifier admin
    waived the 15-day rule for the session."""
    if tests_begun(today=today, first_day=first_day):
        return None
    deadline = convocation_deadline(first_day)
    days = (deadline - today).days
    if days > CONVOCATION_WARNING_DAYS:
        return None
    when = date_format(deadline, "SHORT_DATE_FORMAT")
    if days < 0:
        late = ngettext(
            "Convocations à envoyer : échéance dépassée depuis le %(date)s (%(n)d jour)",
            "Convocations à envoyer : échéance dépassée depuis le %(date)s (%(n)d jours)",
            -days,
        ) % {"date": when, "n": -days}
        if override:
            return _("%(late)s ; la dérogation du certificateur permet encore de les envoyer.") % {"late": late}
        return _("%(late)s ; elles ne partent plus qu'avec une dérogation du certificateur.") % {"late": late}
    if days == 0:
        return _("Convocations à envoyer au plus tard le %(date)s (aujourd'hui).") % {"date": when}
    if days == 1:
        return _("Convocations à envoyer au plus tard le %(date)s (demain).") % {"date": when}
    return _("Convocations à envoyer au plus tard le %(date)s (dans %(n)d jours).") % {"date": when, "n": days}


def convocation_late(*, today: dt.date, first_day: dt.date) -> bool:
    """Convocations leaving today leave after the 15-day deadline (an override lets them)."""
    return today > convocation_deadline(first_day)


def tests_begun(*, today: dt.date, first_day: dt.date) -> bool:
    """The session's first exam day has come: no convocation leaves any more, not even with an override, and the
    grids may be entered."""
    return first_day <= today


def tests_over(*, today: dt.date, last_day: dt.date) -> bool:
    """The session's last exam day is past: nothing is prepared for it any more (convocation, override, jury)."""
    return last_day < today


def convocation_refusal(
    *, today: dt.date, first_day: dt.date, last_day: dt.date, override: bool, cancelled: bool
) -> str | None:
    """Why no convocation may leave today for a session, or None. `cancelled`: the certifier accepted its
    cancellation (`dysfunctions.services.session_is_cancelled`); nothing is prepared for it any more."""
    if cancelled:
        return _("Cette session est annulée : aucune convocation ne part plus.")
    if tests_over(today=today, last_day=last_day):
        return _(
            "Les épreuves de cette session sont terminées (dernier jour le %(date)s) : plus aucune convocation."
        ) % {"date": date_format(last_day)}
    if tests_begun(today=today, first_day=first_day):
        return _(
            "Les épreuves ont commencé le %(date)s : une convocation ne part jamais après, même avec une dérogation."
        ) % {"date": date_format(first_day)}
    if not override and today > convocation_deadline(first_day):
        return _(
            "Convocation refusée : elle doit partir au moins 15 jours avant les épreuves (au plus tard le "
            "%(deadline)s). Un administrateur du certificateur peut accorder une dérogation motivée."
        ) % {"deadline": date_format(convocation_deadline(first_day))}
    return None


def override_refusal(*, today: dt.date, first_day: dt.date, last_day: dt.date, cancelled: bool) -> str | None:
    """Why the 15-day rule may not be waived for a session, or None: an override only serves convocations, which
    never leave once the tests have begun, nor for a cancelled session."""
    if cancelled:
        return _("Cette session est annulée : une dérogation au délai de convocation ne servirait plus.")
    if tests_over(today=today, last_day=last_day):
        return _(
            "Les épreuves de cette session sont terminées (dernier jour le %(date)s) : plus de dérogation au délai "
            "de convocation."
        ) % {"date": date_format(last_day)}
    if tests_begun(today=today, first_day=first_day):
        return _(
            "Les épreuves ont commencé le %(date)s : une dérogation ne servirait plus, aucune convocation ne part "
            "après le premier jour des épreuves."
        ) % {"date": date_format(first_day)}
    return None


def jury_refusal(*, today: dt.date, last_day: dt.date, cancelled: bool) -> str | None:
    """Why a session's evaluation jury may not be constituted today, or None."""
    if cancelled:
        return _("Cette session est annulée : son jury d'évaluation ne se constitue pas.")
    if tests_over(today=today, last_day=last_day):
        return _(
            "Les épreuves de cette session sont terminées (dernier jour le %(date)s) : son jury d'évaluation ne se "
            "constitue plus."
        ) % {"date": date_format(last_day)}
    return None


def placement_date_refusal(*, today: dt.date, first_day: dt.date, last_day: dt.date, cancelled: bool) -> str | None:
    """Why no candidate may be added to a session today, or None: up to the day before its first exam day, since
    a candidate added later could no longer be convoked, and never to a cancelled session."""
    if cancelled:
        return _("Cette session est annulée : on n'y ajoute plus de candidat, convoquez-le à une autre session.")
    if tests_over(today=today, last_day=last_day):
        return _(
            "Les épreuves de cette session sont terminées (dernier jour le %(date)s) : on n'y ajoute plus de candidat."
        ) % {"date": date_format(last_day)}
    if tests_begun(today=today, first_day=first_day):
        return _(
            "Les épreuves ont commencé le %(date)s : on n'y ajoute plus de candidat, il ne pourrait plus y être "
            "convoqué."
        ) % {"date": date_format(first_day)}
    return None


def grids_refusal(*, today: dt.date, first_day: dt.date) -> str | None:
    """Why a session's grids may not be entered today, or None: from its first exam day on, never before."""
    if not tests_begun(today=today, first_day=first_day):
        return _("Les grilles se remplissent à partir du jour des épreuves (le %(date)s).") % {
            "date": date_format(first_day)
        }
    return None


@dataclass(frozen=True)
class Deadline:
    label: str
    day: dt.date
    passed: bool


def timeline(*, today: dt.date, session_day: dt.date) -> list[Deadline]:
    steps = [
        (_("Information des candidats et remise du cahier des charges"), information_deadline(session_day)),
        (_("Envoi des convocations (15 jours avant au plus tard)"), convocation_deadline(session_day)),
        (_("Épreuves"), session_day),
    ]
    return [Deadline(label=label, day=day, passed=day < today) for label, day in steps]


def slot_minutes(*, exam_minutes: int, extra_minutes: int) -> int:
    """A candidate's slot: the exam's length plus the extra time granted for a disability."""
    if exam_minutes < 1 or extra_minutes < 0:
        raise ValueError(_("Durée d'épreuve ou temps supplémentaire invalide."))
    return exam_minutes + extra_minutes


DAY_ENDS_AT = dt.time(18, 0)


def next_slot_start(
    *, previous_end: dt.datetime | None, first_day: dt.date, last_day: dt.date, day_starts_at: dt.time, minutes: int
) -> dt.datetime | None:
    """Naive local start of the next slot: right after the previous one, or the next morning when the slot
    would end after 18:00; None when the session's days are full."""
    start = previous_end or dt.datetime.combine(first_day, day_starts_at)
    while start.date() <= last_day:
        if (start + dt.timedelta(minutes=minutes)).time() <= DAY_ENDS_AT and (
            start + dt.timedelta(minutes=minutes)
        ).date() == start.date():
            return start
        start = dt.datetime.combine(start.date() + dt.timedelta(days=1), day_starts_at)
    return None


def session_length_refusal(*, starts_on: dt.date, ends_on: dt.date) -> str | None:
    """A session spans at most `bounds.SESSION_DAYS_MAX` days, its first and last included."""
    if (ends_on - starts_on).days + 1 > bounds.SESSION_DAYS_MAX:
        return _("Une session dure %(days)d jours au plus : rapprochez le dernier jour du premier.") % {
            "days": bounds.SESSION_DAYS_MAX
        }
    return None


def placement_refusal(*, this_session_id: int, open_sessions: dict[int, dt.date], certified: bool) -> str | None:
    """Why an enrolment may not take a place in a session, or None.

    `open_sessions`: the sessions (id → first day) where the enrolment holds an open place: still awaited, or
    present and not decided yet by a certification jury (an absent candidate, or one decided on, may be convoked
    again). An enrolment is in one session at a time; a candidate already awarded the certification is not
    convoked again."""
    if certified:
        return _("Ce candidat est déjà titulaire de cette certification : il n'est pas convoqué à nouveau.")
    if this_session_id in open_sessions:
        return _("Ce candidat est déjà dans la session.")
    if open_sessions:
        day = min(open_sessions.values())
        return _(
            "Ce candidat a déjà une place à la session du %(date)s : une inscription n'est que dans une "
            "session à la fois. Notez-le absent ou attendez la décision du jury avant de le placer ailleurs."
        ) % {"date": date_format(day)}
    return None


def absence_recordable(*, today: dt.date, first_day: dt.date) -> bool:
    """An absence is noted from the exam day on, also once the session is over: a candidate left "awaited" on a
    sheet never completed did not sit, and noting it frees their enrolment for another session."""
    return first_day <= today
