"""A session whose cancellation the certifier accepted (seed §7): its candidates are released (their places read
"Session annulée" and no longer hold their enrolment), and nothing is prepared for it any more: no convocation,
no override, no candidate added, no evaluation jury. The services refuse in French; the session's page says why
where the button would be."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from accounts.models import User
from cqp.models import CertificationVersion, TrainingOrganisation
from dysfunctions import services as dysfunction_services
from evaluations import rules, selectors, services
from evaluations.models import Attendance, ConvocationStatus, EvaluationSession, SessionCandidate, SessionMode
from evaluations.tests.test_pages import DETAIL_QUERIES
from juries import services as jury_services
from juries.models import Jury
from tests.factories import enrol, make_candidate

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
FIRST_DAY = dt.date(2026, 4, 1)
TODAY = dt.date(2026, 3, 2)

CONVOCATION = "Cette session est annulée : aucune convocation ne part plus."
OVERRIDE = "Cette session est annulée : une dérogation au délai de convocation ne servirait plus."
JURY = "Cette session est annulée : son jury d'évaluation ne se constitue pas."
PLACEMENT = "Cette session est annulée : on n'y ajoute plus de candidat, convoquez-le à une autre session."


@pytest.fixture(autouse=True)
def _today() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=PARIS), tick=False) as traveller:
        yield traveller


@pytest.fixture
def version(referential: None) -> CertificationVersion:
    return CertificationVersion.objects.get(rncp_code="RNCP26850")


def schedule(staff: User, version: CertificationVersion, day: dt.date = FIRST_DAY) -> EvaluationSession:
    organisation = staff.organisation
    assert organisation is not None
    return services.session_schedule(
        version=version,
        organisation=organisation,
        starts_on=day,
        ends_on=None,
        mode=SessionMode.ON_SITE,
        address="12 rue de Turbigo\n75003 Paris",
        created_by=staff,
    )


@pytest.fixture
def session(organisation: TrainingOrganisation, version: CertificationVersion, staff: User) -> EvaluationSession:
    organisation.approval_start = dt.date(2025, 1, 1)
    organisation.approval_end = dt.date(2027, 12, 31)
    organisation.save()
    return schedule(staff, version)


def place_for(session: EvaluationSession, n: int = 0) -> SessionCandidate:
    enrolment = enrol(make_candidate(session.organisation, n=n), session.version)
    return services.session_add_candidate(session=session, enrolment=enrolment)


def cancel(session: EvaluationSession, staff: User, admin: User) -> None:
    proposal = dysfunction_services.proposal_submit(
        session=session,
        proposed_by=staff,
        kind="cancel",
        reason_kind="non_conformity",
        description="L'atelier est inondé.",
    )
    dysfunction_services.proposal_decide(proposal=proposal, accept=True, reason="Atelier inondé.", decided_by=admin)


@contextmanager
def refused(message: str) -> Iterator[None]:
    """Expect a ValidationError saying exactly `message`."""
    with pytest.raises(ValidationError) as exc:
        yield
    assert exc.value.messages == [message]


# --- The rules -------------------------------------------------------------------------------------------


def test_the_rules_refuse_everything_for_a_cancelled_session_whatever_the_dates() -> None:
    for today in (TODAY, FIRST_DAY, FIRST_DAY + dt.timedelta(days=1)):
        days: dict[str, Any] = {"today": today, "first_day": FIRST_DAY, "last_day": FIRST_DAY}
        assert rules.convocation_refusal(**days, override=True, cancelled=True) == CONVOCATION
        assert rules.override_refusal(**days, cancelled=True) == OVERRIDE
        assert rules.placement_date_refusal(**days, cancelled=True) == PLACEMENT
        assert rules.jury_refusal(today=today, last_day=FIRST_DAY, cancelled=True) == JURY
    days = {"today": TODAY, "first_day": FIRST_DAY, "last_day": FIRST_DAY}
    assert rules.convocation_refusal(**days, override=False, cancelled=False) is None
    assert rules.override_refusal(**days, cancelled=False) is None
    assert rules.placement_date_refusal(**days, cancelled=False) is None
    assert rules.jury_refusal(today=TODAY, last_day=FIRST_DAY, cancelled=False) is None


# --- The candidates are released ---------------------------------------------------------------------------


def test_a_cancelled_sessions_candidates_are_released_and_placed_in_another_session(
    client, session, staff, certifier_admin, version
) -> None:
    place = place_for(session)
    enrolment = place.enrolment
    other = schedule(staff, version, FIRST_DAY + dt.timedelta(days=14))
    with pytest.raises(ValidationError, match="déjà une place"):
        services.session_add_candidate(session=other, enrolment=enrolment)
    cancel(session, staff, certifier_admin)
    place.refresh_from_db()
    assert place.attendance == Attendance.CANCELLED
    assert place.get_attendance_display() == "Session annulée"
    assert selectors.open_sessions(enrolment) == {}
    client.force_login(staff)
    page = client.get(f"/sessions/{other.pk}/", {"q": enrolment.candidate.birth_name}).content.decode()
    assert 'data-testid="enrolment-option"' in page  # the picker offers them again
    moved = services.session_add_candidate(session=other, enrolment=enrolment)
    assert moved.attendance == Attendance.EXPECTED
    assert list(SessionCandidate.objects.filter(enrolment=enrolment).values_list("session_id", "attendance")) == [
        (session.pk, Attendance.CANCELLED),
        (other.pk, Attendance.EXPECTED),
    ]


# --- The services refuse -----------------------------------------------------------------------------------


def test_no_convocation_leaves_for_a_cancelled_session(
    session, staff, certifier_admin, django_capture_on_commit_callbacks
) -> None:
    place = place_for(session)
    cancel(session, staff, certifier_admin)
    with refused(CONVOCATION):
        services.convocations_send(session=session)
    with refused(CONVOCATION):
        services.convocations_send(session=session, resend=True)
    place.refresh_from_db()
    assert place.convocation_status == ConvocationStatus.NOT_SENT
    assert not services.convocations_allowed(session)


def test_a_convocation_queued_before_the_cancellation_is_not_sent(
    session, staff, certifier_admin, django_capture_on_commit_callbacks
) -> None:
    place = place_for(session)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        services.convocations_send(session=session)
    cancel(session, staff, certifier_admin)
    mail.outbox.clear()
    for callback in queued:  # the broker was down: the task runs after the cancellation
        callback()
    assert mail.outbox == []
    place.refresh_from_db()
    assert place.convocation_status == ConvocationStatus.FAILED
    assert place.convocation_error == CONVOCATION


def test_no_override_for_a_cancelled_session(session, staff, certifier_admin) -> None:
    cancel(session, staff, certifier_admin)
    with refused(OVERRIDE):
        services.convocation_override_record(session=session, reason="Report", recorded_by=certifier_admin)
    assert not hasattr(EvaluationSession.objects.get(pk=session.pk), "override")


def test_no_candidate_is_added_to_a_cancelled_session(session, staff, certifier_admin) -> None:
    cancel(session, staff, certifier_admin)
    enrolment = enrol(make_candidate(session.organisation, n=5), session.version)
    with refused(PLACEMENT):
        services.session_add_candidate(session=session, enrolment=enrolment)
    assert not session.candidates.exists()


def test_no_evaluation_jury_is_constituted_for_a_cancelled_session(session, staff, certifier_admin) -> None:
    cancel(session, staff, certifier_admin)
    with refused(JURY):
        jury_services.evaluation_jury_create(session=session, created_by=certifier_admin)
    assert not Jury.objects.filter(session=session).exists()


def test_no_fraud_is_reported_on_a_cancelled_session_even_on_its_dates(session, staff, certifier_admin, _today) -> None:
    from candidates.models import FraudBan
    from evaluations.models import Incident, IncidentKind

    place = place_for(session)
    cancel(session, staff, certifier_admin)
    _today.move_to(dt.datetime(2026, 4, 1, 10, 0, tzinfo=PARIS))  # the day its tests would have been sat
    with refused("Cette session est annulée : aucune épreuve n'y a lieu, aucune fraude ne s'y constate."):
        services.incident_report(
            session=session, kind=IncidentKind.FRAUD, description="Copie.", reported_by=staff, place=place
        )
    assert not Incident.objects.exists() and not FraudBan.objects.exists()
    place.refresh_from_db()
    assert place.attendance == Attendance.CANCELLED


# --- The page says why -------------------------------------------------------------------------------------


def test_a_cancelled_sessions_page_says_why_nothing_is_offered(
    client, session, staff, certifier_admin, django_assert_num_queries
) -> None:
    place_for(session)
    cancel(session, staff, certifier_admin)
    client.force_login(certifier_admin)
    html = client.get(f"/sessions/{session.pk}/").content.decode()
    for action in ("convoquer/", "derogation/"):
        assert f'action="/sessions/{session.pk}/{action}"' not in html
    assert f'action="/jurys/sessions/{session.pk}/jury/"' not in html
    assert 'data-testid="session-cancelled"' in html
    assert 'data-testid="convocation-refusal"' in html
    for message in (CONVOCATION, OVERRIDE, JURY):
        assert message.replace("'", "&#x27;") in html
    client.force_login(staff)
    with django_assert_num_queries(DETAIL_QUERIES):
        html = client.get(f"/sessions/{session.pk}/", {"q": "durand"}).content.decode()
    assert f'action="/sessions/{session.pk}/candidats/"' not in html
    assert f'action="/sessions/{session.pk}/convoquer/"' not in html
    assert 'role="search"' not in html
    assert PLACEMENT.replace("'", "&#x27;") in html
    assert html.count('data-testid="place-cancelled"') == 1  # the place reads "Session annulée", without its .ics
    assert "calendrier.ics" not in html
    assert f'href="/dysfonctionnements/sessions/{session.pk}/proposer/"' not in html  # nothing more to propose


def test_a_cancelled_sessions_convocation_leaves_the_candidate_space(session, staff, certifier_admin) -> None:
    from candidates.selectors import candidate_space
    from tests.factories import UserFactory

    place = place_for(session)
    user = UserFactory(email="candidat.annule@example.org", is_candidate=True)
    place.enrolment.candidate.user = user
    place.enrolment.candidate.save(update_fields=["user"])
    SessionCandidate.objects.filter(pk=place.pk).update(convocation_status=ConvocationStatus.SENT)
    places = candidate_space(user)["candidate_places"]
    assert isinstance(places, list)
    assert [p.pk for p in places] == [place.pk]
    cancel(session, staff, certifier_admin)
    assert candidate_space(user)["candidate_places"] == []


def test_the_attendance_sheet_shows_the_released_places(client, session, staff, certifier_admin) -> None:
    place_for(session)
    cancel(session, staff, certifier_admin)
    client.force_login(staff)
    html = client.get(f"/sessions/{session.pk}/emargement/").content.decode()
    assert "Session annulée" in html
