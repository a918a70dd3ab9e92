"""Review findings on the juries, closed: each test failed before its fix."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from accounts.models import AuditAction, User
from accounts.selectors import audit_trail
from juries import access, selectors, services
from juries.models import Grid, Jury, JuryMember, Recusal, RecusalReason
from tests.factories import UserFactory
from tests.worlds import World

pytestmark = pytest.mark.django_db


def _transmitted(world: World) -> tuple[Jury, Jury]:
    evaluation = world.evaluation_jury()
    certification = world.certification_jury()
    for place in world.places:
        world.grade(evaluation, place, {})
        services.recommendation_record(
            place=place, kind="total", blocks=[], comments="", recorded_by=evaluation.president.user
        )
    services.deliberation_transmit(jury=evaluation, certification_jury=certification, transmitted_by=world.admin)
    return evaluation, certification


def test_a_recused_member_does_not_read_that_candidates_dispute_on_the_jury_page(client: Any, world: World) -> None:
    _, certification = _transmitted(world)
    place = world.places[0]
    services.dispute_record(
        jury=certification,
        place=place,
        description="Grille du bloc 2 contestée par le candidat",
        summon_evaluation_jury=False,
        recorded_by=world.admin,
    )
    Recusal.objects.create(jury=certification, member=world.cert_employees, place=place, reason=RecusalReason.DECLARED)
    client.force_login(world.cert_employees.user)
    page = client.get(reverse("juries:detail", args=[certification.pk]))
    assert page.status_code == 200
    assert "Grille du bloc 2 contestée" not in page.text
    client.force_login(world.cert_employers.user)
    assert "Grille du bloc 2 contestée" in client.get(reverse("juries:detail", args=[certification.pk])).text


# --- A withdrawn president no longer keeps the jury's grids nor acts for it ----------------------------


def test_a_withdrawn_president_no_longer_keeps_the_consensus(world: World) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    assert selectors.keeper(jury, place) == world.employers
    services.jury_member_withdraw(member=world.employers, withdrawn_by=world.admin, reason="Départ")
    jury.refresh_from_db()
    assert selectors.keeper(jury, place) == world.employees


def test_a_withdrawn_president_does_not_transmit(world: World) -> None:
    evaluation = world.evaluation_jury()
    certification = world.certification_jury()
    for place in world.places:
        world.grade(evaluation, place, {})
        services.recommendation_record(
            place=place, kind="total", blocks=[], comments="", recorded_by=evaluation.president.user
        )
    services.jury_member_withdraw(member=world.employers, withdrawn_by=world.admin, reason="Départ")
    with pytest.raises(PermissionDenied):
        services.deliberation_transmit(
            jury=evaluation, certification_jury=certification, transmitted_by=world.employers.user
        )


def test_a_seated_member_whose_habilitation_is_withdrawn_is_not_designated_president(world: World) -> None:
    jury = services.evaluation_jury_create(session=world.session, created_by=world.admin)
    for member in (world.employees, world.employers, world.trainer):
        services.jury_assign(jury=jury, member=member, assigned_by=world.admin)
    services.jury_member_withdraw(member=world.employers, withdrawn_by=world.admin, reason="Départ")
    with pytest.raises(ValidationError, match="n'est plus habilité"):
        services.jury_president_designate(jury=jury, member=world.employers, designated_by=world.admin)
    jury.refresh_from_db()
    assert jury.president_id is None


# --- The designation reads the stored president, under lock --------------------------------------------


def test_a_designation_is_checked_on_the_stored_president_not_a_stale_copy(world: World) -> None:
    jury = services.evaluation_jury_create(session=world.session, created_by=world.admin)
    for member in (world.employees, world.employers, world.trainer):
        services.jury_assign(jury=jury, member=member, assigned_by=world.admin)
    stale = Jury.objects.get(pk=jury.pk)  # read before the jury's choice is recorded
    services.jury_president_designate(jury=jury, member=world.employers, designated_by=world.trainer.user)
    with pytest.raises(PermissionDenied):
        services.jury_president_designate(jury=stale, member=world.employees, designated_by=world.employers.user)
    jury.refresh_from_db()
    assert jury.president_id == world.employers.pk


# --- The registry --------------------------------------------------------------------------------------


def _proposal_for_an_account(world: World) -> tuple[JuryMember, User]:
    owner = UserFactory(email="camille.reelle@example.org", first_name="Camille", last_name="Véritable")
    member = services.jury_member_register(
        email=owner.email,
        first_name="Dominique",
        last_name="Orfèvre",
        college="employees",
        certifications=[world.version.certification],
        proposed_by=world.staff,
    )
    return member, owner


def test_the_approval_grants_the_role_to_the_account_linked_since_the_member_was_read(world: World) -> None:
    member, owner = _proposal_for_an_account(world)
    stale = JuryMember.objects.get(pk=member.pk)  # read before its owner confirms
    services.jury_member_confirm(member=member, user=owner)
    services.jury_member_approve(member=stale, approved_by=world.admin)
    owner.refresh_from_db()
    assert owner.is_jury_member


def test_the_confirmation_is_on_the_members_audit_trail(world: World) -> None:
    member, owner = _proposal_for_an_account(world)
    services.jury_member_confirm(member=member, user=owner)
    confirmed = [e for e in audit_trail(member) if e.action == AuditAction.MEMBER_CONFIRMED]
    assert len(confirmed) == 1
    assert confirmed[0].actor == owner


def test_two_proposals_for_one_address_at_once_refuse_the_second_in_words(world: World, monkeypatch: Any) -> None:
    validate = JuryMember.full_clean

    def competitor_first(member: JuryMember, *args: Any, **kwargs: Any) -> None:
        validate(member, *args, **kwargs)
        # The other proposal commits between this one's checks and its insert.
        JuryMember.objects.create(email=member.email, college="employers", proposed_by=world.admin)

    monkeypatch.setattr(JuryMember, "full_clean", competitor_first)
    with pytest.raises(ValidationError) as refused:
        services.jury_member_register(
            email="dominique@example.org",
            first_name="Dominique",
            last_name="Orfèvre",
            college="employees",
            certifications=[world.version.certification],
            proposed_by=world.staff,
        )
    assert "déjà dans le registre" in refused.value.message_dict["email"][0]


def test_an_account_whose_address_differs_in_case_is_invited_not_duplicated(client: Any, world: World) -> None:
    owner = UserFactory(email="Camille.Reelle@Example.org")
    member = services.jury_member_register(
        email="camille.reelle@example.org",
        first_name="Dominique",
        last_name="Orfèvre",
        college="employees",
        certifications=[world.version.certification],
        proposed_by=world.staff,
    )
    assert member.user_id is None
    assert User.objects.filter(email__iexact="camille.reelle@example.org").count() == 1
    client.force_login(owner)
    assert client.get(reverse("juries:member_invitation", args=[access.invitation_token(member)])).status_code == 200
    services.jury_member_confirm(member=member, user=owner)
    member.refresh_from_db()
    assert member.user_id == owner.pk
    with pytest.raises(ValidationError):
        services.jury_member_register(
            email="CAMILLE.reelle@example.org",
            first_name="Dominique",
            last_name="Orfèvre",
            college="employees",
            certifications=[world.version.certification],
            proposed_by=world.admin,
        )


def test_a_registry_act_is_refused_to_a_non_admin_with_403_and_an_unknown_member_is_404(world: World) -> None:
    with pytest.raises(PermissionDenied):
        access.member_for_admin(world.staff, world.employees.pk)
    with pytest.raises(Http404):
        access.member_for_admin(world.admin, 0)
    assert access.member_for_admin(world.admin, world.employees.pk) == world.employees


def test_the_django_admin_finds_a_proposal_by_its_typed_names_before_any_account(client: Any, world: World) -> None:
    member, _ = _proposal_for_an_account(world)
    client.force_login(world.admin)
    page = client.get(reverse("admin:juries_jurymember_changelist"), {"q": "Dominique"})
    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [member]
    assert "Dominique" in page.text


# --- The actor is checked before the state ---------------------------------------------------------------


def test_an_outsider_is_refused_as_such_on_a_transmitted_jury(world: World) -> None:
    evaluation, _certification = _transmitted(world)
    place = world.places[0]
    outsider = UserFactory()
    with pytest.raises(PermissionDenied):
        services.recommendation_record(place=place, kind="total", blocks=[], comments="", recorded_by=outsider)
    consensus = list(Grid.objects.filter(place=place, member__isnull=True))
    with pytest.raises(PermissionDenied):
        services.grids_submit(grids=consensus, submitted_by=outsider)
    with pytest.raises(PermissionDenied):
        services.dispute_record(
            jury=evaluation, place=place, description="Doute", summon_evaluation_jury=False, recorded_by=outsider
        )
    with pytest.raises(PermissionDenied):
        services.decision_record(jury=evaluation, place=place, kind="total", blocks=[], reason="", decided_by=outsider)


def test_an_outsider_is_refused_as_such_on_an_incomplete_jury(world: World) -> None:
    jury = world.evaluation_jury()
    services.jury_member_withdraw(member=world.trainer, withdrawn_by=world.admin, reason="Départ")
    block = world.blocks["BC1"]
    for consensus in (True, False):
        with pytest.raises(PermissionDenied):
            services.grid_save(
                jury=jury, place=world.places[0], block=block, consensus=consensus, grades={}, saved_by=UserFactory()
            )
