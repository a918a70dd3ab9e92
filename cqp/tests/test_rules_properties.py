"""Property-based tests of cqp.rules, checked against independent oracles."""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cqp.rules import (
    BlockDecision,
    IncompleteGrid,
    certification_outcome,
    minimum_acquired,
    validate_block,
)

# No example database: these tests must not write a .hypothesis directory into
# the project; every other setting (max_examples…) comes from the active profile.
fast = settings(database=None)

RANK = {"none": 0, "partial": 1, "total": 2}


@dataclass(frozen=True)
class Block:
    competencies: tuple[str, ...]
    mandatory: frozenset[str]
    threshold: int
    grades: dict[str, str]

    def decide(self, grades: dict[str, str] | None = None) -> BlockDecision:
        return validate_block(
            self.grades if grades is None else grades,
            competencies=self.competencies,
            mandatory=self.mandatory,
            threshold_percent=self.threshold,
        )


@st.composite
def blocks(draw: st.DrawFn) -> Block:
    size = draw(st.integers(min_value=1, max_value=40))
    competencies = tuple(f"C1.{i}" for i in range(1, size + 1))
    mandatory = draw(st.frozensets(st.sampled_from(competencies)))
    threshold = draw(st.integers(min_value=1, max_value=100))
    marks = draw(st.lists(st.sampled_from(["A", "NA"]), min_size=size, max_size=size))
    return Block(competencies, mandatory, threshold, dict(zip(competencies, marks, strict=True)))


def oracle_validated(block: Block) -> bool:
    acquired = sum(1 for code in block.competencies if block.grades[code] == "A")
    total = len(block.competencies)
    reaches_threshold = Fraction(acquired, total) >= Fraction(block.threshold, 100)
    mandatory_ok = all(block.grades[code] == "A" for code in block.mandatory)
    return reaches_threshold and mandatory_ok


@fast
@given(blocks())
def test_validated_matches_the_fraction_oracle(block: Block) -> None:
    assert block.decide().validated is oracle_validated(block)


@fast
@given(blocks())
def test_acquired_plus_not_acquired_is_total(block: Block) -> None:
    decision = block.decide()
    not_acquired = sum(1 for mark in block.grades.values() if mark == "NA")

    assert decision.total == len(block.competencies)
    assert decision.acquired + not_acquired == decision.total


@fast
@given(blocks())
def test_missing_mandatory_is_the_mandatory_na_in_block_order(block: Block) -> None:
    expected = tuple(code for code in block.competencies if code in block.mandatory and block.grades[code] == "NA")

    assert block.decide().missing_mandatory == expected


@fast
@given(blocks(), st.data())
def test_turning_an_na_into_an_a_never_invalidates_a_block(block: Block, data: st.DataObject) -> None:
    not_acquired = [code for code in block.competencies if block.grades[code] == "NA"]
    if not not_acquired:
        return
    flipped = data.draw(st.sampled_from(not_acquired), label="flipped")
    before = block.decide()
    after = block.decide({**block.grades, flipped: "A"})

    assert after.acquired == before.acquired + 1
    assert set(after.missing_mandatory) <= set(before.missing_mandatory)
    if before.validated:
        assert after.validated


@fast
@given(
    st.integers(min_value=1, max_value=40),
    st.integers(min_value=1, max_value=100),
)
def test_required_is_the_minimal_count_reaching_the_threshold(total: int, threshold: int) -> None:
    required = minimum_acquired(total, threshold)

    assert 1 <= required <= total
    assert Fraction(required, total) >= Fraction(threshold, 100)
    assert Fraction(required - 1, total) < Fraction(threshold, 100)


@fast
@given(
    st.integers(min_value=1, max_value=40),
    st.integers(min_value=1, max_value=100),
)
def test_required_acquired_passes_and_one_fewer_fails(total: int, threshold: int) -> None:
    competencies = [f"C1.{i}" for i in range(1, total + 1)]
    required = minimum_acquired(total, threshold)

    def decide(acquired: int) -> BlockDecision:
        grades = {code: "A" if index < acquired else "NA" for index, code in enumerate(competencies)}
        return validate_block(grades, competencies, frozenset(), threshold)

    at_required = decide(required)
    assert at_required.required == required
    assert at_required.validated
    assert not decide(required - 1).validated


@fast
@given(blocks())
def test_decision_reports_required_and_threshold(block: Block) -> None:
    decision = block.decide()

    assert decision.threshold_percent == block.threshold
    assert decision.required == minimum_acquired(decision.total, block.threshold)
    assert decision.threshold_met is (decision.acquired >= decision.required)
    assert decision.validated is (decision.threshold_met and not decision.missing_mandatory)


@fast
@given(blocks(), st.data())
def test_removing_any_grade_raises_incomplete_grid_naming_it(block: Block, data: st.DataObject) -> None:
    removed = data.draw(st.sampled_from(block.competencies), label="removed")
    grades = {code: mark for code, mark in block.grades.items() if code != removed}

    with pytest.raises(IncompleteGrid) as excinfo:
        block.decide(grades)

    assert excinfo.value.missing == (removed,)
    assert excinfo.value.invalid == ()
    assert excinfo.value.unknown == ()
    assert removed in str(excinfo.value)


@fast
@given(blocks(), st.data())
def test_any_other_grade_value_is_reported_as_invalid(block: Block, data: st.DataObject) -> None:
    code = data.draw(st.sampled_from(block.competencies), label="code")
    bad = data.draw(st.text(max_size=3).filter(lambda s: s not in ("A", "NA")))

    with pytest.raises(IncompleteGrid) as excinfo:
        block.decide({**block.grades, code: bad})

    assert excinfo.value.invalid == ((code, bad),)
    assert code in str(excinfo.value)


@fast
@given(blocks(), st.integers(min_value=41, max_value=99))
def test_a_grade_for_a_code_outside_the_block_is_unknown(block: Block, number: int) -> None:
    stray = f"C1.{number}"

    with pytest.raises(IncompleteGrid) as excinfo:
        block.decide({**block.grades, stray: "A"})

    assert excinfo.value.unknown == (stray,)
    assert stray in str(excinfo.value)


@fast
@given(blocks(), st.randoms(use_true_random=False))
def test_grade_order_does_not_change_the_decision(block: Block, rng: random.Random) -> None:
    items = list(block.grades.items())
    rng.shuffle(items)

    assert block.decide(dict(items)) == block.decide()


# --- Certification outcome --------------------------------------------------


@st.composite
def certifications(
    draw: st.DrawFn,
) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    size = draw(st.integers(min_value=1, max_value=8))
    required = frozenset(f"BC{i}" for i in range(1, size + 1))
    validated = draw(st.frozensets(st.sampled_from(sorted(required))))
    previous = draw(st.frozensets(st.sampled_from(sorted(required))))
    return required, validated, previous


@fast
@given(certifications())
def test_acquired_and_missing_partition_the_required_blocks(
    certification: tuple[frozenset[str], frozenset[str], frozenset[str]],
) -> None:
    required, validated, previous = certification

    outcome = certification_outcome(validated, required, previously_acquired=previous)

    assert outcome.acquired_blocks | outcome.missing_blocks == required
    assert not outcome.acquired_blocks & outcome.missing_blocks
    assert outcome.acquired_blocks == validated | previous


@fast
@given(certifications())
def test_kind_is_consistent_with_the_blocks(
    certification: tuple[frozenset[str], frozenset[str], frozenset[str]],
) -> None:
    required, validated, previous = certification

    outcome = certification_outcome(validated, required, previously_acquired=previous)

    assert outcome.kind in RANK
    assert (outcome.kind == "total") is (not outcome.missing_blocks)
    assert (outcome.kind == "none") is (not outcome.acquired_blocks)


@fast
@given(certifications(), st.data())
def test_more_previously_acquired_blocks_never_worsen_the_outcome(
    certification: tuple[frozenset[str], frozenset[str], frozenset[str]],
    data: st.DataObject,
) -> None:
    required, validated, previous = certification
    extra = data.draw(st.frozensets(st.sampled_from(sorted(required))), label="extra")

    before = certification_outcome(validated, required, previously_acquired=previous)
    after = certification_outcome(validated, required, previously_acquired=previous | extra)

    assert RANK[after.kind] >= RANK[before.kind]
    assert before.acquired_blocks <= after.acquired_blocks


@fast
@given(certifications(), st.integers(min_value=9, max_value=99))
def test_blocks_outside_the_certification_are_rejected_by_name(
    certification: tuple[frozenset[str], frozenset[str], frozenset[str]],
    number: int,
) -> None:
    required, validated, previous = certification
    stray = f"BC{number}"

    with pytest.raises(ValueError, match=stray):
        certification_outcome(validated | {stray}, required, previous)
    with pytest.raises(ValueError, match=stray):
        certification_outcome(validated, required, previous | {stray})
