"""Journey in real Chromium: a result revised on appeal on the existing grids; the certification jury's members
sign its PV addendum in the page; the appealed decision's parchment is shown cancelled and the new one issued;
then the certifier's admin revokes that new award through the revocation page (form, confirmation)."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from certificates import services
from certificates.models import Parchment, ParchmentStatus
from certificates.tests import conftest as paper
from juries.models import Decision
from results.tests.test_addenda import revise
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

world, decided = paper.world, paper.decided


def _log_out(page) -> None:
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Se déconnecter").click()


def test_members_sign_the_addendum_then_the_admin_revokes_the_new_award(page, login, screenshot, decided) -> None:
    world, jury = decided.world, decided.certification
    decided.sign_all()
    services.cpnefp_validation_record(jury=jury, meeting_on=timezone.localdate(), recorded_by=world.admin)
    services.parchments_issue_for_jury(jury=jury, issued_by=world.admin)
    revised = revise(decided)  # the partial holder (BC1) appealed; the jury decided again: total
    old_parchment = Parchment.objects.get(decision=revised.old)
    members = [world.cert_employees, world.cert_employers, world.cert_president]
    for member in members:
        member.user.set_password(PASSWORD)
        member.user.save(update_fields=["password"])
    url = f"/resultats/decisions/{revised.new.pk}/avenant/"

    for n, member in enumerate(members):
        login(member.user.email, start=url)
        expect(page).to_have_url(re.compile(re.escape(url) + "$"))
        expect(page.get_by_test_id("addendum-revised")).to_have_text("Attribution totale")
        expect(page.get_by_test_id("result-state")).to_have_text("Provisoire")
        expect(page.get_by_test_id("old-parchment")).to_contain_text("Valide")
        if n == 0:
            screenshot("results-addendum-to-sign")
        page.get_by_test_id("sign").click()
        if n < len(members) - 1:
            expect(page.get_by_role("alert").first).to_contain_text("Votre signature de l'avenant est enregistrée.")
            _log_out(page)

    expect(page.get_by_role("alert").first).to_contain_text("Avenant signé par tous les membres")
    expect(page.get_by_test_id("addendum-status")).to_contain_text("Signé par tous")
    expect(page.get_by_test_id("result-state")).to_have_text("Définitif")
    expect(page.get_by_test_id("signatures").get_by_text("signé le")).to_have_count(3)
    expect(page.get_by_test_id("old-parchment")).to_contain_text(
        f"{old_parchment.display_number} : Annulé Décision révisée après recours"
    )
    new_parchment = Parchment.objects.get(decision=revised.new, status=ParchmentStatus.VALID)
    expect(page.get_by_test_id("new-parchment")).to_contain_text(f"{new_parchment.display_number} : Émis")
    expect(page.get_by_test_id("sign")).to_have_count(0)
    screenshot("results-addendum-signed")
    with page.expect_download() as download:
        page.get_by_test_id("addendum-pdf").click()
    assert download.value.suggested_filename == f"avenant-decision-{revised.new.pk}.pdf"
    _log_out(page)

    # The certifier's admin withdraws the new award: from the jury's parchments, the row's actions.
    login(world.admin.email, start=f"/certificats/jurys/{jury.pk}/parchemins/")
    row = page.locator(f"#p{new_parchment.pk}")
    row.get_by_text("Annuler, duplicata…").click()
    row.get_by_test_id("revoke").click()
    expect(page.get_by_test_id("revoke-outcome")).to_have_text("Attribution totale")
    page.get_by_label("Motif du retrait").fill("Fraude au livret établie après la délibération.")
    page.get_by_label("Référence de la décision de retrait").fill("DEC-2026-031")
    page.get_by_label("Retrait pour fraude").check()
    page.get_by_role("button", name="Vérifier les conséquences").click()
    expect(page.get_by_test_id("confirm-parchments")).to_contain_text(
        f"1 parchemin sera annulé avec ce motif : n° {new_parchment.display_number}."
    )
    expect(page.get_by_test_id("confirm-ban")).to_contain_text("sera exclue de la certification jusqu'au")
    screenshot("results-revocation-confirm")
    assert not Decision.objects.filter(revoked_at__isnull=False).exists()
    page.get_by_test_id("revoke-confirm-button").click()
    expect(page.get_by_role("alert").first).to_contain_text("Certification retirée (décision DEC-2026-031)")
    expect(page.locator(f"#p{new_parchment.pk}")).to_contain_text("Annulé")
    expect(page.locator(f"#p{new_parchment.pk}")).to_contain_text("Certification retirée (décision DEC-2026-031)")
    screenshot("results-revocation-done")
    assert Decision.objects.get(pk=revised.new.pk).revocation_fraud is True
    _log_out(page)

    # The candidate's space: the award withdrawn, said so with its decision and reason; the appealed result kept.
    from candidates.models import Candidate
    from tests.factories import UserFactory

    holder = UserFactory(email="titulaire.retire@example.org", is_candidate=True)
    Candidate.objects.filter(pk=revised.old.examined_place.enrolment.candidate_id).update(user=holder)
    login(holder.email)
    results = page.get_by_test_id("my-result")
    expect(results).to_have_count(2)
    expect(results.nth(0).get_by_test_id("my-result-revoked")).to_contain_text(
        "(décision DEC-2026-031), motif : Fraude au livret établie après la délibération."
    )
    expect(results.nth(0)).not_to_contain_text("Certification obtenue.")
    expect(results.nth(1).get_by_test_id("my-result-replaced")).to_contain_text("Résultat révisé après recours")
    expect(results.nth(1).get_by_test_id("result-state")).to_contain_text("Révisé")
    screenshot("results-holder-space-revoked")
