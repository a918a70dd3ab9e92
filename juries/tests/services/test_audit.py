"""The audit trail of results (juries.services.audit): actor, before, after on every change."""

from __future__ import annotations

import pytest

from juries import services
from juries.models import AuditAction, AuditEntry
from juries.tests.conftest import World
from juries.tests.services.helpers import (
    ALL_A,
    audits,
    decide,
    forbidden,
    full,
    recommend,
    recommend_as_computed,
    save,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_every_change_to_a_result_leaves_an_audit_entry_with_actor_before_and_after(world: World) -> None:
    jury = world.evaluation_jury()
    place, bc1, bc2 = world.places[0], world.blocks["BC1"], world.blocks["BC2"]
    president = world.employers.user

    first = save(jury, place, bc1, {"C1.1": "A"}, by=president)
    save(jury, place, bc1, {"C1.1": "A"}, by=president)  # unchanged: no entry
    save(jury, place, bc1, full(bc1), by=president)
    second = save(jury, place, bc2, full(bc2), by=president)
    services.grids_submit(grids=[first, second], submitted_by=president)
    services.grid_reopen(grid=first, reopened_by=world.admin, reason="Relecture")
    save(jury, place, bc1, full(bc1, {"C1.5": "NA"}), by=president)
    services.grids_submit(grids=[first], submitted_by=president)
    recommend(world, jury, place, "total")
    for other in world.places[1:]:
        world.grade(jury, other, ALL_A)
        recommend_as_computed(world, jury, other)
    certification = world.certification_jury()
    services.deliberation_transmit(jury=jury, certification_jury=certification, transmitted_by=president)
    decide(world, certification, place, "total")

    entries = list(AuditEntry.objects.filter(place=place).order_by("pk"))
    assert [(e.action, e.actor) for e in entries] == [
        (AuditAction.GRID_SAVED, president),
        (AuditAction.GRID_SAVED, president),
        (AuditAction.GRID_SAVED, president),
        (AuditAction.GRID_SUBMITTED, president),
        (AuditAction.GRID_SUBMITTED, president),
        (AuditAction.GRID_REOPENED, world.admin),
        (AuditAction.GRID_SAVED, president),
        (AuditAction.GRID_SUBMITTED, president),
        (AuditAction.RECOMMENDATION, president),
        (AuditAction.TRANSMITTED, president),
        (AuditAction.DECISION, world.cert_president.user),
    ]
    saved, completed, _bc2, submitted, _bc2_submitted, reopened, corrected, resubmitted, recommended, _, decided = (
        entries
    )
    assert saved.before == {"statut": "draft", "notes": {}, "commentaires": {}, "commentaire": ""}
    assert saved.after["notes"] == {"C1.1": "A"}
    assert completed.before["notes"] == {"C1.1": "A"}
    assert completed.after["notes"] == full(bc1)
    assert (submitted.before["statut"], submitted.after["statut"]) == ("draft", "submitted")
    assert (reopened.before["statut"], reopened.after["statut"]) == ("submitted", "draft")
    assert corrected.before["notes"]["C1.5"] == "A"
    assert corrected.after["notes"]["C1.5"] == "NA"
    assert resubmitted.after["notes"]["C1.5"] == "NA"
    assert "BC1" in saved.subject
    assert "consensus" in saved.subject
    assert (recommended.before, recommended.after["issue"]) == (None, "total")
    assert (decided.before, decided.after["issue"]) == (None, "total")
    assert all(e.candidate == place.enrolment.candidate for e in entries)


def test_a_members_own_grid_is_audited_under_their_name(world: World) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    save(jury, place, world.blocks["BC1"], {"C1.1": "NA"}, by=world.trainer.user, consensus=False)
    [entry] = audits(place, AuditAction.GRID_SAVED)
    assert entry.actor == world.trainer.user
    assert world.trainer.name in entry.subject
    assert entry.after["notes"] == {"C1.1": "NA"}


def test_a_stranger_is_not_a_jury_member(world: World) -> None:
    stranger = UserFactory(email="inconnu@example.org")
    jury = world.evaluation_jury()
    with forbidden("Vous ne siégez pas dans ce jury"):
        save(jury, world.places[0], world.blocks["BC1"], {"C1.1": "A"}, by=stranger, consensus=False)
