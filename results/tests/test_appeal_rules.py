"""The last day to appeal (art. 641 and 642 of the code of civil procedure), on the French calendar."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from results import rules

DATES = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2100, 10, 31))


@pytest.mark.parametrize(
    ("year", "day"),
    [
        (2024, dt.date(2024, 3, 31)),
        (2025, dt.date(2025, 4, 20)),
        (2026, dt.date(2026, 4, 5)),
        (2038, dt.date(2038, 4, 25)),
        (2000, dt.date(2000, 4, 23)),
    ],
)
def test_easter_is_the_known_sunday(year: int, day: dt.date) -> None:
    assert rules.easter(year) == day


def test_the_holidays_of_2026() -> None:
    holidays = rules.public_holidays(2026)
    assert dt.date(2026, 4, 6) in holidays  # lundi de Pâques
    assert dt.date(2026, 5, 14) in holidays  # Ascension
    assert dt.date(2026, 5, 25) in holidays  # lundi de Pentecôte
    assert dt.date(2026, 7, 14) in holidays
    assert len(holidays) == 11


@pytest.mark.parametrize(
    ("deliberation", "deadline"),
    [
        (dt.date(2026, 1, 15), dt.date(2026, 3, 16)),  # 15 March 2026 is a Sunday
        (dt.date(2026, 2, 10), dt.date(2026, 4, 10)),  # a Friday
        (dt.date(2025, 12, 31), dt.date(2026, 3, 2)),  # 28 February 2026 is a Saturday
        (dt.date(2023, 12, 31), dt.date(2024, 2, 29)),  # leap year: a Thursday
        (dt.date(2026, 3, 14), dt.date(2026, 5, 15)),  # 14 May 2026: Ascension Thursday
        (dt.date(2026, 9, 11), dt.date(2026, 11, 12)),  # 11 November: armistice
        (dt.date(2026, 5, 1), dt.date(2026, 7, 1)),
        (dt.date(2027, 10, 25), dt.date(2027, 12, 27)),  # Saturday 25 December 2027, then Sunday
    ],
)
def test_the_deadline_is_two_months_later_moved_to_a_working_day(deliberation: dt.date, deadline: dt.date) -> None:
    assert rules.appeal_deadline(deliberation) == deadline


def test_the_last_day_of_a_shorter_month() -> None:
    assert rules.add_months(dt.date(2026, 12, 31), 2) == dt.date(2027, 2, 28)
    assert rules.add_months(dt.date(2027, 12, 31), 2) == dt.date(2028, 2, 29)
    assert rules.add_months(dt.date(2026, 8, 31), 2) == dt.date(2026, 10, 31)
    assert rules.add_months(dt.date(2026, 11, 30), 2) == dt.date(2027, 1, 30)


@given(DATES)
def test_the_deadline_is_never_a_weekend_or_a_holiday(day: dt.date) -> None:
    deadline = rules.appeal_deadline(day)
    assert deadline.weekday() < 5
    assert deadline not in rules.public_holidays(deadline.year)


@given(DATES)
def test_the_deadline_is_never_before_two_months_less_three_days(day: dt.date) -> None:
    deadline = rules.appeal_deadline(day)
    same_day_later = day.replace(year=day.year + (day.month + 1) // 12, month=(day.month + 1) % 12 + 1, day=1)
    assert deadline >= same_day_later + dt.timedelta(days=day.day - 1 - 3)
    assert deadline >= rules.add_months(day, 2)
    # A working day is found within a few days (at most a long weekend with holidays).
    assert deadline - rules.add_months(day, 2) <= dt.timedelta(days=4)


@given(DATES, DATES)
def test_the_deadline_is_monotonic(a: dt.date, b: dt.date) -> None:
    if a <= b:
        assert rules.appeal_deadline(a) <= rules.appeal_deadline(b)


@given(DATES, st.integers(min_value=-10, max_value=80))
def test_admissible_is_received_on_or_before_the_deadline(day: dt.date, offset: int) -> None:
    received = day + dt.timedelta(days=offset)
    assert rules.admissible(deliberation_date=day, received_on=received) == (received <= rules.appeal_deadline(day))
