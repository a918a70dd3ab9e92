"""In Chromium (issue 14): the certifier admin starts from the home page's « À faire », follows each item's link and
lands on the page where it is done; the organisation's staff does the same with theirs, and so do the jury members
(grids to enter, a PV to sign, and to sign again after a decision changed). No Content-Security-Policy violation along
the way."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from demo.builders import Decided, World, enrol, make_candidate
from evaluations.models import EvaluationSession
from juries import services as jury_services
from juries.models import College
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _session_to_come(decided: Decided) -> EvaluationSession:
    """A session in 30 days at the world's organisation, one candidate placed, not convoked, no jury yet."""
    world = decided.world
    enrolment = enrol(make_candidate(world.organisation, 80, created_by=world.staff), world.version)
    return world.session_to_come(30, [enrolment])


def _with_password(user) -> None:
    """A jury member's account is activated by its owner (invitation); here it takes the tests' password."""
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])


def _follow_each_item(page, screenshot, name: str, landings: dict[str, str]) -> list[str]:
    """From the home page, click each to-do link in turn; check the page reached says what is done there."""
    page.goto("/")
    expect(page.get_by_test_id("todo")).to_contain_text("À faire")
    screenshot(f"todo-{name}-home")
    links = page.get_by_test_id("todo-link")
    targets = [(links.nth(i).inner_text(), links.nth(i).get_attribute("href") or "") for i in range(links.count())]
    for n, (label, href) in enumerate(targets):
        page.goto("/")
        page.get_by_test_id("todo-link").filter(has_text=label).click()
        expect(page).to_have_url(re.compile(re.escape(href) + "$"))
        heading = next(text for prefix, text in landings.items() if label.startswith(prefix))
        expect(page.locator("h1")).to_contain_text(heading)
        screenshot(f"todo-{name}-{n}")
    return [label for label, _href in targets]


def test_the_admin_and_the_staff_reach_each_item_of_their_to_do_list(page, login, screenshot, decided: Decided):
    world = decided.world
    session = _session_to_come(decided)
    jury_services.jury_member_register(
        email="nouveau@example.org",
        first_name="Noé",
        last_name="Nouveau",
        college=College.EMPLOYEES,
        certifications=[world.version.certification],
        proposed_by=world.staff,
    )
    make_candidate(world.organisation, 90, created_by=world.staff)  # not enrolled yet
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security" in m.text else None)

    login(world.admin.email)
    # The admin's menu, the longest, wraps within the page instead of pushing it wider than the window.
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    labels = _follow_each_item(
        page,
        screenshot,
        "admin",
        {
            "Résultats à notifier": "Échéances des jurys de certification",
            "Sessions sans jury": session.version.short_title,
            "Organismes dont l'habilitation": "Organismes de formation",
            "Membres de jury proposés": "Registre des membres de jury",
        },
    )
    # The session to come without a jury (its deadline) before the results to notify (a month after the jury),
    # those without a deadline last.
    assert [label.split(" (")[0] for label in labels] == [
        "Sessions sans jury d'évaluation complet",
        "Résultats à notifier",
        "Membres de jury proposés, à habiliter",
        "Organismes dont l'habilitation ne couvre pas aujourd'hui",
    ]

    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Se déconnecter").click()
    login(world.staff.email)
    labels = _follow_each_item(
        page,
        screenshot,
        "staff",
        {
            "Candidats sans inscription": "Candidats — ",
            "Candidats à convoquer": session.version.short_title,
            "Candidats attendus en session": "MARTIN80 Julie",  # their page, where their documents are sent
        },
    )
    assert [label.split(" (")[0] for label in labels] == [
        "Candidats à convoquer",
        "Candidats attendus en session dont un document d'épreuve manque",
        "Candidats sans inscription",
    ]
    assert violations == []


def test_the_jury_members_reach_their_grids_and_their_pv_and_are_asked_again_after_a_change(
    page, login, screenshot, decided: Decided
):
    """The president of the certification jury finds the PV to sign, signs it from the page it links to; when a
    decision changes afterwards, the home asks for the signature again. A member of an evaluation jury whose session
    has begun finds the grids to enter."""
    from certificates.tests.test_pages import refuse_the_partial_award

    world = decided.world
    president = world.cert_president.user
    _with_password(president)
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security" in m.text else None)
    login(president.email)
    labels = _follow_each_item(
        page,
        screenshot,
        "member",
        {"Procès-verbal à signer": "Procès-verbal du jury de certification"},
    )
    assert [label.split(" — ")[0] for label in labels] == ["Procès-verbal à signer"]
    page.get_by_test_id("sign").click()
    expect(page.get_by_test_id("my-signature")).to_contain_text("Vous avez signé")
    page.goto("/")
    expect(page.get_by_test_id("todo")).to_contain_text("Rien en attente")

    refuse_the_partial_award(decided)  # the president (another tab, say) changes a decision after signing
    page.goto("/")
    expect(page.get_by_test_id("todo-link")).to_contain_text("Procès-verbal à signer de nouveau")
    screenshot("todo-member-sign-again")
    page.get_by_test_id("todo-link").click()
    expect(page.get_by_test_id("sign")).to_be_visible()
    assert violations == []


def test_a_member_of_an_evaluation_jury_reaches_the_grids_to_enter(page, login, screenshot, world: World):
    jury = world.evaluation_jury()
    _with_password(world.employees.user)
    login(world.employees.user.email)
    labels = _follow_each_item(page, screenshot, "evaluator", {"Grilles à saisir": jury.get_kind_display()})
    assert [label.split(" — ")[0] for label in labels] == ["Grilles à saisir"]
