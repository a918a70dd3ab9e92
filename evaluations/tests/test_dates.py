"""Dates that hold: no convocation from a session's first exam day on (not even with an override, not even one
queued before), and nothing prepared for a session whose tests are over: no override, no evaluation jury, no
candidate added. The services refuse in French; the session's page says why where the button would be."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from accounts.models import User
from candidates.models import FraudBan
from cqp.models import CertificationVersion, TrainingOrganisation
from evaluations import rules, services
from evaluations.models import ConvocationStatus, EvaluationSession, SessionCandidate, SessionMode
from juries import services as jury_services
from juries.models import Jury
from tests.factories import enrol, make_candidate

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
FIRST_DAY = dt.date(2026, 4, 1)
LAST_DAY = dt.date(2026, 4, 2)
DAY_AFTER = dt.date(2026, 4, 3)


def at(day: dt.date, hour: int = 10) -> time_machine.travel:
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=PARIS), tick=False)


@pytest.fixture(autouse=True)
def _today() -> Iterator[time_machine.Traveller]:
    with at(dt.date(2026, 3, 2)) as traveller:
        yield traveller


@pytest.fixture
def version(referential: None) -> CertificationVersion:
    return CertificationVersion.objects.get(rncp_code="RNCP26850")


@pytest.fixture
def session(version: CertificationVersion, organisation: TrainingOrganisation, staff: User) -> EvaluationSession:
    organisation.approval_start = dt.date(2025, 1, 1)
    organisation.approval_end = dt.date(2027, 12, 31)
    organisation.save()
    return services.session_schedule(
        version=version,
        organisation=organisation,
        starts_on=FIRST_DAY,
        ends_on=LAST_DAY,
        mode=SessionMode.ON_SITE,
        address="12 rue de Turbigo\n75003 Paris",
        created_by=staff,
    )


def action_url(session: EvaluationSession, action: str) -> str:
    """The `action` attribute of a form of the session's page (its jury is constituted under /jurys/)."""
    if action == "JURY":
        return f'action="/jurys/sessions/{session.pk}/jury/"'
    return f'action="/sessions/{session.pk}/{action}"'


def place_for(session: EvaluationSession, n: int = 0) -> SessionCandidate:
    enrolment = enrol(make_candidate(session.organisation, n=n), session.version)
    return services.session_add_candidate(session=session, enrolment=enrolment)


def refused(match: str) -> Any:
    return pytest.raises(ValidationError, match=match)


# --- The rules -------------------------------------------------------------------------------------------


def test_the_rules_close_convocations_on_the_first_exam_day_whatever_the_override() -> None:
    def refusal(today: dt.date, *, override: bool) -> str | None:
        return rules.convocation_refusal(today=today, first_day=FIRST_DAY, last_day=LAST_DAY, override=override)

    assert refusal(dt.date(2026, 3, 17), override=False) is None
    assert "15 jours" in (refusal(dt.date(2026, 3, 18), override=False) or "")
    assert refusal(dt.date(2026, 3, 31), override=True) is None
    assert "ont commencé le 1 avril 2026" in (refusal(FIRST_DAY, override=True) or "")
    assert "ont commencé" in (refusal(LAST_DAY, override=True) or "")
    assert "terminées (dernier jour le 2 avril 2026)" in (refusal(DAY_AFTER, override=True) or "")
    assert not rules.convocation_allowed(today=FIRST_DAY, session_day=FIRST_DAY, override=True)
    assert rules.convocation_allowed(today=dt.date(2026, 3, 31), session_day=FIRST_DAY, override=True)


def test_the_rules_keep_the_jury_and_candidates_open_until_the_last_exam_day_and_grids_from_the_first() -> None:
    assert rules.jury_refusal(today=LAST_DAY, last_day=LAST_DAY) is None
    assert "son jury d'évaluation ne se constitue plus" in (
        rules.jury_refusal(today=DAY_AFTER, last_day=LAST_DAY) or ""
    )
    assert rules.placement_date_refusal(today=LAST_DAY, last_day=LAST_DAY) is None
    assert "plus de candidat" in (rules.placement_date_refusal(today=DAY_AFTER, last_day=LAST_DAY) or "")
    assert rules.override_refusal(today=dt.date(2026, 3, 31), first_day=FIRST_DAY, last_day=LAST_DAY) is None
    assert "ne servirait plus" in (
        rules.override_refusal(today=FIRST_DAY, first_day=FIRST_DAY, last_day=LAST_DAY) or ""
    )
    assert "plus de dérogation" in (
        rules.override_refusal(today=DAY_AFTER, first_day=FIRST_DAY, last_day=LAST_DAY) or ""
    )
    assert "à partir du jour des épreuves (le 1 avril 2026)" in (
        rules.grids_refusal(today=dt.date(2026, 3, 31), first_day=FIRST_DAY) or ""
    )
    assert rules.grids_refusal(today=FIRST_DAY, first_day=FIRST_DAY) is None
    assert rules.grids_refusal(today=DAY_AFTER, first_day=FIRST_DAY) is None


# --- Convocations and the override -------------------------------------------------------------------------


def test_an_override_never_lets_a_convocation_leave_a_week_after_the_exam(
    session, certifier_admin, django_capture_on_commit_callbacks
) -> None:
    place = place_for(session)
    with at(dt.date(2026, 3, 25)):
        services.convocation_override_record(session=session, reason="Report", recorded_by=certifier_admin)
    with at(FIRST_DAY + dt.timedelta(days=7)), refused("terminées .dernier jour le 2 avril 2026. : plus aucune"):
        services.convocations_send(session=session)
    with at(FIRST_DAY, 7), refused("Les épreuves ont commencé le 1 avril 2026 : une convocation ne part jamais"):
        services.convocations_send(session=session)
    assert mail.outbox == []
    place.refresh_from_db()
    assert place.convocation_status == ConvocationStatus.NOT_SENT


def test_with_an_override_a_convocation_still_leaves_the_day_before_the_exam(
    session, certifier_admin, django_capture_on_commit_callbacks
) -> None:
    place_for(session)
    with at(dt.date(2026, 3, 31), 18):
        services.convocation_override_record(session=session, reason="Report", recorded_by=certifier_admin)
        with django_capture_on_commit_callbacks(execute=True):
            assert services.convocations_send(session=session) == 1
    assert len(mail.outbox) == 1


def test_a_convocation_queued_before_the_exam_is_not_sent_once_the_tests_have_begun(
    session, certifier_admin, django_capture_on_commit_callbacks
) -> None:
    place = place_for(session)
    with at(dt.date(2026, 3, 31), 23):
        services.convocation_override_record(session=session, reason="Report", recorded_by=certifier_admin)
        with django_capture_on_commit_callbacks(execute=False) as queued:
            services.convocations_send(session=session)
    with at(FIRST_DAY, 8):  # the broker was down overnight: the task runs on the exam day
        for callback in queued:
            callback()
    assert mail.outbox == []
    place.refresh_from_db()
    assert place.convocation_status == ConvocationStatus.FAILED
    assert "Les épreuves ont commencé le 1 avril 2026" in place.convocation_error


def test_no_override_once_the_tests_have_begun_or_are_over(session, certifier_admin) -> None:
    with at(FIRST_DAY), refused("ont commencé le 1 avril 2026 : une dérogation ne servirait plus"):
        services.convocation_override_record(session=session, reason="Report", recorded_by=certifier_admin)
    with at(DAY_AFTER), refused("terminées .dernier jour le 2 avril 2026. : plus de dérogation"):
        services.convocation_override_record(session=session, reason="Report", recorded_by=certifier_admin)
    assert not hasattr(EvaluationSession.objects.get(pk=session.pk), "override")


# --- The evaluation jury and the candidates --------------------------------------------------------------


def test_no_evaluation_jury_is_constituted_for_a_session_whose_tests_are_over(session, certifier_admin) -> None:
    with at(DAY_AFTER), refused("terminées .dernier jour le 2 avril 2026. : son jury d'évaluation ne se constitue"):
        jury_services.evaluation_jury_create(session=session, created_by=certifier_admin)
    assert not Jury.objects.filter(session=session).exists()
    with at(LAST_DAY):  # still possible on its last exam day
        jury_services.evaluation_jury_create(session=session, created_by=certifier_admin)


def test_no_candidate_is_added_to_a_session_whose_tests_are_over(session) -> None:
    enrolment = enrol(make_candidate(session.organisation), session.version)
    with at(DAY_AFTER), refused("terminées .dernier jour le 2 avril 2026. : on n'y ajoute plus de candidat"):
        services.session_add_candidate(session=session, enrolment=enrolment)
    assert not session.candidates.exists()


# --- The page says why ---------------------------------------------------------------------------------


def test_a_past_sessions_page_says_why_nothing_is_offered_any_more(client, session, certifier_admin, staff) -> None:
    place_for(session)
    with at(DAY_AFTER):
        client.force_login(certifier_admin)
        html = client.get(f"/sessions/{session.pk}/").content.decode()
        for action in ("convoquer/", "derogation/", "JURY"):
            assert action_url(session, action) not in html
        assert "plus aucune convocation" in html
        assert "plus de dérogation au délai de convocation" in html
        assert "son jury d&#x27;évaluation ne se constitue plus" in html
        client.force_login(staff)
        html = client.get(f"/sessions/{session.pk}/").content.decode()
        assert f'action="/sessions/{session.pk}/candidats/"' not in html
        assert 'role="search"' not in html
        assert "on n&#x27;y ajoute plus de candidat" in html


def test_on_the_first_exam_day_the_page_says_convocations_no_longer_leave(client, session, certifier_admin) -> None:
    with at(FIRST_DAY):
        client.force_login(certifier_admin)
        html = client.get(f"/sessions/{session.pk}/").content.decode()
    assert f'action="/sessions/{session.pk}/convoquer/"' not in html
    assert f'action="/sessions/{session.pk}/derogation/"' not in html
    assert "une convocation ne part jamais après, même avec une dérogation" in html
    assert action_url(session, "JURY") in html  # the jury may still be constituted


def test_ahead_of_the_session_the_page_still_offers_everything(client, session, certifier_admin) -> None:
    with at(dt.date(2026, 3, 25)):
        client.force_login(certifier_admin)
        html = client.get(f"/sessions/{session.pk}/").content.decode()
    for action in ("convoquer/", "derogation/", "JURY"):
        assert action_url(session, action) in html


# --- The exam day's siblings -----------------------------------------------------------------------------


def test_no_fraud_is_recorded_before_the_first_exam_day(session, staff) -> None:
    place = place_for(session)
    with at(dt.date(2026, 3, 31)), refused("Une fraude se constate pendant les épreuves, à partir du 1 avril 2026"):
        services.incident_report(session=session, kind="fraud", description="Soupçon", reported_by=staff, place=place)
    place.refresh_from_db()
    assert place.attendance == "expected"
    assert not FraudBan.objects.exists()
    with at(LAST_DAY):
        services.incident_report(session=session, kind="fraud", description="Copie", reported_by=staff, place=place)
    assert FraudBan.objects.get().decided_on == LAST_DAY


def test_the_attendance_sheet_says_a_fraud_is_reported_from_the_first_exam_day(client, session, staff) -> None:
    client.force_login(staff)
    html = client.get(f"/sessions/{session.pk}/emargement/").content.decode()
    assert "elle se signale à partir du 1 avril 2026" in html
    with at(FIRST_DAY):
        assert 'data-testid="fraud-not-yet"' not in client.get(f"/sessions/{session.pk}/emargement/").content.decode()
