"""Journeys in real Chromium: the certification jury's three members sign the procès-verbal; the certifier's admin
records the CPNEFP validation, has the parchments issued, watches the batch finish and downloads the ZIP; a visitor,
without logging in, checks a parchment by its code and then by its PDF."""

from __future__ import annotations

import re
import zipfile
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from certificates import services, tasks
from certificates.models import Parchment, ParchmentKind, ProcesVerbal, PvStatus, RenderStatus
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _with_password(*members):
    for member in members:
        member.user.set_password(PASSWORD)
        member.user.save(update_fields=["password"])


def _log_out(page):
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Se déconnecter").click()


def _issued(decided):
    """The jury's PV signed, its results validated by the CPNEFP today and its two parchments issued (rendered
    inline, as each service's transaction commits)."""
    decided.sign_all()
    jury = decided.certification
    services.cpnefp_validation_record(jury=jury, meeting_on=timezone.localdate(), recorded_by=decided.world.admin)
    services.parchments_issue_for_jury(jury=jury, issued_by=decided.world.admin)
    return list(Parchment.objects.filter(decision__jury=jury).order_by("number"))


def test_the_three_members_of_the_certification_jury_sign_the_pv(page, login, screenshot, decided):
    world, jury = decided.world, decided.certification
    members = [world.cert_employees, world.cert_employers, world.cert_president]
    _with_password(*members)
    pv_url = f"/certificats/jurys/{jury.pk}/pv/"

    # The first member goes from their home page: « Mes jurys » → the jury → « Procès-verbal et signatures ».
    login(world.cert_employees.user.email)
    page.get_by_test_id("my-jury").get_by_role("link").click()
    page.get_by_test_id("open-pv").click()
    expect(page.get_by_test_id("pv-status")).to_have_text("En attente de signatures")
    expect(page.get_by_test_id("pv-decisions")).to_contain_text("Attribution partielle : BC1")
    page.get_by_test_id("sign").click()
    expect(page.get_by_role("alert").first).to_contain_text("Votre signature est enregistrée.")
    expect(page.get_by_test_id("signatures").get_by_text("signé le")).to_have_count(1)
    expect(page.get_by_test_id("pv-status")).to_have_text("En attente de signatures")
    _log_out(page)

    # The other two open the PV's address directly (after logging in).
    for member in (world.cert_employers, world.cert_president):
        login(member.user.email, start=pv_url)
        expect(page).to_have_url(re.compile(re.escape(pv_url) + "$"))
        page.get_by_test_id("sign").click()
        if member is not world.cert_president:
            expect(page.get_by_role("alert").first).to_contain_text("Votre signature est enregistrée.")
            _log_out(page)

    expect(page.get_by_role("alert").first).to_contain_text("Procès-verbal signé par tous les membres")
    expect(page.get_by_test_id("pv-status")).to_contain_text("Signé par tous")
    expect(page.get_by_test_id("signatures").get_by_text("signé le")).to_have_count(3)
    expect(page.get_by_test_id("sign")).to_have_count(0)
    pdf_link = page.get_by_test_id("pv-pdf")
    expect(pdf_link).to_be_visible()
    screenshot("certificates-pv-signed")
    with page.expect_download() as download:
        pdf_link.click()
    assert download.value.suggested_filename == f"pv-{jury.meets_on:%Y%m%d}-{jury.pk}.pdf"
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    pv = ProcesVerbal.objects.get(jury=jury)
    assert pv.status == PvStatus.SIGNED and pv.render_status == RenderStatus.DONE
    assert pv.signatures.filter(content_sha256=pv.content_sha256).count() == 3


def test_the_admin_validates_the_results_and_issues_the_sessions_parchments(
    page, login, screenshot, decided, monkeypatch
):
    jury = decided.certification
    decided.sign_all()
    login(decided.world.admin.email, start=f"/certificats/jurys/{jury.pk}/pv/")

    expect(page.get_by_test_id("pv-status")).to_contain_text("Signé par tous")
    # The jury met today; the CPNEFP validated its results the same day.
    page.get_by_label("Date de la réunion de la CPNEFP").fill(f"{timezone.localdate():%Y-%m-%d}")
    page.get_by_role("button", name="Enregistrer la validation").click()
    expect(page.get_by_role("alert").first).to_contain_text("Validation de la CPNEFP enregistrée")
    expect(page.get_by_test_id("validation")).to_contain_text("Validée en réunion du")

    # As with a worker: the renders are queued when the batch commits and run while the admin watches, here
    # one by one from the test, so the bar is seen to move.
    queued: list[dict[str, Any]] = []
    monkeypatch.setattr(tasks.parchment_render, "delay", lambda **kwargs: queued.append(kwargs))
    page.get_by_role("link", name="Parchemins", exact=True).click()
    expect(page.get_by_test_id("parchment-row")).to_have_count(0)
    page.get_by_test_id("issue").click()
    expect(page.get_by_test_id("batch")).to_be_visible()
    expect(page.get_by_test_id("batch-count")).to_have_text("0 / 2")
    # The width comes from batch.js (data attributes), not from a style attribute the CSP would refuse.
    expect(page.locator("#batch-bar")).to_have_attribute("style", re.compile(r"width: 0%"))
    expect(page.get_by_test_id("batch-state")).to_have_text("Production en cours…")
    assert len(queued) == 2
    screenshot("certificates-batch-in-progress")
    assert tasks.parchment_render.apply(kwargs=queued[0]).get() == "rendered"
    expect(page.get_by_test_id("batch-count")).to_have_text("1 / 2", timeout=10_000)
    expect(page.locator("#batch-bar")).to_have_attribute("style", re.compile(r"width: 50%"))
    assert tasks.parchment_render.apply(kwargs=queued[1]).get() == "rendered"
    # Done: the page reloads itself and every row offers its PDF.
    expect(page.get_by_test_id("batch-state")).to_have_text("Lot terminé.", timeout=10_000)
    expect(page.get_by_test_id("batch-count")).to_have_text("2 / 2")
    rows = page.get_by_test_id("parchment-row")
    expect(rows).to_have_count(2)  # the total and the partial award; no parchment for a non-attribution
    for index in range(2):
        expect(rows.nth(index)).to_contain_text("Prêt")
    expect(page.get_by_test_id("parchments")).to_contain_text("Certificat de qualification professionnelle")
    expect(page.get_by_test_id("parchments")).to_contain_text("Certificat de blocs de compétences : BC1")
    screenshot("certificates-parchments-issued")

    with page.expect_download() as download:
        page.get_by_test_id("zip").click()
    parchments = list(Parchment.objects.filter(decision__jury=jury).order_by("number"))
    with zipfile.ZipFile(download.value.path()) as archive:
        assert archive.namelist() == [f"parchemin-{p.display_number}.pdf" for p in parchments]
        for parchment in parchments:
            with parchment.pdf.open("rb") as stored:
                assert archive.read(f"parchemin-{parchment.display_number}.pdf") == stored.read()
    assert {p.kind for p in parchments} == {ParchmentKind.FULL, ParchmentKind.BLOCKS}


def test_a_visitor_checks_a_parchment_by_its_code_then_by_its_pdf(page, screenshot, decided):
    cache.clear()  # the look-ups are counted per address in the cache
    full = next(p for p in _issued(decided) if p.kind == ParchmentKind.FULL)
    code = full.verification_code
    holder = full.mentions["holder"]["name"]

    page.goto("/verifier/")
    expect(page.get_by_test_id("user-menu")).to_have_count(0)  # nobody is logged in
    page.get_by_label("Code de vérification").fill(f"{code[:5]}-{code[5:]}".lower())
    page.get_by_role("button", name="Vérifier le code").click()
    expect(page).to_have_url(re.compile(f"/verifier/{code}/$"))
    expect(page.get_by_test_id("verdict")).to_have_text("Ce parchemin a bien été délivré et il est valide.")
    details = page.get_by_test_id("parchment-details")
    expect(details.get_by_test_id("holder")).to_have_text(holder)
    expect(details).to_contain_text("CQP Opérateur en polissage de bijouterie")
    expect(details).to_contain_text("RNCP 26850")
    expect(details.get_by_test_id("status")).to_have_text("Valide")
    expect(details.get_by_test_id("number")).to_have_text(full.display_number)
    screenshot("certificates-verify-code")

    page.get_by_role("link", name="Vérifier un autre parchemin").click()
    with full.pdf.open("rb") as stored:
        pdf = stored.read()
    page.get_by_label("Fichier PDF du parchemin").set_input_files(
        {"name": f"parchemin-{full.display_number}.pdf", "mimeType": "application/pdf", "buffer": pdf}
    )
    page.get_by_role("button", name="Vérifier le fichier").click()
    answer = page.get_by_test_id("match-current")
    expect(answer).to_contain_text(f"parchemin n° {full.display_number} délivré à {holder}")
    expect(answer).to_contain_text("authentique, version en vigueur")
    expect(page.get_by_test_id("pdf-answer").get_by_test_id("status")).to_have_text("Valide")
    screenshot("certificates-verify-pdf")

    # The same file with one byte changed is not recognised.
    altered = bytearray(pdf)
    altered[len(pdf) // 2] ^= 0x01
    page.get_by_label("Fichier PDF du parchemin").set_input_files(
        {"name": "parchemin.pdf", "mimeType": "application/pdf", "buffer": bytes(altered)}
    )
    page.get_by_role("button", name="Vérifier le fichier").click()
    expect(page.get_by_test_id("no-match")).to_contain_text("ne correspond à aucun parchemin délivré")
