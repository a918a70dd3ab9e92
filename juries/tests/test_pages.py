"""Jury pages: who may open them (allowed role, another role, a stranger), what they show, and the
grid entry through the browser's form posts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from juries import selectors
from juries.models import Grid, GridStatus
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_president_enters_a_consensus_grid_through_the_page(client, world):
    jury = world.evaluation_jury()
    place = world.places[1]
    client.force_login(jury.president.user)
    url = reverse("juries:grid", args=[jury.pk, place.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Grille de consensus du jury" in page.text
    data = {"grille": "consensus", "action": "submit"}
    for block in selectors.blocks_sat(place):
        for competency in block.competencies.all():
            data[f"g-{block.pk}-{competency.code}"] = "NA" if competency.code == "C2.1" else "A"
    answer = client.post(url, data, follow=True)
    assert "Grille validée et verrouillée." in answer.text
    assert Grid.objects.filter(place=place, member__isnull=True, status=GridStatus.SUBMITTED).count() == 2
    board = client.get(reverse("juries:detail", args=[jury.pk]))
    assert "Attribution partielle : BC1" in board.text


def test_an_incomplete_grid_is_refused_and_redisplayed_with_what_was_typed(client, world):
    jury = world.evaluation_jury()
    place = world.places[0]
    client.force_login(jury.president.user)
    url = reverse("juries:grid", args=[jury.pk, place.pk])
    block = selectors.blocks_sat(place)[0]
    data = {"grille": "consensus", "action": "submit", f"g-{block.pk}-C1.1": "NA", f"c-{block.pk}-C1.1": "hésitant"}
    answer = client.post(url, data)
    assert answer.status_code == 200
    assert "aucune note pour C1.2, C1.3, C1.4, C1.5" in answer.text
    assert 'value="hésitant"' in answer.text
    assert not Grid.objects.filter(place=place, status=GridStatus.SUBMITTED).exists()


def test_the_live_status_follows_the_grades_typed(client, world):
    jury = world.evaluation_jury()
    place = world.places[0]
    client.force_login(jury.president.user)
    block = selectors.blocks_sat(place)[0]
    url = reverse("juries:grid_status", args=[jury.pk, place.pk])
    answer = client.post(url, {f"g-{block.pk}-C1.1": "NA"}).json()
    assert "Bloc non validé" in answer["blocks"][str(block.pk)]
    assert "C1.1" in answer["blocks"][str(block.pk)]
    answer = client.post(url, {f"g-{block.pk}-C1.{n}": "A" for n in range(1, 4)}).json()
    assert "Bloc validé" in answer["blocks"][str(block.pk)]


@pytest.mark.parametrize("name", ["detail", "deliberation", "deliberation_xlsx", "deliberation_pdf"])
def test_jury_pages_open_for_members_admins_and_the_organisation_but_not_others(client, world, name):
    jury = world.evaluation_jury()
    url = reverse(f"juries:{name}", args=[jury.pk])
    for user in (world.admin, world.staff, world.trainer.user):
        client.force_login(user)
        assert client.get(url).status_code == 200, user
    outsider = UserFactory(email="autre-jury@example.org", is_jury_member=True)
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(UserFactory(email="cand@example.org", is_candidate=True))
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302
