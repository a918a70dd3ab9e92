"""Journey in real Chromium (issue 13): a session of RNCP 31313 "CQP Horloger qualifié" at the École
d'horlogerie runs end to end with juries that satisfy its fiche. The certifier admin composes the test jury
(two professionals, the school's two trainers, a CPNEFP member of each college, sitting ex officio) and sees a
third trainer refused in the fiche's words; the president, a CPNEFP member, grades the four blocks by keyboard and
transmits; the admin creates the final joint jury, which is not complete with three CPNEFP members, and is with
four; its president decides."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cqp.models import CertificationVersion, TrainingOrganisation
from demo.builders import jury_member, make_candidate, past_session, user
from juries import selectors
from juries.models import Decision, Jury, JuryKind
from juries.rules import EMPLOYEES, EMPLOYERS, PROFESSIONAL, TRAINER
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _member(email: str, college: str, last_name: str, certifications: list[Any], **fields: Any) -> Any:
    member = jury_member(email, college, certifications=certifications, last_name=last_name, **fields)
    member.user.set_password(PASSWORD)
    member.user.save(update_fields=["password"])
    return member


def test_a_31313_session_runs_with_a_test_jury_and_a_final_jury_that_satisfy_the_fiche(
    page: Any, login: Any, screenshot: Any, referential: Any
) -> None:
    clockmaking = CertificationVersion.objects.get(rncp_code="RNCP31313")
    polishing = CertificationVersion.objects.get(rncp_code="RNCP26850")
    school = TrainingOrganisation.objects.get(name="École d'horlogerie Charles Edouard Guillaume")
    admin = user("certificateur-31313@example.org", password=PASSWORD, is_certifier_admin=True)
    staff = user("ecole-31313@example.org", organisation=school)
    session = past_session(staff, clockmaking, [make_candidate(school, 7, created_by=staff)], jury_by=admin)
    only_31313 = [clockmaking.certification]
    pros = [
        _member("pro-a@example.org", PROFESSIONAL, "Lemaire", only_31313, company_name="Horlogerie Lemaire"),
        _member("pro-b@example.org", PROFESSIONAL, "Vasseur", only_31313, company_name="Montres Vasseur"),
    ]
    trainers = [
        _member(f"prof-{n}@example.org", TRAINER, name, only_31313, organisation=school)
        for n, name in enumerate(["Guillou", "Hamon", "Tanguy"])
    ]
    # The CPNEFP members are listed for 26850 only: they sit on 31313's juries ex officio.
    cpnefp = [
        _member(f"cpnefp-{n}@example.org", college, name, [polishing.certification])
        for n, (college, name) in enumerate(
            [(EMPLOYEES, "Salaün"), (EMPLOYERS, "Perrot"), (EMPLOYEES, "Morvan"), (EMPLOYERS, "Le Goff")]
        )
    ]
    president = cpnefp[1]

    # The admin composes the test jury, page by page.
    login(admin.email)
    page.goto(f"/jurys/{session.jury.pk}/")
    expect(page.get_by_test_id("composition-rules")).to_contain_text("Composition du jury d'épreuve (RNCP 31313)")

    def assign(member: Any) -> None:
        page.locator("#id_assign_member").select_option(str(member.pk))
        page.get_by_role("button", name="Ajouter", exact=True).click()

    for member in [*pros, trainers[0], trainers[1], cpnefp[0], cpnefp[1]]:
        assign(member)
        expect(page.get_by_role("alert").first).not_to_contain_text("refus")
    expect(page.get_by_test_id("seat")).to_have_count(6)
    assign(trainers[2])
    expect(page.get_by_role("alert").first).to_contain_text(
        "Le jury d'épreuve compte déjà 2 × formateur du centre de formation agréé par la branche"
    )
    page.locator("#id_president_member").select_option(str(trainers[0].pk))
    page.get_by_role("button", name="Désigner").click()
    expect(page.get_by_role("alert").first).to_contain_text(
        "le président du jury d'épreuve est choisi parmi : membre de la CPNEFP (collège des salariés), membre de la "
        "CPNEFP (collège des employeurs)"
    )
    page.locator("#id_president_member").select_option(str(president.pk))
    page.get_by_role("button", name="Désigner").click()
    expect(page.get_by_test_id("composition-complete")).to_be_visible()
    expect(page.get_by_test_id("seat").filter(has_text="Salaün")).to_contain_text(
        "membre de la CPNEFP (collège des salariés)"
    )
    screenshot("juries-31313-test-jury")

    # The final joint jury: three CPNEFP members are not enough.
    page.goto("/jurys/")
    page.locator("#id_version").select_option(str(clockmaking.pk))
    page.locator("#id_meets_on").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Créer", exact=True).click()
    final = Jury.objects.get(kind=JuryKind.CERTIFICATION, version=clockmaking)
    expect(page).to_have_url(re.compile(f"/jurys/{final.pk}/"))
    for member in cpnefp[:3]:
        assign(member)
    expect(page.get_by_test_id("composition-problems")).to_contain_text(
        "Le jury paritaire final compte au moins 4 membres (3 à ce jour)."
    )
    assign(cpnefp[3])
    page.locator("#id_president_member").select_option(str(cpnefp[0].pk))
    page.get_by_role("button", name="Désigner").click()
    expect(page.get_by_test_id("composition-complete")).to_be_visible()
    screenshot("juries-31313-final-jury")
    page.context.clear_cookies()

    # The test jury's president grades the four blocks (40 competencies) by keyboard, then transmits.
    login(president.user.email)
    page.goto(f"/jurys/{session.jury.pk}/")
    page.get_by_test_id("open-grid").first.click()
    expect(page.locator("[data-grid-row] input[type=radio]").first).to_be_focused()
    for _ in range(40):
        page.keyboard.press("a")
    for code in ("BC1", "BC2", "BC3", "BC4"):
        expect(page.get_by_test_id(f"status-{code}")).to_contain_text("Bloc validé")
    page.get_by_role("button", name="Valider la grille", exact=True).click()
    expect(page.get_by_role("alert").first).to_contain_text("Grille validée et verrouillée.")
    expect(page.get_by_test_id("computed-outcome")).to_have_text("Attribution totale")
    page.get_by_role("button", name="Enregistrer la préconisation").click()
    expect(page.get_by_test_id("recommendation")).to_contain_text("Attribution totale")
    page.goto(f"/jurys/{session.jury.pk}/")
    page.locator("#id_certification_jury").select_option(str(final.pk))
    page.get_by_role("button", name="Transmettre", exact=True).click()
    expect(page.get_by_role("alert").first).to_contain_text("ransmis")
    page.context.clear_cookies()

    # The final jury's president decides.
    login(cpnefp[0].user.email)
    page.goto(f"/jurys/{final.pk}/")
    page.get_by_test_id("open-decision").first.click()
    page.get_by_label("Attribution totale").check()
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_role("alert").first).to_contain_text("Décision enregistrée")
    screenshot("juries-31313-decision")

    decision = Decision.objects.get(jury=final)
    assert decision.kind == "total"
    final.refresh_from_db()
    assert final.president_id == cpnefp[0].pk
    assert selectors.composition_problems(final) == []
    assert final.meets_on <= timezone.localdate() < final.meets_on + dt.timedelta(days=1)
