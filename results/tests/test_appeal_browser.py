"""Journey in real Chromium: the certifier's admin records an appeal against a final result from the jury's
parchments page and downloads the acknowledgement of receipt; records that the CPNEF ordered a re-examination on
the existing grids; the certification jury's president decides again: the appealed result reads « Révisé »; the
jury's members sign the PV addendum in its page, the revised result is final and its parchment is issued."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from certificates.models import Parchment, ParchmentStatus
from certificates.tests.conftest import decided, world  # noqa: F401 - fixtures
from demo.builders import Decided
from juries.tests.services.helpers import ratify
from results.models import Appeal, AppealStatus
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LETTER = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _log_out(page) -> None:
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Se déconnecter").click()


def test_an_appeal_from_receipt_to_the_revised_decision(page, login, screenshot, decided: Decided) -> None:  # noqa: F811
    w, jury = decided.world, decided.certification
    ratify(w, jury)
    failed = next(d for d in decided.decisions if d.kind == "none")
    name = failed.examined_place.enrolment.candidate.display_name
    president = w.cert_president.user
    president.set_password(PASSWORD)
    president.save(update_fields=["password"])
    today = timezone.localdate()

    # The admin opens the jury's parchments page and records the appeal against the failed candidate's result.
    login(w.admin.email, start=f"/certificats/jurys/{jury.pk}/parchemins/")
    page.get_by_test_id("jury-appeals").click()
    row = page.get_by_test_id("decision-row").filter(has_text=name)
    expect(row).to_contain_text("Définitif")
    row.get_by_test_id("record-appeal").click()
    expect(page.get_by_test_id("appeal-candidate")).to_have_text(name)
    expect(page.get_by_test_id("appeal-deadline")).to_contain_text(
        str(today.year if today.month < 11 else today.year + 1)
    )
    page.get_by_label("Reçu le (date de l'avis de réception de la lettre recommandée)").fill(today.isoformat())
    page.get_by_label("Motifs du recours").fill("Le candidat conteste le NA de C1.1 : la grille ne le motive pas.")
    page.get_by_label("Pièces (la lettre et ses annexes : PDF, PNG ou JPEG)").set_input_files(
        [{"name": "lettre-recommandee.pdf", "mimeType": "application/pdf", "buffer": LETTER}]
    )
    page.get_by_role("button", name="Enregistrer le recours").click()
    expect(page.get_by_role("alert").first).to_contain_text("Recours enregistré")
    expect(page.get_by_test_id("appeal-status")).to_have_text("Reçu, à examiner")
    expect(page.get_by_test_id("appealed-state")).to_have_text("En recours")
    expect(page.get_by_test_id("appeal-documents")).to_contain_text("lettre-recommandee.pdf")
    screenshot("results-appeal-received")
    with page.expect_download() as download:
        page.get_by_test_id("letter-accuse-reception").click()
    appeal = Appeal.objects.get()
    assert download.value.suggested_filename == f"recours-{appeal.pk}-accuse-reception.pdf"
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"

    # The CPNEF met today: re-examination on the existing grids.
    form = page.get_by_test_id("examine-form")
    form.get_by_label("Date de la réunion de la CPNEF").fill(today.isoformat())
    form.get_by_label("Réexamen du dossier ordonné").check()
    form.get_by_label("Motivation de la CPNEF").fill("La grille de BC1 ne motive pas le NA de C1.1.")
    form.get_by_label("Modalité du réexamen").select_option("same_grids")
    form.get_by_label("Étendue du réexamen").fill("BC1")
    form.get_by_role("button", name="Enregistrer l'examen").click()
    expect(page.get_by_role("alert").first).to_contain_text("Examen de la CPNEF enregistré.")
    expect(page.get_by_test_id("appeal-status")).to_have_text("Réexamen ordonné")
    expect(page.get_by_test_id("letter-decision")).to_be_visible()
    revision_url = page.get_by_test_id("open-revision").get_attribute("href")
    assert revision_url
    screenshot("results-appeal-reexamination")
    _log_out(page)

    # The president of the certification jury decides again on the existing grids.
    login(president.email, start=revision_url)
    expect(page).to_have_url(re.compile(re.escape(revision_url) + "$"))
    expect(page.get_by_test_id("appealed-state")).to_have_text("En recours")
    form = page.get_by_test_id("revision-form")
    form.get_by_label("Attribution partielle").check()
    form.get_by_label("BC1").check()
    form.get_by_label("Motif de la nouvelle décision").fill("Au vu de la grille, C1.1 est acquise : BC1 attribué.")
    form.get_by_role("button", name="Enregistrer la nouvelle décision").click()
    expect(page.get_by_role("alert").first).to_contain_text("Nouvelle décision enregistrée")
    expect(page.get_by_test_id("appealed-state")).to_have_text("Révisé")
    expect(page.get_by_test_id("revised-decision")).to_contain_text("Attribution partielle : BC1")
    screenshot("results-appeal-revised")
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.REVISED and appeal.revised_decision is not None

    # The PV addendum: the president, then the two other members, sign it in its page.
    page.get_by_test_id("open-addendum").click()
    expect(page.get_by_test_id("result-state")).to_have_text("Provisoire")
    page.get_by_test_id("sign").click()
    expect(page.get_by_role("alert").first).to_contain_text("Votre signature de l'avenant est enregistrée.")
    addendum_url = page.url
    _log_out(page)
    for member in (w.cert_employees, w.cert_employers):
        member.user.set_password(PASSWORD)
        member.user.save(update_fields=["password"])
        login(member.user.email, start=addendum_url)
        page.get_by_test_id("sign").click()
        if member is w.cert_employees:
            _log_out(page)
    expect(page.get_by_role("alert").first).to_contain_text("Avenant signé par tous les membres")
    expect(page.get_by_test_id("result-state")).to_have_text("Définitif")
    parchment = Parchment.objects.get(decision=appeal.revised_decision, status=ParchmentStatus.VALID)
    assert [b.code for b in parchment.blocks.all()] == ["BC1"]
    expect(page.get_by_test_id("new-parchment")).to_contain_text(f"{parchment.display_number} : Émis")
    screenshot("results-appeal-revised-final-with-parchment")
