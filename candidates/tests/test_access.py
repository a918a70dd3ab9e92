"""Who may see which candidates: the certifier everything, an organisation its own, others nothing; role gates
answer 403 before any lookup, getters 404 (`accounts.access`)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.access import is_candidate_manager
from candidates.access import (
    candidate_for_user,
    candidates_for,
    check_candidate_creator,
    check_candidate_importer,
    invitation_for_user,
    invitation_token,
    own_candidate,
)
from candidates.models import Candidate
from tests.factories import CandidateFactory, OrganisationFactory, UserFactory


@pytest.fixture
def mine(organisation) -> Candidate:
    return CandidateFactory(organisation=organisation)


@pytest.fixture
def theirs(db) -> Candidate:
    return CandidateFactory(organisation=OrganisationFactory(name="Autre organisme"))


@pytest.mark.django_db
def test_the_certifier_admin_sees_every_candidate(certifier_admin, mine, theirs) -> None:
    assert set(candidates_for(certifier_admin)) == {mine, theirs}


@pytest.mark.django_db
def test_organisation_staff_see_only_their_organisations_candidates(staff, mine, theirs) -> None:
    assert list(candidates_for(staff)) == [mine]


@pytest.mark.django_db
def test_jury_members_and_candidates_see_no_candidate(jury_member, candidate_user, mine, theirs) -> None:
    assert Candidate.objects.count() == 2
    assert not candidates_for(jury_member).exists()
    assert not candidates_for(candidate_user).exists()


@pytest.mark.django_db
def test_only_the_certifier_and_organisation_staff_manage_candidates(
    certifier_admin, staff, jury_member, candidate_user
) -> None:
    assert is_candidate_manager(certifier_admin)
    assert is_candidate_manager(staff)
    assert not is_candidate_manager(jury_member)
    assert not is_candidate_manager(candidate_user)
    assert not is_candidate_manager(AnonymousUser())


@pytest.mark.django_db
def test_staff_get_their_own_candidate(staff, mine) -> None:
    assert candidate_for_user(staff, mine.pk) == mine


@pytest.mark.django_db
def test_the_certifier_admin_gets_any_candidate(certifier_admin, theirs) -> None:
    assert candidate_for_user(certifier_admin, theirs.pk) == theirs


@pytest.mark.django_db
def test_staff_get_a_404_for_another_organisations_candidate(staff, theirs) -> None:
    with pytest.raises(Http404):
        candidate_for_user(staff, theirs.pk)


@pytest.mark.django_db
def test_a_missing_candidate_is_a_404_too(staff, mine) -> None:
    with pytest.raises(Http404):
        candidate_for_user(staff, mine.pk + 1000)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["jury_member", "candidate_user"])
def test_jury_members_and_candidates_are_denied_a_candidate(request, role, mine) -> None:
    user = request.getfixturevalue(role)

    with pytest.raises(PermissionDenied, match="réservée aux organismes de formation et au certificateur"):
        candidate_for_user(user, mine.pk)


@pytest.mark.django_db
def test_an_anonymous_visitor_is_denied_a_candidate(mine) -> None:
    with pytest.raises(PermissionDenied):
        candidate_for_user(AnonymousUser(), mine.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("gate", [check_candidate_creator, check_candidate_importer])
def test_creating_and_importing_candidates_is_the_organisations_own(gate, staff, certifier_admin, jury_member) -> None:
    gate(staff)
    with pytest.raises(PermissionDenied, match=r"par (son|leur) organisme de formation"):
        gate(certifier_admin)
    with pytest.raises(PermissionDenied, match="réservée aux organismes de formation et au certificateur"):
        gate(jury_member)


@pytest.mark.django_db
def test_the_candidates_own_record_is_refused_to_other_roles_with_a_403(staff, jury_member, candidate_user) -> None:
    for user in (staff, jury_member, AnonymousUser()):
        with pytest.raises(PermissionDenied, match="réservée aux candidats"):
            own_candidate(user)
    with pytest.raises(Http404):  # the role, but no record
        own_candidate(candidate_user)


@pytest.mark.django_db
def test_an_invitation_link_opens_only_for_the_account_of_its_address(staff, mine) -> None:
    owner = UserFactory(email=mine.email, is_jury_member=True)
    token = invitation_token(mine)
    assert invitation_for_user(owner, token) == mine
    for other in (staff, AnonymousUser()):
        with pytest.raises(Http404):
            invitation_for_user(other, token)
    with pytest.raises(Http404):
        invitation_for_user(owner, token + "x")
    mine.user = owner
    mine.save()
    with pytest.raises(Http404):  # already linked
        invitation_for_user(owner, token)
