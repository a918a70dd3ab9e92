"""A journey in real Chromium: the organisation proposes to postpone a session (a jury member is absent), the
certifier accepts, the candidates are convoked again to the new date, and the candidate reads the incident report
in their space."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone
from django.utils.formats import date_format
from playwright.sync_api import expect

from cqp.models import CertificationVersion
from evaluations import services as session_services
from evaluations.models import ConvocationStatus, SessionCandidate
from tests.factories import UserFactory, enrol, make_candidate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def logout(page) -> None:
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Se déconnecter").click()


def test_a_postponed_session_convokes_again_and_the_candidate_reads_the_report(
    page, login, screenshot, referential, staff, certifier_admin
):
    organisation = staff.organisation
    organisation.approval_start = dt.date(2020, 1, 1)
    organisation.save()
    version = CertificationVersion.objects.get(rncp_code="RNCP26850")
    day = timezone.localdate() + dt.timedelta(days=30)
    later = day + dt.timedelta(days=21)
    session = session_services.session_schedule(
        version=version,
        organisation=organisation,
        starts_on=day,
        ends_on=None,
        mode="on_site",
        address="58 rue du Louvre\n75002 Paris",
        created_by=staff,
    )
    candidates = [
        make_candidate(organisation, n=n, created_by=staff, email=f"candidat{n}@example.org") for n in range(2)
    ]
    for candidate in candidates:
        session_services.session_add_candidate(session=session, enrolment=enrol(candidate, version))
    session_services.convocations_send(session=session)
    assert len(mail.outbox) == 2
    candidate = candidates[0]
    candidate.user = UserFactory(email=candidate.email, is_candidate=True)
    candidate.save()
    mail.outbox.clear()

    # The organisation proposes the postponement from the session's page.
    login(staff.email, start=f"/sessions/{session.pk}/")
    page.get_by_role("link", name="Proposer d'annuler ou de reporter").click()
    page.get_by_label("Report").check()
    page.get_by_label("Motif*").select_option(label="Absence d'un membre du jury")
    page.get_by_label("Description du dysfonctionnement*").fill("Le représentant des employeurs est hospitalisé.")
    page.get_by_label("Nouveau premier jour").fill(later.isoformat())
    page.get_by_role("button", name="Transmettre au certificateur").click()
    expect(page.get_by_role("alert").filter(has_text="Proposition transmise au certificateur")).to_be_visible()
    expect(page.get_by_test_id("proposal-status")).to_have_text("En attente de décision")
    screenshot("dysfunction-proposed")
    assert [message.to for message in mail.outbox] == [[certifier_admin.email]]
    logout(page)

    # The certifier finds it first in the list and accepts it.
    login(certifier_admin.email, start="/dysfonctionnements/")
    row = page.get_by_test_id("proposal-row").first
    expect(row).to_contain_text("Absence d'un membre du jury")
    expect(row.get_by_test_id("proposal-status")).to_have_text("En attente de décision")
    screenshot("dysfunction-list")
    row.get_by_role("link").first.click()
    expect(page.get_by_test_id("new-dates")).to_contain_text(date_format(later, "j F Y"))
    page.get_by_label("Accepter").check()
    page.get_by_label("Motif de la décision").fill("Report accepté : un nouveau jury sera composé.")
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_role("alert").filter(has_text="2 candidat(s) convoqué(s) à nouveau")).to_be_visible()
    expect(page.get_by_test_id("decision")).to_contain_text("Session déplacée du")
    screenshot("dysfunction-accepted")

    # The candidates were convoked again, to the new date.
    convocations = [message for message in mail.outbox if "Convocation" in message.subject]
    assert sorted(m.to[0] for m in convocations) == ["candidat0@example.org", "candidat1@example.org"]
    assert all(date_format(later, "j F Y") in m.body for m in convocations)
    places = SessionCandidate.objects.filter(session=session)
    assert {(p.convocation_status, p.convocation_sends) for p in places} == {(ConvocationStatus.SENT, 2)}
    page.get_by_role("link", name=f"{version.short_title}, {date_format(later, 'j F Y')}").click()
    expect(page.get_by_test_id("session-postponed")).to_contain_text("Session reportée")
    expect(page.get_by_test_id("convocation-status")).to_have_text(["Envoyée", "Envoyée"])
    screenshot("dysfunction-session-postponed")

    # The certifier writes the incident report for the first candidate.
    page.get_by_role("link", name="Rapport d'incident pour un candidat").click()
    page.get_by_label("Candidat*", exact=True).select_option(label=candidate.display_name)
    page.get_by_label("Objet*").fill("Report de votre session d'évaluation")
    page.get_by_label("Rapport remis au candidat*").fill(
        "Un membre du jury étant absent, la session est reportée. Votre nouvelle convocation vous a été envoyée."
    )
    page.get_by_role("button", name="Remettre le rapport au candidat").click()
    expect(page.get_by_role("alert").filter(has_text="Rapport d'incident remis au candidat")).to_be_visible()
    logout(page)

    # The candidate reads it in their space.
    login(candidate.email)
    reports = page.get_by_test_id("my-incident-report")
    expect(reports).to_have_count(1)
    expect(page.get_by_test_id("my-convocation")).to_contain_text(date_format(later, "j F Y"))
    screenshot("dysfunction-candidate-space")
    reports.get_by_role("link", name="Report de votre session d'évaluation").click()
    expect(page.get_by_test_id("incident-report")).to_contain_text("Un membre du jury étant absent")
    screenshot("dysfunction-candidate-report")


@pytest.fixture(autouse=True)
def _today() -> None:
    """The browser runs on the real clock (the server thread and Chromium share it), not the frozen one of the
    other tests of this folder."""
