"""In real Chromium: a holder whose parchment was cancelled finds it so in their space, downloads it stamped
"ANNULÉ" with the date and reason, and the public verification page reads that file as a cancelled copy."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from playwright.sync_api import expect
from pypdf import PdfReader

from certificates import services
from certificates.models import ParchmentKind
from certificates.tests.test_browser import _issued
from certificates.tests.test_pages import holder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_holder_downloads_their_cancelled_parchment_stamped_and_the_verification_reads_it_so(
    page, login, screenshot, decided
):
    cache.clear()  # the verification's look-ups are counted per address in the cache
    full = next(p for p in _issued(decided) if p.kind == ParchmentKind.FULL)
    user = holder(decided, 0)
    services.parchment_cancel(parchment=full, reason="Erreur sur le nom de naissance", cancelled_by=decided.world.admin)

    login(user.email)
    line = page.get_by_test_id("my-cancelled-parchment")
    expect(line).to_contain_text("Parchemin n° 000001 (PDF marqué « ANNULÉ »)")
    expect(line).to_contain_text("motif : Erreur sur le nom de naissance")
    screenshot("certificates-holder-cancelled-parchment")
    with page.expect_download() as download:
        line.get_by_role("link").click()
    assert download.value.suggested_filename == "parchemin-000001-ANNULE.pdf"
    with open(download.value.path(), "rb") as handle:
        copy = handle.read()
    text = " ".join(PdfReader(io.BytesIO(copy)).pages[0].extract_text().split())
    assert "ANNULÉ le" in text and "Motif : Erreur sur le nom de naissance" in text

    page.goto("/verifier/")
    page.get_by_label("Fichier PDF du parchemin").set_input_files(
        {"name": "parchemin-000001-ANNULE.pdf", "mimeType": "application/pdf", "buffer": copy}
    )
    page.get_by_role("button", name="Vérifier le fichier").click()
    answer = page.get_by_test_id("cancelled-copy")
    expect(answer).to_contain_text("n'est pas l'original délivré : c'est une copie marquée « ANNULÉ »")
    expect(answer).to_contain_text("motif : Erreur sur le nom de naissance")
    expect(page.get_by_test_id("pdf-answer").get_by_test_id("status")).to_have_text("ANNULÉ")
    screenshot("certificates-verify-cancelled-copy")
