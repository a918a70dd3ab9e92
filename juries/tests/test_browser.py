"""Journeys in real Chromium: the evaluation jury's president enters the consensus grids of a session by
keyboard and sees each block's status change as they type; the certification jury then decides, including
a partial award by blocks and a departure that needs a written reason."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from juries import selectors, services
from juries.models import Decision
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# BC1 has C1.1–C1.5 (C1.1–C1.3 mandatory), BC2 has C2.1–C2.6 (C2.1, C2.2, C2.4 mandatory).
KEYS = {
    "total": "aaaaa" + "aaaaaa",
    "partial": "aaaaa" + "naaaaa",  # C2.1 NA: BC2 fails on a mandatory competency
    "none": "naaaa" + "naaaaa",  # C1.1 and C2.1 NA
}


def _with_password(*members):
    for member in members:
        member.user.set_password(PASSWORD)
        member.user.save(update_fields=["password"])


def test_the_president_grades_a_session_by_keyboard_and_sees_the_blocks_status(page, login, screenshot, world):
    jury = world.evaluation_jury()
    _with_password(world.employers)
    login(world.employers.user.email)
    home = page.get_by_test_id("my-jury")
    expect(home).to_contain_text("3 candidats à noter")
    home.get_by_role("link").click()
    page.get_by_test_id("open-grid").first.click()

    for index, kind in enumerate(["total", "partial", "none"]):
        expect(page.get_by_test_id("candidate-name")).to_have_text(world.places[index].enrolment.candidate.display_name)
        bc2 = page.get_by_test_id("status-BC2")
        expect(bc2).to_contain_text("En attente")
        # The grid's script puts the focus on the first competency once loaded: typing starts there.
        expect(page.locator("[data-grid-row] input[type=radio]").first).to_be_focused()
        for n, key in enumerate(KEYS[kind]):
            page.keyboard.press(key)
            if kind == "partial" and n == 5:
                # C2.1 graded NA: the block cannot be validated any more, whatever follows.
                expect(bc2).to_contain_text("Bloc non validé")
                expect(bc2).to_contain_text("C2.1")
        expect(page.get_by_test_id("status-BC1")).to_contain_text(
            "Bloc non validé" if kind == "none" else "Bloc validé"
        )
        expect(bc2).to_contain_text("Bloc validé" if kind == "total" else "Bloc non validé")
        if index == 1:
            expect(bc2).to_contain_text("5 acquise(s) sur 6")
            screenshot("juries-grid-keyboard")
        if index < 2:
            page.keyboard.press("Control+Enter")  # validate and go to the next candidate
            expect(page.get_by_role("alert").first).to_contain_text("Grille validée et verrouillée.")
        else:
            page.get_by_role("button", name="Valider la grille", exact=True).click()
            expect(page.get_by_role("alert").first).to_contain_text("Grille validée et verrouillée.")
            expect(page.get_by_test_id("locked")).to_have_count(2)

    # The recommendation for the last candidate, proposed from the computed result.
    expect(page.get_by_test_id("computed-outcome")).to_have_text("Non-attribution")
    page.get_by_label("Commentaires et annotations").fill("Compétences obligatoires C1.1 et C2.1 non acquises.")
    page.get_by_role("button", name="Enregistrer la préconisation").click()
    expect(page.get_by_test_id("recommendation")).to_contain_text("Non-attribution")

    page.get_by_role("link", name=re.compile("Jury d'évaluation")).click()
    board = page.get_by_test_id("board")
    expect(board).to_contain_text("Attribution totale")
    expect(board).to_contain_text("Attribution partielle : BC1")
    expect(board).to_contain_text("Non-attribution")
    expect(page.get_by_test_id("left-to-grade")).to_contain_text("0 grille")
    screenshot("juries-board")
    outcomes = [row.outcome.kind for row in selectors.deliberation_rows(selectors.session_places(jury), world.version)]
    assert outcomes == ["total", "partial", "none"]


def test_the_certification_jury_decides_including_a_partial_award(page, login, screenshot, world):
    jury = world.evaluation_jury()
    for place, pattern in zip(world.places, [{}, {"C2.1": "NA"}, {"C1.1": "NA", "C2.1": "NA"}], strict=True):
        world.grade(jury, place, pattern)
    for row in selectors.deliberation_rows(selectors.session_places(jury), world.version):
        services.recommendation_record(
            place=row.place,
            kind=row.outcome.kind,
            blocks=[cell.block for cell in row.cells if cell.acquired],
            comments="",
            recorded_by=jury.president.user,
        )
    certification = world.certification_jury()
    services.deliberation_transmit(jury=jury, certification_jury=certification, transmitted_by=jury.president.user)
    _with_password(world.cert_president)

    login(world.cert_president.user.email)
    page.get_by_test_id("my-jury").get_by_role("link").click()
    rows = page.get_by_test_id("decision-row")
    expect(rows).to_have_count(3)

    # The partial candidate: the jury awards BC1 as recommended.
    rows.nth(1).get_by_test_id("open-decision").click()
    expect(page.get_by_test_id("computed")).to_contain_text("Attribution partielle : BC1")
    page.get_by_label("Attribution partielle").check()
    page.get_by_label("BC1").check()
    screenshot("juries-decision-partial")
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_role("alert").first).to_contain_text("Décision enregistrée")
    expect(page.get_by_test_id("decision").nth(1)).to_contain_text("Attribution partielle : BC1")

    # The failed candidate: awarding BC1 departs from the rules, so the page asks for a reason.
    page.get_by_test_id("open-decision").nth(2).click()
    page.get_by_label("Attribution partielle").check()
    page.get_by_label("BC1").check()
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.locator(".invalid-feedback").first).to_contain_text("motivez-la par écrit")
    expect(page.get_by_label("BC1")).to_be_checked()  # the choice is kept
    page.get_by_label(re.compile("Motif")).fill("Erreur matérielle de report sur C1.1, constatée avec le jury.")
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_role("alert").first).to_contain_text("Décision enregistrée")
    screenshot("juries-decisions")

    decisions = {d.place_id: d for d in Decision.objects.prefetch_related("blocks")}
    partial = decisions[world.places[1].pk]
    assert partial.kind == "partial" and [b.code for b in partial.blocks.all()] == ["BC1"]
    assert decisions[world.places[2].pk].reason.startswith("Erreur matérielle")
