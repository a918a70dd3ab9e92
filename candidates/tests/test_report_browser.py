"""Journey in real Chromium: a 31313 candidate finds in their space the one document their tests ask for, the
professional activity report of BC3, and sends it; the jury's file would list it with its test."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from candidates import services
from candidates.models import Candidate, CandidateDocument
from cqp.models import CertificationVersion
from tests.factories import UserFactory, make_candidate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MINIMAL_PDF = b"""%PDF-1.4
1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj
2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj
3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj
trailer<</Root 1 0 R>>
%%EOF
"""


def test_a_watchmaker_sends_the_activity_report_its_bc3_test_asks_for(page, login, referential, staff, tmp_path):
    candidate = make_candidate(staff.organisation, birth_name="Roussel", first_name="Hugo")
    account = UserFactory(email="hugo@example.org", first_name="Hugo", is_candidate=True)
    Candidate.objects.filter(pk=candidate.pk).update(user=account)
    version = CertificationVersion.objects.get(rncp_code="RNCP31313")
    services.candidate_enrol(
        candidate=candidate, version=version, blocks=None, access_route="formation_continue", created_by=staff
    )
    report = tmp_path / "Rapport d'activité.pdf"
    report.write_bytes(MINIMAL_PDF)

    login(account.email)
    slots = page.get_by_test_id("livret-part")
    expect(slots).to_have_count(1)  # four blocks, six tests, one document
    slot = slots.first
    expect(slot).to_contain_text("Rapport d'activité professionnelle — BC3")
    expect(slot).to_contain_text("Entretien technique sur rapport d'activité")
    slot.get_by_label("Fichier de « Rapport d'activité professionnelle »").set_input_files(report)
    slot.get_by_role("button", name="Déposer « Rapport d'activité professionnelle »").click()

    expect(page.get_by_role("alert").filter(has_text="« Rapport d'activité.pdf » déposé.")).to_be_visible()
    expect(slot.get_by_role("button", name="Remplacer « Rapport d'activité professionnelle »")).to_be_visible()
    document = CandidateDocument.objects.get(candidate=candidate)
    assert document.test is not None and document.test.block.code == "BC3"
