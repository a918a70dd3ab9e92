"""Writes about sessions: scheduling under a valid approval, slots, convocations and their tracking."""

from __future__ import annotations

import datetime as dt
import smtplib
from collections.abc import Iterator
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from icalendar import Calendar

from accounts.models import User
from candidates import services as candidate_services
from candidates.models import AccommodationKind, Enrolment, EnrolmentStatus, FraudBan
from cqp.models import ApprovalStatus, CertificationVersion, TrainingOrganisation, VersionStatus
from evaluations import services, tasks
from evaluations.models import ConvocationStatus, EvaluationSession, SessionCandidate, SessionMode
from tests.factories import OrganisationFactory, VersionFactory, enrol, make_candidate

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
TODAY = dt.date(2026, 3, 2)
SESSION_DAY = dt.date(2026, 4, 1)  # 30 days ahead; summer time in Paris (UTC+2)
ADDRESS = "12 rue de Turbigo\n75003 Paris"


@pytest.fixture(autouse=True)
def _today() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=PARIS), tick=False) as traveller:
        yield traveller


@pytest.fixture
def approved(organisation: TrainingOrganisation) -> TrainingOrganisation:
    organisation.approval_start = dt.date(2025, 1, 1)
    organisation.approval_end = dt.date(2027, 12, 31)
    organisation.save()
    return organisation


@pytest.fixture
def version(referential: None) -> CertificationVersion:
    return CertificationVersion.objects.get(rncp_code="RNCP26850")


def schedule(
    *, version: CertificationVersion, organisation: TrainingOrganisation, created_by: User, **overrides: Any
) -> EvaluationSession:
    fields: dict[str, Any] = {
        "starts_on": SESSION_DAY,
        "ends_on": None,
        "mode": SessionMode.ON_SITE,
        "address": ADDRESS,
    }
    fields.update(overrides)
    return services.session_schedule(version=version, organisation=organisation, created_by=created_by, **fields)


@pytest.fixture
def session(version: CertificationVersion, approved: TrainingOrganisation, staff: User) -> EvaluationSession:
    return schedule(version=version, organisation=approved, created_by=staff, what_to_bring="Votre livret")


def place_for(session: EvaluationSession, n: int = 0, **overrides: Any) -> SessionCandidate:
    enrolment = enrol(make_candidate(session.organisation, n=n, **overrides), session.version)
    return services.session_add_candidate(session=session, enrolment=enrolment)


def refusal(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(exc.value.messages)


# Scheduling ------------------------------------------------------------------------------------


def test_a_session_takes_the_certifications_exam_length_by_default(session: EvaluationSession) -> None:
    assert session.slot_minutes == 45
    assert session.ends_on == session.starts_on == SESSION_DAY
    assert session.day_starts_at == dt.time(9, 0)
    assert session.address == ADDRESS


def test_a_session_may_set_its_own_slot_length(version, approved, staff) -> None:
    session = schedule(version=version, organisation=approved, created_by=staff, slot_minutes=60)
    assert session.slot_minutes == 60


@pytest.mark.parametrize("day", [TODAY, TODAY - dt.timedelta(days=1)])
def test_it_refuses_a_session_today_or_in_the_past(version, approved, staff, day: dt.date) -> None:
    with pytest.raises(ValidationError) as exc:
        schedule(version=version, organisation=approved, created_by=staff, starts_on=day)
    assert "starts_on" in exc.value.message_dict
    assert "date à venir" in refusal(exc)
    assert not EvaluationSession.objects.exists()


@pytest.mark.parametrize(
    "approval",
    [
        pytest.param({"approval_end": dt.date(2026, 1, 31)}, id="lapsed"),
        pytest.param({"approval_status": ApprovalStatus.SUSPENDED}, id="suspended"),
        pytest.param({"approval_status": ApprovalStatus.WITHDRAWN}, id="withdrawn"),
        pytest.param({"approval_start": None}, id="no-start"),
        pytest.param({"approval_start": dt.date(2026, 4, 2)}, id="starts-after-the-session"),
        pytest.param({"approval_end": dt.date(2026, 4, 1)}, id="ends-before-the-last-day"),
    ],
)
def test_it_refuses_a_session_the_organisations_approval_does_not_cover(
    version, approved, staff, approval: dict[str, Any]
) -> None:
    for name, value in approval.items():
        setattr(approved, name, value)
    approved.save()
    with pytest.raises(ValidationError) as exc:
        schedule(version=version, organisation=approved, created_by=staff, ends_on=dt.date(2026, 4, 2))
    message = " ".join(exc.value.message_dict["starts_on"])
    assert "BJO Formation" in message
    assert "une session ne peut pas être programmée" in message
    assert not EvaluationSession.objects.exists()


def test_the_approval_refusal_says_until_when_the_organisation_was_approved(version, approved, staff) -> None:
    approved.approval_end = dt.date(2026, 1, 31)
    approved.save()
    with pytest.raises(ValidationError) as exc:
        schedule(version=version, organisation=approved, created_by=staff)
    assert "31 janvier 2026" in refusal(exc)


def test_an_approval_without_end_date_covers_any_future_session(version, approved, staff) -> None:
    approved.approval_end = None
    approved.save()
    # Any plausible one: within bounds.EVENTS_YEARS_AHEAD (3 years from today).
    session = schedule(version=version, organisation=approved, created_by=staff, starts_on=dt.date(2028, 6, 3))
    assert session.pk is not None


def test_it_refuses_a_certification_not_in_force(approved, staff) -> None:
    draft = VersionFactory(status=VersionStatus.DRAFT, exam_minutes=30)
    with pytest.raises(ValidationError) as exc:
        schedule(version=draft, organisation=approved, created_by=staff)
    assert "version" in exc.value.message_dict


def test_an_on_site_session_needs_an_address(version, approved, staff) -> None:
    with pytest.raises(ValidationError) as exc:
        schedule(version=version, organisation=approved, created_by=staff, address="   ")
    assert exc.value.message_dict["address"] == ["Indiquez l'adresse des épreuves."]


def test_a_remote_session_needs_connection_details(version, approved, staff) -> None:
    with pytest.raises(ValidationError) as exc:
        schedule(version=version, organisation=approved, created_by=staff, mode=SessionMode.REMOTE, address="")
    assert "connection_details" in exc.value.message_dict


def test_it_asks_for_the_slot_length_when_the_certification_has_none(approved, staff) -> None:
    no_length = VersionFactory(exam_minutes=None)
    with pytest.raises(ValidationError) as exc:
        schedule(version=no_length, organisation=approved, created_by=staff)
    assert "slot_minutes" in exc.value.message_dict
    session = schedule(version=no_length, organisation=approved, created_by=staff, slot_minutes=20)
    assert session.slot_minutes == 20


# Places and slots --------------------------------------------------------------------------------


def test_candidates_get_consecutive_slots_from_the_first_passage(session: EvaluationSession) -> None:
    places = [place_for(session, n=n) for n in range(3)]
    local = [(timezone.localtime(p.starts_at), timezone.localtime(p.ends_at)) for p in places]
    assert [(start.strftime("%H:%M"), end.strftime("%H:%M")) for start, end in local] == [
        ("09:00", "09:45"),
        ("09:45", "10:30"),
        ("10:30", "11:15"),
    ]
    assert all(start.date() == SESSION_DAY for start, _ in local)
    assert places[0].starts_at == dt.datetime(2026, 4, 1, 9, 0, tzinfo=PARIS)
    assert places[0].convocation_status == ConvocationStatus.NOT_SENT


def test_extra_time_lengthens_the_candidates_slot(session: EvaluationSession) -> None:
    enrolment = enrol(make_candidate(session.organisation), session.version)
    candidate_services.accommodation_add(
        enrolment=enrolment,
        kind=AccommodationKind.EXTRA_TIME,
        measure="Tiers temps",
        referent="Mme Référente",
        approved_on=TODAY,
        extra_minutes=30,
    )
    place = services.session_add_candidate(session=session, enrolment=enrolment)
    assert place.ends_at - place.starts_at == dt.timedelta(minutes=75)
    following = place_for(session, n=1)
    assert following.starts_at == place.ends_at
    assert following.ends_at - following.starts_at == dt.timedelta(minutes=45)


def test_it_refuses_a_candidate_of_another_organisation(session: EvaluationSession) -> None:
    other = OrganisationFactory(name="Autre organisme")
    enrolment = enrol(make_candidate(other, n=7), session.version)
    with pytest.raises(ValidationError) as exc:
        services.session_add_candidate(session=session, enrolment=enrolment)
    assert "autre organisme" in refusal(exc)
    assert not session.candidates.exists()


def test_it_refuses_an_enrolment_for_another_certification(session: EvaluationSession) -> None:
    other_version = CertificationVersion.objects.get(rncp_code="RNCP31313")
    enrolment = enrol(make_candidate(session.organisation), other_version)
    with pytest.raises(ValidationError) as exc:
        services.session_add_candidate(session=session, enrolment=enrolment)
    assert "pas inscrit à la certification" in refusal(exc)


def test_it_refuses_a_withdrawn_enrolment(session: EvaluationSession) -> None:
    enrolment = enrol(make_candidate(session.organisation), session.version)
    Enrolment.objects.filter(pk=enrolment.pk).update(status=EnrolmentStatus.WITHDRAWN)
    enrolment.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.session_add_candidate(session=session, enrolment=enrolment)
    assert "plus active" in refusal(exc)


def test_it_refuses_a_candidate_banned_for_fraud_on_the_session_day(
    session: EvaluationSession, certifier_admin: User
) -> None:
    candidate = make_candidate(session.organisation)
    enrolment = enrol(candidate, session.version)
    # A ban whose enrolments were not withdrawn (the service withdraws them; a ban is never decided ahead since
    # bounds.past_event_date): the session still refuses the candidate.
    FraudBan.objects.create(
        candidate=candidate,
        identity_key=candidate.identity_key,
        decided_on=TODAY,
        ends_on=TODAY + dt.timedelta(days=3 * 365),
        reason="Livret copié",
        recorded_by=certifier_admin,
    )
    with pytest.raises(ValidationError) as exc:
        services.session_add_candidate(session=session, enrolment=enrolment)
    assert "exclue pour fraude" in refusal(exc)
    assert "MARTIN0 Julie" in refusal(exc)


def test_it_refuses_the_same_candidate_twice(session: EvaluationSession) -> None:
    place = place_for(session)
    with pytest.raises(ValidationError) as exc:
        services.session_add_candidate(session=session, enrolment=place.enrolment)
    assert "déjà dans la session" in refusal(exc)
    assert session.candidates.count() == 1


# Convocations ------------------------------------------------------------------------------------


def send(session: EvaluationSession, capture: Any, **kwargs: Any) -> int:
    with capture(execute=True):
        return services.convocations_send(session=session, **kwargs)


def ics_of(message: mail.EmailMessage) -> Calendar:
    [(name, content, mimetype)] = message.attachments
    assert (name, mimetype) == ("convocation.ics", "text/calendar")
    return Calendar.from_ical(content)


def test_each_candidate_gets_a_convocation_with_its_calendar_file(
    session: EvaluationSession, django_capture_on_commit_callbacks
) -> None:
    enrolment = enrol(make_candidate(session.organisation), session.version)
    candidate_services.accommodation_add(
        enrolment=enrolment,
        kind=AccommodationKind.EXTRA_TIME,
        measure="Tiers temps",
        referent="Mme Référente",
        approved_on=TODAY,
        extra_minutes=30,
    )
    first = services.session_add_candidate(session=session, enrolment=enrolment)
    second = place_for(session, n=1)

    assert send(session, django_capture_on_commit_callbacks) == 2

    assert len(mail.outbox) == 2
    by_recipient = {message.to[0]: message for message in mail.outbox}
    message = by_recipient["julie0@example.org"]
    assert "Convocation" in message.subject
    assert "1 avril 2026" in message.body
    assert "de 09:00 à 10:15" in message.body
    assert "12 rue de Turbigo" in message.body
    assert "3 ans" in message.body
    assert "Tiers temps" in message.body and "30 minutes" in message.body
    assert "Votre livret" in message.body
    [event] = ics_of(message).walk("VEVENT")
    assert event.decoded("dtstart") == first.starts_at
    assert event.decoded("dtend") == first.ends_at
    assert "12 rue de Turbigo" in str(event["location"])

    other = by_recipient["julie1@example.org"]
    assert "de 10:15 à 11:00" in other.body
    assert "Aménagements" not in other.body
    [event] = ics_of(other).walk("VEVENT")
    assert event.decoded("dtstart") == second.starts_at

    for place in (first, second):
        place.refresh_from_db()
        assert place.convocation_status == ConvocationStatus.SENT
        assert place.convocation_sent_at == timezone.now()
        assert place.convocation_sends == 1
        assert place.convocation_error == ""


def test_convocations_already_sent_are_not_sent_again(session, django_capture_on_commit_callbacks) -> None:
    place = place_for(session)
    send(session, django_capture_on_commit_callbacks)
    assert send(session, django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 1
    place.refresh_from_db()
    assert place.convocation_sends == 1


def test_a_candidate_added_later_is_the_only_one_convoked_next_time(
    session, django_capture_on_commit_callbacks
) -> None:
    place_for(session)
    send(session, django_capture_on_commit_callbacks)
    late = place_for(session, n=1)
    assert send(session, django_capture_on_commit_callbacks) == 1
    assert [m.to for m in mail.outbox] == [["julie0@example.org"], ["julie1@example.org"]]
    late.refresh_from_db()
    assert late.convocation_status == ConvocationStatus.SENT


def test_a_resend_sends_every_convocation_again_and_counts_it(
    session, django_capture_on_commit_callbacks, _today
) -> None:
    place = place_for(session)
    send(session, django_capture_on_commit_callbacks)
    _today.shift(dt.timedelta(days=1))
    assert send(session, django_capture_on_commit_callbacks, resend=True) == 1
    assert len(mail.outbox) == 2
    place.refresh_from_db()
    assert place.convocation_status == ConvocationStatus.SENT
    assert place.convocation_sends == 2
    assert place.convocation_sent_at == timezone.now()


def test_it_refuses_a_convocation_under_15_days(session, django_capture_on_commit_callbacks) -> None:
    place = place_for(session)
    with (
        time_machine.travel(dt.datetime(2026, 3, 18, 8, 0, tzinfo=PARIS), tick=False),  # 14 days before
        pytest.raises(ValidationError) as exc,
    ):
        send(session, django_capture_on_commit_callbacks)
    assert "15 jours" in refusal(exc)
    assert "17 mars 2026" in refusal(exc)
    assert mail.outbox == []
    place.refresh_from_db()
    assert place.convocation_status == ConvocationStatus.NOT_SENT


def test_a_convocation_is_allowed_exactly_15_days_before(session, django_capture_on_commit_callbacks) -> None:
    place_for(session)
    with time_machine.travel(dt.datetime(2026, 3, 17, 23, 30, tzinfo=PARIS), tick=False):
        assert send(session, django_capture_on_commit_callbacks) == 1
    assert len(mail.outbox) == 1


def test_a_certifier_admins_override_allows_a_late_convocation(
    session, certifier_admin, django_capture_on_commit_callbacks
) -> None:
    place = place_for(session)
    with time_machine.travel(dt.datetime(2026, 3, 25, 9, 0, tzinfo=PARIS), tick=False):
        override = services.convocation_override_record(
            session=session, reason="  Report de la session précédente  ", recorded_by=certifier_admin
        )
        assert send(session, django_capture_on_commit_callbacks) == 1
    assert override.reason == "Report de la session précédente"
    assert len(mail.outbox) == 1
    place.refresh_from_db()
    assert place.convocation_status == ConvocationStatus.SENT


def test_organisation_staff_cannot_record_an_override(session, staff) -> None:
    with pytest.raises(PermissionDenied, match="administrateur du certificateur"):
        services.convocation_override_record(session=session, reason="Urgence", recorded_by=staff)
    assert not services.convocations_allowed(session, today=dt.date(2026, 3, 25))


def test_an_override_needs_a_reason(session, certifier_admin) -> None:
    with pytest.raises(ValidationError) as exc:
        services.convocation_override_record(session=session, reason="  ", recorded_by=certifier_admin)
    assert "reason" in exc.value.message_dict
    assert not services.convocations_allowed(session, today=dt.date(2026, 3, 25))


def test_a_remote_convocation_asks_for_an_identity_document_and_gives_the_connection(
    version, approved, staff, django_capture_on_commit_callbacks
) -> None:
    session = schedule(
        version=version,
        organisation=approved,
        created_by=staff,
        mode=SessionMode.REMOTE,
        address="",
        connection_details="https://visio.example.org/cqp-26850 — code 4321",
    )
    place_for(session)
    send(session, django_capture_on_commit_callbacks)
    [message] = mail.outbox
    assert "à distance" in message.body
    assert "https://visio.example.org/cqp-26850 — code 4321" in message.body
    assert "copie de votre pièce d'identité" in message.body
    assert "Lieu :" not in message.body
    [event] = ics_of(message).walk("VEVENT")
    assert str(event["location"]) == "À distance"


# The task ----------------------------------------------------------------------------------------


@pytest.fixture
def sent_place(session, django_capture_on_commit_callbacks) -> SessionCandidate:
    place = place_for(session)
    send(session, django_capture_on_commit_callbacks)
    place.refresh_from_db()
    assert place.convocation_status == ConvocationStatus.SENT
    mail.outbox.clear()
    return place


@pytest.mark.parametrize(
    "run",
    [
        pytest.param(lambda pk: tasks.convocation_send(place_id=pk), id="call"),
        pytest.param(lambda pk: tasks.convocation_send.run(place_id=pk), id="run"),
        pytest.param(lambda pk: tasks.convocation_send.apply(kwargs={"place_id": pk}).get(), id="apply"),
    ],
)
def test_the_task_sends_nothing_for_a_convocation_already_sent(sent_place: SessionCandidate, run: Any) -> None:
    assert run(sent_place.pk) == "skipped"
    assert mail.outbox == []
    sent_place.refresh_from_db()
    assert sent_place.convocation_sends == 1
    assert sent_place.convocation_status == ConvocationStatus.SENT


def test_the_task_sends_nothing_for_a_convocation_not_queued(session: EvaluationSession) -> None:
    place = place_for(session)
    assert tasks.convocation_send(place_id=place.pk) == "skipped"
    assert mail.outbox == []


@pytest.fixture
def _retries_not_thrown() -> Iterator[None]:
    """As on a worker: a retry is scheduled, not thrown at the caller (eager `apply` then runs it at once)."""
    from cqp.celery import app

    propagates = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = propagates


@pytest.mark.usefixtures("_retries_not_thrown")
def test_inline_a_failing_mail_server_fails_at_once_with_the_reason(session: EvaluationSession) -> None:
    place = place_for(session)
    SessionCandidate.objects.filter(pk=place.pk).update(convocation_status=ConvocationStatus.QUEUED)
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=smtplib.SMTPException("boom")) as send_mail:
        result = tasks.convocation_send.apply(kwargs={"place_id": place.pk})
    # Without a broker there is nobody to retry later: one attempt, then the failure is shown.
    assert send_mail.call_count == 1
    assert result.get() == "failed"
    place.refresh_from_db()
    assert place.convocation_status == ConvocationStatus.FAILED
    assert place.convocation_error == "SMTPException : boom"
    assert place.convocation_sent_at is None
    assert place.convocation_sends == 0


def test_the_last_attempt_records_the_failure(session: EvaluationSession) -> None:
    place = place_for(session)
    SessionCandidate.objects.filter(pk=place.pk).update(convocation_status=ConvocationStatus.QUEUED)
    with (
        mock.patch("django.core.mail.EmailMessage.send", side_effect=ConnectionError("refused")),
        mock.patch.object(tasks.convocation_send, "max_retries", 0),
    ):
        assert tasks.convocation_send(place_id=place.pk) == "failed"
    place.refresh_from_db()
    assert place.convocation_status == ConvocationStatus.FAILED
    assert place.convocation_error == "ConnectionError : refused"


def test_a_failing_mail_server_with_inline_tasks_marks_the_convocation_failed(
    session: EvaluationSession, django_capture_on_commit_callbacks
) -> None:
    place = place_for(session)
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=smtplib.SMTPException("boom")):
        send(session, django_capture_on_commit_callbacks)
    place.refresh_from_db()
    assert place.convocation_status == ConvocationStatus.FAILED
    assert "boom" in place.convocation_error


def test_a_failed_convocation_goes_again_with_the_next_sending(
    session: EvaluationSession, django_capture_on_commit_callbacks
) -> None:
    place = place_for(session)
    with (
        mock.patch("django.core.mail.EmailMessage.send", side_effect=smtplib.SMTPException("boom")),
        mock.patch.object(tasks.convocation_send, "max_retries", 0),
    ):
        send(session, django_capture_on_commit_callbacks)
    place.refresh_from_db()
    assert place.convocation_status == ConvocationStatus.FAILED
    assert send(session, django_capture_on_commit_callbacks) == 1
    place.refresh_from_db()
    assert place.convocation_status == ConvocationStatus.SENT
    assert place.convocation_error == ""
    assert len(mail.outbox) == 1
