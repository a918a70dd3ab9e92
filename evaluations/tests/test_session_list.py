"""The sessions list: my organisation's sessions, filters, pagination, constant queries; resending."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from evaluations import services
from evaluations.models import ConvocationStatus, EvaluationSession
from tests.factories import OrganisationFactory, UserFactory, enrol, make_candidate

pytestmark = pytest.mark.django_db

# Session, user, the filter's certifications, count, one page of sessions with their version,
# organisation and number of candidates: the same for 3 or 30 sessions.
LIST_QUERIES = 5


@pytest.fixture
def approved(staff):
    staff.organisation.approval_start = dt.date(2020, 1, 1)
    staff.organisation.save()
    return staff


def schedule(staff, version, days: int) -> EvaluationSession:
    return services.session_schedule(
        version=version,
        organisation=staff.organisation,
        starts_on=timezone.localdate() + dt.timedelta(days=days),
        ends_on=None,
        mode="on_site",
        address="Paris",
        created_by=staff,
    )


def test_the_list_filters_paginates_and_keeps_its_queries(
    client, approved, referential, django_assert_num_queries
) -> None:
    from cqp.models import CertificationVersion

    version = CertificationVersion.objects.get(rncp_code="RNCP26850")
    for days in range(1, 4):
        schedule(approved, version, days)
    client.force_login(approved)
    with django_assert_num_queries(LIST_QUERIES):
        client.get("/sessions/")
    for days in range(4, 31):
        schedule(approved, version, days)
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get("/sessions/")
    page = response.content.decode()
    assert page.count('data-testid="session-row"') == 25
    assert "Page 1 sur 2" in page
    EvaluationSession.objects.filter(starts_on__lte=timezone.localdate() + dt.timedelta(days=2)).update(
        starts_on=dt.date(2025, 1, 10), ends_on=dt.date(2025, 1, 10)
    )
    assert client.get("/sessions/", {"when": "past"}).content.decode().count('data-testid="session-row"') == 2
    assert client.get("/sessions/", {"when": "upcoming"}).content.decode().count('data-testid="session-row"') == 25
    other = CertificationVersion.objects.get(rncp_code="RNCP31313")
    assert client.get("/sessions/", {"version": other.pk}).content.decode().count('data-testid="session-row"') == 0


def test_staff_see_only_their_organisation_s_sessions(client, approved, referential) -> None:
    from cqp.models import CertificationVersion

    version = CertificationVersion.objects.get(rncp_code="RNCP26850")
    schedule(approved, version, 20)
    outsider = UserFactory(organisation=OrganisationFactory(name="Autre organisme", approval_start=dt.date(2020, 1, 1)))
    schedule(outsider, version, 21)
    client.force_login(approved)
    assert client.get("/sessions/").content.decode().count('data-testid="session-row"') == 1


def test_resend_sends_every_convocation_again(
    client, approved, referential, django_capture_on_commit_callbacks
) -> None:
    from cqp.models import CertificationVersion

    version = CertificationVersion.objects.get(rncp_code="RNCP26850")
    session = schedule(approved, version, 30)
    candidate = make_candidate(
        approved.organisation,
        created_by=approved,
        birth_name="Roux",
        first_name="Emma",
        sex="F",
        birth_date=dt.date(2000, 1, 1),
        birth_commune="Paris",
        birth_insee_code="75056",
        email="emma@example.org",
    )
    enrolment = enrol(candidate, version, created_by=approved)
    place = services.session_add_candidate(session=session, enrolment=enrolment)
    client.force_login(approved)
    for data in ({}, {}, {"resend": "1"}):  # send, nothing left to send, send again
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/sessions/{session.pk}/convoquer/", data)
    place.refresh_from_db()
    assert len(mail.outbox) == 2
    assert (place.convocation_status, place.convocation_sends) == (ConvocationStatus.SENT, 2)
    assert "Renvoyer à tous" in client.get(f"/sessions/{session.pk}/").content.decode()
