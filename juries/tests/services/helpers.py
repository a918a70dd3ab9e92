"""Helpers shared by the juries' service tests: a world to grade, recommend, transmit and decide in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import User
from candidates.models import Enrolment
from cqp.models import Block, Certification, CertificationVersion
from evaluations import services as evaluation_services
from evaluations.models import Attendance, SessionCandidate
from juries import selectors, services
from juries.models import AuditEntry, Decision, Dispute, Grid, Jury, JuryMember, Recommendation
from juries.tests.conftest import World
from tests.factories import enrol, make_candidate

ALL_A: dict[str, str] = {}


# --- Helpers -------------------------------------------------------------------------------------------


@contextmanager
def refused(*fragments: str) -> Iterator[None]:
    """Expect a ValidationError whose French message contains every fragment (the rule it names)."""
    with pytest.raises(ValidationError) as excinfo:
        yield
    text = " ".join(excinfo.value.messages)
    for fragment in fragments:
        assert fragment in text, f"« {fragment} » absent de : {text}"


@contextmanager
def forbidden(*fragments: str) -> Iterator[None]:
    """Expect a PermissionDenied (a refused actor: role, seat, presidency, recusal) whose French message contains
    every fragment; never a ValidationError, which would show the refusal as a form error."""
    with pytest.raises(PermissionDenied) as excinfo:
        yield
    text = str(excinfo.value)
    for fragment in fragments:
        assert fragment in text, f"« {fragment} » absent de : {text}"


def register(
    world: World,
    email: str,
    college: str,
    *,
    approve: bool = True,
    certifications: Iterable[Certification] | None = None,
    **fields: Any,
) -> JuryMember:
    member = services.jury_member_register(
        email=email,
        first_name="Sam",
        last_name=email.split("@")[0].title(),
        college=college,
        certifications=[world.version.certification] if certifications is None else certifications,
        proposed_by=world.admin,
        **fields,
    )
    if approve:
        member = services.jury_member_approve(member=member, approved_by=world.admin)
    return member


def place_present(world: World, enrolment: Enrolment) -> SessionCandidate:
    """`enrolment` placed in the world's session (held today) the day before, as it must be (no candidate is added
    from the first exam day on), then noted present."""
    with time_machine.travel(timezone.now() - dt.timedelta(days=1), tick=False):
        place = evaluation_services.session_add_candidate(session=world.session, enrolment=enrolment)
    SessionCandidate.objects.filter(pk=place.pk).update(attendance=Attendance.PRESENT, signed_at=timezone.now())
    place.refresh_from_db()
    return place


def add_candidate(world: World, n: int, *, blocks: list[Block] | None = None, **fields: Any) -> SessionCandidate:
    """One more candidate in the world's session, present."""
    candidate = make_candidate(world.organisation, n, created_by=world.staff, **fields)
    return place_present(world, enrol(candidate, world.version, blocks=blocks, created_by=world.staff))


def keeper_user(jury: Jury, place: SessionCandidate) -> User:
    keeper = selectors.keeper(jury, place)
    assert keeper is not None
    return keeper.user


def save(
    jury: Jury, place: SessionCandidate, block: Block, grades: dict[str, str], *, by: User, consensus: bool = True
) -> Grid:
    return services.grid_save(jury=jury, place=place, block=block, consensus=consensus, grades=grades, saved_by=by)


def full(block: Block, pattern: dict[str, str] | None = None) -> dict[str, str]:
    pattern = pattern or {}
    return {c.code: pattern.get(c.code, "A") for c in block.competencies.all()}


def recommend(
    world: World, jury: Jury, place: SessionCandidate, kind: str, blocks: Iterable[str] = (), comments: str = ""
) -> Recommendation:
    return services.recommendation_record(
        place=place,
        kind=kind,
        blocks=[world.blocks[code] for code in blocks],
        comments=comments,
        recorded_by=keeper_user(jury, place),
    )


def row(place: SessionCandidate, version: CertificationVersion) -> selectors.Row:
    return selectors.deliberation_rows([place], version)[0]


def recommend_as_computed(world: World, jury: Jury, place: SessionCandidate) -> Recommendation:
    outcome = row(place, world.version).outcome
    assert outcome is not None
    blocks = sorted(outcome.acquired_blocks) if outcome.kind == "partial" else []
    return recommend(world, jury, place, outcome.kind, blocks)


def ready(world: World, jury: Jury, patterns: dict[int, dict[str, str]] | None = None) -> None:
    """Every candidate graded (all A unless `patterns` says otherwise) and recommended as computed."""
    patterns = patterns or {}
    for n, place in enumerate(world.places):
        world.grade(jury, place, patterns.get(n, ALL_A))
        recommend_as_computed(world, jury, place)


def transmitted(world: World, patterns: dict[int, dict[str, str]] | None = None) -> tuple[Jury, Jury]:
    """The world's session graded, recommended and transmitted to a certification jury."""
    jury = world.evaluation_jury()
    ready(world, jury, patterns)
    certification = world.certification_jury()
    services.deliberation_transmit(jury=jury, certification_jury=certification, transmitted_by=jury.president.user)
    jury.refresh_from_db()
    return jury, certification


def decide(
    world: World, jury: Jury, place: SessionCandidate, kind: str, blocks: Iterable[str] = (), reason: str = ""
) -> Decision:
    return services.decision_record(
        jury=jury,
        place=place,
        kind=kind,
        blocks=[world.blocks[code] for code in blocks],
        reason=reason,
        decided_by=world.cert_president.user,
    )


def raise_dispute(world: World, jury: Jury, place: SessionCandidate, description: str) -> Dispute:
    return services.dispute_record(
        jury=jury, place=place, description=description, summon_evaluation_jury=False, recorded_by=world.admin
    )


def other_version(world: World) -> CertificationVersion:
    return CertificationVersion.objects.exclude(certification=world.version.certification).get(rncp_code="RNCP31313")


def audits(place: SessionCandidate, action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(place=place, action=action).order_by("pk"))


def jury_member_for(world: World, email: str, college: str, **fields: Any) -> JuryMember:
    from tests.factories import jury_member

    return jury_member(email, college, certifications=[world.version.certification], approved_by=world.admin, **fields)


def ratify(world: World, certification: Jury) -> None:
    """Make the certification jury's results final: every member signs the PV, then the CPNEFP validation is
    recorded (today: not before the PV's last signature)."""
    from certificates import services as certificate_services

    for seat in certification.seats.select_related("member__user"):
        certificate_services.pv_sign(jury=certification, user=seat.member.user)
    certificate_services.cpnefp_validation_record(
        jury=certification, meeting_on=timezone.localdate(), recorded_by=world.admin
    )
