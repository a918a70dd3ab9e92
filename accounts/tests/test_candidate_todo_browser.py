"""In Chromium (issue 14): a candidate convoked to a session to come starts from the home page's « À faire », follows
each item to where it is done (their documents, the convocation's calendar file), sends a document; a candidate
whose certification is decided reads « Certifiée » and is offered no upload any more. No Content-Security-Policy
violation along the way."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from candidates import services as candidate_services
from candidates.models import Candidate
from demo.builders import Decided, enrol, make_candidate
from evaluations import services as evaluation_services
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _account(candidate: Candidate) -> User:
    """The candidate's account as their organisation opens it (`candidate_invite`), with the password they would
    choose from the invitation's link."""
    user = candidate_services.candidate_invite(candidate=candidate, site_url="http://testserver/").user
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


def _convoked_candidate(decided: Decided) -> Candidate:
    """Léa Martin70, enrolled, placed in a session in 30 days at the world's organisation and convoked."""
    world = decided.world
    candidate = make_candidate(world.organisation, 70, created_by=world.staff, first_name="Léa")
    session = world.session_to_come(30, [enrol(candidate, world.version)])
    evaluation_services.convocations_send(session=session)
    return candidate


def test_a_candidate_follows_their_to_do_list_then_reads_their_certification(
    page, login, screenshot, validated: Decided, tmp_path
) -> None:
    candidate = _convoked_candidate(validated)
    user = _account(candidate)
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security" in m.text else None)

    login(user.email)
    expect(page.get_by_test_id("todo")).to_contain_text("À faire")
    expect(page.get_by_test_id("my-enrolment-state")).to_have_text("Inscrite")
    expect(page.get_by_test_id("my-convocation")).to_be_visible()
    screenshot("todo-candidate-home")
    links = page.get_by_test_id("todo-link")
    targets = [(links.nth(i).inner_text(), links.nth(i).get_attribute("href") or "") for i in range(links.count())]
    labels = [label for label, _href in targets]
    to_send = page.get_by_test_id("todo-item").filter(has_text="Documents à déposer").get_by_test_id("todo-count")
    before = int(to_send.inner_text())
    assert labels[0] == "Documents à déposer avant les épreuves"
    assert labels[1].startswith("Prochaine convocation : ")
    for n, (label, href) in enumerate(targets):
        page.goto("/")
        link = page.get_by_test_id("todo-link").filter(has_text=label)
        if href.endswith(".ics"):  # the convocation: its calendar file
            with page.expect_download() as download:
                link.click()
            assert download.value.suggested_filename.endswith(".ics")
            continue
        link.click()
        expect(page).to_have_url(re.compile(re.escape(href) + "$"))
        expect(page.locator("#mes-documents")).to_be_in_viewport()
        screenshot(f"todo-candidate-{n}")

    # A document sent from the space: one fewer to send.
    part = page.get_by_test_id("livret-part").first
    pdf = tmp_path / "livret.pdf"
    pdf.write_bytes(PDF)
    part.locator('input[type="file"]').set_input_files(str(pdf))
    part.get_by_role("button", name=re.compile("^Déposer ")).click()
    expect(page.get_by_role("alert").filter(has_text="« livret.pdf » déposé")).to_be_visible()
    expect(to_send).to_have_text(str(before - 1))
    screenshot("todo-candidate-sent")

    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Se déconnecter").click()

    # Julie Martin0, certified by the world's jury (PV signed, CPNEFP validation, notified).
    holder = _account(validated.world.places[0].enrolment.candidate)
    login(holder.email)
    expect(page.get_by_test_id("my-enrolment-state")).to_have_text("Certifiée")
    expect(page.get_by_test_id("my-result")).to_contain_text("Certification obtenue.")
    documents = page.get_by_test_id("documents")
    expect(documents.locator('input[type="file"]')).to_have_count(0)
    expect(documents.get_by_role("button", name=re.compile("Déposer|Remplacer"))).to_have_count(0)
    expect(documents.get_by_test_id("closed-reason").first).to_have_text(
        "Certification obtenue : ce document n'est plus à déposer."
    )
    expect(page.get_by_test_id("todo")).not_to_contain_text("Documents à déposer")
    # Her result and its state, from the to-do list to the result in her space.
    page.get_by_test_id("todo-link").filter(has_text="Résultat RNCP 26850 : Certifiée (définitif)").click()
    expect(page).to_have_url(re.compile("#mes-resultats$"))
    screenshot("todo-candidate-certified")

    # Her organisation's page says the same, with the result and the parchment's place.
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Se déconnecter").click()
    login(validated.world.staff.email)
    page.goto(f"/candidats/{validated.world.places[0].enrolment.candidate_id}/")
    expect(page.get_by_test_id("enrolment-state")).to_have_text("Certifiée")
    expect(page.get_by_test_id("enrolment-result-outcome")).to_have_text("Attribution totale")
    expect(page.get_by_test_id("documents-card").locator('input[type="file"]')).to_have_count(0)
    screenshot("todo-candidate-staff-page")
    assert violations == []
