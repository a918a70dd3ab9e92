"""The certification jury: disputes and decisions, with a reason when they depart
(juries.services.certification)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from juries import services
from juries.models import AuditAction, AuditEntry, Decision
from juries.tests.conftest import World
from juries.tests.services.helpers import (
    audits,
    decide,
    forbidden,
    raise_dispute,
    ready,
    recommend,
    refused,
    transmitted,
)

pytestmark = pytest.mark.django_db


def test_it_refuses_a_decision_on_a_candidate_not_transmitted(world: World) -> None:
    jury = world.evaluation_jury()
    ready(world, jury)
    certification = world.certification_jury()
    with refused("Les résultats de ce candidat n'ont pas été transmis à ce jury"):
        decide(world, certification, world.places[0], "total")
    assert not Decision.objects.exists()


def test_only_the_certification_jury_decides(world: World) -> None:
    jury, _certification = transmitted(world)
    with refused("Seul le jury de certification décide"):
        services.decision_record(
            jury=jury, place=world.places[0], kind="total", blocks=[], reason="", decided_by=world.employers.user
        )


def test_only_the_president_records_a_decision(world: World) -> None:
    _jury, certification = transmitted(world)
    with forbidden("Seul le président du jury saisit"):
        services.decision_record(
            jury=certification,
            place=world.places[0],
            kind="total",
            blocks=[],
            reason="",
            decided_by=world.cert_employees.user,
        )


def test_it_refuses_a_decision_while_a_dispute_is_open_and_allows_it_once_resolved(world: World) -> None:
    _jury, certification = transmitted(world)
    place = world.places[0]
    dispute = services.dispute_record(
        jury=certification,
        place=place,
        description="Grille BC2 illisible",
        summon_evaluation_jury=True,
        recorded_by=world.cert_employees.user,
    )
    with refused("Un litige est ouvert sur ce candidat"):
        decide(world, certification, place, "total")
    # Other candidates are not held up.
    decide(world, certification, world.places[1], "total")

    services.dispute_resolve(dispute=dispute, resolution="Grille relue avec le jury", resolved_by=world.admin)

    assert decide(world, certification, place, "total").kind == "total"
    assert [e.action for e in AuditEntry.objects.filter(place=place).order_by("pk")][-3:] == [
        AuditAction.DISPUTE,
        AuditAction.DISPUTE_RESOLVED,
        AuditAction.DECISION,
    ]


def test_a_dispute_needs_a_description_and_a_resolution(world: World) -> None:
    _jury, certification = transmitted(world)
    with refused("Décrivez l'objet du litige"):
        raise_dispute(world, certification, world.places[0], " ")
    dispute = raise_dispute(world, certification, world.places[0], "Doute")
    with refused("Indiquez l'issue du litige"):
        services.dispute_resolve(dispute=dispute, resolution="", resolved_by=world.admin)
    services.dispute_resolve(dispute=dispute, resolution="Levé", resolved_by=world.admin)
    with refused("Ce litige est déjà clos"):
        services.dispute_resolve(dispute=dispute, resolution="Encore", resolved_by=world.admin)


def test_only_the_certification_jury_and_the_certifier_record_and_close_a_dispute(world: World) -> None:
    _jury, certification = transmitted(world)
    for outsider in (world.trainer.user, world.staff):
        with forbidden("Seuls les membres du jury de certification enregistrent un litige"):
            services.dispute_record(
                jury=certification,
                place=world.places[0],
                description="Doute",
                summon_evaluation_jury=False,
                recorded_by=outsider,
            )
    dispute = services.dispute_record(
        jury=certification,
        place=world.places[0],
        description="Doute",
        summon_evaluation_jury=False,
        recorded_by=world.cert_employees.user,
    )
    with forbidden("Seuls les membres du jury de certification closent un litige"):
        services.dispute_resolve(dispute=dispute, resolution="Levé", resolved_by=world.trainer.user)
    services.dispute_resolve(dispute=dispute, resolution="Levé", resolved_by=world.cert_employees.user)


def test_no_dispute_once_the_jury_has_decided(world: World) -> None:
    _jury, certification = transmitted(world)
    decide(world, certification, world.places[0], "total")
    with refused("Le jury a déjà statué sur ce candidat"):
        raise_dispute(world, certification, world.places[0], "Doute")


def test_a_decision_equal_to_the_computed_result_and_the_recommendation_needs_no_reason(world: World) -> None:
    _jury, certification = transmitted(world)
    decision = decide(world, certification, world.places[0], "total")
    assert decision.kind == "total"
    assert decision.reason == ""
    assert decision.jury == certification
    assert decision.decided_by == world.cert_president.user


def test_it_refuses_to_depart_from_both_without_a_reason_and_names_them(world: World) -> None:
    _jury, certification = transmitted(world)
    place = world.places[0]
    with refused(
        "Cette décision s'écarte",
        "du résultat calculé par les règles (attribution totale)",
        "de la préconisation du jury d'évaluation (attribution totale)",
        "motivez-la par écrit",
    ):
        decide(world, certification, place, "none", reason="  ")
    assert not Decision.objects.exists()

    decision = decide(world, certification, place, "none", reason="Fraude constatée après l'épreuve")
    assert decision.kind == "none"
    assert decision.reason == "Fraude constatée après l'épreuve"


def test_it_names_only_the_recommendation_when_the_decision_follows_the_rules(world: World) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    ready(world, jury, {0: {"C2.1": "NA"}})
    recommend(world, jury, place, "total")  # the evaluation jury departs from the rules itself
    certification = world.certification_jury()
    services.deliberation_transmit(jury=jury, certification_jury=certification, transmitted_by=world.admin)

    with pytest.raises(ValidationError) as excinfo:
        decide(world, certification, place, "partial", ["BC1"])
    text = " ".join(excinfo.value.messages)
    assert "de la préconisation du jury d'évaluation (attribution totale)" in text
    assert "résultat calculé" not in text


def test_it_names_only_the_computed_result_when_the_decision_follows_the_recommendation(world: World) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    ready(world, jury, {0: {"C2.1": "NA"}})
    recommend(world, jury, place, "total")
    certification = world.certification_jury()
    services.deliberation_transmit(jury=jury, certification_jury=certification, transmitted_by=world.admin)

    with pytest.raises(ValidationError) as excinfo:
        decide(world, certification, place, "total")
    text = " ".join(excinfo.value.messages)
    assert "du résultat calculé par les règles (attribution partielle : BC1)" in text
    assert "préconisation" not in text

    assert decide(world, certification, place, "total", reason="Le jury d'évaluation a été entendu").kind == "total"


def test_a_partial_award_on_other_blocks_departs(world: World) -> None:
    _jury, certification = transmitted(world, {0: {"C2.1": "NA"}})
    with refused("du résultat calculé par les règles (attribution partielle : BC1)"):
        decide(world, certification, world.places[0], "partial", ["BC2"])


def test_a_partial_award_records_its_blocks(world: World) -> None:
    _jury, certification = transmitted(world, {0: {"C2.1": "NA"}})
    decision = decide(world, certification, world.places[0], "partial", ["BC1"])
    decision.refresh_from_db()
    assert decision.kind == "partial"
    assert [b.code for b in decision.blocks.all()] == ["BC1"]
    assert decision.reason == ""


def test_it_refuses_a_decision_while_the_certification_jury_is_incomplete(world: World) -> None:
    _jury, certification = transmitted(world)
    services.jury_unassign(jury=certification, member=world.cert_employees, removed_by=world.admin)
    with refused("Le jury n'est pas au complet", "Il manque le représentant des salariés"):
        decide(world, certification, world.places[0], "total")


def test_a_changed_decision_is_audited_with_actor_before_and_after(world: World) -> None:
    _jury, certification = transmitted(world, {0: {"C2.1": "NA"}})
    place = world.places[0]
    decide(world, certification, place, "partial", ["BC1"])
    decide(world, certification, place, "partial", ["BC1"])  # unchanged: no entry
    decide(world, certification, place, "none", reason="Livret incomplet")

    first, second = audits(place, AuditAction.DECISION)
    assert first.before is None
    assert first.after == {"issue": "partial", "blocs": ["BC1"], "motif": ""}
    assert second.before == first.after
    assert second.after == {"issue": "none", "blocs": [], "motif": "Livret incomplet"}
    assert second.reason == "Livret incomplet"
    assert {first.actor, second.actor} == {world.cert_president.user}
    assert second.candidate == place.enrolment.candidate
    decision = Decision.objects.get(place=place)
    assert (decision.kind, list(decision.blocks.all())) == ("none", [])


def test_once_the_jury_has_decided_its_composition_is_frozen(world: World) -> None:
    _jury, certification = transmitted(world)
    decide(world, certification, world.places[0], "total")
    with refused("sa composition ne change plus"):
        services.jury_unassign(jury=certification, member=world.cert_employees, removed_by=world.admin)
