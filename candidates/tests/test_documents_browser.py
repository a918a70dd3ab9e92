"""Journey in real Chromium: a candidate sends part A of their livret from their space, then a text
file renamed .pdf, which is refused in French."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from candidates import services
from candidates.models import Candidate, CandidateDocument
from cqp.models import CertificationVersion
from tests.factories import UserFactory, make_candidate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A small but real PDF: one blank A4 page.
MINIMAL_PDF = b"""%PDF-1.4
1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj
2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj
3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj
trailer<</Root 1 0 R>>
%%EOF
"""


def test_the_candidate_uploads_part_a_and_a_fake_pdf_is_refused(page, login, screenshot, referential, staff, tmp_path):
    candidate = make_candidate(staff.organisation, birth_name="Lefèvre", first_name="Inès")
    account = UserFactory(email="ines@example.org", first_name="Inès", is_candidate=True)
    Candidate.objects.filter(pk=candidate.pk).update(user=account)
    version = CertificationVersion.objects.get(rncp_code="RNCP26850")
    services.candidate_enrol(
        candidate=candidate, version=version, blocks=None, access_route="formation_continue", created_by=staff
    )
    livret = tmp_path / "Livret partie A.pdf"
    livret.write_bytes(MINIMAL_PDF)
    fake = tmp_path / "livret.pdf"
    fake.write_bytes(b"Ceci est un simple texte, pas un PDF.\n")

    login(account.email)
    parts = page.get_by_test_id("livret-part")
    expect(parts).to_have_count(2)
    part_a = parts.filter(has_text="Partie A — BC1 Préparer le travail de polissage")
    expect(part_a).to_contain_text("Pas encore déposée.")
    expect(parts.nth(1)).to_contain_text("Partie B — BC2")
    screenshot("documents-candidate-space")

    part_a.get_by_label("Fichier de la partie A").set_input_files(livret)
    part_a.get_by_role("button", name="Déposer la partie A").click()

    expect(page.get_by_role("alert").filter(has_text="« Livret partie A.pdf » déposé.")).to_be_visible()
    part_a = page.get_by_test_id("livret-part").filter(has_text="Partie A — BC1")
    expect(part_a.get_by_role("link", name="Livret partie A.pdf")).to_be_visible()
    expect(part_a.get_by_role("button", name="Remplacer la partie A")).to_be_visible()
    screenshot("documents-part-a-sent")

    part_a.get_by_label("Fichier de la partie A").set_input_files(fake)
    part_a.get_by_role("button", name="Remplacer la partie A").click()

    refusal = page.get_by_role("alert").filter(has_text="Ce fichier n'est ni un PDF, ni une image PNG ou JPEG")
    expect(refusal).to_be_visible()
    expect(refusal).to_contain_text("Partie A — BC1")
    expect(refusal).to_contain_text("envoyez un fichier PDF, PNG ou JPEG.")
    # The part sent before is still there.
    expect(page.get_by_test_id("livret-part").first.get_by_role("link", name="Livret partie A.pdf")).to_be_visible()
    screenshot("documents-fake-pdf-refused")

    document = CandidateDocument.objects.get()
    assert document.original_name == "Livret partie A.pdf"
    assert document.file.read() == MINIMAL_PDF


def test_staff_see_the_documents_card_and_send_part_b(page, login, screenshot, referential, staff, tmp_path):
    candidate = make_candidate(staff.organisation, birth_name="Lefèvre", first_name="Inès")
    version = CertificationVersion.objects.get(rncp_code="RNCP26850")
    services.candidate_enrol(
        candidate=candidate, version=version, blocks=None, access_route="formation_continue", created_by=staff
    )
    scan = tmp_path / "partie B.pdf"
    scan.write_bytes(MINIMAL_PDF)

    login(staff.email, start=f"/candidats/{candidate.pk}/")
    card = page.get_by_test_id("documents-card")
    expect(card.get_by_test_id("livret-part")).to_have_count(2)
    part_b = card.get_by_test_id("livret-part").filter(has_text="Partie B — BC2")
    part_b.get_by_label("Fichier de la partie B").set_input_files(scan)
    part_b.get_by_role("button", name="Déposer la partie B").click()

    expect(page.get_by_role("alert").filter(has_text="« partie B.pdf » déposé.")).to_be_visible()
    expect(page.get_by_test_id("documents-card").get_by_role("link", name="partie B.pdf")).to_be_visible()
    screenshot("documents-staff-card")
    assert CandidateDocument.objects.get().uploaded_by == staff
