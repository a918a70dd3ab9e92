"""Grids are entered for a session's exam days and after, never before its first exam day: every way in
(`grids_enter`, `grid_save`, `grids_submit`) refuses it in French, and the grid page says why instead of offering
the form."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from django.utils.formats import date_format

from juries import services
from juries.models import Grid, GridStatus
from juries.tests.conftest import World
from juries.tests.services.helpers import full, refused, save

pytestmark = pytest.mark.django_db

BEFORE = "Les grilles se remplissent à partir du jour des épreuves"


def the_day_before() -> time_machine.travel:
    return time_machine.travel(timezone.now() - dt.timedelta(days=1), tick=False)


def test_grids_enter_refuses_the_grids_before_the_first_exam_day(world: World) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    block = world.blocks["BC1"]
    with the_day_before(), refused(BEFORE, f"(le {date_format(world.session.starts_on)})"):
        services.grids_enter(
            jury=jury,
            place=place,
            consensus=True,
            entries={block.pk: (full(block), {}, "")},
            submit=True,
            entered_by=world.employers.user,
        )
    assert not Grid.objects.exists()


def test_grids_submit_refuses_a_draft_before_the_first_exam_day(world: World) -> None:
    """A session postponed after a draft was started: the draft cannot be validated ahead of the new date."""
    jury = world.evaluation_jury()
    grid = save(jury, world.places[0], world.blocks["BC1"], full(world.blocks["BC1"]), by=world.employers.user)
    with the_day_before(), refused(BEFORE):
        services.grids_submit(grids=[grid], submitted_by=world.employers.user)
    grid.refresh_from_db()
    assert grid.status == GridStatus.DRAFT


def test_the_grid_page_says_why_it_offers_no_form_before_the_first_exam_day(client, world: World) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    url = f"/jurys/{jury.pk}/candidats/{place.pk}/grille/?grille=consensus"
    client.force_login(world.employers.user)
    with the_day_before():
        html = client.get(url).content.decode()
        assert 'data-testid="grid-refusal"' in html
        assert BEFORE in html
        assert 'value="submit"' not in html
        assert 'name="action" value="save"' not in html
        # Posted anyway (an old tab): the service refuses it in the same words, nothing is saved.
        block = world.blocks["BC1"]
        posted = client.post(url, {"grille": "consensus", "action": "submit", f"g-{block.pk}-C1.1": "A"})
        assert BEFORE in posted.content.decode()
    assert not Grid.objects.exists()
    html = client.get(url).content.decode()  # on the exam day the form is there
    assert 'data-testid="grid-refusal"' not in html
    assert 'value="submit"' in html
