"""Journeys in real Chromium: a training organisation schedules a session, places its candidates and
sends the convocations; the candidate then sees the convocation in their space."""

from __future__ import annotations

import datetime as dt
import pathlib
import re

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from candidates import services as candidate_services
from conftest import ARTIFACTS
from cqp.models import CertificationVersion
from tests.factories import PASSWORD, UserFactory, enrol, make_candidate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def enrolled(referential, staff):
    organisation = staff.organisation
    organisation.approval_start = dt.date(2020, 1, 1)
    organisation.save()
    version = CertificationVersion.objects.get(rncp_code="RNCP26850")
    people = []
    for n, (name, first) in enumerate([("Lefèvre", "Chloé"), ("Øster", "Søren")]):
        candidate = make_candidate(
            organisation,
            created_by=staff,
            birth_name=name,
            first_name=first,
            sex="F" if n == 0 else "M",
            birth_date=dt.date(1999, 5, 1 + n),
            birth_commune="Paris",
            birth_insee_code="75056",
            email=f"candidat{n}@example.org",
        )
        enrolment = enrol(candidate, version, access_route="apprentissage", created_by=staff)
        people.append((candidate, enrolment))
    candidate_services.accommodation_add(
        enrolment=people[1][1],
        kind="extra_time",
        extra_minutes=15,
        measure="Tiers temps",
        referent="Référente handicap CPNEFP",
        approved_on=dt.date(2026, 9, 1),
    )
    return people


def test_staff_schedule_a_session_and_convoke_and_the_candidate_sees_it(page, login, screenshot, staff, enrolled):
    day = timezone.localdate() + dt.timedelta(days=40)
    login(staff.email)
    page.get_by_role("link", name="Mes sessions").click()
    page.get_by_role("link", name="Programmer une session").click()
    page.get_by_label("Certification*").select_option(label="RNCP 26850 — CQP Opérateur en polissage (v1)")
    page.get_by_label("Premier jour*").fill(day.isoformat())
    page.get_by_role("textbox", name="Adresse").fill("58 rue du Louvre\n75002 Paris")
    page.get_by_role("button", name="Programmer").click()

    expect(page.get_by_role("alert").filter(has_text="Session programmée")).to_be_visible()
    expect(page.get_by_test_id("timeline")).to_contain_text("Envoi des convocations (15 jours avant au plus tard)")
    for typed, label in (("Lefèvre", "LEFÈVRE Chloé"), ("Øster", "ØSTER Søren")):
        page.get_by_label("Rechercher un candidat inscrit").fill(typed)
        page.get_by_role("button", name="Rechercher").click()
        page.get_by_label("Candidat inscrit", exact=True).select_option(label=label)
        page.get_by_role("button", name="Ajouter à la session").click()
        expect(page.get_by_role("alert").filter(has_text=f"Créneau de {label} fixé au")).to_be_visible()
    places = page.get_by_test_id("place")
    expect(places).to_have_count(2)
    expect(places.nth(0)).to_contain_text("09:00 – 09:45")
    expect(places.nth(1)).to_contain_text("09:45 – 10:45")  # 45 min + 15 min extra time
    expect(places.nth(1)).to_contain_text("Tiers temps")

    page.get_by_role("button", name="Envoyer les convocations").click()
    expect(page.get_by_role("alert").filter(has_text="2 convocation(s) en cours d'envoi")).to_be_visible()
    page.reload()
    expect(page.get_by_test_id("convocation-status")).to_have_text(["Envoyée", "Envoyée"])
    screenshot("session-convoked")
    assert len(mail.outbox) == 2
    assert "Tiers temps" in mail.outbox[1].body
    assert mail.outbox[0].attachments[0][0] == "convocation.ics"

    # The candidate gets an account, logs in and finds the convocation.
    candidate = enrolled[0][0]
    candidate.user = UserFactory(email=candidate.email, is_candidate=True)
    candidate.save()
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Se déconnecter").click()
    login(candidate.email, PASSWORD)
    convocation = page.get_by_test_id("my-convocation")
    expect(convocation).to_contain_text("CQP Opérateur en polissage")
    expect(convocation).to_contain_text("09:00–09:45")
    expect(convocation).to_contain_text("58 rue du Louvre")
    with page.expect_download() as download:
        convocation.get_by_role("link", name=re.compile("Ajouter à mon agenda")).click()
    assert download.value.suggested_filename == "convocation.ics"
    screenshot("candidate-space")


def test_under_15_days_convocations_are_refused_until_an_admin_overrides(
    page, login, screenshot, staff, enrolled, certifier_admin
):
    from evaluations import services

    day = timezone.localdate() + dt.timedelta(days=10)
    session = services.session_schedule(
        version=enrolled[0][1].version,
        organisation=staff.organisation,
        starts_on=day,
        ends_on=None,
        mode="remote",
        connection_details="https://visio.example.org/cqp",
        created_by=staff,
    )
    services.session_add_candidate(session=session, enrolment=enrolled[0][1])

    login(staff.email, start=f"/sessions/{session.pk}/")
    page.get_by_role("button", name="Envoyer les convocations").click()
    expect(page.get_by_role("alert").filter(has_text="au moins 15 jours avant les épreuves")).to_be_visible()
    expect(page.get_by_test_id("convocation-status")).to_have_text("Non envoyée")
    screenshot("convocation-refused")

    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Se déconnecter").click()
    login(certifier_admin.email, start=f"/sessions/{session.pk}/")
    page.get_by_label("Motif de la dérogation*").fill("Report de la session pour cause de grève des transports.")
    page.get_by_role("button", name="Accorder la dérogation").click()
    expect(page.get_by_role("alert").filter(has_text="Dérogation enregistrée")).to_be_visible()
    page.get_by_role("button", name="Envoyer les convocations").click()
    # Wait for the redirect to land before reloading: reloading mid-navigation detaches the page.
    expect(page.get_by_role("alert").filter(has_text="1 convocation(s) en cours d'envoi")).to_be_visible()
    page.reload()
    expect(page.get_by_test_id("convocation-status")).to_have_text("Envoyée")
    assert "pièce d'identité" in mail.outbox[-1].body


def test_the_attendance_sheet_is_filled_on_the_exam_day(page, login, screenshot, staff, enrolled):
    from evaluations import services

    exam_day = timezone.localdate() + dt.timedelta(days=30)
    session = services.session_schedule(
        version=enrolled[0][1].version,
        organisation=staff.organisation,
        starts_on=exam_day,
        ends_on=None,
        mode="on_site",
        address="58 rue du Louvre, 75002 Paris",
        created_by=staff,
    )
    for _candidate, enrolment in enrolled:
        services.session_add_candidate(session=session, enrolment=enrolment)

    # The server thread shares the frozen clock: the page believes it is the exam day, 9 a.m. in Paris.
    morning = timezone.make_aware(dt.datetime.combine(exam_day, dt.time(9, 5)))
    with time_machine.travel(morning, tick=True):
        login(staff.email, start=f"/sessions/{session.pk}/emargement/")
        rows = page.get_by_test_id("attendance-row")
        expect(rows).to_have_count(2)
        first = rows.nth(0)
        first.get_by_role("combobox").select_option("passeport")
        first.get_by_role("button", name="Identité contrôlée").click()
        expect(page.get_by_role("alert").filter(has_text="Identité de LEFÈVRE Chloé contrôlée")).to_be_visible()
        page.get_by_test_id("attendance-row").nth(0).get_by_role("button", name="Émarger").click()
        expect(page.get_by_role("alert").filter(has_text="LEFÈVRE Chloé a émargé")).to_be_visible()
        page.get_by_test_id("attendance-row").nth(1).get_by_role("button", name="Absent").click()
        expect(page.get_by_role("alert").filter(has_text="ØSTER Søren noté absent")).to_be_visible()
        # Chloé, Søren: said with their recorded sex.
        expect(page.get_by_test_id("attendance-status")).to_have_text(["Présente", "Absent"])
        expect(page.get_by_test_id("identity-status")).to_have_text("Passeport")

        page.get_by_label("Type d'incident*").select_option("technical")
        page.get_by_label("Description*").fill("Coupure de courant de 10 minutes dans l'atelier.")
        page.get_by_role("button", name="Enregistrer l'incident").click()
        expect(page.get_by_test_id("incident")).to_contain_text("Coupure de courant")
        screenshot("attendance-sheet")

        response = page.request.get(f"/sessions/{session.pk}/emargement.pdf")
        assert response.status == 200
        assert response.body().startswith(b"%PDF-")
        # Kept beside the screenshots, to look at it as a person would (pdftoppm).
        pathlib.Path(ARTIFACTS, "attendance-sheet.pdf").write_bytes(response.body())
