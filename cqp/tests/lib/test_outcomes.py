from __future__ import annotations

import pytest
from django.template import Context, Template

from cqp.lib.outcomes import LABELS, outcome_words


def test_each_outcome_in_words() -> None:
    assert outcome_words("total") == "Attribution totale"
    assert outcome_words("partial", ["BC10", "BC2"]) == "Attribution partielle : BC2, BC10"
    assert outcome_words("none", ["BC1"]) == "Non-attribution"


def test_blocks_already_written_out_are_kept_as_they_are() -> None:
    assert outcome_words("partial", "BC1, BC2") == "Attribution partielle : BC1, BC2"


def test_a_partial_outcome_without_blocks_is_its_label() -> None:
    assert outcome_words("partial") == "Attribution partielle"


def test_no_outcome_is_the_empty_word() -> None:
    assert outcome_words(None) == "—"
    assert outcome_words("", empty="Grilles à valider") == "Grilles à valider"


def test_lower_lowers_the_label_not_the_codes() -> None:
    assert outcome_words("partial", ["BC1"], lower=True) == "attribution partielle : BC1"


def test_the_template_filter_says_the_same() -> None:
    template = Template("{% load outcomes %}{{ kind|outcome_words:blocks }}")
    assert (
        template.render(Context({"kind": "partial", "blocks": ["BC10", "BC2"]})) == "Attribution partielle : BC2, BC10"
    )
    assert template.render(Context({"kind": "total", "blocks": None})) == "Attribution totale"


def test_the_words_cover_exactly_the_outcomes_of_the_juries_and_the_rules() -> None:
    from typing import get_args

    from cqp.rules import OutcomeKind as RuleOutcome
    from juries.models import OutcomeKind

    assert set(LABELS) == set(OutcomeKind.values) == set(get_args(RuleOutcome))
    assert {kind: outcome_words(kind) for kind in OutcomeKind.values} == {
        kind.value: str(kind.label) for kind in OutcomeKind
    }


def test_an_unknown_outcome_is_an_error() -> None:
    with pytest.raises(ValueError, match="'partiel' is not an outcome"):
        outcome_words("partiel")
