"""Candidate pages: three actors, other organisations' candidates are 404, constant query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from candidates import services
from candidates.models import Candidate, Enrolment
from cqp.models import CertificationVersion
from tests.factories import OrganisationFactory, UserFactory, make_candidate

pytestmark = pytest.mark.django_db

# Session, user, their organisation (heading), the filter's certifications, count, a page of candidates
# with their organisation, their enrolments with the version, the enrolments' current results (their true state,
# `results.standing.enrolment_states`): the same for 3 or 40 candidates.
LIST_QUERIES = 8


@pytest.fixture
def candidate(staff) -> Candidate:
    return make_candidate(staff.organisation)


def test_strangers_are_sent_to_login(client, candidate) -> None:
    for url in (
        "/candidats/",
        "/candidats/nouveau/",
        f"/candidats/{candidate.pk}/",
        f"/candidats/{candidate.pk}/modifier/",
    ):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/compte/connexion/"), url


def test_jury_members_and_candidates_have_no_access(client, candidate, jury_member, candidate_user) -> None:
    for user in (jury_member, candidate_user):
        client.force_login(user)
        for url in ("/candidats/", "/candidats/nouveau/", f"/candidats/{candidate.pk}/"):
            assert client.get(url).status_code == 403, (user.email, url)


def test_staff_see_only_their_organisation_and_get_404_elsewhere(client, staff, candidate) -> None:
    other = make_candidate(OrganisationFactory(name="Autre organisme"), n=1)
    client.force_login(staff)
    listing = client.get("/candidats/").content.decode()
    assert candidate.display_name in listing
    assert other.display_name not in listing
    assert client.get(f"/candidats/{candidate.pk}/").status_code == 200
    for url in (f"/candidats/{other.pk}/", f"/candidats/{other.pk}/modifier/", f"/candidats/{other.pk}/inscrire/"):
        assert client.get(url).status_code == 404, url


def test_certifier_admins_see_every_organisation(client, certifier_admin, candidate) -> None:
    other = make_candidate(OrganisationFactory(name="Autre organisme"), n=1)
    client.force_login(certifier_admin)
    listing = client.get("/candidats/").content.decode()
    assert candidate.display_name in listing and other.display_name in listing
    assert client.get(f"/candidats/{other.pk}/").status_code == 200


def test_the_list_filters_and_keeps_a_constant_number_of_queries(
    client, staff, referential, django_assert_num_queries
) -> None:
    version = CertificationVersion.objects.get(rncp_code="RNCP26850")
    client.force_login(staff)
    for n in range(3):
        services.candidate_enrol(
            candidate=make_candidate(staff.organisation, n=n),
            version=version,
            blocks=None,
            access_route="vae",
            created_by=staff,
        )
    with django_assert_num_queries(LIST_QUERIES):
        client.get("/candidats/")
    for n in range(3, 40):
        services.candidate_enrol(
            candidate=make_candidate(staff.organisation, n=n),
            version=version,
            blocks=None,
            access_route="vae",
            created_by=staff,
        )
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get("/candidats/")
    assert response.content.decode().count('data-testid="candidate-row"') == 25  # first page
    assert "Page 1 sur 2" in response.content.decode()

    filtered = client.get("/candidats/", {"q": "martin39"}).content.decode()
    assert filtered.count('data-testid="candidate-row"') == 1
    by_version = client.get("/candidats/", {"version": version.pk}).content.decode()
    assert "40 candidats" in by_version


def test_a_duplicate_is_refused_on_the_form_with_the_input_kept(client, staff, candidate) -> None:
    client.force_login(staff)
    response = client.post(
        "/candidats/nouveau/",
        {
            "birth_name": "MARTIN0",
            "first_name": "julie",
            "sex": "F",
            "birth_date": "1995-01-01",
            "birth_commune": "Besançon",
            "birth_insee_code": "25056",
            "birth_country": "France",
            "email": "autre@example.org",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Cette candidate existe déjà" in page
    assert 'value="autre@example.org"' in page
    assert Candidate.objects.count() == 1


def test_the_fraud_ban_refusal_says_until_when(client, staff, candidate, certifier_admin, referential) -> None:
    version = CertificationVersion.objects.get(rncp_code="RNCP26850")
    services.fraud_ban_record(
        candidate=candidate,
        decided_on=timezone.localdate(),
        reason="Livret recopié",
        recorded_by=certifier_admin,
    )
    client.force_login(staff)
    response = client.post(
        reverse("candidates:enrol", args=[candidate.pk]) + f"?version={version.pk}",
        {"access_route": "vae", "blocks": list(version.blocks.values_list("pk", flat=True))},
    )
    assert response.status_code == 200
    assert "exclue de la certification pour fraude jusqu&#x27;au" in response.content.decode()
    assert not Enrolment.objects.exists()


def test_only_organisation_staff_create_candidates(client, certifier_admin) -> None:
    client.force_login(certifier_admin)
    assert client.get("/candidats/nouveau/").status_code == 403
    staff_of_two_roles = UserFactory(organisation=OrganisationFactory(name="Lycée"), is_jury_member=True)
    client.force_login(staff_of_two_roles)
    assert client.get("/candidats/nouveau/").status_code == 200
