"""Journey in real Chromium: a certifier admin suspends an organisation's approval and reads its history."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from cqp.models import ApprovalStatus, TrainingOrganisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_certifier_admin_suspends_an_approval_with_a_reason_and_sees_it_in_the_history(
    page, login, screenshot, certifier_admin, organisation
):
    organisation.approval_start = dt.date(2025, 1, 1)
    organisation.save()
    login(certifier_admin.email)
    page.get_by_role("link", name="Organismes", exact=True).click()
    expect(page.get_by_role("heading", name="Organismes de formation")).to_be_visible()
    page.get_by_role("link", name="BJO Formation").click()
    expect(page.get_by_test_id("approval-state")).to_contain_text("Habilitation en cours")

    form = page.get_by_test_id("withdraw-form")
    form.get_by_label("Mesure").select_option(ApprovalStatus.SUSPENDED.value)
    form.get_by_label("Motif").fill("Audit annuel : locaux non conformes")
    form.get_by_role("button", name="Suspendre ou retirer l'habilitation").click()

    expect(page.get_by_test_id("approval-state")).to_contain_text("Habilitation suspendue")
    history = page.locator(".audit-trail")
    expect(history).to_contain_text("Habilitation de l'organisme suspendue ou retirée")
    expect(history).to_contain_text("Audit annuel : locaux non conformes")
    expect(history).to_contain_text(str(certifier_admin))
    screenshot("organisation-suspended")
    assert TrainingOrganisation.objects.get(pk=organisation.pk).approval_status == ApprovalStatus.SUSPENDED
