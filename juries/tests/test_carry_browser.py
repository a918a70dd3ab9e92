"""Journey in real Chromium (issue 12, the scenario the audit found): a candidate back at a resit session with a
block from an earlier certification jury whose result is still provisional. The block is not carried while that
result is unfinished (the grid page asks for it); once final it is carried, with its origin. The later jury awards
the whole certification on its strength, and then the earlier result changes after an appeal: the later decision
is flagged on the deadlines page and the decision page, and the parchment batch leaves it out (nothing is issued
from it until an admin reviews the carry-over)."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from certificates import services as certificate_services
from certificates.models import Parchment
from demo.builders import complete_mentions
from juries import services
from juries.tests.conftest import World
from juries.tests.services.helpers import ALL_A, decide, ratify, recommend_as_computed
from juries.tests.services.test_earlier_blocks import earlier_partial_bc1
from results.services import appeals

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_resit_on_an_unfinished_earlier_result_then_that_result_changes(page, login, screenshot, world: World):
    complete_mentions(world)
    # BC1 awarded a month ago (within the appeal delay), PV not signed, not validated.
    place, earlier = earlier_partial_bc1(world, days_ago=30, final=False)
    name = place.enrolment.candidate.display_name
    evaluation = world.evaluation_jury()
    grid = reverse("juries:grid", args=[evaluation.pk, place.pk]) + "?grille=consensus"

    login(world.admin.email, start=grid)
    expect(page.get_by_test_id("candidate-name")).to_have_text(name)
    # The earlier result is provisional: BC1 is not carried, the candidate sits it again.
    expect(page.get_by_test_id("block-BC1")).to_be_visible()
    expect(page.get_by_test_id("carried-origin")).to_have_count(0)
    screenshot("issue12-resit-provisional-earlier-not-carried")

    ratify(world, earlier.jury)  # PV signed by all, CPNEFP validation recorded: the earlier result is final
    page.goto(grid)
    expect(page.get_by_test_id("block-BC1")).to_have_count(0)
    expect(page.get_by_test_id("block-BC2")).to_be_visible()
    expect(page.get_by_test_id("carried-origin")).to_contain_text(
        f"jury de certification du {earlier.jury.meets_on:%d/%m/%Y}"
    )
    screenshot("issue12-resit-final-earlier-carried")

    # The resit is graded, recommended and decided: total, on the strength of BC1; then made final.
    for each in [*world.places, place]:
        world.grade(evaluation, each, ALL_A)
        recommend_as_computed(world, evaluation, each)
    certification = world.certification_jury()
    services.deliberation_transmit(jury=evaluation, certification_jury=certification, transmitted_by=world.admin)
    later = decide(world, certification, place, "total")
    for other in world.places:
        decide(world, certification, other, "total")
    ratify(world, certification)
    assert list(later.relied_on.all()) == [earlier]

    # The earlier result changes: an appeal, a re-examination on the existing grids, BC1 no longer awarded.
    today = timezone.localdate()
    appeal = appeals.appeal_record(
        decision=earlier, received_on=today, grounds="Contestation du jury de BC1", recorded_by=world.admin
    )
    appeals.appeal_examine(
        appeal=appeal,
        meeting_on=today,
        outcome="reexamination",
        reason="Grille de BC1 à revoir",
        mode="same_grids",
        scope="BC1",
        examined_by=world.admin,
    )
    services.revision_record(
        decision=earlier,
        kind="none",
        blocks=[],
        reason="Réexamen : C2.1 non acquise, BC1 non attribué",
        decided_by=world.cert_president.user,
    )

    page.goto(reverse("certificates:deadlines"))
    flags = page.get_by_test_id("carry-flag-row").filter(has_text=name)
    expect(flags).to_have_count(1)
    expect(flags).to_contain_text("Résultat révisé après recours")
    screenshot("issue12-resit-flag-on-deadlines")

    page.goto(reverse("juries:decision", args=[certification.pk, place.pk]))
    expect(page.get_by_test_id("decision-flag")).to_contain_text("Résultat révisé après recours")

    # The block: the batch issues the other holders' parchments, not the flagged one's.
    page.goto(reverse("certificates:jury_parchments", args=[certification.pk]))
    page.get_by_test_id("issue").click()
    expect(page.get_by_test_id("batch-state")).to_have_text(re.compile("Lot terminé|Production en cours"))
    page.goto(reverse("certificates:jury_parchments", args=[certification.pk]))
    expect(page.get_by_test_id("parchment-row")).to_have_count(len(world.places))
    expect(page.get_by_test_id("parchment-row").filter(has_text=name)).to_have_count(0)
    screenshot("issue12-resit-flagged-holder-left-out")
    assert not Parchment.objects.filter(decision=later).exists()
    with pytest.raises(ValidationError, match="un administrateur doit revoir le report"):
        certificate_services.parchment_issue(decision=later, issued_by=world.admin)
