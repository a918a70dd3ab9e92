"""Issue 12: the certifier's paper pages show each result's state (provisional, final, under appeal, revised,
revoked) read with their lists, and the carry-over flags to review; the lists keep their number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from candidates.models import Candidate
from certificates.models import ParchmentStatus
from certificates.tests.conftest import Commit, Decided
from juries.models import CarryOverFlag
from juries.tests.services.helpers import ratify
from juries.tests.test_result_state_pages import reexamination, revise, revoke, states
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_pv_shows_the_state_of_each_decision_after_each_transition(client, decided: Decided) -> None:
    world = decided.world
    url = reverse("certificates:pv", args=[decided.certification.pk])
    client.force_login(world.admin)
    assert states(client.get(url).text, "pv-result-state") == ["provisional"] * 3

    ratify(world, decided.certification)
    assert states(client.get(url).text, "pv-result-state") == ["final"] * 3

    total, partial, _none = decided.decisions
    reexamination(world, partial)
    revoke(world, total)
    assert states(client.get(url).text, "pv-result-state") == ["revoked", "under_appeal", "final"]

    revise(world, partial)
    page = client.get(url).text
    assert states(page, "pv-result-state") == ["revoked", "revised", "provisional", "final"]
    assert page.count('data-testid="pv-revised"') == 1


def test_the_parchments_show_their_result_state(client, issued: Decided) -> None:
    url = reverse("certificates:jury_parchments", args=[issued.certification.pk])
    client.force_login(issued.world.admin)
    assert states(client.get(url).text, "parchment-result") == ["final", "final"]
    revoke(issued.world, issued.decisions[1])
    assert states(client.get(url).text, "parchment-result") == ["final", "revoked"]
    assert issued.decisions[1].parchments.get().status == ParchmentStatus.VALID  # the badge says, not cancels


def test_the_deadlines_rows_say_whether_results_are_final_and_list_the_flags(client, issued: Decided) -> None:
    world = issued.world
    url = reverse("certificates:deadlines")
    client.force_login(world.admin)
    page = client.get(url).text
    assert states(page, "results-state") == ["final"]
    assert 'data-testid="carry-flags"' not in page

    reexamination(world, issued.decisions[0])
    revoke(world, issued.decisions[1])
    flag = CarryOverFlag.objects.create(decision=issued.decisions[2], reason="Résultat retiré pour fraude")
    page = client.get(url).text.replace("&#x27;", "'")
    assert "1 en recours" in page
    assert "1 retiré" in page
    assert "1 report d'acquis à revoir" in page
    assert page.count('data-testid="carry-flag-row"') == 1
    assert "Résultat retiré pour fraude" in page
    assert f'href="{reverse("juries:flag", args=[flag.pk])}"' in page


def test_a_jury_not_yet_validated_shows_provisional_results(client, signed: Decided) -> None:
    client.force_login(signed.world.admin)
    assert states(client.get(reverse("certificates:deadlines")).text, "results-state") == ["provisional"]


@pytest.mark.parametrize("flags", [1, 12])
def test_the_deadlines_page_reads_the_same_queries_whatever_the_flags(
    client, issued: Decided, django_assert_num_queries, flags: int
) -> None:
    client.force_login(issued.world.admin)
    for n in range(flags):
        CarryOverFlag.objects.create(decision=issued.decisions[n % 3], reason=f"Résultat retiré {n}")
    # Session and user, the open juries (with their states' counts), the history's count (empty), the flags, the
    # open appeals, the VAE files waiting.
    with django_assert_num_queries(6):
        page = client.get(reverse("certificates:deadlines"))
    assert page.text.count('data-testid="carry-flag-row"') == flags


def test_the_candidate_space_shows_the_state_of_their_result(client, validated: Decided, commit: Commit) -> None:
    user = UserFactory(email="titulaire@example.org", is_candidate=True)
    decision = validated.decisions[1]
    Candidate.objects.filter(pk=decision.place.enrolment.candidate_id).update(user=user)
    client.force_login(user)
    client.get("/")
    with CaptureQueriesContext(connection) as before:
        home = client.get("/").text
    assert states(home, "my-result") == ["final"]
    reexamination(validated.world, decision)
    with CaptureQueriesContext(connection) as after:
        home = client.get("/").text
    assert states(home, "my-result") == ["under_appeal"]
    assert "Un recours recevable est en cours d" in home
    # At most as many: a prefetch is skipped when its list is empty (no final result left to carry over).
    assert len(after.captured_queries) <= len(before.captured_queries)
    assert 'data-testid="carry-flag"' not in home  # flags are the certifier's business


def test_the_candidate_space_says_a_revoked_award_is_withdrawn_and_keeps_a_replaced_result(
    client, validated: Decided, commit: Commit
) -> None:
    from results.services import revocation

    world = validated.world
    total, partial, _none = validated.decisions
    users = {}
    for decision, email in ((total, "titulaire@example.org"), (partial, "partiel@example.org")):
        users[decision.pk] = UserFactory(email=email, is_candidate=True)
        Candidate.objects.filter(pk=decision.place.enrolment.candidate_id).update(user=users[decision.pk])

    revocation.decision_revoke(
        decision=total,
        reason="Fraude au livret établie après la délibération.",
        reference="DEC-2026-031",
        fraud=False,
        decided_on=total.jury.meets_on,
        revoked_by=world.admin,
    )
    client.force_login(users[total.pk])
    home = client.get("/").text
    assert states(home, "my-result") == ["revoked"]
    assert "Certification obtenue." not in home
    assert "Certification retirée" in home and "DEC-2026-031" in home
    assert "Fraude au livret établie après la délibération." in home

    reexamination(world, partial)
    revised = revise(world, partial)
    client.force_login(users[partial.pk])
    home = client.get("/").text
    # The appealed result stays in the space, said to be replaced; the revision shows once final and notified.
    assert states(home, "my-result") == ["revised"]
    assert "Résultat révisé après recours" in home

    from results.services import addenda

    with commit():
        for seat in validated.certification.seats.select_related("member__user"):
            addenda.addendum_sign(decision=revised, user=seat.member.user)
    home = client.get("/").text
    assert states(home, "my-result") == ["final", "revised"]
    assert "Certification obtenue." in home
