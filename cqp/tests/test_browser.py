"""Journeys in real Chromium: log in, browse the referential, edit it as a certifier admin."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from cqp.models import Competency

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_logs_in_and_browses_the_referential_down_to_mandatory_competencies(
    page, login, screenshot, referential, staff
):
    login(staff.email, start="/referentiel/")

    expect(page.get_by_role("heading", name="Référentiel des certifications")).to_be_visible()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(4)
    for code in ("RNCP 31313", "RNCP 26850", "RNCP 26849", "RNCP 31394"):
        expect(page.get_by_role("cell", name=code, exact=True)).to_be_visible()
    screenshot("referential-list")

    page.get_by_role("link", name="CQP Opérateur en polissage").click()
    expect(page.get_by_role("heading", name="CQP Opérateur en polissage", level=1)).to_be_visible()
    blocks = page.get_by_test_id("block")
    expect(blocks).to_have_count(2)
    expect(blocks.nth(0).get_by_test_id("block-rule")).to_have_text(
        "Bloc validé si au moins 60 % des compétences sont acquises (soit 3 sur 5) "
        "et si les compétences C1.1, C1.2 et C1.3 sont acquises."
    )
    expect(blocks.nth(1).get_by_test_id("block-rule")).to_have_text(
        "Bloc validé si au moins 60 % des compétences sont acquises (soit 4 sur 6) "
        "et si les compétences C2.1, C2.2 et C2.4 sont acquises."
    )
    mandatory = page.get_by_test_id("competency").filter(has=page.get_by_test_id("mandatory"))
    expect(mandatory).to_have_count(6)
    expect(mandatory.first).to_contain_text("C1.1")
    # Staff read the referential but do not edit it.
    expect(page.get_by_role("link", name="Modifier le bloc")).to_have_count(0)
    screenshot("referential-26850")


def test_certifier_admin_marks_a_competency_mandatory_and_sees_the_rule_change(
    page, login, screenshot, referential, certifier_admin
):
    login(certifier_admin.email)
    expect(page.get_by_test_id("home-certifier-admin")).to_be_visible()
    page.get_by_role("link", name="Gérer le référentiel").click()
    page.get_by_role("link", name="CQP Horloger qualifié").click()

    first_block = page.get_by_test_id("block").first
    expect(first_block.get_by_test_id("block-rule")).to_have_text(
        "Bloc validé si au moins 60 % des compétences sont acquises (soit 8 sur 12)."
    )
    first_block.get_by_role("link", name="Modifier le bloc").click()
    page.get_by_role("checkbox", name="C1.1 — Assurer un accueil personnalisé du client").check()
    page.get_by_role("checkbox", name="C1.12 — Dialoguer avec le client dans une langue étrangère").check()
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.get_by_role("alert").filter(has_text="Bloc BC1 enregistré")).to_be_visible()
    first_block = page.get_by_test_id("block").first
    expect(first_block.get_by_test_id("block-rule")).to_have_text(
        "Bloc validé si au moins 60 % des compétences sont acquises (soit 8 sur 12) "
        "et si les compétences C1.1 et C1.12 sont acquises."
    )
    expect(first_block.get_by_test_id("mandatory")).to_have_count(2)
    screenshot("referential-31313-admin")
    assert set(
        Competency.objects.filter(block__version__rncp_code="RNCP31313", is_mandatory=True).values_list(
            "code", flat=True
        )
    ) == {"C1.1", "C1.12"}


def test_a_wrong_threshold_is_refused_in_french_and_the_input_is_kept(
    page, login, screenshot, referential, certifier_admin
):
    login(certifier_admin.email, start="/referentiel/")
    page.get_by_role("link", name="CQP Horloger qualifié").click()
    page.get_by_test_id("block").first.get_by_role("link", name="Modifier le bloc").click()
    page.get_by_role("textbox", name="Intitulé*", exact=True).fill("Assurer la relation client (révisé)")
    page.get_by_role("spinbutton", name="Seuil de validation (%)*").fill("150")
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.get_by_text(re.compile("inférieure ou égale à 100"))).to_be_visible()
    expect(page.get_by_role("textbox", name="Intitulé*", exact=True)).to_have_value(
        "Assurer la relation client (révisé)"
    )
    screenshot("block-form-error")
