"""A/NA grids: saved, submitted, locked and reopened (juries.services.grids)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from evaluations.models import Attendance, SessionCandidate
from juries import selectors, services
from juries.models import AuditAction, Grid, GridStatus
from juries.tests.conftest import World
from juries.tests.services.helpers import (
    ALL_A,
    add_candidate,
    audits,
    decide,
    forbidden,
    full,
    recommend,
    refused,
    row,
    save,
    transmitted,
)

pytestmark = pytest.mark.django_db


def test_it_refuses_a_grid_before_the_exam_day(world: World) -> None:
    jury = world.evaluation_jury()
    with (
        time_machine.travel(timezone.now() - dt.timedelta(days=1), tick=False),
        refused("Les grilles se remplissent à partir du jour des épreuves"),
    ):
        save(jury, world.places[0], world.blocks["BC1"], {"C1.1": "A"}, by=world.employers.user)
    assert not Grid.objects.exists()


@pytest.mark.parametrize(("attendance", "shown"), [(Attendance.ABSENT, "absente"), (Attendance.EXPECTED, "attendue")])
def test_it_refuses_a_grid_for_a_candidate_not_present(world: World, attendance: str, shown: str) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    SessionCandidate.objects.filter(pk=place.pk).update(attendance=attendance)
    with refused(place.enrolment.candidate.display_name, "n'est pas notée présente", shown):
        save(jury, place, world.blocks["BC1"], {"C1.1": "A"}, by=world.employers.user)


def test_it_refuses_a_grid_for_a_block_the_candidate_does_not_sit(world: World) -> None:
    place = add_candidate(world, 7, blocks=[world.blocks["BC1"]])
    jury = world.evaluation_jury()
    assert selectors.blocks_sat(place) == [world.blocks["BC1"]]
    with refused(place.enrolment.candidate.display_name, "ne présente pas le bloc BC2"):
        save(jury, place, world.blocks["BC2"], {"C2.1": "A"}, by=world.employers.user)


def test_a_candidate_enrolled_for_one_block_is_graded_and_computed_on_it(world: World) -> None:
    place = add_candidate(world, 7, blocks=[world.blocks["BC1"]])
    jury = world.evaluation_jury()
    world.grade(jury, place, ALL_A)
    outcome = row(place, world.version).outcome
    assert outcome is not None
    assert (outcome.kind, sorted(outcome.acquired_blocks)) == ("partial", ["BC1"])


def test_it_refuses_a_grid_from_someone_who_does_not_sit(world: World) -> None:
    jury = world.evaluation_jury()
    with forbidden("Vous ne siégez pas dans ce jury"):
        save(jury, world.places[0], world.blocks["BC1"], {"C1.1": "A"}, by=world.cert_president.user, consensus=False)


def test_it_refuses_a_consensus_grid_from_a_member_who_does_not_preside(world: World) -> None:
    jury = world.evaluation_jury()
    for user in (world.trainer.user, world.employees.user, world.admin):
        with forbidden("Seul le président du jury saisit la grille de consensus"):
            save(jury, world.places[0], world.blocks["BC1"], {"C1.1": "A"}, by=user)
    assert not Grid.objects.exists()


def test_it_refuses_grids_until_the_jury_is_complete(world: World) -> None:
    jury = world.evaluation_jury()
    services.jury_unassign(jury=jury, member=world.trainer, removed_by=world.admin)
    with refused("Le jury n'est pas au complet", "Il manque le formateur ou accompagnateur CQP"):
        save(jury, world.places[0], world.blocks["BC1"], {"C1.1": "A"}, by=world.employers.user)


def test_a_draft_may_be_partial_and_grades_may_be_taken_back(world: World) -> None:
    jury = world.evaluation_jury()
    bc1 = world.blocks["BC1"]
    grid = save(jury, world.places[0], bc1, {"C1.1": "A", "C1.4": "NA"}, by=world.employers.user)
    assert grid.status == GridStatus.DRAFT
    assert grid.is_consensus
    assert dict(grid.grades.values_list("competency__code", "value")) == {"C1.1": "A", "C1.4": "NA"}

    grid = save(jury, world.places[0], bc1, {"C1.1": "A", "C1.4": ""}, by=world.employers.user)
    assert dict(grid.grades.values_list("competency__code", "value")) == {"C1.1": "A"}


def test_each_member_keeps_their_own_grid_besides_the_consensus(world: World) -> None:
    jury = world.evaluation_jury()
    place, bc1 = world.places[0], world.blocks["BC1"]
    own = save(jury, place, bc1, {"C1.1": "NA"}, by=world.employers.user, consensus=False)
    consensus = save(jury, place, bc1, {"C1.1": "A"}, by=world.employers.user)
    assert own.pk != consensus.pk
    assert own.member == world.employers
    assert consensus.member is None


@pytest.mark.parametrize("value", ["X", "a", "ABS", "N/A"])
def test_it_refuses_a_grade_other_than_a_or_na(world: World, value: str) -> None:
    jury = world.evaluation_jury()
    with refused("note autre que A ou NA pour C1.2"):
        save(jury, world.places[0], world.blocks["BC1"], {"C1.1": "A", "C1.2": value}, by=world.employers.user)
    assert not Grid.objects.exists()


def test_it_refuses_a_competency_of_another_block(world: World) -> None:
    jury = world.evaluation_jury()
    with refused("compétences inconnues du bloc : C2.1"):
        save(jury, world.places[0], world.blocks["BC1"], {"C2.1": "A"}, by=world.employers.user)


def test_it_refuses_to_submit_an_incomplete_grid_naming_what_is_missing_and_locks_nothing(world: World) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    president = world.employers.user
    bc1, bc2 = world.blocks["BC1"], world.blocks["BC2"]
    complete = save(jury, place, bc1, full(bc1), by=president)
    incomplete = save(jury, place, bc2, {k: v for k, v in full(bc2).items() if k != "C2.5"}, by=president)

    with refused("BC2", "C2.5"):
        services.grids_submit(grids=[complete, incomplete], submitted_by=president)

    assert set(Grid.objects.values_list("status", flat=True)) == {GridStatus.DRAFT}
    assert not audits(place, AuditAction.GRID_SUBMITTED)


def test_it_names_every_competency_missing_in_every_grid(world: World) -> None:
    jury = world.evaluation_jury()
    place, president = world.places[0], world.employers.user
    first = save(jury, place, world.blocks["BC1"], {"C1.1": "A"}, by=president)
    second = save(jury, place, world.blocks["BC2"], {"C2.1": "A"}, by=president)
    with refused("BC1", "C1.2", "C1.5", "BC2", "C2.2", "C2.6"):
        services.grids_submit(grids=[first, second], submitted_by=president)


def test_a_submitted_grid_is_locked(world: World) -> None:
    jury = world.evaluation_jury()
    place, bc1 = world.places[0], world.blocks["BC1"]
    grid = save(jury, place, bc1, full(bc1), by=world.employers.user)
    [submitted] = services.grids_submit(grids=[grid], submitted_by=world.employers.user)
    assert submitted.status == GridStatus.SUBMITTED
    assert submitted.submitted_by == world.employers.user
    with refused("La grille BC1 est validée et verrouillée", "seul le certificateur peut la rouvrir"):
        save(jury, place, bc1, full(bc1, {"C1.4": "NA"}), by=world.employers.user)
    with refused("La grille BC1 est déjà validée"):
        services.grids_submit(grids=[grid], submitted_by=world.employers.user)
    assert dict(grid.grades.values_list("competency__code", "value"))["C1.4"] == "A"


def test_a_member_whose_habilitation_is_withdrawn_no_longer_submits_their_grid(world: World) -> None:
    # The service asks the same gate as the grid page (access.check_grid_member: seated, habilitation in force);
    # saving is refused before, on the jury's state (incomplete without them).
    jury = world.evaluation_jury()
    bc1 = world.blocks["BC1"]
    own = save(jury, world.places[0], bc1, full(bc1), by=world.trainer.user, consensus=False)
    services.jury_member_withdraw(member=world.trainer, withdrawn_by=world.admin, reason="Départ")
    with forbidden("Vous ne siégez pas dans ce jury"):
        services.grids_submit(grids=[own], submitted_by=world.trainer.user)
    own.refresh_from_db()
    assert own.status == GridStatus.DRAFT


def test_a_member_submits_only_their_own_grid(world: World) -> None:
    jury = world.evaluation_jury()
    bc1 = world.blocks["BC1"]
    own = save(jury, world.places[0], bc1, full(bc1), by=world.trainer.user, consensus=False)
    with forbidden("Chacun valide sa propre grille"):
        services.grids_submit(grids=[own], submitted_by=world.employers.user)
    services.grids_submit(grids=[own], submitted_by=world.trainer.user)


def test_only_the_keeper_submits_a_consensus_grid(world: World) -> None:
    jury = world.evaluation_jury()
    bc1 = world.blocks["BC1"]
    grid = save(jury, world.places[0], bc1, full(bc1), by=world.employers.user)
    with forbidden("Seul le président du jury saisit"):
        services.grids_submit(grids=[grid], submitted_by=world.employees.user)


def test_only_a_certifier_admin_reopens_a_grid(world: World) -> None:
    jury = world.evaluation_jury()
    world.grade(jury, world.places[0], ALL_A)
    grid = Grid.objects.get(place=world.places[0], block=world.blocks["BC1"], member=None)
    for user in (world.staff, world.employers.user):
        with forbidden("Seul un administrateur du certificateur peut rouvrir une grille validée"):
            services.grid_reopen(grid=grid, reopened_by=user, reason="Erreur de saisie")
    grid.refresh_from_db()
    assert grid.status == GridStatus.SUBMITTED


def test_reopening_a_grid_needs_a_reason(world: World) -> None:
    jury = world.evaluation_jury()
    world.grade(jury, world.places[0], ALL_A)
    grid = Grid.objects.get(place=world.places[0], block=world.blocks["BC1"], member=None)
    with refused("Indiquez le motif de la réouverture"):
        services.grid_reopen(grid=grid, reopened_by=world.admin, reason=" ")
    grid.refresh_from_db()
    assert grid.status == GridStatus.SUBMITTED


def test_a_reopened_grid_is_audited_and_may_be_corrected(world: World) -> None:
    jury = world.evaluation_jury()
    place, bc1 = world.places[0], world.blocks["BC1"]
    world.grade(jury, place, ALL_A)
    grid = Grid.objects.get(place=place, block=bc1, member=None)

    services.grid_reopen(grid=grid, reopened_by=world.admin, reason="C1.4 mal reportée")

    grid.refresh_from_db()
    assert grid.status == GridStatus.DRAFT
    assert grid.submitted_at is None
    [entry] = audits(place, AuditAction.GRID_REOPENED)
    assert entry.actor == world.admin
    assert entry.reason == "C1.4 mal reportée"
    assert entry.before["statut"] == GridStatus.SUBMITTED
    assert entry.after["statut"] == GridStatus.DRAFT
    assert entry.before["notes"] == entry.after["notes"] == full(bc1)
    save(jury, place, bc1, full(bc1, {"C1.4": "NA"}), by=world.employers.user)


def test_a_grid_that_is_not_submitted_is_not_reopened(world: World) -> None:
    jury = world.evaluation_jury()
    grid = save(jury, world.places[0], world.blocks["BC1"], {"C1.1": "A"}, by=world.employers.user)
    with refused("Cette grille n'est pas validée"):
        services.grid_reopen(grid=grid, reopened_by=world.admin, reason="Pour voir")


def test_a_grid_is_not_reopened_once_the_certification_jury_has_decided(world: World) -> None:
    _jury, certification = transmitted(world)
    place = world.places[0]
    decide(world, certification, place, "total")
    grid = Grid.objects.get(place=place, block=world.blocks["BC1"], member=None)
    with refused("Le jury de certification a déjà statué sur ce candidat"):
        services.grid_reopen(grid=grid, reopened_by=world.admin, reason="Erreur")


def test_a_grid_reopened_after_transmission_holds_the_decision_until_validated_again(world: World) -> None:
    jury, certification = transmitted(world)
    place = world.places[1]
    grid = Grid.objects.get(place=place, block=world.blocks["BC2"], member=None)
    services.grid_reopen(grid=grid, reopened_by=world.admin, reason="Erreur de report sur C2.1")
    jury.refresh_from_db()
    assert jury.transmitted_at is not None  # the other candidates stay before the certification jury
    with refused("ne sont pas toutes validées"):
        decide(world, certification, place, "partial", ["BC1"])
    # Only the reopened grid may change; the others stay locked.
    with refused("ont été transmis au jury de certification"):
        save(jury, place, world.blocks["BC1"], full(world.blocks["BC1"]), by=world.employers.user)
    corrected = save(jury, place, world.blocks["BC2"], full(world.blocks["BC2"]), by=world.employers.user)
    services.grids_submit(grids=[corrected], submitted_by=world.employers.user)
    recommend(world, jury, place, "total")
    decision = decide(world, certification, place, "total")
    assert decision.kind == "total"
    # A candidate whose grid was not reopened keeps their recommendation.
    with refused("ont été transmis au jury de certification"):
        recommend(world, jury, world.places[0], "none")


# --- grids_enter: the grid page's entry for every block --------------------------------------------------


def entries(place: SessionCandidate, patterns: dict[str, dict[str, str]] | None = None) -> dict[int, Any]:
    """Every block the candidate sits, all A unless `patterns` (by block code) says otherwise."""
    patterns = patterns or {}
    return {
        block.pk: (full(block, patterns.get(block.code)), {}, f"Bloc {block.code}")
        for block in selectors.blocks_sat(place)
    }


def test_grids_enter_saves_a_draft_of_every_block_the_candidate_sits(world: World) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    grids = services.grids_enter(
        jury=jury, place=place, consensus=True, entries=entries(place), submit=False, entered_by=world.employers.user
    )
    sat = selectors.blocks_sat(place)
    assert sorted(g.block_id for g in grids) == sorted(b.pk for b in sat)
    assert set(Grid.objects.filter(place=place).values_list("status", "member", "comment")) == {
        (GridStatus.DRAFT, None, f"Bloc {b.code}") for b in sat
    }
    assert len(audits(place, AuditAction.GRID_SAVED)) == len(sat)


def test_grids_enter_submits_every_grid_when_asked(world: World) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    services.grids_enter(
        jury=jury, place=place, consensus=True, entries=entries(place), submit=True, entered_by=world.employers.user
    )
    assert set(Grid.objects.filter(place=place).values_list("status", flat=True)) == {GridStatus.SUBMITTED}
    assert row(place, world.version).graded


def test_grids_enter_leaves_a_submitted_grid_as_it_is(world: World) -> None:
    jury = world.evaluation_jury()
    place, bc1 = world.places[0], world.blocks["BC1"]
    president = world.employers.user
    services.grids_submit(grids=[save(jury, place, bc1, full(bc1), by=president)], submitted_by=president)
    changed = entries(place, {"BC1": {"C1.1": "NA"}})

    grids = services.grids_enter(
        jury=jury, place=place, consensus=True, entries=changed, submit=True, entered_by=president
    )

    assert bc1.pk not in {g.block_id for g in grids}
    locked = Grid.objects.get(place=place, block=bc1, member__isnull=True)
    assert locked.grades.get(competency__code="C1.1").value == "A"
    assert len(audits(place, AuditAction.GRID_SUBMITTED)) == len(selectors.blocks_sat(place))


def test_grids_enter_saves_all_or_nothing(world: World) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    wrong = entries(place, {"BC2": {"C2.1": "X"}})
    with refused("note autre que A ou NA pour C2.1"):
        services.grids_enter(
            jury=jury, place=place, consensus=True, entries=wrong, submit=False, entered_by=world.employers.user
        )
    assert not Grid.objects.exists()
    assert not audits(place, AuditAction.GRID_SAVED)


def test_grids_enter_submits_nothing_when_one_grid_is_incomplete(world: World) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    incomplete = entries(place, {"BC2": {"C2.5": ""}})
    with refused("BC2", "C2.5"):
        services.grids_enter(
            jury=jury, place=place, consensus=True, entries=incomplete, submit=True, entered_by=world.employers.user
        )
    assert not Grid.objects.exists()


def test_grids_enter_enters_a_members_own_grids(world: World) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    services.grids_enter(
        jury=jury, place=place, consensus=False, entries=entries(place), submit=True, entered_by=world.trainer.user
    )
    assert set(Grid.objects.filter(place=place).values_list("member", "status")) == {
        (world.trainer.pk, GridStatus.SUBMITTED)
    }


def test_grids_enter_refuses_a_recused_member(world: World) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    services.conflict_declare(jury=jury, place=place, member=world.trainer, note="", declared_by=world.trainer.user)
    with forbidden("Vous êtes déporté(e)"):
        services.grids_enter(
            jury=jury, place=place, consensus=False, entries=entries(place), submit=False, entered_by=world.trainer.user
        )
