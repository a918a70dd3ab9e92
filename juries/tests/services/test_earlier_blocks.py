"""Blocks acquired in an earlier session: not sat again, counted while valid, decided on."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from cqp.models import CertificationVersion
from evaluations import services as evaluation_services
from evaluations.models import Attendance, SessionCandidate
from juries import selectors, services
from juries.models import Decision
from juries.tests.conftest import World
from juries.tests.services.helpers import (
    ALL_A,
    decide,
    full,
    ratify,
    recommend,
    recommend_as_computed,
    refused,
    row,
    save,
)
from tests.factories import make_candidate, past_session

pytestmark = pytest.mark.django_db


def earlier_partial_bc1(world: World, *, days_ago: int = 800, final: bool = True) -> tuple[SessionCandidate, Decision]:
    """A candidate who was awarded BC1 alone by a certification jury in an earlier session of the version,
    and now sits in the world's session with the same enrolment."""
    candidate = make_candidate(world.organisation, 9, created_by=world.staff, company_name="Dorure Parisienne")
    earlier = past_session(world.staff, world.version, [candidate], days_ago=days_ago, jury_by=world.admin)
    earlier_place = earlier.candidates.get()
    jury = earlier.jury
    for member in (world.employees, world.employers, world.trainer):
        services.jury_assign(jury=jury, member=member, assigned_by=world.admin)
    services.jury_president_designate(jury=jury, member=world.employers, designated_by=world.admin)
    jury.refresh_from_db()
    world.grade(jury, earlier_place, {"C2.1": "NA"})
    recommend(world, jury, earlier_place, "partial", ["BC1"])
    certification = services.certification_jury_create(
        version=world.version, meets_on=earlier.starts_on + dt.timedelta(days=7), created_by=world.admin
    )
    for member in (world.cert_employees, world.cert_employers, world.cert_president):
        services.jury_assign(jury=certification, member=member, assigned_by=world.admin)
    services.jury_president_designate(jury=certification, member=world.cert_president, designated_by=world.admin)
    services.deliberation_transmit(jury=jury, certification_jury=certification, transmitted_by=world.admin)
    decision = decide(world, certification, earlier_place, "partial", ["BC1"])
    if final:
        ratify(world, certification)

    place = evaluation_services.session_add_candidate(session=world.session, enrolment=earlier_place.enrolment)
    SessionCandidate.objects.filter(pk=place.pk).update(attendance=Attendance.PRESENT, signed_at=timezone.now())
    place.refresh_from_db()
    return place, decision


def test_a_candidate_sits_only_the_blocks_not_acquired_earlier(world: World) -> None:
    place, _decision = earlier_partial_bc1(world)
    assert selectors.blocks_sat(place) == [world.blocks["BC2"]]
    jury = world.evaluation_jury()
    with refused("ne présente pas le bloc BC1"):
        save(jury, place, world.blocks["BC1"], full(world.blocks["BC1"]), by=world.employers.user)


def test_the_deliberation_counts_a_block_acquired_earlier(world: World) -> None:
    place, decision = earlier_partial_bc1(world)
    jury = world.evaluation_jury()
    assert row(place, world.version).outcome is None  # BC2 still to grade
    world.grade(jury, place, ALL_A)

    result = row(place, world.version)
    bc1, bc2 = result.cells
    assert (bc1.block.code, bc1.sat, bc1.earlier) == ("BC1", False, decision.jury.meets_on)
    assert bc1.acquired
    assert (bc2.block.code, bc2.sat, bc2.earlier) == ("BC2", True, None)
    assert result.outcome is not None
    assert (result.outcome.kind, sorted(result.outcome.acquired_blocks)) == ("total", ["BC1", "BC2"])


def test_a_block_acquired_earlier_stays_acquired_when_the_other_fails_again(world: World) -> None:
    place, _decision = earlier_partial_bc1(world)
    jury = world.evaluation_jury()
    world.grade(jury, place, {"C2.2": "NA"})
    outcome = row(place, world.version).outcome
    assert outcome is not None
    assert (outcome.kind, sorted(outcome.acquired_blocks)) == ("partial", ["BC1"])


@pytest.mark.parametrize(("years", "counted"), [(None, True), (3, True), (1, False)])
def test_a_block_acquired_earlier_counts_while_its_validity_lasts(
    world: World, years: int | None, counted: bool
) -> None:
    place, _decision = earlier_partial_bc1(world, days_ago=800)  # about two years and two months ago
    CertificationVersion.objects.filter(pk=world.version.pk).update(block_validity_years=years)
    world.version.refresh_from_db()
    place = SessionCandidate.objects.get(pk=place.pk)

    expected = ["BC2"] if counted else ["BC1", "BC2"]
    assert [b.code for b in selectors.blocks_sat(place)] == expected
    jury = world.evaluation_jury()
    world.grade(jury, place, ALL_A)
    result = row(place, world.version)
    assert (result.cells[0].earlier is not None) is counted
    assert result.cells[0].sat is not counted
    assert result.outcome is not None
    assert result.outcome.kind == "total"


def test_an_expired_block_must_be_validated_again(world: World) -> None:
    place, _decision = earlier_partial_bc1(world, days_ago=800)
    CertificationVersion.objects.filter(pk=world.version.pk).update(block_validity_years=1)
    world.version.refresh_from_db()
    place = SessionCandidate.objects.get(pk=place.pk)
    jury = world.evaluation_jury()
    world.grade(jury, place, {"C1.1": "NA"})
    outcome = row(place, world.version).outcome
    assert outcome is not None
    assert (outcome.kind, sorted(outcome.acquired_blocks)) == ("partial", ["BC2"])


def test_the_certification_jury_decides_on_the_blocks_acquired_earlier_too(world: World) -> None:
    place, _decision = earlier_partial_bc1(world)
    jury = world.evaluation_jury()
    world.grade(jury, place, ALL_A)
    recommend_as_computed(world, jury, place)
    for other in world.places:
        world.grade(jury, other, ALL_A)
        recommend_as_computed(world, jury, other)
    certification = world.certification_jury()
    services.deliberation_transmit(jury=jury, certification_jury=certification, transmitted_by=world.admin)
    assert decide(world, certification, place, "total").reason == ""
