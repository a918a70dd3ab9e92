"""Journey in real Chromium: a training organisation imports its candidates from a spreadsheet export,
sees the bad line, fixes the file and imports every row at once."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from candidates.models import Candidate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = (
    "Nom de naissance;Nom d'usage;Prénom;Sexe;Date de naissance;Commune de naissance;Code INSEE;"
    "Pays de naissance;E-mail;SIRET;Dossier"
)
ROWS = [
    "Lefèvre;;Élodie;F;14/05/1997;Bourg-en-Bresse;01053;;elodie@example.org;73282932000074;A-12",
    "Roux;Marchal;Paul;M;31/12/1999;Ajaccio;2A004;France;paul@example.org;;A-13",
    "Nováková;;Šárka;Femme;12/04/1998;Brno;;Tchéquie;sarka@example.org;{siret};A-14",
    "Durand;;Camille;F;03/09/2001;Besançon;25056;;camille@example.org;;A-15",
]


def csv_file(siret: str) -> dict[str, Any]:
    text = "\r\n".join([HEADER, *ROWS]).replace("{siret}", siret) + "\r\n"
    return {"name": "candidats.csv", "mimeType": "text/csv", "buffer": ("\ufeff" + text).encode()}


def test_staff_fix_a_bad_line_then_import_every_candidate(page, login, screenshot, staff):
    login(staff.email)
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Candidats").click()
    page.get_by_role("link", name="Importer").click()
    expect(page.get_by_role("heading", name="Importer des candidats")).to_be_visible()
    expect(page.get_by_role("link", name="Télécharger le fichier modèle (CSV)")).to_be_visible()
    screenshot("import-form")

    page.get_by_label("Fichier des candidats").set_input_files(csv_file(siret="1234"))
    page.get_by_role("button", name="Vérifier le fichier").click()

    expect(page.get_by_test_id("import-summary")).to_contain_text("3 lignes prêtes")
    expect(page.get_by_test_id("import-summary")).to_contain_text("1 ligne en erreur")
    expect(page.get_by_test_id("row-errors")).to_contain_text(
        "Ligne 4 — SIRET : SIRET invalide : 14 chiffres dont la clé de contrôle est juste."
    )
    expect(page.get_by_text("Colonnes ignorées (intitulé non reconnu) : Dossier.")).to_be_visible()
    expect(page.get_by_role("button", name="Importer")).to_have_count(0)
    screenshot("import-preview-errors")
    assert not Candidate.objects.exists()

    page.get_by_label("Fichier des candidats").set_input_files(csv_file(siret="73282932000074"))
    page.get_by_role("button", name="Renvoyer un fichier corrigé").click()

    expect(page.get_by_test_id("import-summary")).to_contain_text("4 lignes prêtes")
    expect(page.get_by_test_id("import-summary")).to_contain_text("Aucune ligne en erreur")
    expect(page.get_by_test_id("import-row")).to_have_count(4)
    screenshot("import-preview")
    page.get_by_role("button", name="Importer 4 candidats").click()

    expect(page.get_by_role("alert").filter(has_text="4 candidats importés.")).to_be_visible()
    expect(page.get_by_test_id("candidate-row")).to_have_count(4)
    expect(page.get_by_role("link", name="MARCHAL Paul")).to_be_visible()
    screenshot("import-done")
    assert Candidate.objects.filter(organisation=staff.organisation, created_by=staff).count() == 4
