"""The pure rules of the certifier's paper: the PV's fingerprint, the deadlines, the verification codes."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from certificates import rules

CONTENT = {
    "jury": {"date": "2026-03-12", "members": [{"name": "Alex Salarie", "college": "Salariés"}]},
    "candidates": [{"name": "Julie Martin0", "decision": "total", "reason": ""}],
    "certifier": "CPNEFP HBJO",
}


# --- Fingerprint ---------------------------------------------------------------------------------------


def test_the_fingerprint_is_a_sha256_in_hexadecimal() -> None:
    digest = rules.fingerprint(CONTENT)
    assert len(digest) == 64
    assert set(digest) <= set("0123456789abcdef")


def test_the_fingerprint_does_not_depend_on_the_order_keys_were_built_in() -> None:
    shuffled = {
        "certifier": "CPNEFP HBJO",
        "candidates": [{"reason": "", "decision": "total", "name": "Julie Martin0"}],
        "jury": {"members": [{"college": "Salariés", "name": "Alex Salarie"}], "date": "2026-03-12"},
    }
    assert rules.fingerprint(shuffled) == rules.fingerprint(CONTENT)


@pytest.mark.parametrize(
    "change",
    [
        lambda c: c["candidates"][0].update(decision="partial"),
        lambda c: c["candidates"][0].update(reason="Écart motivé"),
        lambda c: c["jury"].update(date="2026-03-13"),
        lambda c: c["jury"]["members"].append({"name": "Jeanne Fabre", "college": "Employeurs"}),
        lambda c: c.update(certifier="CPNEFP HBJO "),
        lambda c: c["candidates"].insert(0, c["candidates"][0].copy()),
    ],
    ids=["decision", "reason", "date", "member", "one-space", "candidate"],
)
def test_any_change_of_the_content_changes_the_fingerprint(change) -> None:
    changed = copy.deepcopy(CONTENT)
    change(changed)
    assert rules.fingerprint(changed) != rules.fingerprint(CONTENT)


def test_the_order_of_a_list_is_part_of_the_content() -> None:
    one = {"members": ["A", "B"]}
    other = {"members": ["B", "A"]}
    assert rules.fingerprint(one) != rules.fingerprint(other)


# --- Deadlines -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2028, 1, 31), 1, dt.date(2028, 2, 29)),  # leap year
        (dt.date(2025, 11, 30), 2, dt.date(2026, 1, 30)),
        (dt.date(2025, 12, 31), 2, dt.date(2026, 2, 28)),
        (dt.date(2026, 3, 31), 1, dt.date(2026, 4, 30)),
        (dt.date(2026, 3, 12), 1, dt.date(2026, 4, 12)),
        (dt.date(2025, 12, 15), 1, dt.date(2026, 1, 15)),
        (dt.date(2026, 5, 15), 0, dt.date(2026, 5, 15)),
        (dt.date(2026, 1, 31), 13, dt.date(2027, 2, 28)),
    ],
)
def test_months_after_keeps_the_day_or_takes_the_last_day_of_the_month(day, months, expected) -> None:
    assert rules.months_after(day, months) == expected


def test_results_are_due_one_month_after_the_jury() -> None:
    assert rules.results_due(dt.date(2026, 3, 12)) == dt.date(2026, 4, 12)
    assert rules.results_due(dt.date(2026, 1, 31)) == dt.date(2026, 2, 28)


def test_parchments_are_due_two_months_after_the_cpnefp_validation() -> None:
    assert rules.parchments_due(dt.date(2026, 3, 12)) == dt.date(2026, 5, 12)
    assert rules.parchments_due(dt.date(2025, 12, 31)) == dt.date(2026, 2, 28)


def test_a_deadline_is_overdue_only_after_its_day_with_work_still_pending() -> None:
    due = dt.date(2026, 4, 12)
    pending = rules.Deadline(label="Notification des résultats", due=due, done_on=None, pending=2)
    assert not pending.overdue(due - dt.timedelta(days=1))
    assert not pending.overdue(due)
    assert pending.overdue(due + dt.timedelta(days=1))
    done = rules.Deadline(label="Notification des résultats", due=due, done_on=due, pending=0)
    assert not done.overdue(due + dt.timedelta(days=100))


def test_days_left_counts_down_to_the_due_day_and_below_zero_after() -> None:
    deadline = rules.Deadline(label="Envoi des parchemins", due=dt.date(2026, 5, 12), done_on=None, pending=1)
    assert deadline.days_left(dt.date(2026, 5, 2)) == 10
    assert deadline.days_left(dt.date(2026, 5, 12)) == 0
    assert deadline.days_left(dt.date(2026, 5, 15)) == -3


# --- Verification codes --------------------------------------------------------------------------------


def test_a_verification_code_has_ten_characters_without_the_confusable_letters() -> None:
    codes = {rules.new_verification_code() for _ in range(500)}
    assert len(codes) == 500  # 50 bits: no collision among a few hundred
    for code in codes:
        assert len(code) == rules.CODE_LENGTH == 10
        assert set(code) <= set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
        assert not set(code) & set("ILOU")
        assert rules.looks_like_a_code(code)


def test_a_code_typed_by_a_person_is_normalised() -> None:
    assert rules.normalise_code("ab3cd-ef4gh") == "AB3CDEF4GH"
    assert rules.normalise_code(" AB3CD EF4GH ") == "AB3CDEF4GH"
    assert rules.normalise_code("0O0o0-11lLi") == "0000011111"


def test_a_code_is_shown_in_two_groups_of_five() -> None:
    assert rules.display_code("AB3CDEF4GH") == "AB3CD-EF4GH"
    assert rules.display_code("ABC") == "ABC"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("AB3CD-EF4GH", True),
        ("ab3cd ef4gh", True),
        ("OB3CD-EF4GH", True),  # O read as 0
        ("AB3CD-EF4G", False),  # too short
        ("AB3CD-EF4GHJ", False),  # too long
        ("AB3CD-EF4GU", False),  # U is not in the alphabet
        ("AB3CD-EF4G!", False),
        ("", False),
    ],
)
def test_looks_like_a_code(text: str, expected: bool) -> None:
    assert rules.looks_like_a_code(text) is expected


@pytest.mark.parametrize(
    ("name", "caps"),
    [
        ("Weiß", "WEIß"),
        ("Ødegård", "ØDEGÅRD"),
        ("Dvořák", "DVOŘÁK"),
        ("Krzyżanowska-Wiśniewska", "KRZYŻANOWSKA-WIŚNIEWSKA"),
        ("de la Tour d'Auvergne", "DE LA TOUR D'AUVERGNE"),
    ],
)
def test_a_surname_in_capitals_keeps_every_letter_as_civil_records_spell_it(name: str, caps: str) -> None:
    assert rules.surname_caps(name) == caps
