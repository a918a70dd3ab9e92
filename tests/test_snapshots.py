"""`tests.snapshots.replay`: a fixture's writes replayed on the same starting rows leave the database as the
services left it (datetimes aside, moved by the time elapsed), and the objects returned read the same rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction

from demo.builders import Decided, build_world, decide
from tests import snapshots
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _without_datetimes(rows: snapshots.Rows) -> dict[str, dict[Any, dict[str, Any]]]:
    from django.apps import apps

    plain = {}
    for label, by_pk in rows.items():
        skip = snapshots._unread(apps.get_model(label))
        plain[label] = {pk: {k: v for k, v in row.items() if k not in skip} for pk, row in by_pk.items()}
    return plain


def test_a_replay_writes_what_the_services_wrote(referential: None) -> None:
    world = build_world(password=PASSWORD)
    point = transaction.savepoint()
    slow = snapshots.replay("snapshot-test", world, decide)  # the first time: the services run, recorded
    slow_rows = snapshots._state()
    slow_kinds = [(d.pk, d.kind, sorted(b.code for b in d.blocks.all())) for d in slow.decisions]
    transaction.savepoint_rollback(point)
    snapshots.reset_sequences()

    recorded = len(snapshots._RECORDINGS)

    def never(_world: Any) -> Decided:
        pytest.fail("the services ran again")

    fast = snapshots.replay("snapshot-test", world, never)
    assert len(snapshots._RECORDINGS) == recorded
    fast_rows = snapshots._state()
    assert _without_datetimes(fast_rows) == _without_datetimes(slow_rows)
    assert fast.world is world
    assert [(d.pk, d.kind, sorted(b.code for b in d.blocks.all())) for d in fast.decisions] == slow_kinds
    assert fast.certification.seats.count() == 3 and fast.evaluation.transmitted_at is not None
    # The datetimes are the recorded ones moved by the time elapsed: within the test's few seconds.
    for label, by_pk in fast_rows.items():
        for pk, row in by_pk.items():
            for key, value in row.items():
                if isinstance(value, dt.datetime) and isinstance(slow_rows[label][pk][key], dt.datetime):
                    assert abs(value - slow_rows[label][pk][key]) < dt.timedelta(seconds=30), (label, pk, key)


def test_another_starting_state_takes_the_services(referential: None) -> None:
    world = build_world(password=PASSWORD)
    point = transaction.savepoint()
    snapshots.replay("snapshot-test-2", world, decide)
    transaction.savepoint_rollback(point)
    snapshots.reset_sequences()
    world.organisation.city = "Besançon"  # a starting row differs: nothing recorded applies
    world.organisation.save(update_fields=["city"])
    recorded = len(snapshots._RECORDINGS)
    decided = snapshots.replay("snapshot-test-2", world, decide)
    assert len(snapshots._RECORDINGS) == recorded + 1  # recorded anew, through the services
    assert [d.kind for d in decided.decisions] == ["total", "partial", "none"]
