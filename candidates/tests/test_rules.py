"""Pure rules about candidates: no database, plain values in and out."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from candidates.rules import (
    approval_is_valid,
    fraud_ban_end,
    identity_key,
    insee_code_is_valid,
    invitation_needs_consent,
)
from cqp.lib.siret import is_valid as siret_is_valid
from cqp.models import ApprovalStatus
from tests.factories import OrganisationFactory

# No example database: these tests must not write a .hypothesis directory into the project.
fast = settings(database=None)

BORN = dt.date(1998, 5, 14)
FRENCH_LETTERS = "abcdefghijklmnopqrstuvwxyzàâäçéèêëîïôöùûüÿ"


def _luhn_ok(number: str) -> bool:
    """An oracle written independently of the rule: double every second digit from the right."""
    digits = [int(c) for c in number]
    odd = digits[-1::-2]
    even = [sum(divmod(2 * d, 10)) for d in digits[-2::-2]]
    return (sum(odd) + sum(even)) % 10 == 0


# identity_key


def test_identity_key_ignores_accents_case_hyphens_and_spaces() -> None:
    assert identity_key(birth_name="LE-GOFF", first_name="Élodie", birth_date=BORN) == identity_key(
        birth_name="le goff", first_name="elodie", birth_date=BORN
    )


def test_identity_key_folds_sharp_s_into_ss() -> None:
    assert identity_key(birth_name="Strauß", first_name="Jörg", birth_date=BORN) == identity_key(
        birth_name="STRAUSS", first_name="jorg", birth_date=BORN
    )


def test_identity_key_differs_on_birth_date() -> None:
    assert identity_key(birth_name="Le Goff", first_name="Élodie", birth_date=BORN) != identity_key(
        birth_name="Le Goff", first_name="Élodie", birth_date=BORN + dt.timedelta(days=1)
    )


def test_identity_key_differs_on_birth_name_and_first_name() -> None:
    key = identity_key(birth_name="Martin", first_name="Léa", birth_date=BORN)
    assert key != identity_key(birth_name="Martine", first_name="Léa", birth_date=BORN)
    assert key != identity_key(birth_name="Martin", first_name="Léo", birth_date=BORN)


def test_identity_key_keeps_birth_name_and_first_name_apart() -> None:
    """`Anne|Marie` and `Annemarie|` must not be the same person just because the letters run together."""
    assert identity_key(birth_name="Paul", first_name="Anne", birth_date=BORN) != identity_key(
        birth_name="Paula", first_name="nne", birth_date=BORN
    )


def test_identity_key_folds_the_oe_ligature_of_french_names() -> None:
    assert identity_key(birth_name="Cœur", first_name="Lœtitia", birth_date=BORN) == identity_key(
        birth_name="COEUR", first_name="Loetitia", birth_date=BORN
    )


@fast
@given(
    birth_name=st.text(alphabet=FRENCH_LETTERS, min_size=1, max_size=20),
    first_name=st.text(alphabet=FRENCH_LETTERS, min_size=1, max_size=20),
    birth_date=st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2020, 12, 31)),
)
def test_identity_key_is_the_same_whatever_the_case_and_separators(
    birth_name: str, first_name: str, birth_date: dt.date
) -> None:
    typed_otherwise = " - ".join(birth_name.upper()), f" {first_name.swapcase()}-"
    assert identity_key(birth_name=birth_name, first_name=first_name, birth_date=birth_date) == identity_key(
        birth_name=typed_otherwise[0], first_name=typed_otherwise[1], birth_date=birth_date
    )


@fast
@given(
    first=st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2020, 12, 31)),
    second=st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2020, 12, 31)),
)
def test_two_birth_dates_give_two_identities(first: dt.date, second: dt.date) -> None:
    same = identity_key(birth_name="Durand", first_name="Camille", birth_date=first) == identity_key(
        birth_name="Durand", first_name="Camille", birth_date=second
    )
    assert same is (first == second)


# siret_is_valid


def test_a_siret_with_a_right_luhn_key_is_valid() -> None:
    assert _luhn_ok("73282932000074")
    assert siret_is_valid("73282932000074")


def test_a_siret_with_a_wrong_key_is_invalid() -> None:
    assert siret_is_valid("73282932000075") is False
    assert siret_is_valid("12345678901234") is False


@pytest.mark.parametrize(
    "siret",
    ["7328293200007", "732829320000741", "7328293200007A", "732 829 320 00074", "", "abcdefghijklmn"],
    ids=["13-digits", "15-digits", "a-letter", "spaces", "empty", "letters"],
)
def test_a_siret_that_is_not_fourteen_digits_is_invalid(siret: str) -> None:
    assert siret_is_valid(siret) is False


def test_a_la_poste_establishment_is_valid_when_its_digits_sum_to_a_multiple_of_5() -> None:
    # 3+5+6+1 = 15, though its Luhn key is wrong: La Poste's establishments follow their own rule.
    assert not _luhn_ok("35600000000001")
    assert siret_is_valid("35600000000001")
    assert siret_is_valid("35600000000012") is False  # sum 17 and a wrong Luhn key


def test_la_poste_head_office_keeps_its_luhn_key() -> None:
    assert _luhn_ok("35600000000048")
    assert siret_is_valid("35600000000048")


@fast
@given(
    prefix=st.text(alphabet="0123456789", min_size=13, max_size=13).filter(
        lambda p: not p.startswith(("356000000", "000000000"))  # La Poste; a SIREN of zeros is never valid
    )
)
def test_exactly_one_check_digit_completes_a_siret(prefix: str) -> None:
    valid = [d for d in "0123456789" if siret_is_valid(prefix + d)]
    assert len(valid) == 1
    assert _luhn_ok(prefix + valid[0])


# insee_code_is_valid


@pytest.mark.parametrize("code", ["75056", "2A004", "2B033", "99134", "01001"])
def test_commune_codes_of_five_characters_are_valid(code: str) -> None:
    assert insee_code_is_valid(code)


@pytest.mark.parametrize("code", ["7505", "750560", "2C004", "ABCDE", "2a004", "", " 75056"])
def test_malformed_commune_codes_are_invalid(code: str) -> None:
    assert insee_code_is_valid(code) is False


# fraud_ban_end


def test_a_fraud_ban_ends_the_day_before_the_third_anniversary() -> None:
    assert fraud_ban_end(dt.date(2024, 3, 10)) == dt.date(2027, 3, 9)


def test_a_fraud_ban_decided_on_29_february_ends_on_28_february() -> None:
    # The third anniversary of a 29 February falls on 1 March (2027 has no 29 February).
    assert fraud_ban_end(dt.date(2024, 2, 29)) == dt.date(2027, 2, 28)


def test_a_fraud_ban_decided_on_1_january_ends_on_31_december_two_years_later() -> None:
    assert fraud_ban_end(dt.date(2024, 1, 1)) == dt.date(2026, 12, 31)


@fast
@given(decided_on=st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2090, 12, 31)))
def test_a_fraud_ban_lasts_three_years_to_the_day(decided_on: dt.date) -> None:
    end = fraud_ban_end(decided_on)
    day_after = end + dt.timedelta(days=1)
    if (decided_on.month, decided_on.day) == (2, 29):
        assert (day_after.year, day_after.month, day_after.day) == (decided_on.year + 3, 3, 1)
    else:
        assert day_after == decided_on.replace(year=decided_on.year + 3)
    assert (end - decided_on).days + 1 in {365 * 3, 365 * 3 + 1}


# approval_is_valid

START = dt.date(2024, 9, 1)
END = dt.date(2027, 8, 31)


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (START - dt.timedelta(days=1), False),
        (START, True),
        (dt.date(2026, 1, 15), True),
        (END, True),
        (END + dt.timedelta(days=1), False),
    ],
    ids=["day-before-start", "first-day", "middle", "last-day", "day-after-end"],
)
def test_an_approval_covers_its_start_and_end_days_inclusive(on: dt.date, expected: bool) -> None:
    assert approval_is_valid(start=START, end=END, suspended=False, on=on) is expected


def test_an_approval_without_end_stays_valid() -> None:
    assert approval_is_valid(start=START, end=None, suspended=False, on=dt.date(2060, 1, 1))
    assert approval_is_valid(start=START, end=None, suspended=False, on=START - dt.timedelta(days=1)) is False


def test_a_suspended_approval_is_not_valid_even_within_its_dates() -> None:
    assert approval_is_valid(start=START, end=END, suspended=True, on=dt.date(2026, 1, 15)) is False


def test_an_approval_without_start_is_not_valid() -> None:
    assert approval_is_valid(start=None, end=END, suspended=False, on=dt.date(2026, 1, 15)) is False
    assert approval_is_valid(start=None, end=None, suspended=False, on=dt.date(2026, 1, 15)) is False


@pytest.mark.parametrize(
    ("status", "expected"),
    [(ApprovalStatus.ACTIVE, True), (ApprovalStatus.SUSPENDED, False), (ApprovalStatus.WITHDRAWN, False)],
)
def test_only_an_active_organisation_approval_is_valid(status: str, expected: bool) -> None:
    organisation = OrganisationFactory.build(approval_status=status, approval_start=START, approval_end=END)
    assert organisation.approval_is_valid(dt.date(2026, 1, 15)) is expected


@pytest.mark.parametrize(
    ("account_exists", "linked_to_candidate", "needs_consent"),
    [
        (False, False, False),  # the invitation creates the account: the password link
        (True, True, False),  # the candidate's own account: the password link again
        (True, False, True),  # any other existing account, with a role or none: its owner confirms
    ],
)
def test_an_existing_account_not_yet_the_candidates_is_linked_only_with_its_owners_consent(
    account_exists, linked_to_candidate, needs_consent
) -> None:
    assert (
        invitation_needs_consent(account_exists=account_exists, linked_to_candidate=linked_to_candidate)
        is needs_consent
    )
