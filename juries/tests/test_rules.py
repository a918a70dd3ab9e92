"""Pure rules of the juries: composition, impartiality, live block status, departures. No database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cqp.rules import validate_block
from juries import rules
from juries.rule_sets import RULES_31313
from juries.rules import (
    CERTIFICATION,
    CERTIFIER_PRESIDENT,
    DECLARED,
    EMPLOYEES,
    EMPLOYERS,
    EVALUATION,
    PROFESSIONAL,
    SAME_COMPANY,
    TRAINED,
    TRAINER,
    JuryRules,
    Seat,
)

# No example database: these tests must not write a .hypothesis directory into the project.
fast = settings(database=None)

BC1 = ("C1.1", "C1.2", "C1.3", "C1.4", "C1.5")
BC1_MANDATORY = ("C1.1", "C1.2", "C1.3")


def seat(member_id: int, college: str, *, internal: bool = False, linked: bool = False) -> Seat:
    return Seat(
        member_id=member_id,
        name=f"Membre {member_id}",
        college=college,
        internal=internal,
        linked_to_training=linked,
    )


def refusal(kind: str, seats: list[Seat], newcomer: Seat, *, approved: bool = True, may_assess: bool = True) -> str:
    found = rules.assignment_refusal(
        kind=kind, seats=seats, newcomer=newcomer, approved=approved, may_assess=may_assess
    )
    assert found is not None
    return found


# --- Composition ---------------------------------------------------------------------------------------


def test_it_seats_one_member_of_each_college_of_an_evaluation_jury() -> None:
    seats: list[Seat] = []
    for n, college in enumerate((EMPLOYEES, EMPLOYERS, TRAINER), start=1):
        newcomer = seat(n, college)
        assert (
            rules.assignment_refusal(kind=EVALUATION, seats=seats, newcomer=newcomer, approved=True, may_assess=True)
            is None
        )
        seats.append(newcomer)
    assert rules.composition_problems(kind=EVALUATION, seats=seats, president_id=1) == []


def test_it_seats_one_member_of_each_college_of_a_certification_jury() -> None:
    seats: list[Seat] = []
    for n, college in enumerate((EMPLOYEES, EMPLOYERS, CERTIFIER_PRESIDENT), start=1):
        newcomer = seat(n, college)
        assert (
            rules.assignment_refusal(kind=CERTIFICATION, seats=seats, newcomer=newcomer, approved=True, may_assess=True)
            is None
        )
        seats.append(newcomer)
    assert rules.composition_problems(kind=CERTIFICATION, seats=seats, president_id=3) == []


def test_it_refuses_a_member_the_certifier_has_not_approved() -> None:
    message = refusal(EVALUATION, [], seat(1, EMPLOYEES), approved=False)
    assert "Membre 1" in message
    assert "habilité" in message


def test_it_refuses_a_member_not_approved_for_this_certification() -> None:
    message = refusal(EVALUATION, [], seat(1, EMPLOYEES), may_assess=False)
    assert "pour cette certification" in message


def test_it_refuses_a_member_already_seated() -> None:
    first = seat(1, EMPLOYEES)
    assert "siège déjà" in refusal(EVALUATION, [first], first)


@pytest.mark.parametrize(
    ("college", "label"),
    [
        (EMPLOYEES, "représentant des salariés"),
        (EMPLOYERS, "représentant des employeurs"),
        (TRAINER, "formateur ou accompagnateur CQP"),
    ],
)
def test_it_refuses_a_second_member_of_an_evaluation_college(college: str, label: str) -> None:
    message = refusal(EVALUATION, [seat(1, college)], seat(2, college))
    assert f"déjà son {label}" in message
    assert "Membre 1" in message
    assert "un seul par jury" in message


def test_it_refuses_a_second_employees_representative_on_a_certification_jury() -> None:
    message = refusal(CERTIFICATION, [seat(1, EMPLOYEES)], seat(2, EMPLOYEES))
    assert "déjà son représentant des salariés" in message


def test_it_refuses_a_certifier_president_on_an_evaluation_jury() -> None:
    message = refusal(EVALUATION, [], seat(1, CERTIFIER_PRESIDENT))
    assert "président de l'instance de certification ne siège pas" in message
    assert "évaluation" in message


def test_it_refuses_a_trainer_on_a_certification_jury() -> None:
    message = refusal(CERTIFICATION, [], seat(1, TRAINER))
    assert "formateur ou accompagnateur CQP ne siège pas dans un jury de certification" in message


def test_it_refuses_a_trainer_linked_to_the_candidates_training() -> None:
    message = refusal(EVALUATION, [], seat(1, TRAINER, linked=True))
    assert "lien avec la formation des candidats" in message


def test_it_accepts_a_linked_representative_who_will_be_recused_candidate_by_candidate() -> None:
    # Only the trainer's seat demands no link with the training; a representative who trained one
    # candidate takes no part in that candidate's deliberation (a recusal), but may sit.
    newcomer = seat(1, EMPLOYEES, linked=True)
    assert (
        rules.assignment_refusal(kind=EVALUATION, seats=[], newcomer=newcomer, approved=True, may_assess=True) is None
    )


def test_it_accepts_one_member_internal_to_the_training_organisation() -> None:
    newcomer = seat(1, EMPLOYEES, internal=True)
    assert (
        rules.assignment_refusal(kind=EVALUATION, seats=[], newcomer=newcomer, approved=True, may_assess=True) is None
    )


@pytest.mark.parametrize("kind", [EVALUATION, CERTIFICATION])
def test_it_refuses_a_second_member_internal_to_the_training_organisation(kind: str) -> None:
    message = refusal(kind, [seat(1, EMPLOYEES, internal=True)], seat(2, EMPLOYERS, internal=True))
    assert (
        f"au moins la moitié du jury {'d’évaluation' if kind == EVALUATION else 'de certification'}".replace("’", "'")
        in message
    )


def test_it_lists_what_an_incomplete_jury_lacks() -> None:
    problems = rules.composition_problems(kind=EVALUATION, seats=[seat(1, EMPLOYEES)], president_id=None)
    assert problems == [
        "Il manque le représentant des employeurs.",
        "Il manque le formateur ou accompagnateur CQP.",
        "Le président du jury n'est pas désigné.",
    ]


def test_it_flags_a_jury_more_than_half_internal() -> None:
    seats = [seat(1, EMPLOYEES, internal=True), seat(2, EMPLOYERS, internal=True), seat(3, TRAINER)]
    problems = rules.composition_problems(kind=EVALUATION, seats=seats, president_id=1)
    assert problems == ["Au moins la moitié du jury d'évaluation doit être extérieure à l'organisme de formation."]


@pytest.mark.parametrize("college", [EMPLOYEES, EMPLOYERS])
def test_it_lets_a_representative_preside_an_evaluation_jury(college: str) -> None:
    assert rules.presidency_refusal(kind=EVALUATION, seat=seat(1, college)) is None


def test_it_refuses_a_trainer_as_president_of_an_evaluation_jury() -> None:
    message = rules.presidency_refusal(kind=EVALUATION, seat=seat(1, TRAINER))
    assert message is not None
    assert "choisi parmi : représentant des salariés, représentant des employeurs" in message


@pytest.mark.parametrize("college", [EMPLOYEES, EMPLOYERS])
def test_it_refuses_a_representative_as_president_of_a_certification_jury(college: str) -> None:
    message = rules.presidency_refusal(kind=CERTIFICATION, seat=seat(1, college))
    assert message is not None
    assert "présidé par le président de l'instance de certification" in message


def test_it_lets_the_certifier_president_preside_the_certification_jury() -> None:
    assert rules.presidency_refusal(kind=CERTIFICATION, seat=seat(1, CERTIFIER_PRESIDENT)) is None


# --- Impartiality --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("Atelier Saint-Honoré", "ATELIER SAINT HONORE"),
        ("Maison Verlaine SAS", "maison verlaine"),
        ("SARL L'Horlogerie du Marais", "Horlogerie Marais"),
        ("Joaillerie Moreau & Cie", "Joaillerie  Moreau"),
    ],
)
def test_it_folds_company_names_that_differ_by_accents_case_punctuation_or_legal_form(left: str, right: str) -> None:
    assert rules.fold(left) == rules.fold(right)
    assert rules.same_company(member_company=left, member_siret="", candidate_company=right, candidate_siret="")


def test_it_tells_two_companies_apart() -> None:
    assert not rules.same_company(
        member_company="Joaillerie Moreau", member_siret="", candidate_company="Maison Verlaine", candidate_siret=""
    )


def test_it_never_matches_on_empty_or_legal_form_only_names() -> None:
    assert not rules.same_company(member_company="", member_siret="", candidate_company="", candidate_siret="")
    assert not rules.same_company(member_company="SAS", member_siret="", candidate_company="SARL", candidate_siret="")


def test_it_matches_two_establishments_of_one_firm_by_siren() -> None:
    # Same SIREN (first 9 digits), different establishments and names.
    assert rules.same_company(
        member_company="Siège",
        member_siret="73282932000074",
        candidate_company="Boutique de Lyon",
        candidate_siret="73282932000132",
    )


def test_it_does_not_match_different_sirens() -> None:
    assert not rules.same_company(
        member_company="A", member_siret="73282932000074", candidate_company="B", candidate_siret="55208131766522"
    )


def test_it_lists_every_reason_for_a_conflict() -> None:
    found = rules.conflicts(
        trained_candidate=True,
        member_company="Maison Verlaine",
        member_siret="",
        candidate_company="MAISON VERLAINE",
        candidate_siret="",
        declared=True,
    )
    assert found == [TRAINED, SAME_COMPANY, DECLARED]


def test_it_finds_no_conflict_without_a_link() -> None:
    found = rules.conflicts(
        trained_candidate=False,
        member_company="Joaillerie Moreau",
        member_siret="",
        candidate_company="Maison Verlaine",
        candidate_siret="",
        declared=False,
    )
    assert found == []


# --- Live block status ---------------------------------------------------------------------------------


def live(grades: dict[str, str]) -> rules.LiveBlockStatus:
    return rules.live_block_status(grades, BC1, BC1_MANDATORY, 60)


def test_a_block_with_no_grade_is_pending() -> None:
    status = live({})
    assert status.state == "pending"
    assert status.to_grade == BC1
    assert status.mandatory_to_grade == BC1_MANDATORY
    assert status.required == 3
    assert not status.complete


def test_a_mandatory_na_settles_the_block_as_not_validated_before_the_grid_is_complete() -> None:
    status = live({"C1.2": "NA"})
    assert status.state == "not_validated"
    assert status.missing_mandatory == ("C1.2",)
    assert status.to_grade == ("C1.1", "C1.3", "C1.4", "C1.5")


def test_three_mandatory_a_out_of_five_settle_the_block_as_validated() -> None:
    # 3 of 5 is 60 %: the block is validated whatever C1.4 and C1.5 will be.
    status = live({"C1.1": "A", "C1.2": "A", "C1.3": "A"})
    assert status.state == "validated"
    assert status.acquired == 3
    assert status.to_grade == ("C1.4", "C1.5")


def test_too_many_na_settle_the_block_as_not_validated() -> None:
    status = rules.live_block_status({"C1.4": "NA", "C1.5": "NA", "C1.1": "A"}, BC1, (), 80)
    assert status.state == "not_validated"
    assert status.not_acquired == 2


def test_it_ignores_empty_values_and_codes_outside_the_block() -> None:
    status = live({"C1.1": "", "C9.9": "A"})
    assert status.acquired == 0
    assert status.to_grade == BC1


def test_a_complete_grid_is_complete() -> None:
    status = live(dict.fromkeys(BC1, "A"))
    assert status.complete
    assert status.state == "validated"
    assert status.to_grade == ()


def test_it_refuses_to_submit_a_grid_naming_the_competencies_with_no_grade() -> None:
    message = rules.submission_refusal("BC2", {"C2.1": "A"}, ("C2.1", "C2.5", "C2.6"), ("C2.1",), 60)
    assert message is not None
    assert message.startswith("BC2 : ")
    assert "C2.5" in message
    assert "C2.6" in message


def test_it_accepts_to_submit_a_complete_grid() -> None:
    assert rules.submission_refusal("BC1", dict.fromkeys(BC1, "NA"), BC1, BC1_MANDATORY, 60) is None


# --- Properties of the live status ---------------------------------------------------------------------


@dataclass(frozen=True)
class Grid:
    competencies: tuple[str, ...]
    mandatory: frozenset[str]
    threshold: int
    full: dict[str, str]  # a complete grid
    partial: dict[str, str]  # the grades already entered: a part of `full`


@st.composite
def grids(draw: st.DrawFn) -> Grid:
    size = draw(st.integers(min_value=1, max_value=12))
    competencies = tuple(f"C1.{i}" for i in range(1, size + 1))
    mandatory = draw(st.frozensets(st.sampled_from(competencies)))
    threshold = draw(st.integers(min_value=1, max_value=100))
    marks = draw(st.lists(st.sampled_from(["A", "NA"]), min_size=size, max_size=size))
    full = dict(zip(competencies, marks, strict=True))
    entered = draw(st.frozensets(st.sampled_from(competencies)))
    return Grid(competencies, mandatory, threshold, full, {code: full[code] for code in entered})


@fast
@given(grids())
def test_on_a_complete_grid_the_live_status_is_the_block_rule(grid: Grid) -> None:
    status = rules.live_block_status(grid.full, grid.competencies, grid.mandatory, grid.threshold)
    decision = validate_block(grid.full, grid.competencies, grid.mandatory, grid.threshold)
    assert status.complete
    assert status.state == ("validated" if decision.validated else "not_validated")
    assert status.acquired == decision.acquired
    assert status.required == decision.required
    assert status.missing_mandatory == decision.missing_mandatory


@fast
@given(grids())
def test_a_settled_state_never_changes_whatever_the_remaining_grades(grid: Grid) -> None:
    # `full` is any completion of `partial`: a block settled on the partial grid ends the same way.
    status = rules.live_block_status(grid.partial, grid.competencies, grid.mandatory, grid.threshold)
    if status.state == "pending":
        return
    decision = validate_block(grid.full, grid.competencies, grid.mandatory, grid.threshold)
    assert status.state == ("validated" if decision.validated else "not_validated")


@fast
@given(grids())
def test_a_pending_block_can_still_end_either_way(grid: Grid) -> None:
    status = rules.live_block_status(grid.partial, grid.competencies, grid.mandatory, grid.threshold)
    if status.state != "pending":
        return
    assert status.to_grade
    best = {code: grid.partial.get(code, "A") for code in grid.competencies}
    worst = {code: grid.partial.get(code, "NA") for code in grid.competencies}
    assert validate_block(best, grid.competencies, grid.mandatory, grid.threshold).validated
    assert not validate_block(worst, grid.competencies, grid.mandatory, grid.threshold).validated


@fast
@given(grids())
def test_the_live_counts_add_up(grid: Grid) -> None:
    status = rules.live_block_status(grid.partial, grid.competencies, grid.mandatory, grid.threshold)
    assert status.acquired + status.not_acquired + len(status.to_grade) == status.total == len(grid.competencies)
    assert set(status.to_grade) == set(grid.competencies) - set(grid.partial)
    assert set(status.mandatory_to_grade) == set(status.to_grade) & grid.mandatory
    assert status.complete == (not status.to_grade)


# --- Earlier results and departures --------------------------------------------------------------------


def test_a_block_stays_valid_forever_when_the_version_sets_no_limit() -> None:
    assert rules.block_still_valid(acquired_on=dt.date(2000, 1, 1), validity_years=None, on=dt.date(2040, 1, 1))


def test_a_block_is_valid_up_to_its_anniversary_and_not_a_day_more() -> None:
    acquired = dt.date(2024, 6, 15)
    assert rules.block_still_valid(acquired_on=acquired, validity_years=2, on=dt.date(2026, 6, 15))
    assert not rules.block_still_valid(acquired_on=acquired, validity_years=2, on=dt.date(2026, 6, 16))


def test_a_block_acquired_on_29_february_expires_on_28_february() -> None:
    acquired = dt.date(2024, 2, 29)
    assert rules.block_still_valid(acquired_on=acquired, validity_years=1, on=dt.date(2025, 2, 28))
    assert not rules.block_still_valid(acquired_on=acquired, validity_years=1, on=dt.date(2025, 3, 1))


@pytest.mark.parametrize(
    ("kind", "blocks", "reference_kind", "reference_blocks", "expected"),
    [
        ("total", [], "total", [], False),
        ("total", ["BC1"], "total", [], False),  # a total award is every block, whatever is listed
        ("none", [], "none", ["BC2"], False),
        ("partial", ["BC1"], "partial", ["BC1"], False),
        ("partial", ["BC1", "BC2"], "partial", ["BC2", "BC1"], False),
        ("partial", ["BC1"], "partial", ["BC2"], True),
        ("partial", ["BC1"], "total", [], True),
        ("none", [], "partial", ["BC1"], True),
        ("total", [], "none", [], True),
    ],
)
def test_it_tells_when_a_decision_departs_from_a_reference(
    kind: str, blocks: list[str], reference_kind: str, reference_blocks: list[str], expected: bool
) -> None:
    assert (
        rules.departs(kind=kind, blocks=blocks, reference_kind=reference_kind, reference_blocks=reference_blocks)
        is expected
    )


# --- Access ----------------------------------------------------------------------------------------------


def test_a_member_sits_only_while_seated_with_a_habilitation_in_force() -> None:
    assert rules.sits(seated=True, member_status="approved")
    assert not rules.sits(seated=True, member_status="withdrawn")
    assert not rules.sits(seated=True, member_status="proposed")
    assert not rules.sits(seated=True, member_status=None)
    assert not rules.sits(seated=False, member_status="approved")


@fast
@given(seated=st.booleans(), status=st.sampled_from(["approved", "withdrawn", "proposed", None]))
def test_a_withdrawn_member_never_sits_whatever_else_holds(seated: bool, status: str | None) -> None:
    if status != "approved":
        assert not rules.sits(seated=seated, member_status=status)


def test_a_recused_member_sees_nothing_of_that_candidate() -> None:
    assert rules.sees_place(admin=False, organisation_staff=False, sits=True, recused=False)
    assert not rules.sees_place(admin=False, organisation_staff=False, sits=True, recused=True)


def test_the_certifier_and_the_sessions_staff_see_every_candidate() -> None:
    for recused in (False, True):
        assert rules.sees_place(admin=True, organisation_staff=False, sits=False, recused=recused)
        assert rules.sees_place(admin=False, organisation_staff=True, sits=False, recused=recused)


@fast
@given(admin=st.booleans(), staff=st.booleans(), sits=st.booleans(), recused=st.booleans())
def test_a_member_sees_a_candidate_only_when_sitting_and_not_recused(
    admin: bool, staff: bool, sits: bool, recused: bool
) -> None:
    seen = rules.sees_place(admin=admin, organisation_staff=staff, sits=sits, recused=recused)
    if not (admin or staff):
        assert seen == (sits and not recused)
    else:
        assert seen


def designation(
    *,
    kind: str = EVALUATION,
    by_admin: bool = False,
    by: int | None = 1,
    member: int = 2,
    president: int | None = None,
) -> str | None:
    return rules.designation_refusal(
        kind=kind, by_admin=by_admin, by_member_id=by, member_id=member, president_id=president
    )


def test_a_member_of_the_evaluation_jury_records_the_jurys_choice_of_another_member() -> None:
    assert designation() is None


def test_a_member_does_not_designate_themselves() -> None:
    assert designation(by=2, member=2) == rules.SELF_DESIGNATION


def test_once_a_president_is_designated_only_the_certifier_changes_them() -> None:
    assert designation(president=3) == rules.ALREADY_DESIGNATED
    assert designation(by_admin=True, by=None, president=3) is None


def test_the_certifier_designates_the_certification_jurys_president() -> None:
    assert designation(kind=CERTIFICATION) == rules.CERTIFIER_DESIGNATES
    assert designation(kind=CERTIFICATION, by_admin=True, by=None) is None


def test_someone_who_does_not_sit_on_the_jury_designates_nobody() -> None:
    assert designation(by=None) == rules.NOT_SEATED


@fast
@given(
    kind=st.sampled_from([EVALUATION, CERTIFICATION]),
    by=st.one_of(st.none(), st.integers(1, 4)),
    member=st.integers(1, 4),
    president=st.one_of(st.none(), st.integers(1, 4)),
)
def test_no_member_ever_designates_themselves_nor_overrides_a_designation(
    kind: str, by: int | None, member: int, president: int | None
) -> None:
    refusal = designation(kind=kind, by=by, member=member, president=president)
    if by == member or president is not None or by is None or kind == CERTIFICATION:
        assert refusal is not None
    else:
        assert refusal is None
    assert designation(kind=kind, by_admin=True, by=by, member=member, president=president) is None


# --- Each version its own rules: RNCP 31313's test jury and final joint jury (fiche, « Composition des jurys ») ---


TEST_JURY, FINAL_JURY = RULES_31313


def seat_all(jury_rules: JuryRules, newcomers: list[Seat], *, may_assess: bool = True) -> list[Seat]:
    seats: list[Seat] = []
    for newcomer in newcomers:
        found = rules.assignment_refusal(
            kind=jury_rules.kind,
            seats=seats,
            newcomer=newcomer,
            approved=True,
            may_assess=may_assess,
            rules=jury_rules,
        )
        assert found is None, found
        seats.append(newcomer)
    return seats


def lawful_test_jury() -> list[Seat]:
    return [
        seat(1, PROFESSIONAL),
        seat(2, PROFESSIONAL),
        seat(3, TRAINER, internal=True, linked=True),
        seat(4, TRAINER, internal=True, linked=True),
        seat(5, EMPLOYEES),
        seat(6, EMPLOYERS),
    ]


def test_the_31313_test_jury_seats_two_professionals_the_centres_two_trainers_and_one_cpnefp_member_per_college() -> (
    None
):
    seats = seat_all(TEST_JURY, lawful_test_jury())
    assert rules.composition_problems(kind=EVALUATION, seats=seats, president_id=5, rules=TEST_JURY) == []


def test_the_31313_test_jury_takes_more_professionals_but_a_third_trainer_is_refused_naming_the_fiche_rule() -> None:
    seats = seat_all(TEST_JURY, [*lawful_test_jury(), seat(7, PROFESSIONAL)])
    assert rules.composition_problems(kind=EVALUATION, seats=seats, president_id=5, rules=TEST_JURY) == []
    message = rules.assignment_refusal(
        kind=EVALUATION, seats=seats, newcomer=seat(8, TRAINER), approved=True, may_assess=True, rules=TEST_JURY
    )
    assert message == (
        "Le jury d'épreuve compte déjà 2 × formateur du centre de formation agréé par la branche "
        "(Membre 3, Membre 4) : 2 au plus."
    )


def test_an_incomplete_31313_test_jury_says_what_the_fiche_still_asks_for() -> None:
    seats = seat_all(TEST_JURY, [seat(1, PROFESSIONAL), seat(5, EMPLOYEES)])
    assert rules.composition_problems(kind=EVALUATION, seats=seats, president_id=None, rules=TEST_JURY) == [
        "Le jury d'épreuve demande au moins 2 × professionnel ayant des compétences en lien avec le CQP (1 à ce jour).",
        "Le jury d'épreuve demande au moins 2 × formateur du centre de formation agréé par la branche (0 à ce jour).",
        "Il manque le membre de la CPNEFP (collège des employeurs).",
        "Le président du jury n'est pas désigné.",
    ]


def test_cpnefp_members_sit_on_the_31313_test_jury_ex_officio_but_professionals_need_their_habilitation() -> None:
    assert (
        rules.assignment_refusal(
            kind=EVALUATION, seats=[], newcomer=seat(5, EMPLOYEES), approved=True, may_assess=False, rules=TEST_JURY
        )
        is None
    )
    message = rules.assignment_refusal(
        kind=EVALUATION, seats=[], newcomer=seat(1, PROFESSIONAL), approved=True, may_assess=False, rules=TEST_JURY
    )
    assert message == "Membre 1 n'est pas habilité(e) pour cette certification."


def test_a_26850_trainer_linked_to_the_training_is_refused_but_31313_seats_the_centres_trainers() -> None:
    linked = seat(3, TRAINER, internal=True, linked=True)
    assert "lien avec la formation des candidats" in refusal(EVALUATION, [], linked)
    assert (
        rules.assignment_refusal(
            kind=EVALUATION, seats=[], newcomer=linked, approved=True, may_assess=True, rules=TEST_JURY
        )
        is None
    )


def test_the_31313_test_jury_refuses_a_certifier_president_naming_its_composition() -> None:
    message = rules.assignment_refusal(
        kind=EVALUATION,
        seats=[],
        newcomer=seat(9, CERTIFIER_PRESIDENT),
        approved=True,
        may_assess=True,
        rules=TEST_JURY,
    )
    assert message is not None
    assert message.startswith("Un président de l'instance de certification ne siège pas dans un jury d'épreuve")
    assert "professionnel ayant des compétences en lien avec le CQP" in message


def test_the_31313_final_jury_needs_four_cpnefp_members_from_both_colleges() -> None:
    three = seat_all(FINAL_JURY, [seat(1, EMPLOYEES), seat(2, EMPLOYERS), seat(3, EMPLOYEES)])
    assert rules.composition_problems(kind=CERTIFICATION, seats=three, president_id=1, rules=FINAL_JURY) == [
        "Le jury paritaire final compte au moins 4 membres (3 à ce jour)."
    ]
    one_college = seat_all(FINAL_JURY, [seat(n, EMPLOYEES) for n in range(1, 5)])
    assert rules.composition_problems(kind=CERTIFICATION, seats=one_college, president_id=1, rules=FINAL_JURY) == [
        "Il manque le membre de la CPNEFP (collège des employeurs)."
    ]
    four = seat_all(FINAL_JURY, [*three, seat(4, EMPLOYERS)][3:], may_assess=False)
    assert four == [seat(4, EMPLOYERS)]
    lawful = [*three, seat(4, EMPLOYERS)]
    assert rules.composition_problems(kind=CERTIFICATION, seats=lawful, president_id=2, rules=FINAL_JURY) == []


def test_the_31313_final_jury_is_presided_by_a_cpnefp_member_not_by_a_trainer() -> None:
    assert rules.presidency_refusal(kind=CERTIFICATION, seat=seat(1, EMPLOYERS), rules=FINAL_JURY) is None
    message = rules.presidency_refusal(kind=EVALUATION, seat=seat(3, TRAINER), rules=TEST_JURY)
    assert message == (
        "Membre 3 ne peut pas présider : le président du jury d'épreuve est choisi parmi : membre de la CPNEFP "
        "(collège des salariés), membre de la CPNEFP (collège des employeurs)."
    )


def test_rules_that_cannot_be_satisfied_are_refused_to_the_admin() -> None:
    broken = JuryRules(
        kind=EVALUATION,
        name="jury d'épreuve",
        seats=(rules.SeatRule(TRAINER, "formateur", 3, 2), rules.SeatRule(TRAINER, "formateur bis", 1, 1)),
        presiding=(EMPLOYEES,),
        min_members=2,
        max_members=2,
    )
    assert rules.rules_definition_problems(broken) == [
        "Le collège « formateur » figure deux fois.",
        "« formateur » : le maximum (2) est inférieur au minimum (3).",
        "Le jury compte au plus 2 membres mais ses minimums en demandent 4.",
        "Le président doit être choisi parmi des collèges qui siègent dans ce jury.",
    ]
    assert rules.rules_definition_problems(TEST_JURY) == []
    assert rules.rules_definition_problems(FINAL_JURY) == []
    assert rules.rules_definition_problems(rules.default_rules(EVALUATION)) == []


@fast
@given(
    colleges=st.lists(st.sampled_from([PROFESSIONAL, TRAINER, EMPLOYEES, EMPLOYERS]), max_size=10),
    internal=st.lists(st.booleans(), min_size=10, max_size=10),
)
def test_whatever_order_members_come_in_an_accepted_31313_test_jury_never_breaks_a_maximum_or_its_external_share(
    colleges: list[str], internal: list[bool]
) -> None:
    seats: list[Seat] = []
    for n, college in enumerate(colleges):
        newcomer = seat(n, college, internal=internal[n])
        if (
            rules.assignment_refusal(
                kind=EVALUATION, seats=seats, newcomer=newcomer, approved=True, may_assess=True, rules=TEST_JURY
            )
            is None
        ):
            seats.append(newcomer)
    for rule in TEST_JURY.seats:
        assert rule.maximum is None or sum(1 for s in seats if s.college == rule.college) <= rule.maximum
    assert not rules.too_internal(
        internal=sum(1 for s in seats if s.internal), size=max(len(seats), TEST_JURY.full_size), external_percent=50
    )
