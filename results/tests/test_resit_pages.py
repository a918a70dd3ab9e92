"""The resit page (missing blocks, eligible sessions, one action), its button on the candidate's file, the origin
of a carried block in the session's cells, and the candidate space's acquired and remaining blocks."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from candidates.models import Candidate
from cqp.models import CertificationVersion
from demo.builders import Decided, decide
from evaluations.models import SessionCandidate
from juries import selectors
from juries.views import with_html
from results.tests.test_resits import final, later_session
from tests.factories import OrganisationFactory, UserFactory, enrol
from tests.worlds import World, world

__all__ = ["world"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(world: World) -> Decided:
    return final(world)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_staff_enrol_a_partial_result_in_a_resit_from_the_candidates_file(world: World, decided: Decided) -> None:
    partial = decided.decisions[1]
    candidate = partial.examined_place.enrolment.candidate
    session = later_session(world)
    client = client_for(world.staff)
    file = client.get(reverse("candidates:detail", args=[candidate.pk])).text
    url = reverse("results:resit", args=[partial.pk])
    assert url in file
    assert "Définitif" in file

    page = client.get(url).text
    assert "à repasser</span> <strong>BC2</strong>" in page
    assert "acquis</span> <strong>BC1</strong>" in page
    assert "jury de certification du" in page  # the origin of BC1
    response = client.post(url, {"session": session.pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("evaluations:detail", args=[session.pk])
    place = SessionCandidate.objects.get(session=session)
    assert [b.code for b in selectors.blocks_sat(place)] == ["BC2"]


def test_no_resit_button_on_a_total_result_and_the_page_says_why(world: World, decided: Decided) -> None:
    total = decided.decisions[0]
    client = client_for(world.staff)
    file = client.get(reverse("candidates:detail", args=[total.examined_place.enrolment.candidate_id])).text
    assert reverse("results:resit", args=[total.pk]) not in file
    later_session(world)
    page = client.get(reverse("results:resit", args=[total.pk])).text
    assert "obtenue en totalité" in page
    assert 'data-testid="resit-form"' not in page
    client.post(reverse("results:resit", args=[total.pk]), {"session": "1"})
    assert SessionCandidate.objects.filter(session__starts_on__gt=world.session.starts_on).count() == 0


def test_a_provisional_result_offers_no_resit(world: World) -> None:
    decided = decide(world)
    page = client_for(world.staff).get(reverse("results:resit", args=[decided.decisions[2].pk])).text
    assert "Ce résultat est provisoire" in page


def test_the_form_comes_back_with_the_refusal_of_a_session_full(world: World, decided: Decided) -> None:
    session = later_session(world, slot_minutes=9 * 60)
    from evaluations import services as evaluation_services
    from tests.factories import make_candidate

    other = make_candidate(world.organisation, 30, created_by=world.staff)
    evaluation_services.session_add_candidate(session=session, enrolment=enrol(other, world.version))
    client = client_for(world.admin)
    url = reverse("results:resit", args=[decided.decisions[1].pk])
    page = client.post(url, {"session": session.pk}).text
    assert "La session est complète" in page
    assert f'value="{session.pk}" checked' in page or f'value="{session.pk}"' in page
    assert "Ce champ est obligatoire." in client.post(url, {"session": ""}).text


def test_without_an_upcoming_session_the_page_says_to_schedule_one(world: World, decided: Decided) -> None:
    page = client_for(world.staff).get(reverse("results:resit", args=[decided.decisions[1].pk])).text
    assert "Aucune session à venir de RNCP 26850" in page


def test_another_organisation_does_not_learn_the_result_exists(world: World, decided: Decided) -> None:
    other = UserFactory(email="autre@example.org", organisation=OrganisationFactory(name="Autre Formation"))
    url = reverse("results:resit", args=[decided.decisions[1].pk])
    assert client_for(other).get(url).status_code == 404
    assert client_for(UserFactory(email="c@example.org", is_candidate=True)).get(url).status_code == 403


def test_the_sessions_cells_show_the_origin_of_a_carried_block(world: World, decided: Decided) -> None:
    from results.services import resits

    place = resits.resit_enrol(decision=decided.decisions[1], session=later_session(world), enrolled_by=world.staff)
    row = with_html(selectors.deliberation_rows([place], world.version))[0]
    origin = row.cells[0].origin
    assert origin.startswith("session du ")
    assert origin in row.cells_html[0]
    assert 'data-testid="carried-origin"' in row.cells_html[0]
    # The deliberation's exports (XLSX, PDF) write the same origin.
    from juries import exports

    assert exports.cell_text(row.cells[0]).endswith(f"({origin})")


def space_of(candidate: Candidate) -> Client:
    user = UserFactory(email=f"espace{candidate.pk}@example.org", is_candidate=True)
    Candidate.objects.filter(pk=candidate.pk).update(user=user)
    return client_for(user)


def test_the_candidate_space_says_which_blocks_are_acquired_and_which_remain(
    world: World, decided: Decided, django_assert_num_queries: Any
) -> None:
    candidate = decided.decisions[1].examined_place.enrolment.candidate
    client = space_of(candidate)
    page = client.get("/").text
    assert 'data-testid="my-blocks"' in page
    acquired = page.split('data-testid="my-blocks-acquired"')[1].split("</div>")[0]
    remaining = page.split('data-testid="my-blocks-remaining"')[1].split("</div>")[0]
    assert "<strong>BC1</strong>" in acquired
    assert "jury de certification du" in acquired
    assert "<strong>BC2</strong>" in remaining
    with CaptureQueriesContext(connection) as one:
        client.get("/")
    # A second certification: the same number of queries.
    enrol(candidate, CertificationVersion.objects.get(rncp_code="RNCP31313"))
    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get("/").text
    assert page.count('data-testid="my-blocks"') == 2


def test_a_provisional_result_acquires_nothing_for_good_in_the_space(world: World) -> None:
    decided = decide(world)
    page = space_of(decided.decisions[1].examined_place.enrolment.candidate).get("/").text
    acquired = page.split('data-testid="my-blocks-acquired"')[1].split("</div>")[0]
    assert "aucun pour l" in acquired
