"""A certification jury that has decided on the world's three candidates (total, partial BC1, none), with the
mentions a parchment needs filled in the referential (built by `demo.builders.decide`, as the benchmark does)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.utils import timezone

from demo.builders import PATTERNS, Decided, complete_mentions, decide
from tests.snapshots import replay
from tests.worlds import World, world

__all__ = [
    "PATTERNS",
    "Commit",
    "Decided",
    "commit",
    "complete_mentions",
    "decided",
    "issued",
    "signed",
    "validated",
    "world",
]


@pytest.fixture
def decided(world: World) -> Decided:
    # The services run the first time; later tests starting from the same world replay their writes.
    return replay("decide", world, decide)


Commit = Callable[[], AbstractContextManager[Any]]


@pytest.fixture
def commit(django_capture_on_commit_callbacks) -> Commit:
    """What waits for the commit (the inline Celery tasks) runs as if the test's transaction had committed."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def signed(decided: Decided, commit: Commit) -> Decided:
    """The PV signed by the three members (and rendered)."""

    def sign(decided: Decided) -> Decided:
        with commit():
            decided.sign_all()
        return decided

    return replay("signed", decided, sign)


@pytest.fixture
def validated(signed: Decided, commit: Commit) -> Decided:
    """The CPNEFP validated the results today (and they were notified)."""
    from certificates import services as certificate_services

    def validate(signed: Decided) -> Decided:
        with commit():
            certificate_services.cpnefp_validation_record(
                jury=signed.certification, meeting_on=timezone.localdate(), recorded_by=signed.world.admin
            )
        return signed

    return replay("validated", signed, validate)


@pytest.fixture
def issued(validated: Decided, commit: Commit) -> Decided:
    """The two holders' parchments issued (and rendered)."""
    from certificates import services as certificate_services

    def issue(validated: Decided) -> Decided:
        with commit():
            certificate_services.parchments_issue_for_jury(
                jury=validated.certification, issued_by=validated.world.admin
            )
        return validated

    return replay("issued", validated, issue)
