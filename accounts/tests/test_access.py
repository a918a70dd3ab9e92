"""Role gates (`accounts.access`): the one place that says who holds a role. Each refuses with PermissionDenied
(403) and a French message, from a view, a service, a command or a task alike."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from accounts.access import (
    check_any_role,
    check_candidate_manager,
    check_certifier_admin,
    check_jury_member,
    check_organisation_manager,
    check_organisation_staff,
    organisation_scope,
    require_certifier_admin,
)
from accounts.models import Role, User
from candidates.models import Candidate
from tests.factories import CandidateFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

ACTORS = ["certifier_admin", "staff", "jury_member", "candidate_user", "anonymous"]


@pytest.fixture
def actor(request: pytest.FixtureRequest):
    def get(name: str) -> User | AnonymousUser:
        return AnonymousUser() if name == "anonymous" else request.getfixturevalue(name)

    return get


@pytest.mark.parametrize(
    ("gate", "allowed", "message"),
    [
        (check_certifier_admin, {"certifier_admin"}, "réservée aux administrateurs du certificateur"),
        (check_organisation_staff, {"staff"}, "réservée aux organismes de formation"),
        (check_candidate_manager, {"certifier_admin", "staff"}, "organismes de formation et au certificateur"),
        (check_jury_member, {"jury_member"}, "réservée aux membres de jury"),
    ],
)
def test_each_gate_lets_its_role_through_and_refuses_the_others_with_a_403(actor, gate, allowed, message) -> None:
    for name in ACTORS:
        if name in allowed:
            gate(actor(name))
        else:
            with pytest.raises(PermissionDenied, match=message):
                gate(actor(name))


def test_a_gate_says_the_callers_own_message(staff) -> None:
    with pytest.raises(PermissionDenied, match=r"^Seul un administrateur annule un parchemin\.$"):
        check_certifier_admin(staff, "Seul un administrateur annule un parchemin.")


def test_a_page_shared_by_several_roles(actor) -> None:
    for name in ACTORS:
        if name in {"certifier_admin", "jury_member"}:
            check_any_role(actor(name), Role.CERTIFIER_ADMIN, Role.JURY_MEMBER, message="PV")
        else:
            with pytest.raises(PermissionDenied, match="PV"):
                check_any_role(actor(name), Role.CERTIFIER_ADMIN, Role.JURY_MEMBER, message="PV")


def test_an_organisation_is_managed_by_its_staff_and_the_certifier(certifier_admin, staff, jury_member) -> None:
    check_organisation_manager(certifier_admin, staff.organisation_id)
    check_organisation_manager(staff, staff.organisation_id)
    other = OrganisationFactory(name="Autre organisme")
    for user, organisation_id in ((staff, other.pk), (staff, None), (jury_member, staff.organisation_id), (None, 1)):
        with pytest.raises(PermissionDenied, match="organisme de formation concerné"):
            check_organisation_manager(user, organisation_id)


def test_the_decorator_answers_403_to_other_roles(certifier_admin, staff) -> None:
    @require_certifier_admin
    def page(request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok")

    request = RequestFactory().get("/")
    request.user = certifier_admin
    assert page(request).content == b"ok"
    request.user = staff
    with pytest.raises(PermissionDenied):
        page(request)


def test_the_organisation_scope_is_empty_for_anonymous_users_and_other_roles(
    certifier_admin, staff, jury_member
) -> None:
    mine = CandidateFactory(organisation=staff.organisation)
    theirs = CandidateFactory(organisation=OrganisationFactory(name="Autre organisme"))
    assert set(organisation_scope(certifier_admin, Candidate.objects.all())) == {mine, theirs}
    assert list(organisation_scope(staff, Candidate.objects.all())) == [mine]
    assert not organisation_scope(jury_member, Candidate.objects.all()).exists()
    assert not organisation_scope(AnonymousUser(), Candidate.objects.all()).exists()


def test_only_a_certifier_admin_changes_someones_roles(staff, jury_member) -> None:
    from accounts.services import user_set_roles

    with pytest.raises(PermissionDenied, match="change les rôles"):
        user_set_roles(
            user=jury_member,
            actor=staff,
            is_certifier_admin=True,
            organisation=None,
            is_jury_member=True,
            is_candidate=False,
        )
    jury_member.refresh_from_db()
    assert not jury_member.is_certifier_admin
