"""Pure rules of appeals (recours): the last day to appeal, on the French calendar. No database, no network.

The seeds (§9): an appeal is valid when sent by registered letter "dans un délai de 2 mois suivant la date du jury
de délibération". The code of civil procedure counts it:
- art. 641: a delay in months ends on the day of the last month that bears the same number as the starting day;
  when that month has no such day, on its last day (31 December + 2 months = 28 or 29 February);
- art. 642: a delay that would end on a Saturday, a Sunday or a public holiday runs to the next working day.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools

APPEAL_MONTHS = 2

# The fixed public holidays of metropolitan France (code du travail, art. L3133-1): (month, day).
FIXED_HOLIDAYS = (
    (1, 1),  # jour de l'an
    (5, 1),  # fête du travail
    (5, 8),  # victoire 1945
    (7, 14),  # fête nationale
    (8, 15),  # Assomption
    (11, 1),  # Toussaint
    (11, 11),  # armistice 1918
    (12, 25),  # Noël
)


def easter(year: int) -> dt.date:
    """Easter Sunday of the Gregorian calendar (the anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


@functools.cache
def public_holidays(year: int) -> frozenset[dt.date]:
    """The public holidays of `year`: the fixed ones, Easter Monday, Ascension Thursday and Whit Monday."""
    sunday = easter(year)
    movable = (sunday + dt.timedelta(days=1), sunday + dt.timedelta(days=39), sunday + dt.timedelta(days=50))
    return frozenset([dt.date(year, month, day) for month, day in FIXED_HOLIDAYS] + list(movable))


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in public_holidays(day.year)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day number `months` later, or the last day of that month when it has no such day (art. 641)."""
    year, month0 = divmod(day.month - 1 + months, 12)
    year += day.year
    last = calendar.monthrange(year, month0 + 1)[1]
    return dt.date(year, month0 + 1, min(day.day, last))


def next_working_day(day: dt.date) -> dt.date:
    """`day` itself when it is a working day, else the first working day after it (art. 642)."""
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def appeal_deadline(deliberation_date: dt.date) -> dt.date:
    """The last day on which an appeal against the certification jury's deliberation of `deliberation_date` is
    received in time: two months later, moved to the next working day."""
    return next_working_day(add_months(deliberation_date, APPEAL_MONTHS))


def admissible(*, deliberation_date: dt.date, received_on: dt.date) -> bool:
    return received_on <= appeal_deadline(deliberation_date)
