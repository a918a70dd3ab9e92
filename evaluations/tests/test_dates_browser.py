"""In real Chromium: a certifier admin opens a session whose tests are over and reads, where the buttons were,
why no convocation, override or jury creation is offered any more; the organisation reads why nothing is offered
on a cancelled session and places its candidate in another one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cqp.models import CertificationVersion
from dysfunctions import services as dysfunction_services
from evaluations import services
from tests.factories import enrol, make_candidate, past_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_past_sessions_page_says_why_convocations_override_and_jury_are_not_offered(
    page, login, screenshot, referential, staff, certifier_admin
) -> None:
    version = CertificationVersion.objects.get(rncp_code="RNCP26850")
    session = past_session(staff, version, [make_candidate(staff.organisation)], days_ago=3)
    login(certifier_admin.email, start=f"/sessions/{session.pk}/")
    expect(page.get_by_test_id("convocation-refusal")).to_contain_text("plus aucune convocation")
    expect(page.get_by_test_id("override-refusal")).to_contain_text("plus de dérogation au délai de convocation")
    expect(page.get_by_test_id("jury-refusal")).to_contain_text("son jury d'évaluation ne se constitue plus")
    expect(page.get_by_role("button", name="Envoyer les convocations")).to_have_count(0)
    expect(page.get_by_role("button", name="Accorder la dérogation")).to_have_count(0)
    expect(page.get_by_role("button", name="Constituer le jury d'évaluation")).to_have_count(0)
    screenshot("past-session-says-why")


def test_a_cancelled_sessions_page_says_why_and_its_candidate_is_placed_in_another_session(
    page, login, screenshot, referential, staff, certifier_admin
) -> None:
    version = CertificationVersion.objects.get(rncp_code="RNCP26850")
    organisation = staff.organisation
    organisation.approval_start = timezone.localdate() - dt.timedelta(days=365)
    organisation.approval_end = timezone.localdate() + dt.timedelta(days=365)
    organisation.save()
    sessions = [
        services.session_schedule(
            version=version,
            organisation=organisation,
            starts_on=timezone.localdate() + dt.timedelta(days=days),
            ends_on=None,
            mode="on_site",
            address="12 rue de Turbigo, 75003 Paris",
            created_by=staff,
        )
        for days in (30, 44)
    ]
    cancelled, other = sessions
    candidate = make_candidate(organisation)
    services.session_add_candidate(session=cancelled, enrolment=enrol(candidate, version))
    proposal = dysfunction_services.proposal_submit(
        session=cancelled, proposed_by=staff, kind="cancel", reason_kind="non_conformity", description="Inondation."
    )
    dysfunction_services.proposal_decide(proposal=proposal, accept=True, reason="Inondé.", decided_by=certifier_admin)

    login(staff.email, start=f"/sessions/{cancelled.pk}/")
    expect(page.get_by_test_id("session-cancelled")).to_be_visible()
    expect(page.get_by_test_id("convocation-refusal")).to_contain_text("aucune convocation ne part plus")
    expect(page.get_by_test_id("placement-refusal")).to_contain_text("convoquez-le à une autre session")
    expect(page.get_by_role("button", name="Envoyer les convocations")).to_have_count(0)
    expect(page.get_by_role("button", name="Rechercher")).to_have_count(0)
    screenshot("cancelled-session-says-why")

    page.goto(f"/sessions/{other.pk}/")
    page.get_by_label("Rechercher un candidat").fill(candidate.birth_name)
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("button", name="Ajouter à la session").click()
    expect(page.get_by_test_id("place")).to_contain_text(candidate.display_name)
    screenshot("cancelled-sessions-candidate-placed-elsewhere")
