"""The jury registry and presidency leave an audit trail (who, when, before, after, why), shown on the
member registry and on the jury's page."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from accounts.models import AuditAction
from accounts.selectors import audit_trail
from juries import services
from juries.models import JuryMember
from tests.worlds import World

pytestmark = pytest.mark.django_db


def propose(world: World, email: str = "nouveau@example.org") -> JuryMember:
    return services.jury_member_register(
        email=email,
        first_name="Noé",
        last_name="Lefèvre",
        college="employees",
        certifications=[world.version.certification],
        company_name="Bijouterie du Port",
        proposed_by=world.staff,
    )


def test_a_proposal_is_audited_with_who_proposed_what(world: World) -> None:
    member = propose(world)
    (event,) = audit_trail(member)
    assert event.action == AuditAction.MEMBER_PROPOSED
    assert event.actor == world.staff
    assert event.before is None
    after = event.after or {}
    assert after["statut"] == "Proposé, à habiliter"
    assert after["collège"] == member.get_college_display()
    assert after["entreprise"] == "Bijouterie du Port"
    assert after["certifications"] == [world.version.certification.name]


def test_an_approval_then_a_withdrawal_are_audited_with_status_before_after_and_reason(world: World) -> None:
    member = propose(world)
    services.jury_member_approve(member=member, approved_by=world.admin)
    services.jury_member_withdraw(member=member, withdrawn_by=world.admin, reason="A quitté la profession")
    services.jury_member_approve(member=member, approved_by=world.admin)
    _proposed, approved, withdrawn, again = audit_trail(member)
    assert approved.action == AuditAction.MEMBER_APPROVED
    assert approved.actor == world.admin
    assert approved.before == {"statut": "Proposé, à habiliter"}
    assert approved.after == {"statut": "Habilité"}
    assert withdrawn.action == AuditAction.MEMBER_WITHDRAWN
    assert withdrawn.actor == world.admin
    assert withdrawn.before == {"statut": "Habilité"}
    assert withdrawn.after == {"statut": "Habilitation retirée"}
    assert withdrawn.reason == "A quitté la profession"
    assert again.action == AuditAction.MEMBER_APPROVED
    assert again.before == {"statut": "Habilitation retirée"}


def test_a_refused_move_records_nothing(world: World) -> None:
    member = propose(world)
    with pytest.raises((ValidationError, PermissionDenied)):
        services.jury_member_approve(member=member, approved_by=world.staff)
    with pytest.raises(ValidationError):
        services.jury_member_withdraw(member=member, withdrawn_by=world.admin, reason="jamais habilité")
    assert [e.action for e in audit_trail(member)] == [AuditAction.MEMBER_PROPOSED]


def test_a_presidency_is_audited_with_the_president_before_and_after(world: World) -> None:
    jury = world.evaluation_jury()  # the admin designates the employers' representative
    services.jury_president_designate(jury=jury, member=world.employees, designated_by=world.admin)
    first, second = audit_trail(jury)
    assert first.action == second.action == AuditAction.PRESIDENT_DESIGNATED
    assert first.actor == second.actor == world.admin
    assert first.before == {"président": None}
    assert first.after == {"président": world.employers.name}
    assert second.before == {"président": world.employers.name}
    assert second.after == {"président": world.employees.name}


def test_a_president_who_leaves_the_jury_leaves_an_audited_vacancy(world: World) -> None:
    jury = world.evaluation_jury()  # the admin designates the employers' representative
    services.jury_unassign(jury=jury, member=world.employers, removed_by=world.admin)
    jury.refresh_from_db()
    assert jury.president is None
    vacancy = audit_trail(jury)[-1]
    assert vacancy.action == AuditAction.PRESIDENT_VACATED
    assert vacancy.actor == world.admin
    assert vacancy.before == {"président": world.employers.name}
    assert vacancy.after == {"président": None}
    assert world.employers.name in vacancy.reason


def test_a_refused_designation_records_nothing(world: World) -> None:
    jury = world.evaluation_jury()
    with pytest.raises((ValidationError, PermissionDenied)):
        services.jury_president_designate(jury=jury, member=world.trainer, designated_by=world.admin)
    assert len(audit_trail(jury)) == 1


def test_the_registry_shows_each_member_s_trail(client: Client, world: World) -> None:
    member = propose(world)
    services.jury_member_approve(member=member, approved_by=world.admin)
    services.jury_member_withdraw(member=member, withdrawn_by=world.admin, reason="Conflit d'intérêts durable")
    client.force_login(world.admin)
    html = client.get(reverse("juries:members")).content.decode()
    assert "Membre de jury proposé" in html
    assert "Habilitation du membre de jury retirée" in html
    assert "Conflit d&#x27;intérêts durable" in html
    assert "statut : Habilité" in html and "statut : Habilitation retirée" in html


def test_the_registry_reads_the_trails_in_constant_queries(
    client: Client, world: World, django_assert_max_num_queries
) -> None:
    client.force_login(world.admin)
    url = reverse("juries:members")
    with django_assert_max_num_queries(20) as before:
        client.get(url)
    for n in range(5):
        member = propose(world, f"m{n}@example.org")
        services.jury_member_approve(member=member, approved_by=world.admin)
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get(url)


def test_the_jury_page_shows_the_presidency_trail(client: Client, world: World) -> None:
    jury = world.evaluation_jury()
    services.jury_president_designate(jury=jury, member=world.employees, designated_by=world.admin)
    client.force_login(world.admin)
    html = client.get(reverse("juries:detail", args=[jury.pk])).content.decode()
    assert "Président du jury désigné" in html
    assert f"président : {world.employers.name}" in html
    assert f"président : {world.employees.name}" in html


def test_the_role_given_by_a_habilitation_is_audited_on_the_person(world: World) -> None:
    member = propose(world)
    services.jury_member_approve(member=member, approved_by=world.admin)
    assert member.user is not None
    (event,) = audit_trail(member.user)
    assert event.action == AuditAction.ROLES_CHANGED
    assert event.actor == world.admin
    assert event.before == {"rôles": [], "organisme": None}
    assert event.after == {"rôles": ["Membre de jury"], "organisme": None}
    assert event.reason == "Habilitation de membre de jury"
    # A second habilitation after a withdrawal changes no role: nothing more on the person.
    services.jury_member_withdraw(member=member, withdrawn_by=world.admin, reason="Pause")
    services.jury_member_approve(member=member, approved_by=world.admin)
    assert len(audit_trail(member.user)) == 1
