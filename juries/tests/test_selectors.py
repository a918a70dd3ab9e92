"""Reads of juries: the grid sheet of a candidate's page and the live statuses of the blocks."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluations.models import Attendance, SessionCandidate
from juries import selectors, services
from juries.models import GridStatus, Jury
from juries.tests.conftest import World
from juries.tests.services.helpers import ALL_A, full, save, transmitted

pytestmark = pytest.mark.django_db


def test_the_grid_sheet_lists_every_block_sat_with_its_competencies_in_order(world: World) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    sheet = selectors.grid_sheet(jury, place, consensus=True, member_id=None)
    sat = selectors.blocks_sat(place)
    assert [s.block for s in sheet.sections] == sat
    for section, block in zip(sheet.sections, sat, strict=True):
        assert [line.competency.code for line in section.rows] == [c.code for c in block.competencies.all()]
        assert section.grid is None
        assert not section.locked
        assert {line.value for line in section.rows} == {""}
    assert sheet.row.place == place
    assert sheet.members == []


def test_the_grid_sheet_shows_the_saved_consensus_and_its_live_status(world: World) -> None:
    jury = world.evaluation_jury()
    place, bc1 = world.places[0], world.blocks["BC1"]
    president = world.employers.user
    grid = services.grid_save(
        jury=jury,
        place=place,
        block=bc1,
        consensus=True,
        grades={"C1.1": "NA", "C1.2": "A"},
        comments={"C1.1": "Pas vu"},
        comment="Bloc à revoir",
        saved_by=president,
    )
    section = selectors.grid_sheet(jury, place, consensus=True, member_id=None).sections[0]
    assert section.block == bc1
    assert section.grid == grid
    values = {line.competency.code: (line.value, line.comment) for line in section.rows}
    assert values["C1.1"] == ("NA", "Pas vu")
    assert values["C1.2"] == ("A", "")
    assert section.comment == "Bloc à revoir"
    assert section.status is not None
    assert section.status.acquired == 1
    assert section.status.not_acquired == 1


def test_a_submitted_consensus_is_locked_on_the_sheet_and_the_row_is_graded(world: World) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    world.grade(jury, place, ALL_A)
    sheet = selectors.grid_sheet(jury, place, consensus=True, member_id=None)
    assert all(s.locked and s.grid.status == GridStatus.SUBMITTED for s in sheet.sections)
    assert sheet.row.graded


def test_the_grid_sheet_shows_what_was_just_posted_rather_than_what_is_saved(world: World) -> None:
    jury = world.evaluation_jury()
    place, bc1 = world.places[0], world.blocks["BC1"]
    save(jury, place, bc1, {"C1.1": "A"}, by=world.employers.user)
    posted: dict[int, selectors.BlockEntry] = {block.pk: ({}, {}, "") for block in selectors.blocks_sat(place)}
    posted[bc1.pk] = ({"C1.1": "NA"}, {"C1.1": "tapé"}, "refusé")
    section = selectors.grid_sheet(jury, place, consensus=True, member_id=None, posted=posted).sections[0]
    line = next(line for line in section.rows if line.competency.code == "C1.1")
    assert (line.value, line.comment, section.comment) == ("NA", "tapé", "refusé")


def test_a_member_sees_their_own_grid_and_the_others_beside_it_not_their_own_twice(world: World) -> None:
    jury = world.evaluation_jury()
    place, bc1 = world.places[0], world.blocks["BC1"]
    save(jury, place, bc1, {"C1.1": "NA"}, by=world.trainer.user, consensus=False)
    save(jury, place, bc1, {"C1.1": "A"}, by=world.employees.user, consensus=False)
    save(jury, place, bc1, full(bc1), by=world.employers.user)  # the consensus

    mine = selectors.grid_sheet(jury, place, consensus=False, member_id=world.trainer.pk)
    assert mine.members == [world.employees]
    line = next(line for line in mine.sections[0].rows if line.competency.code == "C1.1")
    assert (line.value, line.others) == ("NA", ["A"])
    assert mine.sections[0].grid.member == world.trainer

    consensus = selectors.grid_sheet(jury, place, consensus=True, member_id=world.employers.pk)
    assert consensus.members == sorted([world.trainer, world.employees], key=lambda m: m.name)
    line = next(line for line in consensus.sections[0].rows if line.competency.code == "C1.1")
    assert line.value == "A"
    assert sorted(line.others) == ["A", "NA"]
    assert consensus.sections[0].grid.member is None


def test_someone_without_a_grid_of_their_own_sees_none_in_member_mode(world: World) -> None:
    jury = world.evaluation_jury()
    place, bc1 = world.places[0], world.blocks["BC1"]
    save(jury, place, bc1, full(bc1), by=world.employers.user)
    sheet = selectors.grid_sheet(jury, place, consensus=False, member_id=None)
    assert all(section.grid is None for section in sheet.sections)


def test_the_grid_sheet_lists_the_jurys_recusals_for_the_candidate(world: World) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    services.conflict_declare(jury=jury, place=place, member=world.trainer, note="", declared_by=world.trainer.user)
    sheet = selectors.grid_sheet(jury, place, consensus=True, member_id=None)
    assert [r.member for r in sheet.recusals] == [world.trainer]
    assert selectors.grid_sheet(jury, world.places[1], consensus=True, member_id=None).recusals == []


def test_the_grid_sheet_reads_as_many_queries_with_one_members_grid_as_with_three(world: World) -> None:
    jury = world.evaluation_jury()
    place, other = world.places[0], world.places[1]
    blocks = selectors.blocks_sat(place)
    for member in (world.trainer, world.employees, world.employers):
        for block in blocks:
            save(jury, place, block, full(block), by=member.user, consensus=False)
    save(jury, other, blocks[0], {"C1.1": "A"}, by=world.trainer.user, consensus=False)

    for candidate in (other, place):  # the jury's version and each place's enrolment, cached on first read
        selectors.grid_sheet(jury, candidate, consensus=True, member_id=None)
    counts = []
    for candidate in (other, place):
        with CaptureQueriesContext(connection) as captured:
            selectors.grid_sheet(jury, candidate, consensus=True, member_id=None)
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


def test_live_statuses_follow_the_grades_typed_and_skip_nothing_with_a_rule(world: World) -> None:
    place = world.places[0]
    blocks = selectors.blocks_sat(place)
    bc1 = world.blocks["BC1"]
    statuses = selectors.live_statuses(blocks, {bc1.pk: full(bc1)})
    assert set(statuses) == {b.pk for b in blocks}
    assert statuses[bc1.pk].state == "validated"
    assert all(statuses[b.pk].state == "pending" for b in blocks if b.pk != bc1.pk)


# --- A jury's candidates (SessionCandidate.objects.of_jury) ----------------------------------------------


def test_an_evaluation_jurys_candidates_are_its_sessions_present_or_not(world: World) -> None:
    jury = world.evaluation_jury()
    absent = world.places[2]
    SessionCandidate.objects.filter(pk=absent.pk).update(attendance=Attendance.ABSENT)
    everyone = set(SessionCandidate.objects.filter(session=world.session))
    assert set(SessionCandidate.objects.of_jury(jury)) == everyone
    assert set(SessionCandidate.objects.of_jury(jury, present_only=True)) == everyone - {absent}
    assert list(selectors.session_places(jury)) == [p for p in world.places if p != absent]


def test_a_certification_jurys_candidates_are_those_transmitted_to_it(world: World) -> None:
    certification = world.certification_jury()
    assert not SessionCandidate.objects.of_jury(certification).exists()
    jury, certification = transmitted(world)
    assert set(SessionCandidate.objects.of_jury(certification)) == set(world.places)
    assert set(selectors.transmitted_places(certification)) == set(world.places)
    assert set(SessionCandidate.objects.of_juries(Jury.objects.filter(pk__in=[jury.pk, certification.pk]))) == set(
        world.places
    )
    assert not SessionCandidate.objects.of_juries(Jury.objects.none()).exists()
