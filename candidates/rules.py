"""Pure rules about candidates: identity keys, SIRET and INSEE codes, fraud bans, approval.
No Django, no database: plain values in, plain values out."""

from __future__ import annotations

import datetime as dt
import re

from cqp.lib.text import words

FRAUD_BAN_YEARS = 3


def identity_key(*, birth_name: str, first_name: str, birth_date: dt.date) -> str:
    """Who a person is for duplicate detection: birth name and first first name without accents,
    case, hyphens or spaces, plus the date of birth. `Élodie LE-GOFF` and `elodie le goff` match."""
    return f"{_fold(birth_name)}|{_fold(first_name)}|{birth_date.isoformat()}"


def _fold(text: str) -> str:
    return "".join(words(text))


def insee_code_is_valid(code: str) -> bool:
    """A commune code: five characters, digits, or 2A/2B for Corsica; 99xxx designates a foreign country."""
    return bool(re.fullmatch(r"(\d{5}|2[AB]\d{3})", code))


def fraud_ban_end(decided_on: dt.date) -> dt.date:
    """The last day of a 3-year exclusion from the certification, counted from the decision."""
    try:
        anniversary = decided_on.replace(year=decided_on.year + FRAUD_BAN_YEARS)
    except ValueError:  # 29 February
        anniversary = decided_on.replace(year=decided_on.year + FRAUD_BAN_YEARS, day=28) + dt.timedelta(days=1)
    return anniversary - dt.timedelta(days=1)


def approval_is_valid(*, start: dt.date | None, end: dt.date | None, suspended: bool, on: dt.date) -> bool:
    """An organisation may schedule tests on `on` when its approval covers that day and is not suspended."""
    if suspended or start is None:
        return False
    return start <= on and (end is None or on <= end)


def invitation_needs_consent(*, account_exists: bool, linked_to_candidate: bool) -> bool:
    """An account that exists at the candidate's address but is not yet theirs is linked only once its owner
    confirms, whatever its roles (staff, jury member, admin, or none: a jury proposal not yet approved, former
    staff): its owner may already sign in and would see the candidate's space at once. Only an account the
    invitation creates, or the one already linked, gets the password link."""
    return account_exists and not linked_to_candidate
