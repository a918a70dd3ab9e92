"""Recusals found by the rules or declared, and who keeps the consensus when the president is recused
(juries.services.impartiality)."""

from __future__ import annotations

import pytest

from candidates import services as candidate_services
from juries import selectors, services
from juries.models import AuditAction, AuditEntry, Grid, GridStatus, Recusal, RecusalReason
from juries.tests.conftest import World
from juries.tests.services.helpers import ALL_A, audits, forbidden, full, ready, recommend, refused, register, save

pytestmark = pytest.mark.django_db


def test_a_member_from_the_candidates_company_is_recused_on_assignment(world: World) -> None:
    # The first candidate works at « Maison Verlaine ».
    colleague = register(world, "verlaine@example.org", "employees", company_name="MAISON VERLAINE SARL")
    jury = services.evaluation_jury_create(session=world.session, created_by=world.admin)
    services.jury_assign(jury=jury, member=colleague, assigned_by=world.admin)
    recusals = list(Recusal.objects.filter(jury=jury))
    assert [(r.member, r.place, r.reason) for r in recusals] == [
        (colleague, world.places[0], RecusalReason.SAME_COMPANY)
    ]


def test_a_member_from_the_candidates_firm_by_siren_is_recused_on_assignment(world: World) -> None:
    candidate = world.places[1].enrolment.candidate
    candidate_services.candidate_update(candidate=candidate, company_siret="73282932000132")
    colleague = register(
        world, "siege@example.org", "employers", company_name="Groupe du siège", company_siret="73282932000074"
    )
    jury = services.evaluation_jury_create(session=world.session, created_by=world.admin)
    services.jury_assign(jury=jury, member=colleague, assigned_by=world.admin)
    assert list(Recusal.objects.filter(jury=jury).values_list("member", "place", "reason")) == [
        (colleague.pk, world.places[1].pk, RecusalReason.SAME_COMPANY)
    ]


def test_a_jury_with_no_link_to_the_candidates_has_no_recusal(world: World) -> None:
    jury = world.evaluation_jury()
    assert not Recusal.objects.filter(jury=jury).exists()


def test_a_certification_jury_member_who_trained_a_candidate_is_recused_for_that_candidate(world: World) -> None:
    trained = world.places[2].enrolment.candidate
    tutor = register(world, "tuteur@example.org", "employees", trained_candidates=[trained])
    jury = world.evaluation_jury()
    ready(world, jury)
    certification = services.certification_jury_create(
        version=world.version, meets_on=world.session.starts_on, created_by=world.admin
    )
    for member in (tutor, world.cert_employers, world.cert_president):
        services.jury_assign(jury=certification, member=member, assigned_by=world.admin)
    services.jury_president_designate(jury=certification, member=world.cert_president, designated_by=world.admin)
    assert not certification.recusals.exists()  # nothing transmitted yet: no candidate to be recused for

    services.deliberation_transmit(jury=jury, certification_jury=certification, transmitted_by=world.admin)

    assert list(certification.recusals.values_list("member", "place", "reason")) == [
        (tutor.pk, world.places[2].pk, RecusalReason.TRAINED)
    ]


def test_declaring_a_conflict_records_a_declared_recusal_and_an_audit_entry(world: World) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    save(jury, place, world.blocks["BC1"], {"C1.1": "A"}, by=world.trainer.user, consensus=False)

    recusal = services.conflict_declare(
        jury=jury, place=place, member=world.trainer, note=" Voisin du candidat ", declared_by=world.trainer.user
    )

    assert recusal.reason == RecusalReason.DECLARED
    assert recusal.note == "Voisin du candidat"
    assert recusal.recorded_by == world.trainer.user
    # The draft the member had started no longer counts.
    assert not Grid.objects.filter(place=place, member=world.trainer).exists()
    [entry] = audits(place, AuditAction.RECUSAL)
    assert entry.actor == world.trainer.user
    assert entry.candidate == place.enrolment.candidate
    assert entry.after["membre"] == world.trainer.name
    assert entry.after["précisions"] == "Voisin du candidat"


def test_a_member_declares_only_their_own_conflicts(world: World) -> None:
    jury = world.evaluation_jury()
    with forbidden("Un membre déclare ses propres liens avec un candidat"):
        services.conflict_declare(
            jury=jury, place=world.places[0], member=world.trainer, note="", declared_by=world.employees.user
        )


def test_a_conflict_is_declared_once(world: World) -> None:
    jury = world.evaluation_jury()
    services.conflict_declare(jury=jury, place=world.places[0], member=world.trainer, note="", declared_by=world.admin)
    with refused("Ce lien est déjà déclaré"):
        services.conflict_declare(
            jury=jury, place=world.places[0], member=world.trainer, note="", declared_by=world.admin
        )


def test_a_recused_member_cannot_save_their_grid_for_that_candidate(world: World) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    services.conflict_declare(jury=jury, place=place, member=world.trainer, note="", declared_by=world.trainer.user)
    with forbidden("Vous êtes déporté(e) pour", place.enrolment.candidate.display_name):
        save(jury, place, world.blocks["BC1"], {"C1.1": "A"}, by=world.trainer.user, consensus=False)
    # Other candidates are not concerned.
    save(jury, world.places[1], world.blocks["BC1"], {"C1.1": "A"}, by=world.trainer.user, consensus=False)


def test_an_automatically_recused_member_cannot_save_their_grid(world: World) -> None:
    colleague = register(world, "verlaine@example.org", "employees", company_name="Maison Verlaine")
    jury = services.evaluation_jury_create(session=world.session, created_by=world.admin)
    for member in (colleague, world.employers, world.trainer):
        services.jury_assign(jury=jury, member=member, assigned_by=world.admin)
    services.jury_president_designate(jury=jury, member=world.employers, designated_by=world.admin)
    with forbidden("Vous êtes déporté(e)"):
        save(jury, world.places[0], world.blocks["BC1"], {"C1.1": "A"}, by=colleague.user, consensus=False)


def test_a_member_recused_after_starting_their_grid_cannot_submit_it(world: World) -> None:
    jury = world.evaluation_jury()
    place, bc1 = world.places[0], world.blocks["BC1"]
    own = save(jury, place, bc1, full(bc1), by=world.trainer.user, consensus=False)
    # The candidate's record now names the trainer's employer: the next refresh finds the link.
    candidate_services.candidate_update(
        candidate=place.enrolment.candidate, company_name="Centre de formation de Saumur"
    )
    assert services.recusals_refresh(jury=jury, actor=world.admin) == 1
    with forbidden("Vous êtes déporté(e) pour", place.enrolment.candidate.display_name):
        services.grids_submit(grids=[own], submitted_by=world.trainer.user)
    own.refresh_from_db()
    assert own.status == GridStatus.DRAFT


def test_when_the_president_is_recused_the_other_representative_enters_the_consensus(world: World) -> None:
    jury = world.evaluation_jury(president=world.employers)
    place = world.places[0]
    bc1 = world.blocks["BC1"]
    services.conflict_declare(jury=jury, place=place, member=world.employers, note="", declared_by=world.admin)

    assert selectors.keeper(jury, place) == world.employees
    with forbidden("Le président est déporté pour ce candidat", f"c'est {world.employees.name} qui saisit"):
        save(jury, place, bc1, full(bc1), by=world.employers.user)
    with forbidden(f"c'est {world.employees.name} qui saisit"):
        save(jury, place, bc1, full(bc1), by=world.trainer.user)

    keeper = world.employees.user
    grids = [save(jury, place, block, full(block), by=keeper) for block in selectors.blocks_sat(place)]
    services.grids_submit(grids=grids, submitted_by=keeper)
    with forbidden(f"c'est {world.employees.name} qui saisit"):
        services.recommendation_record(
            place=place, kind="total", blocks=[], comments="", recorded_by=world.employers.user
        )
    recommendation = recommend(world, jury, place, "total")
    assert recommendation.recorded_by == world.employees.user
    # The president still keeps the other candidates.
    assert selectors.keeper(jury, world.places[1]) == world.employers


def test_nobody_enters_the_consensus_when_both_representatives_are_recused(world: World) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    for member in (world.employers, world.employees):
        services.conflict_declare(jury=jury, place=place, member=member, note="", declared_by=world.admin)
    assert selectors.keeper(jury, place) is None
    with refused("le certificateur doit compléter le jury"):
        save(jury, place, world.blocks["BC1"], {"C1.1": "A"}, by=world.employers.user)


def test_a_president_who_declares_a_conflict_leaves_no_consensus_behind(world: World) -> None:
    jury = world.evaluation_jury()
    place, bc1 = world.places[0], world.blocks["BC1"]
    save(jury, place, bc1, {"C1.1": "A"}, by=world.employers.user)
    services.conflict_declare(jury=jury, place=place, member=world.employers, note="voisin", declared_by=world.admin)
    assert not Grid.objects.filter(place=place, member__isnull=True).exists()
    assert selectors.keeper(jury, place) == world.employees


def test_a_president_cannot_step_aside_after_validating_the_consensus(world: World) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    world.grade(jury, place, ALL_A)
    with refused("Vous avez déjà validé la grille de consensus de ce candidat"):
        services.conflict_declare(jury=jury, place=place, member=world.employers, note="", declared_by=world.admin)
    assert not Recusal.objects.filter(place=place).exists()


def test_a_recusal_found_by_the_rules_is_in_the_candidates_history(world: World) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    candidate_services.candidate_update(candidate=place.enrolment.candidate, company_name="Joaillerie Moreau")
    assert services.recusals_refresh(jury=jury, actor=world.admin) == 1
    entry = AuditEntry.objects.get(place=place, action="recusal")
    assert entry.actor == world.admin
    assert "déporté(e) d'office" in entry.subject
    assert entry.after["motif"] == "Travaille dans l'entreprise du candidat"
