"""Pure rules of sessions: months and deadlines, the 15-day convocation rule, the timeline, slots."""

from __future__ import annotations

import datetime as dt

import pytest

from evaluations import rules


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 5, 31), 3, dt.date(2026, 2, 28)),
        (dt.date(2028, 5, 31), 3, dt.date(2028, 2, 29)),  # leap year
        (dt.date(2026, 1, 15), 3, dt.date(2025, 10, 15)),
        (dt.date(2026, 3, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2026, 12, 31), 12, dt.date(2025, 12, 31)),
        (dt.date(2026, 6, 10), 0, dt.date(2026, 6, 10)),
    ],
)
def test_months_before_keeps_the_day_or_falls_back_to_the_months_last_day(
    day: dt.date, months: int, expected: dt.date
) -> None:
    assert rules.months_before(day, months) == expected


def test_the_convocation_deadline_is_15_days_before_the_session() -> None:
    assert rules.convocation_deadline(dt.date(2026, 6, 15)) == dt.date(2026, 5, 31)
    assert rules.convocation_deadline(dt.date(2026, 3, 10)) == dt.date(2026, 2, 23)


def test_candidates_are_informed_3_months_before_the_session() -> None:
    assert rules.information_deadline(dt.date(2026, 6, 15)) == dt.date(2026, 3, 15)
    assert rules.information_deadline(dt.date(2026, 5, 31)) == dt.date(2026, 2, 28)


def test_a_convocation_is_allowed_exactly_15_days_before() -> None:
    session_day = dt.date(2026, 6, 15)
    assert rules.convocation_allowed(today=dt.date(2026, 5, 31), session_day=session_day, override=False)
    assert rules.convocation_allowed(today=dt.date(2026, 5, 1), session_day=session_day, override=False)


def test_it_refuses_a_convocation_under_15_days() -> None:
    session_day = dt.date(2026, 6, 15)
    assert not rules.convocation_allowed(today=dt.date(2026, 6, 1), session_day=session_day, override=False)
    assert not rules.convocation_allowed(today=session_day, session_day=session_day, override=False)


def test_an_override_allows_a_late_convocation() -> None:
    assert rules.convocation_allowed(today=dt.date(2026, 6, 14), session_day=dt.date(2026, 6, 15), override=True)


def test_the_timeline_lists_the_steps_in_order_and_marks_those_passed() -> None:
    session_day = dt.date(2026, 6, 15)
    steps = rules.timeline(today=dt.date(2026, 4, 1), session_day=session_day)
    assert [step.day for step in steps] == [dt.date(2026, 3, 15), dt.date(2026, 5, 31), session_day]
    assert [step.passed for step in steps] == [True, False, False]
    assert "cahier des charges" in steps[0].label
    assert "15 jours" in steps[1].label


def test_a_step_falling_today_is_not_yet_passed() -> None:
    steps = rules.timeline(today=dt.date(2026, 5, 31), session_day=dt.date(2026, 6, 15))
    assert [step.passed for step in steps] == [True, False, False]
    after = rules.timeline(today=dt.date(2026, 6, 16), session_day=dt.date(2026, 6, 15))
    assert all(step.passed for step in after)


def test_a_slot_is_the_exam_length_plus_the_extra_time() -> None:
    assert rules.slot_minutes(exam_minutes=45, extra_minutes=0) == 45
    assert rules.slot_minutes(exam_minutes=45, extra_minutes=30) == 75


@pytest.mark.parametrize(("exam", "extra"), [(0, 0), (-5, 0), (45, -1)])
def test_a_slot_refuses_a_nonsensical_duration(exam: int, extra: int) -> None:
    with pytest.raises(ValueError, match="invalide"):
        rules.slot_minutes(exam_minutes=exam, extra_minutes=extra)
