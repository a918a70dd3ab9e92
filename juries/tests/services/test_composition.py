"""Juries and their composition: seats, colleges, the president, internal members, frozen composition
(juries.services.composition)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from juries import selectors, services
from juries.tests.conftest import World
from juries.tests.services.helpers import ALL_A, forbidden, jury_member_for, ready, refused, register, save
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_an_evaluation_jury_sits_with_one_member_of_each_college(world: World) -> None:
    jury = world.evaluation_jury()
    assert selectors.composition_problems(jury) == []
    assert sorted(jury.seats.values_list("college", flat=True)) == ["employees", "employers", "trainer"]
    assert jury.president == world.employers


def test_a_certification_jury_sits_with_both_representatives_and_the_certifier_president(world: World) -> None:
    jury = world.certification_jury()
    assert selectors.composition_problems(jury) == []
    assert sorted(jury.seats.values_list("college", flat=True)) == ["certifier_president", "employees", "employers"]
    assert jury.president == world.cert_president


def test_it_refuses_a_second_employees_representative(world: World) -> None:
    jury = world.evaluation_jury()
    with refused("Le jury a déjà son représentant des salariés", world.employees.name, "un seul par jury"):
        services.jury_assign(jury=jury, member=world.cert_employees, assigned_by=world.admin)
    assert jury.seats.count() == 3


def test_it_refuses_a_second_trainer(world: World) -> None:
    other = register(world, "formateur2@example.org", "trainer")
    jury = world.evaluation_jury()
    with refused("Le jury a déjà son formateur ou accompagnateur CQP"):
        services.jury_assign(jury=jury, member=other, assigned_by=world.admin)


def test_it_refuses_a_certifier_president_on_an_evaluation_jury(world: World) -> None:
    jury = services.evaluation_jury_create(session=world.session, created_by=world.admin)
    with refused("Un président de l'instance de certification ne siège pas"):
        services.jury_assign(jury=jury, member=world.cert_president, assigned_by=world.admin)


def test_it_refuses_a_trainer_on_a_certification_jury(world: World) -> None:
    jury = services.certification_jury_create(
        version=world.version, meets_on=world.session.starts_on, created_by=world.admin
    )
    with refused("Un formateur ou accompagnateur CQP ne siège pas dans un jury de certification"):
        services.jury_assign(jury=jury, member=world.trainer, assigned_by=world.admin)


def test_it_refuses_a_trainer_as_president_of_an_evaluation_jury(world: World) -> None:
    jury = world.evaluation_jury()
    with refused(world.trainer.name, "choisi parmi : représentant des salariés, représentant des employeurs"):
        services.jury_president_designate(jury=jury, member=world.trainer, designated_by=world.admin)
    jury.refresh_from_db()
    assert jury.president == world.employers


def test_the_employees_representative_may_preside_the_evaluation_jury(world: World) -> None:
    jury = world.evaluation_jury(president=world.employees)
    assert jury.president == world.employees


def test_a_certification_jury_is_presided_by_the_certifier_president_only(world: World) -> None:
    jury = world.certification_jury()
    with refused("présidé par le président de l'instance de certification"):
        services.jury_president_designate(jury=jury, member=world.cert_employees, designated_by=world.admin)


def test_it_refuses_a_president_who_does_not_sit(world: World) -> None:
    jury = world.evaluation_jury()
    with refused(world.cert_employees.name, "ne siège pas dans ce jury"):
        services.jury_president_designate(jury=jury, member=world.cert_employees, designated_by=world.admin)


def test_it_refuses_a_trainer_who_trained_for_the_candidates_organisation(world: World) -> None:
    trainer = register(world, "ancien@example.org", "trainer", trained_organisations=[world.organisation])
    jury = services.evaluation_jury_create(session=world.session, created_by=world.admin)
    with refused(trainer.name, "a un lien avec la formation des candidats (a formé des candidats de BJO Formation)"):
        services.jury_assign(jury=jury, member=trainer, assigned_by=world.admin)


def test_it_refuses_a_trainer_who_trained_one_of_the_candidates(world: World) -> None:
    trained = world.places[2].enrolment.candidate
    trainer = register(world, "tuteur@example.org", "trainer", trained_candidates=[trained])
    jury = services.evaluation_jury_create(session=world.session, created_by=world.admin)
    # The refusal names the candidate concerned.
    with refused(f"a un lien avec la formation des candidats (a formé {trained.display_name})"):
        services.jury_assign(jury=jury, member=trainer, assigned_by=world.admin)


def test_it_refuses_a_second_member_from_the_candidates_organisation(world: World) -> None:
    inside = register(world, "interne1@example.org", "employees", organisation=world.organisation)
    also_inside = register(world, "interne2@example.org", "employers", organisation=world.organisation)
    jury = services.evaluation_jury_create(session=world.session, created_by=world.admin)
    seat = services.jury_assign(jury=jury, member=inside, assigned_by=world.admin)
    assert seat.internal
    with refused(also_inside.name, "au moins la moitié du jury d'évaluation doit être extérieure à l'organisme"):
        services.jury_assign(jury=jury, member=also_inside, assigned_by=world.admin)
    assert jury.seats.count() == 1


def test_a_member_of_another_organisation_is_external(world: World) -> None:
    fougeres = OrganisationFactory(name="École d'horlogerie de Fougères")
    elsewhere = register(world, "ailleurs@example.org", "employees", organisation=fougeres)
    jury = services.evaluation_jury_create(session=world.session, created_by=world.admin)
    assert not services.jury_assign(jury=jury, member=elsewhere, assigned_by=world.admin).internal


def test_it_refuses_a_certification_jury_mostly_internal_to_the_transmitted_organisation(world: World) -> None:
    jury = world.evaluation_jury()
    ready(world, jury)
    inside = register(world, "interne1@example.org", "employees", organisation=world.organisation)
    also_inside = register(world, "interne2@example.org", "employers", organisation=world.organisation)
    certification = services.certification_jury_create(
        version=world.version, meets_on=world.session.starts_on, created_by=world.admin
    )
    # Composed before anything is transmitted to it: the organisation is not known yet.
    for member in (inside, also_inside, world.cert_president):
        services.jury_assign(jury=certification, member=member, assigned_by=world.admin)
    with refused(inside.name, also_inside.name, "au moins la moitié du jury de certification doit être extérieure"):
        services.deliberation_transmit(jury=jury, certification_jury=certification, transmitted_by=world.admin)
    jury.refresh_from_db()
    assert jury.transmitted_at is None


def test_a_certification_jury_with_one_member_from_the_transmitted_organisation_sits(world: World) -> None:
    jury = world.evaluation_jury()
    ready(world, jury)
    inside = register(world, "interne1@example.org", "employees", organisation=world.organisation)
    certification = services.certification_jury_create(
        version=world.version, meets_on=world.session.starts_on, created_by=world.admin
    )
    for member in (inside, world.cert_employers, world.cert_president):
        services.jury_assign(jury=certification, member=member, assigned_by=world.admin)
    services.jury_president_designate(jury=certification, member=world.cert_president, designated_by=world.admin)
    services.deliberation_transmit(jury=jury, certification_jury=certification, transmitted_by=world.admin)
    assert list(certification.seats.filter(internal=True).values_list("member", flat=True)) == [inside.pk]
    assert selectors.composition_problems(certification) == []
    # Once the organisation is known, a second internal member is refused at assignment too.
    services.jury_unassign(jury=certification, member=world.cert_employers, removed_by=world.admin)
    also_inside = register(world, "interne2@example.org", "employers", organisation=world.organisation)
    with refused("au moins la moitié du jury de certification doit être extérieure"):
        services.jury_assign(jury=certification, member=also_inside, assigned_by=world.admin)


def test_the_composition_is_frozen_once_a_grid_is_submitted(world: World) -> None:
    jury = world.evaluation_jury()
    world.grade(jury, world.places[0], ALL_A)
    with refused("Le jury a commencé à statuer : sa composition ne change plus"):
        services.jury_unassign(jury=jury, member=world.trainer, removed_by=world.admin)
    with refused("sa composition ne change plus"):
        services.jury_president_designate(jury=jury, member=world.employees, designated_by=world.admin)
    assert jury.seats.count() == 3


def test_a_draft_grid_does_not_freeze_the_composition(world: World) -> None:
    jury = world.evaluation_jury()
    world.grade(jury, world.places[0], ALL_A, submit=False)
    services.jury_unassign(jury=jury, member=world.trainer, removed_by=world.admin)
    assert selectors.composition_problems(jury) == ["Il manque le formateur ou accompagnateur CQP."]


def test_unassigning_the_president_leaves_the_jury_without_one(world: World) -> None:
    jury = world.evaluation_jury()
    services.jury_unassign(jury=jury, member=world.employers, removed_by=world.admin)
    jury.refresh_from_db()
    assert jury.president is None
    assert "Le président du jury n'est pas désigné." in selectors.composition_problems(jury)


def test_only_a_certifier_admin_composes_a_jury(world: World) -> None:
    with forbidden("Seul un administrateur du certificateur peut constituer un jury"):
        services.evaluation_jury_create(session=world.session, created_by=world.staff)
    with forbidden("Seul un administrateur du certificateur peut constituer un jury"):
        services.certification_jury_create(
            version=world.version, meets_on=world.session.starts_on, created_by=world.staff
        )
    jury = services.evaluation_jury_create(session=world.session, created_by=world.admin)
    with forbidden("Seul un administrateur du certificateur peut composer un jury"):
        services.jury_assign(jury=jury, member=world.employees, assigned_by=world.staff)
    services.jury_assign(jury=jury, member=world.employees, assigned_by=world.admin)
    with forbidden("Seul un administrateur du certificateur peut composer un jury"):
        services.jury_unassign(jury=jury, member=world.employees, removed_by=world.employees.user)
    assert jury.seats.count() == 1


def test_a_session_has_one_evaluation_jury(world: World) -> None:
    world.evaluation_jury()
    with refused("Cette session a déjà son jury d'évaluation"):
        services.evaluation_jury_create(session=world.session, created_by=world.admin)


def test_an_outsider_cannot_designate_the_president(world: World) -> None:
    jury = world.evaluation_jury()
    with pytest.raises(PermissionDenied, match="Seuls les membres du jury et le certificateur désignent le président"):
        services.jury_president_designate(jury=jury, member=world.employees, designated_by=world.staff)


def test_a_trainer_employed_by_the_candidates_organisation_is_linked_to_their_training(world: World) -> None:
    inside = jury_member_for(world, "formatrice-bjo@example.org", "trainer", organisation=world.organisation)
    jury = services.evaluation_jury_create(session=world.session, created_by=world.admin)
    with refused("a un lien avec la formation des candidats (travaille pour BJO Formation)"):
        services.jury_assign(jury=jury, member=inside, assigned_by=world.admin)


def test_a_withdrawn_member_stops_the_jury_until_replaced(world: World) -> None:
    jury = world.evaluation_jury()
    services.jury_member_withdraw(member=world.trainer, withdrawn_by=world.admin, reason="Départ à la retraite")
    assert any("n'est plus habilité" in problem for problem in selectors.composition_problems(jury))
    with refused("Le jury n'est pas au complet", "n'est plus habilité"):
        save(jury, world.places[0], world.blocks["BC1"], ALL_A, by=world.employers.user)
