"""Journeys in real Chromium through the registry: organisation staff propose a jury member whose e-mail already
belongs to an account; the registry shows the names they typed, never the account's; the account's owner, signed
in, confirms from the e-mailed link; the certifier then approves them and the trail is on the registry. And a
member who sat and graded has their habilitation withdrawn: their jury leaves their home page and its pages
answer 404."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from juries.models import JuryMember, MemberStatus
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://[^/\s]+(/jurys/invitation/[^/\s]+/)")


def test_an_existing_account_joins_the_registry_only_once_its_owner_confirms(page, login, screenshot, world):
    owner = UserFactory(email="camille.reelle@example.org", first_name="Camille", last_name="Véritable")
    owner.set_password(PASSWORD)
    owner.save(update_fields=["password"])

    login(world.staff.email)
    page.goto("/jurys/membres/nouveau/")
    page.get_by_label("Prénom").fill("Dominique")
    page.get_by_label("Nom*", exact=True).fill("Orfèvre")
    page.get_by_label("Adresse e-mail").fill("Camille.Reelle@example.org")
    page.get_by_label("Collège").select_option("employees")
    page.get_by_label("Entreprise ou organisme").fill("Orfèvrerie Dupuis")
    page.get_by_label(str(world.version.certification)).check()
    page.get_by_role("button", name="Proposer au certificateur").click()
    row = page.get_by_test_id("member-row").filter(has_text="Orfèvrerie Dupuis")
    expect(row).to_contain_text("Dominique Orfèvre")
    expect(page.locator("body")).not_to_contain_text("Véritable")
    member = JuryMember.objects.get(company_name="Orfèvrerie Dupuis")
    assert member.user_id is None

    [invitation] = [m for m in mail.outbox if m.to == ["camille.reelle@example.org"]]
    path = LINK.search(str(invitation.body)).group(1)
    page.context.clear_cookies()
    login(owner.email, start=path)  # signed out, the link leads to the login page, then back to the invitation
    expect(page.get_by_test_id("invitation-account")).to_contain_text("camille.reelle@example.org")
    screenshot("juries-member-invitation")
    page.get_by_test_id("confirm-invitation").click()
    expect(page.locator(".alert")).to_be_visible()
    member.refresh_from_db()
    assert member.user_id == owner.pk

    page.context.clear_cookies()
    login(world.admin.email, start="/jurys/membres/")
    row = page.get_by_test_id("member-row").filter(has_text="Orfèvrerie Dupuis")
    row.get_by_role("button", name="Habiliter").click()
    row = page.get_by_test_id("member-row").filter(has_text="Orfèvrerie Dupuis")
    expect(row.get_by_test_id("member-status")).to_have_text("Habilité")
    history = row.locator("xpath=following-sibling::tr[1]")  # the member's trail, under their line
    expect(history).to_have_attribute("data-testid", "member-history")
    history.locator("summary").click()
    expect(history).to_contain_text("Membre de jury proposé")
    expect(history).to_contain_text("Habilitation du membre de jury accordée")
    screenshot("juries-member-approved")
    member.refresh_from_db()
    owner.refresh_from_db()
    assert member.status == MemberStatus.APPROVED and owner.is_jury_member


def test_a_member_whose_habilitation_is_withdrawn_no_longer_reads_their_jury(page, login, screenshot, world):
    jury = world.evaluation_jury()  # the employers' representative presides
    member = world.employers
    member.user.set_password(PASSWORD)
    member.user.save(update_fields=["password"])

    login(member.user.email)
    page.get_by_test_id("my-jury").get_by_role("link").click()
    jury_url = page.url
    assert jury_url.endswith(f"/jurys/{jury.pk}/")
    page.get_by_test_id("open-grid").first.click()
    grid_url = page.url
    expect(page.get_by_test_id("candidate-name")).to_be_visible()

    page.context.clear_cookies()
    login(world.admin.email, start="/jurys/membres/")
    row = page.get_by_test_id("member-row").filter(has_text=member.email)
    row.get_by_label("Motif du retrait").fill("Conflit d'intérêts découvert après la composition")
    row.get_by_role("button", name="Retirer").click()
    row = page.get_by_test_id("member-row").filter(has_text=member.email)
    expect(row.get_by_test_id("member-status")).to_have_text("Habilitation retirée")

    page.context.clear_cookies()
    login(member.user.email)
    expect(page.get_by_test_id("home-jury-member")).to_be_visible()
    expect(page.get_by_test_id("my-jury")).to_have_count(0)  # their jury is no longer listed
    assert page.goto(jury_url).status == 404
    assert page.goto(grid_url).status == 404
    screenshot("juries-withdrawn-member-jury-404")
    member.refresh_from_db()
    assert member.status == MemberStatus.WITHDRAWN
