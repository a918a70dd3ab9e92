"""Resits: from a partial or failed final result, a place in a later session of the same version for exactly the
missing blocks, in one action; every refusal in French."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from candidates.models import Enrolment
from cqp.models import CertificationVersion, TrainingOrganisation
from demo.builders import Decided, decide
from evaluations import services as evaluation_services
from evaluations.models import EvaluationSession, SessionMode
from juries import selectors
from juries.services.prior import prior_acquisition_record
from juries.tests.services.helpers import forbidden, ratify, refused
from results.services import resits
from results.standing import enrolment_standing
from tests.factories import UserFactory, enrol, make_candidate
from tests.worlds import World, world

__all__ = ["world"]

pytestmark = pytest.mark.django_db


def later_session(
    world: World, *, days: int = 40, version: CertificationVersion | None = None, **kw: Any
) -> EvaluationSession:
    return evaluation_services.session_schedule(
        version=version or world.version,
        organisation=world.organisation,
        starts_on=timezone.localdate() + dt.timedelta(days=days),
        ends_on=None,
        mode=SessionMode.ON_SITE,
        address="12 rue de la Paix, 75002 Paris",
        created_by=world.staff,
        **kw,
    )


def final(world: World) -> Decided:
    """The world's three candidates decided (total, partial BC1, none) and the results made final."""
    decided = decide(world)
    ratify(world, decided.certification)
    return decided


@pytest.fixture
def decided(world: World) -> Decided:
    return final(world)


def test_a_partial_result_is_resat_for_the_missing_block_only(world: World, decided: Decided) -> None:
    partial = decided.decisions[1]
    session = later_session(world)

    place = resits.resit_enrol(decision=partial, session=session, enrolled_by=world.staff)

    assert place.session == session
    assert place.enrolment_id == partial.examined_place.enrolment_id
    assert [b.code for b in selectors.blocks_sat(place)] == ["BC2"]
    carried = selectors.deliberation_rows([place], world.version)[0].cells[0]
    assert carried.earlier == decided.certification.meets_on
    assert "jury de certification du" in carried.origin


def test_a_failed_result_is_resat_for_every_block(world: World, decided: Decided) -> None:
    failed = decided.decisions[2]
    place = resits.resit_enrol(decision=failed, session=later_session(world), enrolled_by=world.admin)
    assert [b.code for b in selectors.blocks_sat(place)] == ["BC1", "BC2"]


def test_the_page_and_the_session_agree_on_the_missing_blocks(world: World, decided: Decided) -> None:
    enrolment = decided.decisions[1].examined_place.enrolment
    on = timezone.localdate() + dt.timedelta(days=1)
    standing = enrolment_standing(enrolment, on=on)
    assert [(s.block.code, s.acquired) for s in standing.blocks] == [("BC1", True), ("BC2", False)]
    assert [b.code for b in resits.missing_blocks(enrolment, on=on)] == ["BC2"]


def test_it_refuses_a_provisional_result(world: World) -> None:
    decided = decide(world)  # PV not signed
    with refused("Ce résultat est provisoire", "résultat définitif"):
        resits.resit_enrol(decision=decided.decisions[1], session=later_session(world), enrolled_by=world.staff)
    assert resits.resit_refusal(decided.decisions[1]) is not None


def test_it_refuses_a_total_result(world: World, decided: Decided) -> None:
    with refused("obtenue en totalité"):
        resits.resit_enrol(decision=decided.decisions[0], session=later_session(world), enrolled_by=world.staff)


def test_it_refuses_when_no_block_is_missing(world: World, decided: Decided) -> None:
    partial = decided.decisions[1]
    prior_acquisition_record(
        candidate=partial.examined_place.enrolment.candidate,
        block=world.blocks["BC2"],
        acquired_on=dt.date(2019, 6, 1),
        source="paper_pv",
        reference="PV 2019-14",
        recorded_by=world.admin,
    )
    with refused("aucun bloc à repasser"):
        resits.resit_enrol(decision=partial, session=later_session(world), enrolled_by=world.staff)


def test_it_refuses_a_session_of_another_version(world: World, decided: Decided) -> None:
    other = CertificationVersion.objects.get(rncp_code="RNCP31313")
    session = later_session(world, version=other, slot_minutes=60)
    with refused("autre certification", "RNCP 26850"):
        resits.resit_enrol(decision=decided.decisions[1], session=session, enrolled_by=world.staff)


def test_it_refuses_a_session_already_started(world: World, decided: Decided) -> None:
    with refused("a déjà commencé", "choisissez une session à venir"):
        resits.resit_enrol(decision=decided.decisions[1], session=world.session, enrolled_by=world.staff)


def test_it_refuses_a_full_session(world: World, decided: Decided) -> None:
    session = later_session(world, slot_minutes=9 * 60)  # one slot: 9:00 to 18:00
    other = make_candidate(world.organisation, 20, created_by=world.staff)
    evaluation_services.session_add_candidate(session=session, enrolment=enrol(other, world.version))
    with refused("La session est complète"):
        resits.resit_enrol(decision=decided.decisions[1], session=session, enrolled_by=world.staff)


def test_it_refuses_a_candidate_already_placed(world: World, decided: Decided) -> None:
    partial = decided.decisions[1]
    first, second = later_session(world), later_session(world, days=60)
    resits.resit_enrol(decision=partial, session=first, enrolled_by=world.staff)
    with refused("déjà dans la session"):
        resits.resit_enrol(decision=partial, session=first, enrolled_by=world.staff)
    with refused("déjà une place à la session du"):
        resits.resit_enrol(decision=partial, session=second, enrolled_by=world.staff)


def test_only_the_candidates_organisation_or_the_certifier_enrols(world: World, decided: Decided) -> None:
    stranger = UserFactory(
        email="ailleurs@example.org",
        organisation=TrainingOrganisation.objects.exclude(pk=world.organisation.pk).first(),
    )
    with forbidden("Seul l'organisme de formation du candidat"):
        resits.resit_enrol(decision=decided.decisions[1], session=later_session(world), enrolled_by=stranger)
    assert (
        not Enrolment.objects.get(pk=decided.decisions[1].examined_place.enrolment_id)
        .session_places.filter(session__starts_on__gt=timezone.localdate())
        .exists()
    )


def test_the_eligible_sessions_are_the_versions_upcoming_ones_of_the_organisation(
    world: World, decided: Decided
) -> None:
    upcoming = later_session(world)
    later_session(world, version=CertificationVersion.objects.get(rncp_code="RNCP31313"), slot_minutes=60)
    assert list(resits.resit_sessions(decided.decisions[1])) == [upcoming]
