"""Who may see which candidates: the certifier everything, an organisation its own, others nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from candidates.access import can_manage_candidates, candidate_for_user, candidates_for
from candidates.models import Candidate
from tests.factories import CandidateFactory, OrganisationFactory


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
    assert can_manage_candidates(certifier_admin)
    assert can_manage_candidates(staff)
    assert not can_manage_candidates(jury_member)
    assert not can_manage_candidates(candidate_user)
    assert not can_manage_candidates(AnonymousUser())


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
