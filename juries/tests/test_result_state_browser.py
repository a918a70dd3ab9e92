"""In real Chromium (issue 12): a certifier admin sees the state of each result on the certification jury's page,
the decision page and the candidate's file, sees the carry-over flag a revised earlier result raised on the later
one, and resolves it in writing."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from juries.tests.test_result_state_pages import later_on_earlier, reexamination, revise

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_admin_sees_the_states_and_resolves_a_flag(page, login, screenshot, world):
    place, earlier, later = later_on_earlier(world)
    reexamination(world, earlier)
    revise(world, earlier)
    login(world.admin.email)
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    page.goto(reverse("juries:detail", args=[later.jury_id]))
    row = page.get_by_test_id("decision-row").filter(has_text=place.enrolment.candidate.display_name)
    expect(row.get_by_test_id("result-state")).to_have_text(re.compile(r"^Provisoire : "))
    expect(row.get_by_test_id("result-state")).to_have_attribute(
        "title", "Provisoire jusqu'à la signature du procès-verbal et la validation de la CPNEFP."
    )
    expect(row.get_by_test_id("carry-flag")).to_have_text("Report d'acquis à revoir")
    screenshot("issue12-jury-states-and-flag")

    row.get_by_test_id("open-decision").click()
    expect(page.get_by_test_id("decision-state")).to_contain_text("Provisoire")
    expect(page.get_by_test_id("decision-flag")).to_contain_text("Résultat révisé après recours")
    screenshot("issue12-decision-flag")

    page.goto(reverse("candidates:detail", args=[place.enrolment.candidate_id]))
    states = page.get_by_test_id("candidate-result").get_by_test_id("result-state")
    expect(states).to_have_text([re.compile(rf"^{label} : ") for label in ("Provisoire", "Provisoire", "Révisé")])
    expect(page.get_by_test_id("candidate-flag")).to_be_visible()
    screenshot("issue12-candidate-file")

    page.get_by_test_id("candidate-flag").get_by_role("link", name="Revoir").click()
    page.get_by_test_id("flag-resolve").click()
    expect(page.locator("main")).to_contain_text("Indiquez ce qui a été vérifié ou décidé pour lever ce signalement.")
    page.get_by_label("Ce qui a été vérifié ou décidé").fill("BC1 confirmé par le réexamen : le report tient.")
    page.get_by_test_id("flag-resolve").click()
    expect(page.get_by_test_id("flag-resolved")).to_contain_text("Levé")
    screenshot("issue12-flag-resolved")

    page.goto(reverse("juries:decision", args=[later.jury_id, place.pk]))
    expect(page.get_by_test_id("decision-state")).to_contain_text("Provisoire")
    expect(page.get_by_test_id("decision-flag")).to_have_count(0)
