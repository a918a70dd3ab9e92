"""The jury pages' work in Python stays small whatever the number of candidates (issue 11: the jury pages spent
60 to 95 ms of CPU on ten years of data): a board renders each kind of cell once, not an include per cell; it
shows 25 candidates a page; the member registry translates its trails' words once, not an include per member."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import AuditAction, AuditEvent
from juries.models import JuryMember
from juries.tests.scale_data import add_juries
from tests.worlds import World

pytestmark = pytest.mark.django_db


def _rendered(response, name: str) -> int:
    return sum(1 for template in response.templates if template.name == name)


def test_a_board_renders_each_kind_of_cell_once_and_shows_25_candidates(client, world: World):
    jury = add_juries(world, 1, 40)["open"][0]
    client.force_login(world.admin)
    response = client.get(reverse("juries:detail", args=[jury.pk]))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert len(rows) == 25
    cells = sum(len(row.cells) for row in rows)
    # Before: one include per cell (25 × the blocks) and per outcome; now one per distinct content.
    assert _rendered(response, "juries/includes/cell.html") <= 6 < cells
    assert _rendered(response, "juries/includes/outcome.html") <= 3
    # Every cell is shown all the same, in its row.
    assert response.content.decode().count('data-testid="board-row"') == 25
    assert all(len(row.cells_html) == len(row.cells) and row.outcome_html for row in rows)
    second = client.get(reverse("juries:detail", args=[jury.pk]), {"page": 2})
    assert len(second.context["rows"]) == 40 - 25  # the rest on the second page


def test_the_deliberation_renders_each_kind_of_cell_once(client, world: World):
    jury = add_juries(world, 1, 30)["open"][0]
    client.force_login(world.admin)
    response = client.get(reverse("juries:deliberation", args=[jury.pk]))
    assert response.status_code == 200
    assert len(response.context["rows"]) >= 29
    assert _rendered(response, "juries/includes/cell.html") <= 6


def test_the_member_registry_renders_the_trails_without_an_include_per_member(client, world: World):
    members = JuryMember.objects.bulk_create(
        JuryMember(first_name="Inès", last_name=f"Garnier-{n}", college="employees") for n in range(20)
    )
    AuditEvent.objects.bulk_create(
        AuditEvent(action=AuditAction.MEMBER_PROPOSED, subject=str(m), content_type_id=_member_type(), object_id=m.pk)
        for m in members
    )
    client.force_login(world.admin)
    response = client.get(reverse("juries:members"))
    assert response.status_code == 200
    assert _rendered(response, "includes/audit_trail.html") == 0
    page = response.content.decode()
    assert page.count('data-testid="member-history"') >= 20
    assert page.count('class="audit-trail"') >= 20
    assert str(AuditAction.MEMBER_PROPOSED.label) in page


def _member_type() -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(JuryMember).pk
