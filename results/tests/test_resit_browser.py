"""Journey in real Chromium: the certifier imports prior acquisitions from a CSV (a paper PV of 2019 for a candidate
who failed this year, and one for a candidate just registered); the organisation enrols the failed candidate in a
resit in one action, for the missing block only; on the exam day the grid page and the deliberation show the block
carried with its origin; the candidate's space says which block is acquired for good and which remains."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import F
from django.utils import timezone
from playwright.sync_api import expect

from candidates.models import Candidate
from demo.builders import decide
from evaluations.models import Attendance, EvaluationSession, SessionCandidate
from juries import services as jury_services
from juries.models import PriorAcquisition
from juries.tests.services.helpers import ratify
from results.tests.test_resits import later_session
from tests.factories import UserFactory, enrol, make_candidate
from tests.worlds import world

__all__ = ["world"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def csv_file() -> dict[str, object]:
    text = "\r\n".join(
        [
            "Nom de naissance;Prénom;Date de naissance;Certification;Bloc;Date d'acquisition;Source;Référence",
            "MARTIN2;Julie;03/01/1995;RNCP 26850;BC1;15/06/2019;PV papier;PV 2019-014",
            "Le Goff;Élodie;23/11/1990;RNCP26850;BC2;02/12/2020;Logiciel antérieur;Dossier 4521",
        ]
    )
    return {"name": "acquis.csv", "mimeType": "text/csv", "buffer": ("\ufeff" + text + "\r\n").encode()}


def test_prior_acquisitions_imported_then_a_resit_for_the_missing_block(
    page, login, screenshot, world, monkeypatch
) -> None:
    monkeypatch.setattr("weasyprint.HTML.write_pdf", lambda *args, **kwargs: PDF)
    decided = decide(world)
    ratify(world, decided.certification)
    failed = decided.decisions[2]  # Julie MARTIN2: nothing awarded, final
    martin = failed.examined_place.enrolment.candidate
    newcomer = make_candidate(
        world.organisation,
        40,
        created_by=world.staff,
        birth_name="Le Goff",
        first_name="Élodie",
        birth_date=dt.date(1990, 11, 23),
    )
    enrol(newcomer, world.version, created_by=world.staff)
    session = later_session(world, days=30)

    # The certifier imports the prior acquisitions.
    login(world.admin.email)
    page.get_by_role("link", name="Importer des acquis antérieurs").click()
    expect(page.get_by_role("heading", name="Importer des acquis antérieurs")).to_be_visible()
    page.get_by_label("Fichier des acquis antérieurs").set_input_files(csv_file())
    page.get_by_role("button", name="Vérifier le fichier").click()
    expect(page.get_by_test_id("import-summary")).to_contain_text("2 lignes prêtes")
    expect(page.get_by_test_id("import-row")).to_have_count(2)
    screenshot("results-prior-import-preview")
    assert not PriorAcquisition.objects.exists()
    page.get_by_role("button", name="Importer 2 acquis antérieurs").click()
    expect(page.get_by_role("alert").filter(has_text="2 acquis antérieurs importés.")).to_be_visible()
    assert PriorAcquisition.objects.filter(candidate=martin, block__code="BC1").exists()
    assert PriorAcquisition.objects.filter(candidate=newcomer, block__code="BC2").exists()
    page.goto(f"/candidats/{martin.pk}/")
    expect(page.get_by_test_id("prior-acquisition")).to_contain_text("PV 2019-014")
    page.context.clear_cookies()

    # The organisation enrols the failed candidate in a resit, from the result on the candidate's file.
    login(world.staff.email, start=f"/candidats/{martin.pk}/")
    card = page.get_by_test_id("standing-card")
    expect(card.get_by_test_id("result-line")).to_contain_text("Définitif")
    expect(card.get_by_test_id("block-standing")).to_contain_text("restent : BC2")
    expect(card.get_by_role("link", name="Retirer")).to_have_count(0)  # read-only for the organisation
    screenshot("results-candidate-file")
    card.get_by_role("link", name="Inscrire en rattrapage").click()
    blocks = page.get_by_test_id("resit-block")
    expect(blocks.nth(0)).to_contain_text("BC1")
    expect(blocks.nth(0)).to_contain_text("acquis antérieur (procès-verbal papier, réf. PV 2019-014) du 15/06/2019")
    expect(blocks.nth(1)).to_contain_text("à repasser")
    expect(blocks.nth(1)).to_contain_text("BC2")
    page.get_by_test_id("resit-form").get_by_role("radio").first.check()
    screenshot("results-resit-page")
    page.get_by_role("button", name="Inscrire en rattrapage").click()
    expect(page.get_by_role("alert").filter(has_text="est inscrite en rattrapage")).to_be_visible()
    place = SessionCandidate.objects.get(session=session, enrolment=failed.examined_place.enrolment)
    page.context.clear_cookies()

    # The exam day comes: the candidate sits, the grid page and the deliberation show the carried block.
    shift = timezone.localdate() - session.starts_on
    EvaluationSession.objects.filter(pk=session.pk).update(
        starts_on=F("starts_on") + shift, ends_on=F("ends_on") + shift
    )
    SessionCandidate.objects.filter(pk=place.pk).update(
        starts_at=F("starts_at") + shift, ends_at=F("ends_at") + shift, attendance=Attendance.PRESENT
    )
    session.refresh_from_db()
    jury = jury_services.evaluation_jury_create(session=session, created_by=world.admin)
    login(world.admin.email, start=f"/jurys/{jury.pk}/candidats/{place.pk}/grille/")
    expect(page.get_by_test_id("carried-origin").first).to_contain_text("acquis antérieur (procès-verbal papier")
    screenshot("results-resit-grid")
    page.goto(f"/jurys/{jury.pk}/deliberation/")
    expect(page.get_by_test_id("carried-origin").first).to_contain_text("réf. PV 2019-014")
    screenshot("results-resit-deliberation")
    page.context.clear_cookies()

    # The candidate's space: BC1 acquired for good, BC2 to validate.
    account = UserFactory(email="julie.martin2@example.org", is_candidate=True)
    Candidate.objects.filter(pk=martin.pk).update(user=account)
    login(account.email)
    expect(page.get_by_test_id("my-blocks-acquired")).to_contain_text("BC1")
    expect(page.get_by_test_id("my-blocks-acquired")).to_contain_text("acquis antérieur")
    expect(page.get_by_test_id("my-blocks-remaining")).to_contain_text("BC2")
    screenshot("results-candidate-space")
