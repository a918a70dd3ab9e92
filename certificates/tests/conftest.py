"""A certification jury that has decided on the world's three candidates (total, partial BC1, none), with the
mentions a parchment needs filled in the referential."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from cqp import services as referential_services
from juries import selectors, services
from juries.models import Decision, Jury
from tests.worlds import World, world

__all__ = ["Commit", "Decided", "commit", "decided", "issued", "signed", "validated", "world"]

PATTERNS = [{}, {"C2.1": "NA"}, {"C1.1": "NA", "C2.1": "NA"}]  # total, partial (BC1), none


@dataclass
class Decided:
    world: World
    evaluation: Jury
    certification: Jury
    decisions: list[Decision]

    def sign_all(self) -> None:
        from certificates import services as certificate_services

        for seat in self.certification.seats.select_related("member__user"):
            certificate_services.pv_sign(jury=self.certification, user=seat.member.user)


def complete_mentions(world: World) -> None:
    """The level, NSF code and decision date RNCP 26850's seed does not give, and the signatory's name."""
    referential_services.version_update(
        version=world.version, level=3, eu_level=3, nsf_codes=["223"], decision_date=dt.date(2016, 12, 15)
    )
    certifier = world.version.certifier
    certifier.signatory_name = "Jeanne Fabre"
    certifier.save(update_fields=["signatory_name"])


def decide(world: World) -> Decided:
    """Grade, recommend, transmit and decide the world's three candidates through the services."""
    complete_mentions(world)
    evaluation = world.evaluation_jury()
    for place, pattern in zip(world.places, PATTERNS, strict=True):
        world.grade(evaluation, place, pattern)
    for row in selectors.deliberation_rows(selectors.session_places(evaluation), world.version):
        services.recommendation_record(
            place=row.place,
            kind=row.outcome.kind,
            blocks=[cell.block for cell in row.cells if cell.acquired],
            comments="",
            recorded_by=evaluation.president.user,
        )
    certification = world.certification_jury()
    services.deliberation_transmit(
        jury=evaluation, certification_jury=certification, transmitted_by=evaluation.president.user
    )
    decisions = []
    for row in selectors.deliberation_rows(selectors.transmitted_places(certification), world.version):
        decisions.append(
            services.decision_record(
                jury=certification,
                place=row.place,
                kind=row.outcome.kind,
                blocks=[cell.block for cell in row.cells if cell.acquired] if row.outcome.kind == "partial" else [],
                reason="",
                decided_by=certification.president.user,
            )
        )
    return Decided(world=world, evaluation=evaluation, certification=certification, decisions=decisions)


@pytest.fixture
def decided(world: World) -> Decided:
    return decide(world)


Commit = Callable[[], AbstractContextManager[Any]]


@pytest.fixture
def commit(django_capture_on_commit_callbacks) -> Commit:  # type: ignore[no-untyped-def]
    """What waits for the commit (the inline Celery tasks) runs as if the test's transaction had committed."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def signed(decided: Decided, commit: Commit) -> Decided:
    """The PV signed by the three members (and rendered)."""
    with commit():
        decided.sign_all()
    return decided


@pytest.fixture
def validated(signed: Decided, commit: Commit) -> Decided:
    """The CPNEFP validated the results today (and they were notified)."""
    from certificates import services as certificate_services

    with commit():
        certificate_services.cpnefp_validation_record(
            jury=signed.certification, meeting_on=timezone.localdate(), recorded_by=signed.world.admin
        )
    return signed


@pytest.fixture
def issued(validated: Decided, commit: Commit) -> Decided:
    """The two holders' parchments issued (and rendered)."""
    from certificates import services as certificate_services

    with commit():
        certificate_services.parchments_issue_for_jury(jury=validated.certification, issued_by=validated.world.admin)
    return validated
