"""The evaluation jury's recommendation and its transmission to a certification jury
(juries.services.outcomes)."""

from __future__ import annotations

import pytest

from evaluations.models import Attendance, SessionCandidate
from juries import selectors, services
from juries.models import AuditAction, Grid, Recommendation
from juries.tests.conftest import World
from juries.tests.services.helpers import (
    ALL_A,
    audits,
    forbidden,
    full,
    other_version,
    ready,
    recommend,
    recommend_as_computed,
    refused,
    save,
    transmitted,
)

pytestmark = pytest.mark.django_db


def test_it_refuses_a_recommendation_before_every_consensus_grid_is_submitted(world: World) -> None:
    jury = world.evaluation_jury()
    place, president = world.places[0], world.employers.user
    world.grade(jury, place, ALL_A, submit=False)
    with refused("Validez d'abord toutes les grilles de consensus de ce candidat"):
        recommend(world, jury, place, "total")
    # One block submitted out of two is not enough either.
    services.grids_submit(grids=[Grid.objects.get(place=place, block=world.blocks["BC1"])], submitted_by=president)
    with refused("Validez d'abord toutes les grilles de consensus"):
        recommend(world, jury, place, "total")
    assert not Recommendation.objects.exists()


def test_a_partial_recommendation_names_its_blocks(world: World) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    world.grade(jury, place, {"C2.1": "NA"})
    with refused("Une attribution partielle nomme les blocs attribués"):
        recommend(world, jury, place, "partial")
    with refused("Tous les blocs : c'est une attribution totale"):
        recommend(world, jury, place, "partial", ["BC1", "BC2"])


def test_it_refuses_blocks_of_another_certification(world: World) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    world.grade(jury, place, {"C2.1": "NA"})
    stray = other_version(world).blocks.first()
    with refused("Ces blocs n'appartiennent pas à la certification"):
        services.recommendation_record(
            place=place, kind="partial", blocks=[stray], comments="", recorded_by=world.employers.user
        )


def test_it_refuses_an_unknown_kind_of_recommendation(world: World) -> None:
    jury = world.evaluation_jury()
    world.grade(jury, world.places[0], ALL_A)
    with refused("attribution totale, partielle ou non-attribution"):
        recommend(world, jury, world.places[0], "maybe")


def test_a_partial_recommendation_records_its_blocks_and_comments(world: World) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    world.grade(jury, place, {"C2.1": "NA"})
    recommendation = recommend(world, jury, place, "partial", ["BC1"], comments=" Polissage à reprendre ")
    recommendation.refresh_from_db()
    assert recommendation.kind == "partial"
    assert [b.code for b in recommendation.blocks.all()] == ["BC1"]
    assert recommendation.comments == "Polissage à reprendre"
    assert recommendation.recorded_by == world.employers.user


def test_a_total_recommendation_records_no_block(world: World) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    world.grade(jury, place, ALL_A)
    recommendation = recommend(world, jury, place, "total", ["BC1"])
    assert not recommendation.blocks.exists()


def test_only_the_president_records_the_recommendation(world: World) -> None:
    jury = world.evaluation_jury()
    world.grade(jury, world.places[0], ALL_A)
    with forbidden("Seul le président du jury saisit la grille de consensus et les conclusions du jury"):
        services.recommendation_record(
            place=world.places[0], kind="total", blocks=[], comments="", recorded_by=world.trainer.user
        )


def test_a_changed_recommendation_is_audited_with_before_and_after(world: World) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    world.grade(jury, place, {"C2.1": "NA"})
    recommend(world, jury, place, "partial", ["BC1"], comments="Bien")
    recommend(world, jury, place, "partial", ["BC1"], comments="Bien")  # unchanged: no entry
    recommend(world, jury, place, "none", comments="Dossier insuffisant")

    first, second = audits(place, AuditAction.RECOMMENDATION)
    assert first.before is None
    assert first.after == {"issue": "partial", "blocs": ["BC1"], "commentaires": "Bien"}
    assert second.before == first.after
    assert second.after == {"issue": "none", "blocs": [], "commentaires": "Dossier insuffisant"}
    assert {first.actor, second.actor} == {world.employers.user}
    assert Recommendation.objects.get(place=place).kind == "none"


def test_it_refuses_to_transmit_while_a_candidate_is_ungraded(world: World) -> None:
    jury = world.evaluation_jury()
    for place in world.places[:2]:
        world.grade(jury, place, ALL_A)
        recommend_as_computed(world, jury, place)
    world.grade(jury, world.places[2], ALL_A, submit=False)
    certification = world.certification_jury()
    with refused("Grilles de consensus à valider pour", world.places[2].enrolment.candidate.display_name):
        services.deliberation_transmit(jury=jury, certification_jury=certification, transmitted_by=world.admin)
    jury.refresh_from_db()
    assert jury.transmitted_at is None


def test_it_refuses_to_transmit_while_a_candidate_has_no_recommendation(world: World) -> None:
    jury = world.evaluation_jury()
    for place in world.places:
        world.grade(jury, place, ALL_A)
    for place in world.places[:2]:
        recommend_as_computed(world, jury, place)
    certification = world.certification_jury()
    with refused("Préconisation à saisir pour", world.places[2].enrolment.candidate.display_name):
        services.deliberation_transmit(jury=jury, certification_jury=certification, transmitted_by=world.admin)


def test_absent_candidates_are_not_waited_for(world: World) -> None:
    SessionCandidate.objects.filter(pk=world.places[2].pk).update(attendance=Attendance.ABSENT)
    jury = world.evaluation_jury()
    for place in world.places[:2]:
        world.grade(jury, place, ALL_A)
        recommend_as_computed(world, jury, place)
    certification = world.certification_jury()
    services.deliberation_transmit(jury=jury, certification_jury=certification, transmitted_by=world.admin)
    assert list(selectors.transmitted_places(certification)) == world.places[:2]


def test_it_refuses_to_transmit_while_the_attendance_sheet_is_incomplete(world: World) -> None:
    # Transmitted on the exam day while a candidate's slot is still to come, they would reach the
    # certification jury once signed in, with no grid at all.
    late = world.places[2]
    SessionCandidate.objects.filter(pk=late.pk).update(attendance=Attendance.EXPECTED, signed_at=None)
    jury = world.evaluation_jury()
    for place in world.places[:2]:
        world.grade(jury, place, ALL_A)
        recommend_as_computed(world, jury, place)
    certification = world.certification_jury()
    with refused("feuille d'émargement", late.enrolment.candidate.display_name):
        services.deliberation_transmit(jury=jury, certification_jury=certification, transmitted_by=world.admin)
    jury.refresh_from_db()
    assert jury.transmitted_at is None


def test_it_refuses_to_transmit_to_a_certification_jury_of_another_version(world: World) -> None:
    jury = world.evaluation_jury()
    ready(world, jury)
    elsewhere = services.certification_jury_create(
        version=other_version(world), meets_on=world.session.starts_on, created_by=world.admin
    )
    with refused("Choisissez un jury de certification de la même certification"):
        services.deliberation_transmit(jury=jury, certification_jury=elsewhere, transmitted_by=world.admin)


def test_it_refuses_to_transmit_to_an_evaluation_jury(world: World) -> None:
    jury = world.evaluation_jury()
    ready(world, jury)
    with refused("Choisissez un jury de certification"):
        services.deliberation_transmit(jury=jury, certification_jury=jury, transmitted_by=world.admin)


def test_only_the_president_or_the_certifier_transmits(world: World) -> None:
    jury = world.evaluation_jury()
    ready(world, jury)
    certification = world.certification_jury()
    with forbidden("Le président du jury d'évaluation transmet la grille de délibération"):
        services.deliberation_transmit(jury=jury, certification_jury=certification, transmitted_by=world.trainer.user)


def test_a_transmission_is_recorded_and_audited_once(world: World) -> None:
    jury, certification = transmitted(world)
    assert jury.certification_jury == certification
    assert jury.transmitted_by == world.employers.user
    for place in world.places:
        [entry] = audits(place, AuditAction.TRANSMITTED)
        assert entry.actor == world.employers.user
    with refused("Les résultats de cette session sont déjà transmis"):
        services.deliberation_transmit(jury=jury, certification_jury=certification, transmitted_by=world.admin)


def test_after_transmission_grids_and_recommendations_no_longer_change(world: World) -> None:
    jury, _certification = transmitted(world)
    place, bc1 = world.places[0], world.blocks["BC1"]
    with refused("Les résultats de cette session ont été transmis au jury de certification"):
        save(jury, place, bc1, {"C1.1": "NA"}, by=world.trainer.user, consensus=False)
    with refused("ont été transmis au jury de certification"):
        save(jury, place, bc1, full(bc1), by=world.employers.user)
    with refused("ont été transmis au jury de certification"):
        recommend(world, jury, place, "none")


def test_after_transmission_the_evaluation_jury_composition_is_frozen(world: World) -> None:
    jury, _certification = transmitted(world)
    with refused("sa composition ne change plus"):
        services.jury_unassign(jury=jury, member=world.trainer, removed_by=world.admin)
