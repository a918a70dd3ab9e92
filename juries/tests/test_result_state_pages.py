"""Issue 12: every page showing a certification jury's result shows its state (provisional, final, under appeal,
revised, revoked) with the lifecycle's explanation, read in the list's own query; a carry-over flag shows on the
later result, its decision page and the candidate's file until a certifier admin resolves it in writing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from demo.builders import decide as decide_all
from evaluations.models import SessionCandidate
from juries import lifecycle, services
from juries.models import CarryOverFlag, Decision, Jury
from juries.tests.conftest import World
from juries.tests.services.helpers import ALL_A, decide, ratify, recommend_as_computed
from juries.tests.services.test_earlier_blocks import earlier_partial_bc1
from results.models import Appeal, AppealStatus, ReexaminationMode
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def states(html: str, testid: str | None = None) -> list[str]:
    """The states shown, in the order of the page (within the elements of `testid` when given)."""
    if testid is not None:
        html = "".join(re.findall(rf'data-testid="{testid}"(.*?)</(?:td|li|p|div)>', html, flags=re.S))
    return re.findall(r'data-testid="result-state" data-state="(\w+)"', html)


def pages(jury: Jury, place: SessionCandidate) -> tuple[str, str]:
    return reverse("juries:detail", args=[jury.pk]), reverse("juries:decision", args=[jury.pk, place.pk])


def reexamination(world: World, decision: Decision) -> Appeal:
    """An admissible appeal whose re-examination the CPNEF ordered (recorded directly: the appeals' services are
    another part of the issue)."""
    today = timezone.localdate()
    return Appeal.objects.create(
        decision=decision,
        received_on=today,
        deadline=today + dt.timedelta(days=60),
        grounds="Le candidat conteste la note de C2.1.",
        status=AppealStatus.REEXAMINATION,
        reexamination_mode=ReexaminationMode.SAME_GRIDS,
        recorded_by=world.admin,
    )


def revise(world: World, decision: Decision) -> Decision:
    return services.revision_record(
        decision=decision,
        kind="total",
        blocks=[],
        reason="Réexamen : C2.1 acquise",
        decided_by=world.cert_president.user,
    )


def revoke(world: World, decision: Decision) -> None:
    Decision.objects.filter(pk=decision.pk).update(
        revoked_at=timezone.now(), revoked_by=world.admin, revocation_reason="Fraude constatée après le jury"
    )


def later_on_earlier(world: World) -> tuple[SessionCandidate, Decision, Decision]:
    """A candidate awarded BC1 by an earlier final result, graded on BC2 in the world's session and awarded
    the whole certification by its certification jury, on the strength of the earlier result."""
    place, earlier = earlier_partial_bc1(world)
    evaluation = world.evaluation_jury()
    for each in [*world.places, place]:
        world.grade(evaluation, each, ALL_A)
        recommend_as_computed(world, evaluation, each)
    certification = world.certification_jury()
    services.deliberation_transmit(jury=evaluation, certification_jury=certification, transmitted_by=world.admin)
    later = decide(world, certification, place, "total")
    assert list(later.relied_on.all()) == [earlier]
    return place, earlier, later


# --- States ---------------------------------------------------------------------------------------------


def test_the_jury_pages_and_the_candidate_file_show_each_state_of_a_result(client, world: World) -> None:
    _place, decision = earlier_partial_bc1(world, final=False)
    jury, examined = decision.jury, decision.examined_place
    board, decision_page = pages(jury, examined)
    candidate_file = reverse("candidates:detail", args=[examined.enrolment.candidate_id])
    client.force_login(world.admin)

    def shown() -> tuple[list[str], list[str], list[str]]:
        return (
            states(client.get(board).text, "decision"),
            states(client.get(decision_page).text, "decision-state"),
            states(client.get(candidate_file).text, "candidate-result"),
        )

    assert shown() == (["provisional"], ["provisional"], ["provisional"])
    text = client.get(decision_page).text
    assert f'title="{lifecycle.EXPLANATIONS[lifecycle.PROVISIONAL]}"'.replace("'", "&#x27;") in text
    assert ">Provisoire<" in text

    ratify(world, jury)
    assert shown() == (["final"], ["final"], ["final"])
    assert ">Définitif<" in client.get(board).text

    reexamination(world, decision)
    assert shown() == (["under_appeal"], ["under_appeal"], ["under_appeal"])
    assert ">En recours<" in client.get(board).text

    revised = revise(world, decision)
    # The row and the decision page show the decision replacing it; the candidate's file shows both.
    board_states, decision_states, file_states = shown()
    assert board_states == decision_states == ["provisional"]
    assert file_states == ["provisional", "revised"]
    text = client.get(decision_page).text
    assert "Décision prise après réexamen : elle remplace la décision" in text
    assert ">Révisé<" in client.get(candidate_file).text
    pv = client.get(reverse("certificates:pv", args=[jury.pk])).text
    assert states(pv, "pv-result-state") == ["revised", "provisional"]  # the PV's decision, then its revision
    assert revised.revises_id == decision.pk


def test_a_revoked_result_says_so_on_every_page(client, world: World) -> None:
    _place, decision = earlier_partial_bc1(world)
    jury, examined = decision.jury, decision.examined_place
    board, decision_page = pages(jury, examined)
    revoke(world, decision)
    client.force_login(world.admin)
    assert states(client.get(board).text, "decision") == ["revoked"]
    assert states(client.get(decision_page).text, "decision-state") == ["revoked"]
    candidate_file = client.get(reverse("candidates:detail", args=[examined.enrolment.candidate_id])).text
    assert states(candidate_file, "candidate-result") == ["revoked"]
    assert ">Retiré<" in candidate_file
    assert "Fraude constatée après le jury" in candidate_file


def test_the_organisation_sees_on_the_file_only_the_results_notified_to_the_candidate(client, world: World) -> None:
    _place, decision = earlier_partial_bc1(world, final=False)
    url = reverse("candidates:detail", args=[decision.examined_place.enrolment.candidate_id])
    client.force_login(world.staff)
    assert 'data-testid="candidate-result"' not in client.get(url).text  # provisional: not theirs to learn yet
    ratify(world, decision.jury)  # the CPNEFP validation notifies the candidate
    assert states(client.get(url).text, "candidate-result") == ["final"]


# --- Carry-over flags -----------------------------------------------------------------------------------


def test_a_flag_shows_on_the_later_result_until_an_admin_resolves_it_in_writing(client, world: World) -> None:
    place, earlier, later = later_on_earlier(world)
    reexamination(world, earlier)
    revise(world, earlier)  # the earlier result stops being final: the later one relied on it
    (flag,) = CarryOverFlag.objects.filter(decision=later)
    board, decision_page = pages(later.jury, place)
    candidate_file = reverse("candidates:detail", args=[place.enrolment.candidate_id])
    flag_page = reverse("juries:flag", args=[flag.pk])

    client.force_login(world.admin)
    assert f'href="{flag_page}" data-testid="carry-flag"' in client.get(board).text
    text = client.get(decision_page).text
    assert 'data-testid="decision-flag"' in text
    assert "Résultat révisé après recours" in text
    assert 'data-testid="candidate-flag"' in client.get(candidate_file).text
    deadlines = client.get(reverse("certificates:deadlines")).text
    assert "Reports d'acquis à revoir" in deadlines.replace("&#x27;", "'")
    assert deadlines.count('data-testid="carry-flag-row"') == 1

    # Reserved to the certifier admins.
    for user in (world.staff, world.cert_president.user, UserFactory(email="c@example.org", is_candidate=True)):
        client.force_login(user)
        for response in (client.get(flag_page), client.post(flag_page, {"resolution": "Vu"})):
            assert response.status_code == 403, user
            assert "Les reports d'acquis à revoir sont l'affaire du certificateur." in response.text.replace(
                "&#x27;", "'"
            )
    client.force_login(world.admin)
    assert client.get(reverse("juries:flag", args=[flag.pk + 1000])).status_code == 404

    # A resolution says what was checked or decided.
    refused = client.post(flag_page, {"resolution": "   "})
    assert refused.status_code == 200
    assert "Indiquez ce qui a été vérifié ou décidé pour lever ce signalement." in refused.text
    flag.refresh_from_db()
    assert flag.resolved_at is None

    done = client.post(flag_page, {"resolution": "BC1 confirmé par le réexamen : report maintenu."}, follow=True)
    assert "Report d&#x27;acquis revu : le signalement est levé." in done.text
    assert 'data-testid="flag-resolved"' in done.text
    flag.refresh_from_db()
    assert (flag.resolved_by, flag.resolution) == (world.admin, "BC1 confirmé par le réexamen : report maintenu.")
    again = client.post(flag_page, {"resolution": "encore"})
    assert "Ce signalement est déjà levé." in again.text

    assert 'data-testid="carry-flag"' not in client.get(board).text
    assert 'data-testid="decision-flag"' not in client.get(decision_page).text
    assert 'data-testid="candidate-flag"' not in client.get(candidate_file).text
    assert 'data-testid="carry-flag-row"' not in client.get(reverse("certificates:deadlines")).text


# --- Constant queries -----------------------------------------------------------------------------------


def test_the_certification_jury_page_reads_the_same_queries_whatever_the_states_and_flags(
    client, world: World, django_assert_num_queries
) -> None:
    decided = decide_all(world)
    url = reverse("juries:detail", args=[decided.certification.pk])
    client.force_login(world.admin)
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        assert client.get(url).status_code == 200
    decided.sign_all()
    ratify_only_validation(world, decided.certification)
    reexamination(world, decided.decisions[0])
    revoke(world, decided.decisions[1])
    for decision in decided.decisions:
        CarryOverFlag.objects.create(decision=decision, reason="Résultat retiré")
    with django_assert_num_queries(len(before.captured_queries)):
        page = client.get(url)
    assert states(page.text, "decision") == ["under_appeal", "revoked", "final"]
    assert page.text.count('data-testid="carry-flag"') == 3


def ratify_only_validation(world: World, jury: Jury) -> None:
    from certificates import services as certificate_services

    certificate_services.cpnefp_validation_record(jury=jury, meeting_on=timezone.localdate(), recorded_by=world.admin)


def test_the_decision_page_reads_its_flags_only_when_it_has_some(client, world: World, django_assert_num_queries):
    decided = decide_all(world)
    decision = decided.decisions[0]
    url = reverse("juries:decision", args=[decided.certification.pk, decision.place_id])
    client.force_login(world.admin)
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        assert client.get(url).status_code == 200
    for n in range(3):
        CarryOverFlag.objects.create(decision=decision, reason=f"Résultat retiré {n}")
    with django_assert_num_queries(len(before.captured_queries) + 1):  # the flags, with their sources
        page = client.get(url)
    assert page.text.count('data-testid="decision-flag"') == 3


def test_the_candidate_file_reads_the_same_queries_whatever_the_results(
    client, world: World, django_assert_max_num_queries
) -> None:
    place, earlier, _later = later_on_earlier(world)
    url = reverse("candidates:detail", args=[place.enrolment.candidate_id])
    client.force_login(world.admin)
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        page = client.get(url)
    assert page.text.count('data-testid="candidate-result"') == 2
    reexamination(world, earlier)
    revise(world, earlier)  # a third result, and a flag on the later one
    # At most as many: a prefetch is skipped when its list is empty (no final result left to carry over).
    with django_assert_max_num_queries(len(before.captured_queries)):
        page = client.get(url)
    assert page.text.count('data-testid="candidate-result"') == 3
    assert page.text.count('data-testid="candidate-flag"') == 1
