"""The exam day: identity checks, signed presence, absences, incidents reaching the certifier, fraud."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from candidates import services as candidate_services
from candidates.models import EnrolmentStatus, FraudBan
from cqp.models import CertificationVersion
from evaluations import rules, services
from evaluations.models import Attendance, EvaluationSession, Incident, SessionCandidate
from tests.factories import enrol, make_candidate

pytestmark = pytest.mark.django_db

EXAM_DAY = dt.date(2026, 12, 15)
SCHEDULED_ON = dt.datetime(2026, 11, 1, 10, tzinfo=dt.UTC)
ON_EXAM_DAY = dt.datetime(2026, 12, 15, 9, 5, tzinfo=dt.UTC)


@pytest.fixture
def session(referential, staff):
    organisation = staff.organisation
    organisation.approval_start = dt.date(2020, 1, 1)
    organisation.save()
    with time_machine.travel(SCHEDULED_ON):
        return services.session_schedule(
            version=CertificationVersion.objects.get(rncp_code="RNCP26850"),
            organisation=organisation,
            starts_on=EXAM_DAY,
            ends_on=None,
            mode="on_site",
            address="58 rue du Louvre, 75002 Paris",
            created_by=staff,
        )


def place_for(session: EvaluationSession, n: int = 0) -> SessionCandidate:
    candidate = make_candidate(
        session.organisation,
        birth_name=f"Moreau{n}",
        first_name="Inès",
        sex="F",
        birth_date=dt.date(2000, 2, 1 + n),
        birth_commune="Rennes",
        birth_insee_code="35238",
        email=f"ines{n}@example.org",
    )
    enrolment = enrol(candidate, session.version)
    with time_machine.travel(SCHEDULED_ON):
        return services.session_add_candidate(session=session, enrolment=enrolment)


def test_the_sheet_is_filled_only_on_the_exam_day(session, staff) -> None:
    place = place_for(session)
    with time_machine.travel(SCHEDULED_ON), pytest.raises(ValidationError, match="le jour des épreuves"):
        services.identity_check(place=place, document="cni", checked_by=staff)
    place.refresh_from_db()
    assert place.identity_checked_at is None


def test_identity_then_signature_records_who_and_when(session, staff) -> None:
    place = place_for(session)
    with time_machine.travel(ON_EXAM_DAY, tick=False):
        with pytest.raises(ValidationError, match="Contrôlez d'abord l'identité"):
            services.attendance_sign(place=place, recorded_by=staff)
        services.identity_check(place=place, document="passeport", checked_by=staff)
        services.attendance_sign(place=place, recorded_by=staff)
        with pytest.raises(ValidationError, match="déjà enregistrée"):
            services.attendance_sign(place=place, recorded_by=staff)
    place.refresh_from_db()
    assert (place.identity_document, place.identity_checked_by, place.identity_checked_remotely) == (
        "passeport",
        staff,
        False,
    )
    assert place.attendance == Attendance.PRESENT
    assert place.signed_at == ON_EXAM_DAY == place.identity_checked_at
    assert place.attendance_recorded_by == staff


def test_an_unknown_document_is_refused(session, staff) -> None:
    place = place_for(session)
    with time_machine.travel(ON_EXAM_DAY), pytest.raises(ValidationError, match="pièce d'identité présentée"):
        services.identity_check(place=place, document="carte de bibliothèque", checked_by=staff)


def test_an_absent_candidate_cannot_sign_afterwards(session, staff) -> None:
    place = place_for(session)
    with time_machine.travel(ON_EXAM_DAY):
        services.attendance_absent(place=place, recorded_by=staff)
        with pytest.raises(ValidationError, match="déjà noté absent"):
            services.identity_check(place=place, document="cni", checked_by=staff)
    place.refresh_from_db()
    assert place.attendance == Attendance.ABSENT


def test_an_incident_reaches_every_certifier_admin(
    session, staff, certifier_admin, django_capture_on_commit_callbacks
) -> None:
    with time_machine.travel(ON_EXAM_DAY), django_capture_on_commit_callbacks(execute=True):
        incident = services.incident_report(
            session=session,
            kind="technical",
            description="Panne du tour à polir n° 2 pendant 20 minutes.",
            reported_by=staff,
        )
    assert incident.reported_by == staff
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [certifier_admin.email]
    assert "Incident technique" in mail.outbox[0].subject
    assert "Panne du tour à polir" in mail.outbox[0].body


def test_an_incident_needs_a_description(session, staff) -> None:
    with pytest.raises(ValidationError, match="Décrivez"):
        services.incident_report(session=session, kind="other", description="  ", reported_by=staff)
    assert not Incident.objects.exists()


def test_fraud_excludes_the_candidate_and_bans_them_for_three_years(session, staff, certifier_admin) -> None:
    place = place_for(session)
    other_session_place = place_for(session, n=1)
    with time_machine.travel(ON_EXAM_DAY):
        with pytest.raises(ValidationError, match="pour un candidat"):
            services.incident_report(session=session, kind="fraud", description="Livret copié", reported_by=staff)
        services.incident_report(
            session=session,
            kind="fraud",
            description="Livret recopié d'un autre candidat.",
            reported_by=staff,
            place=place,
        )
        with pytest.raises(ValidationError, match="déjà exclu"):
            services.incident_report(
                session=session, kind="fraud", description="Encore", reported_by=staff, place=place
            )
    place.refresh_from_db()
    assert place.attendance == Attendance.EXCLUDED
    ban = FraudBan.objects.get()
    assert (ban.decided_on, ban.ends_on) == (EXAM_DAY, dt.date(2029, 12, 14))
    assert place.enrolment.__class__.objects.get(pk=place.enrolment_id).status == EnrolmentStatus.WITHDRAWN
    other_session_place.refresh_from_db()
    assert other_session_place.attendance == Attendance.EXPECTED


def test_a_remote_check_needs_the_uploaded_copy_and_deletes_it(
    session, staff, django_capture_on_commit_callbacks
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    EvaluationSession.objects.filter(pk=session.pk).update(
        mode="remote", connection_details="https://visio.example.org"
    )
    session.refresh_from_db()
    place = place_for(session)
    candidate = place.enrolment.candidate
    with time_machine.travel(ON_EXAM_DAY):
        with pytest.raises(ValidationError, match="aucune copie n'a été déposée"):
            services.identity_check(place=place, document="cni", checked_by=staff)
        candidate_services.document_upload(
            candidate=candidate,
            uploaded_by=staff,
            kind="identity_copy",
            file=SimpleUploadedFile("cni.pdf", b"%PDF-1.4\n%fake but starts right\n", content_type="application/pdf"),
        )
        copy = candidate_services.identity_copy_for(candidate)
        assert copy is not None
        stored_name = copy.file.name
        storage = copy.file.storage
        with django_capture_on_commit_callbacks(execute=True):
            services.identity_check(place=place, document="cni", checked_by=staff)
    place.refresh_from_db()
    assert place.identity_checked_remotely is True
    assert candidate_services.identity_copy_for(candidate) is None
    assert not storage.exists(stored_name)


def test_the_printable_sheet_is_a_pdf_listing_every_candidate(client, session, staff) -> None:
    for n in range(3):
        place_for(session, n=n)
    client.force_login(staff)
    response = client.get(f"/sessions/{session.pk}/emargement.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF-")
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    for n in range(3):
        assert f"MOREAU{n}" in text


def test_the_printable_sheet_is_kept_by_no_cache_and_never_sniffed(client, session, staff) -> None:
    place_for(session)
    client.force_login(staff)
    response = client.get(f"/sessions/{session.pk}/emargement.pdf")
    assert response["Content-Disposition"] == f'inline; filename="emargement-{session.starts_on:%Y-%m-%d}.pdf"'
    assert "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_sheet_is_404_for_another_organisation(client, session) -> None:
    from tests.factories import OrganisationFactory, UserFactory

    outsider = UserFactory(organisation=OrganisationFactory(name="Autre"))
    client.force_login(outsider)
    assert client.get(f"/sessions/{session.pk}/emargement/").status_code == 404
    assert client.get(f"/sessions/{session.pk}/emargement.pdf").status_code == 404


def test_slots_move_to_the_next_morning_when_a_day_is_full() -> None:
    # The slot rules work on naive local times; the service makes them aware in Europe/Paris.
    start = rules.next_slot_start(
        previous_end=dt.datetime(2026, 12, 15, 17, 30),  # noqa: DTZ001
        first_day=dt.date(2026, 12, 15),
        last_day=dt.date(2026, 12, 16),
        day_starts_at=dt.time(9),
        minutes=45,
    )
    assert start == dt.datetime(2026, 12, 16, 9, 0)  # noqa: DTZ001
    assert (
        rules.next_slot_start(
            previous_end=dt.datetime(2026, 12, 16, 17, 30),  # noqa: DTZ001
            first_day=dt.date(2026, 12, 15),
            last_day=dt.date(2026, 12, 16),
            day_starts_at=dt.time(9),
            minutes=45,
        )
        is None
    )
    assert timezone.is_naive(start)


def test_certifier_admins_find_incidents_in_the_admin_read_only(client, session, staff, certifier_admin) -> None:
    incident = services.incident_report(session=session, kind="other", description="Retard du jury.", reported_by=staff)
    client.force_login(certifier_admin)
    listing = client.get("/admin/evaluations/incident/")
    assert listing.status_code == 200
    assert "Autre" in listing.content.decode()
    assert client.post(f"/admin/evaluations/incident/{incident.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Incident.objects.filter(pk=incident.pk).exists()
    client.force_login(staff)
    assert client.get("/admin/evaluations/incident/").status_code == 302
