"""Recording an accommodation for a disability: staff of the candidate's organisation, on the enrolment."""

from __future__ import annotations

import datetime as dt

import pytest

from candidates.models import Accommodation
from cqp.models import CertificationVersion
from tests.factories import OrganisationFactory, UserFactory, enrol, make_candidate

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolment(staff, referential):
    candidate = make_candidate(
        staff.organisation,
        created_by=staff,
        birth_name="Blanc",
        first_name="Hugo",
        sex="M",
        birth_date=dt.date(1999, 9, 9),
        birth_commune="Paris",
        birth_insee_code="75056",
        email="hugo@example.org",
    )
    return enrol(candidate, CertificationVersion.objects.get(rncp_code="RNCP26850"), created_by=staff)


def test_staff_record_extra_time_and_see_it_on_the_candidate(client, staff, enrolment) -> None:
    client.force_login(staff)
    url = f"/candidats/inscriptions/{enrolment.pk}/amenagement/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "kind": "extra_time",
            "extra_minutes": "20",
            "measure": "Tiers temps",
            "referent": "M. Garnier",
            "approved_on": "2026-10-01",
        },
    )
    assert response.status_code == 302
    accommodation = Accommodation.objects.get()
    assert (accommodation.extra_minutes, accommodation.referent) == (20, "M. Garnier")
    page = client.get(f"/candidats/{enrolment.candidate_id}/").content.decode()
    assert "Tiers temps (20 min)" in page


def test_extra_time_without_minutes_is_refused_and_the_input_kept(client, staff, enrolment) -> None:
    client.force_login(staff)
    response = client.post(
        f"/candidats/inscriptions/{enrolment.pk}/amenagement/",
        {
            "kind": "extra_time",
            "extra_minutes": "",
            "measure": "Tiers temps demandé",
            "referent": "M. Garnier",
            "approved_on": "2026-10-01",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Un temps supplémentaire se compte en minutes" in page
    assert 'value="Tiers temps demandé"' in page
    assert not Accommodation.objects.exists()


def test_only_the_candidate_s_organisation_and_admins_reach_the_page(
    client, enrolment, certifier_admin, jury_member
) -> None:
    url = f"/candidats/inscriptions/{enrolment.pk}/amenagement/"
    assert client.get(url).url.startswith("/compte/connexion/")
    client.force_login(jury_member)
    assert client.get(url).status_code == 403
    client.force_login(UserFactory(organisation=OrganisationFactory(name="Autre organisme")))
    assert client.get(url).status_code == 404
    client.force_login(certifier_admin)
    assert client.get(url).status_code == 200
