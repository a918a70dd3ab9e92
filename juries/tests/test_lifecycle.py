"""The life of a result as a pure rule: no transition from a state that does not allow it, terminal states stay
terminal, and only a final result counts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from juries import lifecycle

facts_strategy = st.builds(
    lifecycle.Facts, ratified=st.booleans(), open_appeal=st.booleans(), superseded=st.booleans(), revoked=st.booleans()
)


@given(facts_strategy, st.sampled_from(lifecycle.EVENTS))
def test_an_event_is_accepted_exactly_from_the_states_that_allow_it(facts: lifecycle.Facts, event: str) -> None:
    state = lifecycle.state_of(facts)
    if state in lifecycle.ALLOWED_FROM[event]:
        assert lifecycle.refusal(state, event) is None
        lifecycle.apply(facts, event)
    else:
        reason = lifecycle.refusal(state, event)
        assert reason is not None and str(lifecycle.LABELS[state]).lower() in reason
        with pytest.raises(ValueError, match=str(lifecycle.LABELS[state]).lower()):
            lifecycle.apply(facts, event)


@given(facts_strategy, st.lists(st.sampled_from(lifecycle.EVENTS), max_size=12))
def test_revised_and_revoked_are_terminal_and_only_final_counts(facts: lifecycle.Facts, events: list[str]) -> None:
    state = lifecycle.state_of(facts)
    for event in events:
        try:
            facts = lifecycle.apply(facts, event)
        except ValueError:
            continue
        new = lifecycle.state_of(facts)
        if lifecycle.terminal(state):
            assert new == state  # nothing moves a revised or revoked result
        state = new
        assert lifecycle.counts(state) is (state == lifecycle.FINAL)
    for event in lifecycle.EVENTS:
        if lifecycle.terminal(state):
            assert lifecycle.refusal(state, event) is not None


@given(st.booleans())
def test_a_rejected_appeal_gives_the_result_back_its_state(ratified: bool) -> None:
    facts = lifecycle.Facts(ratified=ratified, open_appeal=False, superseded=False, revoked=False)
    before = lifecycle.state_of(facts)
    appealed = lifecycle.apply(facts, lifecycle.APPEAL)
    assert lifecycle.state_of(appealed) == lifecycle.UNDER_APPEAL
    assert not lifecycle.counts(lifecycle.UNDER_APPEAL)
    assert lifecycle.state_of(lifecycle.apply(appealed, lifecycle.REJECT)) == before


def test_each_refusal_in_french() -> None:
    assert lifecycle.refusal(lifecycle.FINAL, lifecycle.EDIT) == (
        "Ce résultat est définitif : il ne se modifie plus. Un changement passe par un recours ou un retrait."
    )
    assert lifecycle.refusal(lifecycle.PROVISIONAL, lifecycle.REVOKE) == (
        "Ce résultat est provisoire : seule une certification définitive peut être retirée."
    )
    assert lifecycle.refusal(lifecycle.FINAL, lifecycle.REVISE) == (
        "Ce résultat est définitif : seul un réexamen ordonné sur recours peut le remplacer."
    )
    assert lifecycle.refusal(lifecycle.REVISED, lifecycle.APPEAL) == (
        "Ce résultat est révisé : aucun recours ne peut être enregistré sur lui."
    )
    with pytest.raises(ValueError):
        lifecycle.refusal("perdu", lifecycle.EDIT)
