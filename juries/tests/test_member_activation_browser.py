"""Journey in real Chromium (issue 13, part 5): the certifier's admin adds a new person to the registry and
approves them; the registry says their account is not activated; they open the e-mailed link, choose a password,
log in, and, seated on a certification jury, sign its PV in the page."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from certificates import services as certificate_services
from certificates.models import ProcesVerbal, PvStatus
from demo.builders import decide
from juries.models import JuryMember

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://[^/\s]+(/compte/mot-de-passe/nouveau/[^\s]+/)")
EMAIL = "alix.nouvelle@example.org"
CHOSEN = "Balancier-Spiral-2026"


def _log_out(page) -> None:
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Se déconnecter").click()


def test_a_new_member_chooses_a_password_from_the_invitation_and_signs_a_pv(page, login, screenshot, world):
    login(world.admin.email, start="/jurys/membres/nouveau/")
    page.get_by_label("Prénom").fill("Alix")
    page.get_by_label("Nom*", exact=True).fill("Nouvelle")
    page.get_by_label("Adresse e-mail").fill(EMAIL)
    page.get_by_label("Collège").select_option("employees")
    page.get_by_label("Entreprise ou organisme").fill("Manufacture Horlogère du Doubs")
    page.get_by_label(str(world.version.certification)).check()
    page.get_by_role("button", name="Proposer au certificateur").click()
    row = page.get_by_test_id("member-row").filter(has_text="Manufacture Horlogère du Doubs")
    expect(row.get_by_test_id("not-activated")).to_contain_text("Compte non activé")
    row.get_by_role("button", name="Habiliter").click()
    row = page.get_by_test_id("member-row").filter(has_text="Manufacture Horlogère du Doubs")
    expect(row.get_by_test_id("member-status")).to_have_text("Habilité")
    expect(row.get_by_test_id("not-activated")).to_be_visible()
    screenshot("juries-member-not-activated")
    sent = [m for m in mail.outbox if m.to == [EMAIL]]
    assert [m.subject for m in sent] == ["Choisissez votre mot de passe de membre de jury CQP"] * 2  # added, approved
    _log_out(page)

    # The newest link (with the approval) opens the form to choose a password.
    path = LINK.search(str(sent[-1].body)).group(1)
    page.goto(path)
    screenshot("juries-member-choose-password")
    page.get_by_label("Nouveau mot de passe*", exact=True).fill(CHOSEN)
    page.get_by_label("Confirmation du nouveau mot de passe*", exact=True).fill(CHOSEN)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("main")).to_contain_text("Mot de passe enregistré")
    login(EMAIL, password=CHOSEN)
    expect(page.get_by_test_id("user-menu")).to_contain_text("Alix")

    # Seated on the certification jury in the place of the employees' representative, which then decides.
    member = JuryMember.objects.get(email=EMAIL)
    world.cert_employees = member
    decided = decide(world)
    for seat in decided.certification.seats.select_related("member__user").exclude(member=member):
        certificate_services.pv_sign(jury=decided.certification, user=seat.member.user)
    page.goto(f"/certificats/jurys/{decided.certification.pk}/pv/")
    page.get_by_test_id("sign").click()
    expect(page.get_by_role("alert").first).to_contain_text("Procès-verbal signé par tous les membres")
    expect(page.get_by_test_id("signatures")).to_contain_text("Alix Nouvelle")
    screenshot("juries-new-member-signed-the-pv")
    assert ProcesVerbal.objects.get(jury=decided.certification).status == PvStatus.SIGNED

    # The registry no longer says the account is to activate.
    _log_out(page)
    login(world.admin.email, start="/jurys/membres/")
    row = page.get_by_test_id("member-row").filter(has_text="Manufacture Horlogère du Doubs")
    expect(row.get_by_test_id("not-activated")).to_have_count(0)
