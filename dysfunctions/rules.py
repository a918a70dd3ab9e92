"""Pure rules of dysfunctions (seed §7): when a session may be the object of a proposal, when a decision may be
taken, and whether a postponement's new dates hold. Plain values in, a French refusal (or None) out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cqp.lib import bounds
from evaluations import rules as session_rules

PENDING, ACCEPTED, REFUSED = "pending", "accepted", "refused"
CANCEL, POSTPONE = "cancel", "postpone"


def proposal_refusal(*, today: dt.date, session_ends_on: dt.date, cancelled: bool, pending: bool) -> str | None:
    """Why a session may not be the object of a new proposal, or None. A dysfunction is found before or during
    the tests: a session whose last day is over is past proposing (an incident report is the way then)."""
    if cancelled:
        return _("Cette session est annulée : elle ne peut plus faire l'objet d'une proposition.")
    if session_ends_on < today:
        return _(
            "Cette session est terminée (dernier jour le %(date)s) : on ne propose plus de l'annuler ni de la "
            "reporter. Signalez l'incident : le certificateur en établira le rapport."
        ) % {"date": date_format(session_ends_on)}
    if pending:
        return _("Une proposition attend déjà la décision du certificateur pour cette session.")
    return None


def new_dates_refusal(
    *, today: dt.date, current_starts_on: dt.date, new_starts_on: dt.date | None, new_ends_on: dt.date | None
) -> dict[str, str]:
    """The refusals of a postponement's new dates, by field (empty when they hold): both given, to come, after
    the current first day, the last day not before the first, at most `bounds.SESSION_DAYS_MAX` days, and
    within the calendar of events (`bounds.EVENTS_YEARS_AHEAD` years ahead)."""
    errors: dict[str, str] = {}
    if new_starts_on is None:
        errors["new_starts_on"] = _("Un report indique le nouveau premier jour de la session.")
        return errors
    ends_on = new_ends_on or new_starts_on
    if new_starts_on <= today:
        errors["new_starts_on"] = _("Le nouveau premier jour doit être à venir (après le %(today)s).") % {
            "today": date_format(today)
        }
    elif new_starts_on <= current_starts_on:
        errors["new_starts_on"] = _(
            "Un report fixe une date postérieure au premier jour actuel (le %(date)s) : choisissez un jour après."
        ) % {"date": date_format(current_starts_on)}
    latest = _years_after(today, bounds.EVENTS_YEARS_AHEAD)
    if new_starts_on > latest or ends_on > latest:
        errors["new_starts_on"] = _("Une session ne se programme pas au-delà du %(date)s.") % {
            "date": date_format(latest)
        }
    if ends_on < new_starts_on:
        errors["new_ends_on"] = _("Le nouveau dernier jour ne peut précéder le nouveau premier jour.")
    else:
        length = session_rules.session_length_refusal(starts_on=new_starts_on, ends_on=ends_on)
        if length is not None:
            errors["new_ends_on"] = length
    return errors


def _years_after(day: dt.date, years: int) -> dt.date:
    """The same day `years` later (28 February for a 29th), as `bounds.event_date` counts its horizon."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def places_fit_refusal(*, place_days: Iterable[dt.date], shift_days: int, new_ends_on: dt.date) -> str | None:
    """The candidates' slots move with the session, each by the same number of days: refused when one of them
    would fall after the new last day."""
    late = [day for day in place_days if day + dt.timedelta(days=shift_days) > new_ends_on]
    if late:
        return _(
            "Les passages des candidats occupent plus de jours que les nouvelles dates : %(n)d passage(s) "
            "tomberaient après le %(date)s. Allongez la session."
        ) % {"n": len(late), "date": date_format(new_ends_on)}
    return None


def decision_refusal(*, status: str, tests_started: bool, accept: bool) -> str | None:
    """Why a proposal may not be decided, or None: a decision is taken once; a session whose candidates have
    started sitting is neither cancelled nor postponed (the incident report and the appeal are the way then)."""
    if status != PENDING:
        return _("Cette proposition a déjà été décidée : une décision ne se reprend pas.")
    if accept and tests_started:
        return _(
            "Des candidats ont déjà passé les épreuves de cette session (présence enregistrée) : elle ne peut plus "
            "être annulée ni reportée. Refusez la proposition et établissez le rapport d'incident."
        )
    return None


def override_needed(*, today: dt.date, new_starts_on: dt.date) -> bool:
    """The new convocations would leave less than 15 days before the tests: only with a derogation (the seed's
    rule: "minimum 15 jours avant la date des épreuves")."""
    return not session_rules.convocation_allowed(today=today, session_day=new_starts_on, override=False)
