"""Carry-over that cannot lie: only a final result or a recorded prior acquisition counts in a later session;
a result that changes flags the later decisions that relied on it; decisions wait for the jury's meeting day
and stop changing once final."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from candidates.models import Candidate
from juries import carry, lifecycle, result_state, selectors, services
from juries.models import AuditAction, AuditEntry, CarryOverFlag, Decision, Jury, PriorAcquisition, PriorSource
from juries.services import prior_acquisition_record, prior_acquisition_withdraw
from juries.tests.conftest import World
from juries.tests.services.helpers import ALL_A, decide, ratify, recommend_as_computed, refused, row
from juries.tests.services.test_earlier_blocks import earlier_partial_bc1

pytestmark = pytest.mark.django_db


def test_a_provisional_earlier_result_is_not_carried(world: World) -> None:
    place, decision = earlier_partial_bc1(world, final=False)
    assert result_state.state(decision) == lifecycle.PROVISIONAL
    assert [b.code for b in selectors.blocks_sat(place)] == ["BC1", "BC2"]
    assert carry.sources(place) == []


def test_a_final_earlier_result_is_carried_with_its_origin(world: World) -> None:
    place, decision = earlier_partial_bc1(world)
    assert result_state.state(decision) == lifecycle.FINAL
    (item,) = carry.sources(place)
    assert (item.block_id, item.decision_id, item.prior_id) == (world.blocks["BC1"].pk, decision.pk, None)
    assert f"jury de certification du {decision.jury.meets_on:%d/%m/%Y}" in item.origin
    cell = row(place, world.version).cells[0]
    assert cell.origin == item.origin


def test_a_final_result_no_longer_changes(world: World) -> None:
    _place, decision = earlier_partial_bc1(world)
    with refused("Ce résultat est définitif : il ne se modifie plus."):
        decide(world, decision.jury, decision.place, "total")
    decision.refresh_from_db()
    assert decision.kind == "partial"


def test_no_decision_before_the_certification_jury_meets(world: World) -> None:
    evaluation = world.evaluation_jury()
    for other in world.places:
        world.grade(evaluation, other, ALL_A)
        recommend_as_computed(world, evaluation, other)
    certification = world.certification_jury()
    services.deliberation_transmit(jury=evaluation, certification_jury=certification, transmitted_by=world.admin)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    Jury.objects.filter(pk=certification.pk).update(meets_on=tomorrow)
    certification.refresh_from_db()
    with refused(f"Le jury de certification se réunit le {tomorrow:%d/%m/%Y}", "aucune décision"):
        decide(world, certification, world.places[0], "total")
    assert not Decision.objects.filter(jury=certification).exists()


def _prior(world: World, place_candidate: Candidate, code: str = "BC1", **fields: Any) -> PriorAcquisition:
    values: dict[str, Any] = {
        "acquired_on": dt.date(2019, 6, 14),
        "source": PriorSource.PAPER_PV,
        "reference": "PV papier 2019-06",
    }
    values.update(fields)
    return prior_acquisition_record(
        candidate=place_candidate, block=world.blocks[code], recorded_by=world.admin, **values
    )


def test_a_prior_acquisition_is_carried_within_its_validity(world: World) -> None:
    place = world.places[0]
    candidate = place.enrolment.candidate
    prior = _prior(world, candidate)
    (item,) = carry.sources(place)
    assert (item.block_id, item.prior_id, item.acquired_on) == (world.blocks["BC1"].pk, prior.pk, prior.acquired_on)
    assert "acquis antérieur (procès-verbal papier, réf. PV papier 2019-06) du 14/06/2019" in item.origin
    assert [b.code for b in selectors.blocks_sat(place)] == ["BC2"]
    # An expired block is sat again (RNCP 26850's validity set to 5 years here; 31313's is unlimited).
    world.version.block_validity_years = 5
    world.version.save(update_fields=["block_validity_years"])
    place.refresh_from_db()
    assert carry.sources(type(place).objects.get(pk=place.pk)) == []


def test_prior_acquisition_refusals_in_french(world: World) -> None:
    candidate = world.places[0].enrolment.candidate
    with refused("Indiquez la référence du document"):
        _prior(world, candidate, reference="  ")
    with refused("La date d'acquisition est à venir"):
        _prior(world, candidate, acquired_on=timezone.localdate() + dt.timedelta(days=1))
    _prior(world, candidate)
    with refused("Le bloc BC1 est déjà enregistré comme acquis antérieur pour ce candidat."):
        _prior(world, candidate)
    with pytest.raises(PermissionDenied):
        prior_acquisition_record(
            candidate=candidate,
            block=world.blocks["BC2"],
            acquired_on=dt.date(2019, 1, 1),
            source=PriorSource.PAPER_PV,
            reference="x",
            recorded_by=world.staff,
        )


def test_a_changed_source_flags_the_decisions_that_relied_on_it_and_blocks_issuing(world: World) -> None:
    place = world.places[0]
    prior = _prior(world, place.enrolment.candidate)
    evaluation = world.evaluation_jury()
    for other in world.places:
        world.grade(evaluation, other, ALL_A)
        recommend_as_computed(world, evaluation, other)
    certification = world.certification_jury()
    services.deliberation_transmit(jury=evaluation, certification_jury=certification, transmitted_by=world.admin)
    decisions = [decide(world, certification, other, "total") for other in world.places]
    assert list(decisions[0].relied_on_prior.all()) == [prior]
    ratify(world, certification)
    assert carry.issue_refusal(decisions[0]) is None

    with refused("Indiquez pourquoi"):
        prior_acquisition_withdraw(prior=prior, reason="", withdrawn_by=world.admin)
    prior_acquisition_withdraw(prior=prior, reason="PV papier introuvable", withdrawn_by=world.admin)
    (flag,) = CarryOverFlag.objects.filter(decision=decisions[0])
    assert "PV papier introuvable" in flag.reason
    assert not CarryOverFlag.objects.filter(decision=decisions[1]).exists()
    assert "un administrateur doit revoir le report" in (carry.issue_refusal(decisions[0]) or "")
    assert not carry.carriable_decisions().filter(pk=decisions[0].pk).exists()
    assert AuditEntry.objects.filter(action=AuditAction.CARRY_FLAG, place=place).exists()

    with pytest.raises(PermissionDenied):
        carry.flag_resolve(flag=flag, resolution="vu", resolved_by=world.staff)
    with refused("Indiquez ce qui a été vérifié"):
        carry.flag_resolve(flag=flag, resolution=" ", resolved_by=world.admin)
    carry.flag_resolve(flag=flag, resolution="Bloc BC1 réévalué : acquis confirmé", resolved_by=world.admin)
    assert carry.issue_refusal(decisions[0]) is None
    with refused("déjà levé"):
        carry.flag_resolve(flag=flag, resolution="encore", resolved_by=world.admin)


def test_nothing_is_issued_from_a_provisional_result(world: World) -> None:
    _place, decision = earlier_partial_bc1(world, final=False)
    assert carry.issue_refusal(decision) == (
        "Ce résultat est provisoire : rien ne s'émet tant qu'il n'est pas définitif."
    )


def test_the_state_of_a_list_of_decisions_is_read_in_one_query(world: World, django_assert_num_queries: Any) -> None:
    _place, decision = earlier_partial_bc1(world)
    with django_assert_num_queries(1):
        listed = list(result_state.with_result_state(Decision.objects.all()))
        states = result_state.states(listed)
    assert states == {decision.pk: lifecycle.FINAL}


def test_open_appeal_statuses_agree_with_the_results_app() -> None:
    from results.models import OPEN_STATUSES

    assert set(result_state.OPEN_APPEAL_STATUSES) == {str(s) for s in OPEN_STATUSES}
