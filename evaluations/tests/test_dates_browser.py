"""In real Chromium: a certifier admin opens a session whose tests are over and reads, where the buttons were,
why no convocation, override or jury creation is offered any more."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cqp.models import CertificationVersion
from tests.factories import make_candidate, past_session

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
