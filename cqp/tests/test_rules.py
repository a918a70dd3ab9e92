"""Example-based tests of cqp.rules on the RNCP 26850 referential.

"CQP Opérateur en polissage de bijouterie": BC1 = C1.1..C1.5 (mandatory C1.1,
C1.2, C1.3), BC2 = C2.1..C2.6 (mandatory C2.1, C2.2, C2.4), threshold 60 %.
"""

from __future__ import annotations

import pickle
from collections import OrderedDict
from dataclasses import FrozenInstanceError
from types import MappingProxyType
from typing import Any, cast

import pytest

from cqp.rules import (
    BlockDecision,
    IncompleteGrid,
    Outcome,
    certification_outcome,
    minimum_acquired,
    validate_block,
)

BC1 = ["C1.1", "C1.2", "C1.3", "C1.4", "C1.5"]
BC1_MANDATORY = {"C1.1", "C1.2", "C1.3"}
BC2 = ["C2.1", "C2.2", "C2.3", "C2.4", "C2.5", "C2.6"]
BC2_MANDATORY = {"C2.1", "C2.2", "C2.4"}
THRESHOLD = 60
REQUIRED_BLOCKS = {"BC1", "BC2"}


def grid(competencies: list[str], acquired: set[str]) -> dict[str, str]:
    return {code: "A" if code in acquired else "NA" for code in competencies}


def bc1(grades: dict[str, str]) -> BlockDecision:
    return validate_block(
        grades,
        competencies=BC1,
        mandatory=BC1_MANDATORY,
        threshold_percent=THRESHOLD,
    )


def bc2(grades: dict[str, str]) -> BlockDecision:
    return validate_block(
        grades,
        competencies=BC2,
        mandatory=BC2_MANDATORY,
        threshold_percent=THRESHOLD,
    )


# --- Block validation -------------------------------------------------------


def test_three_of_five_is_sixty_percent_and_passes() -> None:
    decision = bc1(grid(BC1, {"C1.1", "C1.2", "C1.3"}))

    assert decision.validated is True
    assert (decision.acquired, decision.total) == (3, 5)
    assert decision.missing_mandatory == ()
    assert decision.required == 3
    assert decision.threshold_percent == 60


def test_two_of_five_is_forty_percent_and_fails() -> None:
    # On the real BC1, two A always leave a mandatory NA; with only two
    # mandatory competencies, both A, the failure comes from the threshold alone.
    decision = validate_block(
        grid(BC1, {"C1.1", "C1.2"}),
        competencies=BC1,
        mandatory={"C1.1", "C1.2"},
        threshold_percent=THRESHOLD,
    )

    assert decision.validated is False
    assert decision.acquired == 2
    assert decision.missing_mandatory == ()
    assert decision.threshold_met is False


def test_two_of_five_on_the_real_bc1_fails_and_names_the_missing_mandatory() -> None:
    decision = bc1(grid(BC1, {"C1.1", "C1.2"}))

    assert decision.validated is False
    assert decision.missing_mandatory == ("C1.3",)


def test_five_of_five_passes() -> None:
    decision = bc1(grid(BC1, set(BC1)))

    assert decision.validated is True
    assert decision.acquired == 5
    assert decision.missing_mandatory == ()


def test_threshold_met_but_one_mandatory_na_is_not_validated() -> None:
    # 4 of 5 = 80 % >= 60 %, but C1.2 is mandatory.
    decision = bc1(grid(BC1, {"C1.1", "C1.3", "C1.4", "C1.5"}))

    assert decision.threshold_met is True
    assert decision.validated is False
    assert decision.missing_mandatory == ("C1.2",)


def test_missing_mandatory_is_listed_in_competency_order() -> None:
    # Grades given in reverse order: the decision must follow the block order.
    grades = {
        "C1.5": "A",
        "C1.4": "A",
        "C1.3": "NA",
        "C1.2": "A",
        "C1.1": "NA",
    }

    decision = bc1(grades)

    assert decision.acquired == 3
    assert decision.threshold_met is True
    assert decision.validated is False
    assert decision.missing_mandatory == ("C1.1", "C1.3")


def test_bc2_four_of_six_with_all_mandatory_passes() -> None:
    decision = bc2(grid(BC2, {"C2.1", "C2.2", "C2.4", "C2.6"}))

    assert decision.validated is True
    assert (decision.acquired, decision.total, decision.required) == (4, 6, 4)


def test_bc2_three_of_six_is_fifty_percent_and_fails_even_with_all_mandatory() -> None:
    decision = bc2(grid(BC2, {"C2.1", "C2.2", "C2.4"}))

    assert decision.validated is False
    assert decision.acquired == 3
    assert decision.required == 4
    assert decision.missing_mandatory == ()
    assert decision.threshold_met is False


def test_threshold_100_requires_every_competency() -> None:
    all_but_one = grid(BC1, set(BC1) - {"C1.5"})

    failed = validate_block(all_but_one, BC1, set(), 100)
    passed = validate_block(grid(BC1, set(BC1)), BC1, set(), 100)

    assert failed.validated is False
    assert failed.required == 5
    assert passed.validated is True


def test_threshold_1_requires_a_single_competency() -> None:
    one = validate_block(grid(BC1, {"C1.4"}), BC1, set(), 1)
    none = validate_block(grid(BC1, set()), BC1, set(), 1)

    assert one.validated is True
    assert one.required == 1
    assert none.validated is False
    assert none.acquired == 0


def test_threshold_1_still_requires_the_mandatory_competencies() -> None:
    decision = validate_block(grid(BC1, {"C1.4"}), BC1, BC1_MANDATORY, 1)

    assert decision.threshold_met is True
    assert decision.validated is False
    assert decision.missing_mandatory == ("C1.1", "C1.2", "C1.3")


def test_block_without_mandatory_competency_depends_on_threshold_only() -> None:
    decision = validate_block(grid(BC1, {"C1.3", "C1.4", "C1.5"}), BC1, (), 60)

    assert decision.validated is True
    assert decision.missing_mandatory == ()


def test_threshold_comparison_is_exact_where_floats_would_be_wrong() -> None:
    # 0.29 * 100 == 28.999999999999996 in floating point: an implementation
    # computing acquired / total * 100 >= threshold would reject 29 of 100.
    competencies = [f"C1.{i}" for i in range(1, 101)]
    grades = grid(competencies, set(competencies[:29]))

    decision = validate_block(grades, competencies, set(), 29)

    assert decision.required == 29
    assert decision.validated is True


def test_decision_is_a_frozen_value() -> None:
    decision = bc1(grid(BC1, set(BC1)))

    with pytest.raises(FrozenInstanceError):
        decision.validated = False  # type: ignore[misc]
    assert decision == bc1(grid(BC1, set(BC1)))


def test_any_mapping_and_iterable_are_accepted() -> None:
    grades = MappingProxyType(grid(BC1, {"C1.1", "C1.2", "C1.3"}))

    decision = validate_block(
        grades,
        competencies=(code for code in BC1),
        mandatory=frozenset(BC1_MANDATORY),
        threshold_percent=THRESHOLD,
    )

    assert decision.validated is True
    assert decision.total == 5


# --- minimum_acquired -------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "threshold", "expected"),
    [
        (5, 60, 3),
        (6, 60, 4),
        (5, 100, 5),
        (5, 1, 1),
        (100, 29, 29),
        (3, 50, 2),
        (0, 60, 0),
    ],
)
def test_minimum_acquired_is_the_smallest_count_reaching_the_threshold(
    total: int, threshold: int, expected: int
) -> None:
    assert minimum_acquired(total, threshold) == expected


@pytest.mark.parametrize(("total", "threshold"), [(-1, 60), (True, 60), (5, 0)])
def test_minimum_acquired_rejects_bad_arguments(total: int, threshold: int) -> None:
    with pytest.raises(ValueError, match=r"\(reçu : "):
        minimum_acquired(total, threshold)


# --- Incomplete grids -------------------------------------------------------


def test_incomplete_grid_is_a_value_error() -> None:
    assert issubclass(IncompleteGrid, ValueError)
    with pytest.raises(ValueError, match="Grille incomplète"):
        bc1({"C1.1": "A"})


def test_missing_grades_are_reported_in_competency_order() -> None:
    grades = {"C1.1": "A", "C1.2": "A", "C1.3": "A"}

    with pytest.raises(IncompleteGrid) as excinfo:
        bc1(grades)

    error = excinfo.value
    assert error.missing == ("C1.4", "C1.5")
    assert error.invalid == ()
    assert error.unknown == ()
    assert str(error) == "Grille incomplète : aucune note pour C1.4, C1.5."


def test_none_counts_as_no_grade() -> None:
    grades = grid(BC1, set(BC1)) | {"C1.2": None}

    with pytest.raises(IncompleteGrid) as excinfo:
        bc1(grades)

    assert excinfo.value.missing == ("C1.2",)
    assert excinfo.value.invalid == ()


@pytest.mark.parametrize("bad", ["B", "a", "na", "", " A", "ACQUIS", 1, True])
def test_a_grade_other_than_exactly_a_or_na_is_invalid(bad: object) -> None:
    grades: dict[str, object] = dict(grid(BC1, set(BC1)))
    grades["C1.2"] = bad

    with pytest.raises(IncompleteGrid) as excinfo:
        bc1(cast(Any, grades))  # wrong types on purpose: what a JSON body could hold

    error = excinfo.value
    assert error.invalid == (("C1.2", bad),)
    assert error.missing == ()
    assert error.unknown == ()
    assert "note invalide pour C1.2" in str(error)


def test_invalid_grade_message_quotes_the_value_and_the_expected_ones() -> None:
    grades = grid(BC1, set(BC1)) | {"C1.2": "B"}

    with pytest.raises(IncompleteGrid) as excinfo:
        bc1(grades)

    assert str(excinfo.value) == ("Grille incomplète : note invalide pour C1.2 (« B », attendu « A » ou « NA »).")


def test_unknown_competency_is_reported() -> None:
    grades = grid(BC1, set(BC1)) | {"C9.9": "A"}

    with pytest.raises(IncompleteGrid) as excinfo:
        bc1(grades)

    error = excinfo.value
    assert error.unknown == ("C9.9",)
    assert error.missing == ()
    assert error.invalid == ()
    assert str(error) == "Grille incomplète : compétence inconnue : C9.9."


def test_a_bc2_grade_in_a_bc1_grid_is_unknown_even_if_the_grid_is_complete() -> None:
    grades = grid(BC1, set(BC1)) | {"C2.1": "A", "C2.2": "NA"}

    with pytest.raises(IncompleteGrid) as excinfo:
        bc1(grades)

    assert excinfo.value.unknown == ("C2.1", "C2.2")
    assert "compétences inconnues : C2.1, C2.2" in str(excinfo.value)


def test_all_grid_problems_are_reported_at_once() -> None:
    grades = {
        "C9.9": "A",
        "C1.3": "A",
        "C1.2": "B",
        "C1.1": "A",
        "C0.1": "NA",
    }

    with pytest.raises(IncompleteGrid) as excinfo:
        bc1(grades)

    error = excinfo.value
    assert error.missing == ("C1.4", "C1.5")
    assert error.invalid == (("C1.2", "B"),)
    assert error.unknown == ("C0.1", "C9.9")
    assert str(error) == (
        "Grille incomplète : aucune note pour C1.4, C1.5 ; "
        "note invalide pour C1.2 (« B », attendu « A » ou « NA ») ; "
        "compétences inconnues : C0.1, C9.9."
    )


def test_several_invalid_grades_are_all_named() -> None:
    grades = grid(BC1, set(BC1)) | {"C1.4": "a", "C1.2": "B"}

    with pytest.raises(IncompleteGrid) as excinfo:
        bc1(grades)

    error = excinfo.value
    assert error.invalid == (("C1.2", "B"), ("C1.4", "a"))
    for fragment in ("C1.2", "« B »", "C1.4", "« a »", "attendu « A » ou « NA »"):
        assert fragment in str(error)


def test_incomplete_grid_survives_pickling_with_its_attributes() -> None:
    with pytest.raises(IncompleteGrid) as excinfo:
        bc1({"C1.1": "B", "C1.2": "A", "C1.3": "A", "C1.4": "A", "C9.9": "A"})

    restored = pickle.loads(pickle.dumps(excinfo.value))  # noqa: S301

    assert isinstance(restored, IncompleteGrid)
    assert restored.missing == ("C1.5",)
    assert restored.invalid == (("C1.1", "B"),)
    assert restored.unknown == ("C9.9",)
    assert str(restored) == str(excinfo.value)


def test_grid_order_does_not_matter() -> None:
    forward = OrderedDict(grid(BC1, {"C1.1", "C1.2", "C1.3"}))
    backward = OrderedDict(reversed(list(forward.items())))

    assert bc1(forward) == bc1(backward)


# --- Argument errors --------------------------------------------------------


@pytest.mark.parametrize("threshold", [0, 101, -60, True, False, 60.0, "60", None])
def test_threshold_must_be_an_int_between_1_and_100(threshold: object) -> None:
    with pytest.raises(ValueError, match="seuil") as excinfo:
        validate_block(grid(BC1, set(BC1)), BC1, BC1_MANDATORY, threshold)  # type: ignore[arg-type]

    assert not isinstance(excinfo.value, IncompleteGrid)


def test_empty_block_is_rejected() -> None:
    with pytest.raises(ValueError, match="au moins une compétence") as excinfo:
        validate_block({}, [], set(), THRESHOLD)

    assert not isinstance(excinfo.value, IncompleteGrid)


def test_duplicate_competency_codes_are_rejected() -> None:
    with pytest.raises(ValueError, match=r"Compétence en double dans le bloc : C1\.2\."):
        validate_block(
            grid(BC1, set(BC1)),
            ["C1.1", "C1.2", "C1.3", "C1.2"],
            set(),
            THRESHOLD,
        )


def test_mandatory_competency_outside_the_block_is_rejected() -> None:
    with pytest.raises(ValueError) as excinfo:
        validate_block(
            grid(BC2, set(BC2)),
            BC2,
            BC2_MANDATORY | {"C2.9"},
            THRESHOLD,
        )

    assert str(excinfo.value) == ("La compétence obligatoire C2.9 n'appartient pas au bloc.")
    assert not isinstance(excinfo.value, IncompleteGrid)


def test_several_mandatory_competencies_outside_the_block_are_all_named() -> None:
    with pytest.raises(ValueError, match=r"C1\.1, C1\.2, C1\.3"):
        validate_block(grid(BC2, set(BC2)), BC2, BC1_MANDATORY, THRESHOLD)


def test_a_string_is_not_a_list_of_competencies() -> None:
    with pytest.raises(ValueError, match="pas une chaîne"):
        validate_block({"C1.1": "A"}, "C1.1", set(), THRESHOLD)


def test_a_string_is_not_a_set_of_mandatory_competencies() -> None:
    with pytest.raises(ValueError, match="pas une chaîne"):
        validate_block({"C1.1": "A"}, ["C1.1"], "C1.1", THRESHOLD)


def test_grades_must_be_a_mapping() -> None:
    with pytest.raises(ValueError, match="dictionnaire") as excinfo:
        validate_block([("C1.1", "A")], ["C1.1"], set(), THRESHOLD)  # type: ignore[arg-type]

    assert not isinstance(excinfo.value, IncompleteGrid)


def test_argument_errors_take_precedence_over_grid_errors() -> None:
    with pytest.raises(ValueError) as excinfo:
        validate_block({"C9.9": "B"}, BC1, {"C2.9"}, THRESHOLD)

    assert not isinstance(excinfo.value, IncompleteGrid)
    assert "C2.9" in str(excinfo.value)


# --- Certification outcome --------------------------------------------------


def test_all_blocks_validated_gives_the_total_certification() -> None:
    outcome = certification_outcome(
        validated_blocks={"BC1", "BC2"},
        required_blocks=REQUIRED_BLOCKS,
        previously_acquired=set(),
    )

    assert outcome == Outcome(
        kind="total",
        acquired_blocks=frozenset({"BC1", "BC2"}),
        missing_blocks=frozenset(),
    )


def test_some_blocks_validated_gives_a_partial_certification() -> None:
    outcome = certification_outcome(
        validated_blocks={"BC1"},
        required_blocks=REQUIRED_BLOCKS,
        previously_acquired=set(),
    )

    assert outcome.kind == "partial"
    assert outcome.acquired_blocks == frozenset({"BC1"})
    assert outcome.missing_blocks == frozenset({"BC2"})


def test_no_block_validated_gives_no_certification() -> None:
    outcome = certification_outcome(
        validated_blocks=set(),
        required_blocks=REQUIRED_BLOCKS,
        previously_acquired=set(),
    )

    assert outcome.kind == "none"
    assert outcome.acquired_blocks == frozenset()
    assert outcome.missing_blocks == frozenset(REQUIRED_BLOCKS)


def test_block_acquired_in_an_earlier_session_counts_towards_the_total() -> None:
    outcome = certification_outcome(
        validated_blocks={"BC2"},
        required_blocks=REQUIRED_BLOCKS,
        previously_acquired={"BC1"},
    )

    assert outcome.kind == "total"
    assert outcome.acquired_blocks == frozenset({"BC1", "BC2"})
    assert outcome.missing_blocks == frozenset()


def test_previously_acquired_blocks_alone_give_a_partial_certification() -> None:
    outcome = certification_outcome(
        validated_blocks=set(),
        required_blocks=REQUIRED_BLOCKS,
        previously_acquired={"BC1"},
    )

    assert outcome.kind == "partial"
    assert outcome.missing_blocks == frozenset({"BC2"})


def test_block_both_validated_and_previously_acquired_is_counted_once() -> None:
    outcome = certification_outcome(
        validated_blocks={"BC1"},
        required_blocks=REQUIRED_BLOCKS,
        previously_acquired={"BC1"},
    )

    assert outcome.kind == "partial"
    assert outcome.acquired_blocks == frozenset({"BC1"})
    assert outcome.missing_blocks == frozenset({"BC2"})


def test_previously_acquired_defaults_to_none() -> None:
    outcome = certification_outcome({"BC1"}, ["BC1"])

    assert outcome.kind == "total"


def test_outcome_fields_are_frozensets() -> None:
    outcome = certification_outcome(["BC1"], ("BC1", "BC2"), previously_acquired=[])

    assert isinstance(outcome.acquired_blocks, frozenset)
    assert isinstance(outcome.missing_blocks, frozenset)
    with pytest.raises(FrozenInstanceError):
        outcome.kind = "total"  # type: ignore[misc]


def test_empty_required_blocks_are_rejected() -> None:
    with pytest.raises(ValueError, match="au moins un bloc requis"):
        certification_outcome(set(), set(), previously_acquired=set())


def test_validated_block_outside_the_certification_is_rejected() -> None:
    with pytest.raises(ValueError) as excinfo:
        certification_outcome({"BC1", "BC9"}, REQUIRED_BLOCKS, previously_acquired=set())

    assert str(excinfo.value) == "Bloc validé hors des blocs requis : BC9."


def test_previously_acquired_block_outside_the_certification_is_rejected() -> None:
    with pytest.raises(ValueError) as excinfo:
        certification_outcome({"BC1"}, REQUIRED_BLOCKS, previously_acquired={"BC7"})

    assert str(excinfo.value) == ("Bloc acquis antérieurement hors des blocs requis : BC7.")


def test_all_unknown_blocks_are_named_together() -> None:
    with pytest.raises(ValueError) as excinfo:
        certification_outcome({"BC8", "BC9"}, REQUIRED_BLOCKS, previously_acquired={"BC7"})

    message = str(excinfo.value)
    assert "Blocs validés hors des blocs requis : BC8, BC9" in message
    assert "Bloc acquis antérieurement hors des blocs requis : BC7" in message


def test_a_string_is_not_a_set_of_blocks() -> None:
    with pytest.raises(ValueError, match="pas une chaîne"):
        certification_outcome("BC1", REQUIRED_BLOCKS)


def test_block_decisions_feed_the_outcome() -> None:
    decisions = {
        "BC1": bc1(grid(BC1, {"C1.1", "C1.2", "C1.3"})),
        "BC2": bc2(grid(BC2, {"C2.1", "C2.2", "C2.4"})),
    }
    validated = {code for code, decision in decisions.items() if decision.validated}

    outcome = certification_outcome(validated, REQUIRED_BLOCKS, previously_acquired=())

    assert outcome.kind == "partial"
    assert outcome.acquired_blocks == frozenset({"BC1"})
    assert outcome.missing_blocks == frozenset({"BC2"})
