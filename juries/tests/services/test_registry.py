"""The member registry: proposals, habilitation and its withdrawal (juries.services.registry)."""

from __future__ import annotations

import pytest

from juries import services
from juries.models import JuryMember, MemberStatus
from juries.tests.conftest import World
from juries.tests.services.helpers import forbidden, other_version, refused, register

pytestmark = pytest.mark.django_db


def test_it_refuses_to_propose_a_member_without_a_certification(world: World) -> None:
    with refused("Indiquez au moins une certification"):
        register(world, "nouveau@example.org", "employees", certifications=[])
    assert not JuryMember.objects.filter(user__email="nouveau@example.org").exists()


def test_organisation_staff_propose_a_member_who_waits_for_approval(world: World) -> None:
    member = services.jury_member_register(
        email="propose@example.org",
        first_name="Lou",
        last_name="Perrin",
        college="trainer",
        certifications=[world.version.certification],
        proposed_by=world.staff,
    )
    assert member.status == MemberStatus.PROPOSED
    assert member.proposed_by == world.staff
    assert not member.user.is_jury_member


def test_it_refuses_a_member_already_in_the_registry(world: World) -> None:
    with refused("salarie@example.org est déjà dans le registre des membres de jury"):
        register(world, "Salarie@Example.org", "employers")
    assert JuryMember.objects.filter(user__email="salarie@example.org").count() == 1


def test_it_refuses_a_siret_that_is_not_14_digits(world: World) -> None:
    with refused("SIRET invalide : 14 chiffres dont la clé de contrôle est juste"):
        register(world, "nouveau@example.org", "employees", company_siret="1234")


def test_it_refuses_a_siret_whose_check_digit_is_wrong(world: World) -> None:
    # The same rule as a candidate's company (cqp.lib.siret: Luhn), not only "14 digits".
    with refused("SIRET invalide : 14 chiffres dont la clé de contrôle est juste"):
        register(world, "nouveau@example.org", "employees", company_siret="73282932000075")
    assert not JuryMember.objects.filter(email="nouveau@example.org").exists()
    member = register(world, "nouveau@example.org", "employees", company_siret=" 732 829 320 00074 ")
    assert member.company_siret == "73282932000074"


def test_only_a_certifier_admin_approves_a_member(world: World) -> None:
    member = register(world, "nouveau@example.org", "employees", approve=False)
    with forbidden("Seul un administrateur du certificateur peut habiliter un membre de jury"):
        services.jury_member_approve(member=member, approved_by=world.staff)
    member.refresh_from_db()
    assert member.status == MemberStatus.PROPOSED


def test_approval_makes_the_user_a_jury_member(world: World) -> None:
    member = register(world, "nouveau@example.org", "employees", approve=False)
    assert not member.user.is_jury_member
    services.jury_member_approve(member=member, approved_by=world.admin)
    member.refresh_from_db()
    member.user.refresh_from_db()
    assert member.status == MemberStatus.APPROVED
    assert member.approved_by == world.admin
    assert member.approved_at is not None
    assert member.user.is_jury_member


def test_it_refuses_to_approve_a_member_twice(world: World) -> None:
    with refused("est déjà habilité(e)"):
        services.jury_member_approve(member=world.employees, approved_by=world.admin)


def test_withdrawal_needs_a_reason(world: World) -> None:
    with refused("Indiquez le motif du retrait"):
        services.jury_member_withdraw(member=world.employees, withdrawn_by=world.admin, reason="   ")
    world.employees.refresh_from_db()
    assert world.employees.status == MemberStatus.APPROVED


def test_only_a_certifier_admin_withdraws_an_approval(world: World) -> None:
    with forbidden("Seul un administrateur du certificateur peut retirer une habilitation"):
        services.jury_member_withdraw(member=world.employees, withdrawn_by=world.staff, reason="Départ")


def test_withdrawal_records_its_reason(world: World) -> None:
    services.jury_member_withdraw(member=world.employees, withdrawn_by=world.admin, reason=" A quitté la branche ")
    world.employees.refresh_from_db()
    assert world.employees.status == MemberStatus.WITHDRAWN
    assert world.employees.status_reason == "A quitté la branche"


def test_a_withdrawn_member_cannot_be_assigned(world: World) -> None:
    services.jury_member_withdraw(member=world.employees, withdrawn_by=world.admin, reason="A quitté la branche")
    jury = services.evaluation_jury_create(session=world.session, created_by=world.admin)
    with refused(world.employees.name, "n'est pas habilité(e) par le certificateur"):
        services.jury_assign(jury=jury, member=world.employees, assigned_by=world.admin)
    assert not jury.seats.exists()


def test_an_unapproved_member_cannot_be_assigned(world: World) -> None:
    member = register(world, "nouveau@example.org", "employees", approve=False)
    jury = services.evaluation_jury_create(session=world.session, created_by=world.admin)
    with refused("n'est pas habilité(e) par le certificateur"):
        services.jury_assign(jury=jury, member=member, assigned_by=world.admin)


def test_a_member_not_approved_for_the_certification_cannot_be_assigned(world: World) -> None:
    member = register(world, "horloger@example.org", "employees", certifications=[other_version(world).certification])
    jury = services.evaluation_jury_create(session=world.session, created_by=world.admin)
    with refused(member.name, "n'est pas habilité(e) pour cette certification"):
        services.jury_assign(jury=jury, member=member, assigned_by=world.admin)
