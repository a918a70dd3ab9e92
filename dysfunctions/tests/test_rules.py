"""The pure rules of dysfunctions: who may still propose, the new dates of a postponement, a decision taken once."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from dysfunctions import rules

TODAY = dt.date(2026, 3, 2)
DAY = dt.date(2026, 4, 1)


def test_a_session_to_come_may_be_proposed() -> None:
    assert rules.proposal_refusal(today=TODAY, session_ends_on=DAY, cancelled=False, pending=False) is None


def test_a_session_on_its_last_day_may_still_be_proposed() -> None:
    assert rules.proposal_refusal(today=DAY, session_ends_on=DAY, cancelled=False, pending=False) is None


def test_a_past_session_is_refused_saying_the_incident_report_is_the_way() -> None:
    refusal = rules.proposal_refusal(
        today=DAY + dt.timedelta(days=1), session_ends_on=DAY, cancelled=False, pending=False
    )
    assert refusal == (
        "Cette session est terminée (dernier jour le 1 avril 2026) : on ne propose plus de l'annuler ni de la "
        "reporter. Signalez l'incident : le certificateur en établira le rapport."
    )


def test_a_cancelled_session_and_a_pending_proposal_are_refused() -> None:
    assert rules.proposal_refusal(today=TODAY, session_ends_on=DAY, cancelled=True, pending=False) == (
        "Cette session est annulée : elle ne peut plus faire l'objet d'une proposition."
    )
    assert rules.proposal_refusal(today=TODAY, session_ends_on=DAY, cancelled=False, pending=True) == (
        "Une proposition attend déjà la décision du certificateur pour cette session."
    )


def refusal(new_starts_on: dt.date | None, new_ends_on: dt.date | None = None) -> dict[str, str]:
    return rules.new_dates_refusal(
        today=TODAY, current_starts_on=DAY, new_starts_on=new_starts_on, new_ends_on=new_ends_on
    )


def test_new_dates_after_the_current_first_day_hold() -> None:
    assert refusal(DAY + dt.timedelta(days=7)) == {}
    assert refusal(DAY + dt.timedelta(days=7), DAY + dt.timedelta(days=8)) == {}


def test_a_postponement_needs_its_new_first_day() -> None:
    assert refusal(None) == {"new_starts_on": "Un report indique le nouveau premier jour de la session."}


def test_new_dates_in_the_past_or_today_are_refused() -> None:
    assert refusal(TODAY) == {"new_starts_on": "Le nouveau premier jour doit être à venir (après le 2 mars 2026)."}


def test_new_dates_before_the_current_first_day_are_not_a_postponement() -> None:
    assert refusal(DAY - dt.timedelta(days=1)) == {
        "new_starts_on": "Un report fixe une date postérieure au premier jour actuel (le 1 avril 2026) : "
        "choisissez un jour après."
    }


def test_new_dates_beyond_three_years_are_refused() -> None:
    assert refusal(dt.date(2029, 3, 3)) == {"new_starts_on": "Une session ne se programme pas au-delà du 2 mars 2029."}


def test_a_last_day_before_the_first_or_too_far_is_refused() -> None:
    first = DAY + dt.timedelta(days=10)
    assert refusal(first, first - dt.timedelta(days=1)) == {
        "new_ends_on": "Le nouveau dernier jour ne peut précéder le nouveau premier jour."
    }
    assert refusal(first, first + dt.timedelta(days=60)) == {
        "new_ends_on": "Une session dure 60 jours au plus : rapprochez le dernier jour du premier."
    }


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_accepted_new_dates_are_always_to_come_and_after_the_current_first_day(new: dt.date) -> None:
    if not refusal(new):
        assert new > TODAY and new > DAY


def test_places_that_would_fall_after_the_new_last_day_are_refused() -> None:
    days = [DAY, DAY + dt.timedelta(days=1)]
    assert rules.places_fit_refusal(place_days=days, shift_days=7, new_ends_on=DAY + dt.timedelta(days=8)) is None
    assert rules.places_fit_refusal(place_days=days, shift_days=7, new_ends_on=DAY + dt.timedelta(days=7)) == (
        "Les passages des candidats occupent plus de jours que les nouvelles dates : 1 passage(s) tomberaient "
        "après le 8 avril 2026. Allongez la session."
    )


@given(st.sampled_from(["pending", "accepted", "refused"]), st.booleans(), st.booleans())
def test_a_decision_is_taken_once_and_never_accepts_a_session_already_sat(
    status: str, tests_started: bool, accept: bool
) -> None:
    refusal = rules.decision_refusal(status=status, tests_started=tests_started, accept=accept)
    assert (refusal is None) == (status == "pending" and not (accept and tests_started))


def test_deciding_twice_and_accepting_a_session_already_sat_say_why() -> None:
    assert rules.decision_refusal(status="accepted", tests_started=False, accept=False) == (
        "Cette proposition a déjà été décidée : une décision ne se reprend pas."
    )
    assert rules.decision_refusal(status="pending", tests_started=True, accept=True) == (
        "Des candidats ont déjà passé les épreuves de cette session (présence enregistrée) : elle ne peut plus "
        "être annulée ni reportée. Refusez la proposition et établissez le rapport d'incident."
    )


def test_a_derogation_is_needed_under_15_days() -> None:
    assert not rules.override_needed(today=TODAY, new_starts_on=TODAY + dt.timedelta(days=15))
    assert rules.override_needed(today=TODAY, new_starts_on=TODAY + dt.timedelta(days=14))
