"""Journey in real Chromium: a training organisation registers a candidate and enrols them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from candidates.models import Candidate, Enrolment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_registers_a_candidate_and_enrols_them_in_one_block(page, login, screenshot, referential, staff):
    login(staff.email)
    page.get_by_role("link", name="Mes candidats").click()
    page.get_by_role("link", name="Nouveau candidat").click()

    page.get_by_role("textbox", name="Nom de naissance*").fill("Nováková")
    page.get_by_role("textbox", name="Premier prénom*").fill("Šárka")
    page.get_by_label("Sexe*").select_option("F")
    page.get_by_label("Date de naissance*").fill("1998-04-12")
    page.get_by_role("textbox", name="Commune de naissance*").fill("Brno")
    page.get_by_role("textbox", name="Pays de naissance*").fill("Tchéquie")
    page.get_by_role("textbox", name="E-mail*").fill("sarka@example.org")
    page.get_by_role("textbox", name="SIRET").fill("1234")
    page.get_by_role("button", name="Enregistrer").click()

    # A wrong SIRET is refused in French and nothing typed is lost.
    expect(page.get_by_text("SIRET invalide : 14 chiffres dont la clé de contrôle est juste.")).to_be_visible()
    expect(page.get_by_role("textbox", name="Premier prénom*")).to_have_value("Šárka")
    screenshot("candidate-form-error")
    page.get_by_role("textbox", name="SIRET").fill("73282932000074")
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.get_by_role("heading", name="NOVÁKOVÁ Šárka")).to_be_visible()
    page.get_by_label("Inscrire à").select_option(label="RNCP 26850 — CQP Opérateur en polissage (v1)")
    page.get_by_role("button", name="Inscrire").click()

    expect(page.get_by_text("Aucun prérequis pour entrer dans la démarche")).to_be_visible()
    page.get_by_label("Voie d'accès*").select_option("formation_continue")
    page.get_by_role("checkbox", name=re.compile("^BC2")).uncheck()
    page.get_by_role("button", name="Inscrire").click()

    expect(page.get_by_role("alert").filter(has_text="est inscrite au CQP Opérateur en polissage")).to_be_visible()
    enrolment = page.get_by_test_id("enrolment")
    expect(enrolment).to_contain_text("Formation continue")
    expect(enrolment).to_contain_text("blocs BC1")
    screenshot("candidate-enrolled")

    candidate = Candidate.objects.get(email="sarka@example.org")
    assert candidate.organisation == staff.organisation
    assert list(Enrolment.objects.get(candidate=candidate).blocks.values_list("code", flat=True)) == ["BC1"]

    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Candidats").click()
    expect(page.get_by_test_id("candidate-row")).to_have_count(1)
