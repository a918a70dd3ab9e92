"""Many juries built in bulk around the `world` (straight to the tables: these tests are about reading).

`add_juries(world, count, size)` seats the world's members on `count` open evaluation juries of `size` present
candidates each (the employees' representative recused for one, one candidate graded and recommended, one graded
only), as many closed ones (transmitted to an open certification jury), and a certification jury closed (PV
signed)."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from candidates.models import Candidate, Enrolment
from certificates.models import ProcesVerbal, PvStatus
from evaluations.models import Attendance, EvaluationSession, SessionCandidate
from juries.models import (
    College,
    Grid,
    GridStatus,
    Jury,
    JuryKind,
    JuryMember,
    JurySeat,
    OutcomeKind,
    Recommendation,
    Recusal,
    RecusalReason,
)
from tests.worlds import World

_serial = itertools.count(1000)


def _places(world: World, session: EvaluationSession, size: int) -> list[SessionCandidate]:
    base = next(_serial) * 1000
    candidates = Candidate.objects.bulk_create(
        Candidate(
            organisation=world.organisation,
            birth_name=f"Durand{base + n}",
            first_name="Paul",
            sex="M",
            birth_date=dt.date(1990, 1, 1),
            birth_commune="Dijon",
            birth_insee_code="21231",
            identity_key=f"durand{base + n}",
            email=f"paul{base + n}@example.org",
        )
        for n in range(size)
    )
    enrolments = Enrolment.objects.bulk_create(
        Enrolment(candidate=c, version=world.version, access_route="vae") for c in candidates
    )
    Enrolment.blocks.through.objects.bulk_create(
        Enrolment.blocks.through(enrolment_id=e.pk, block_id=b.pk) for e in enrolments for b in world.blocks.values()
    )
    start = timezone.make_aware(dt.datetime.combine(session.starts_on, dt.time(9)))
    return SessionCandidate.objects.bulk_create(
        SessionCandidate(
            session=session,
            enrolment=e,
            starts_at=start + dt.timedelta(minutes=20 * n),
            ends_at=start + dt.timedelta(minutes=20 * n + 20),
            attendance=Attendance.PRESENT,
            signed_at=timezone.now(),
        )
        for n, e in enumerate(enrolments)
    )


def _seat(world: World, juries: list[Jury], seats: list[tuple[JuryMember, str]]) -> None:
    JurySeat.objects.bulk_create(
        JurySeat(jury=jury, member=member, college=college, assigned_by=world.admin)
        for jury in juries
        for member, college in seats
    )


def add_juries(world: World, count: int, size: int) -> dict[str, list[Jury]]:
    """`count` open and `count` closed evaluation juries of `size` present candidates, one certification jury
    open (the closed ones transmitted to it) and one closed (PV signed), the world's members seated."""
    today = timezone.localdate()
    sessions = EvaluationSession.objects.bulk_create(
        EvaluationSession(
            version=world.version,
            organisation=world.organisation,
            starts_on=today - dt.timedelta(days=10 + n),
            ends_on=today - dt.timedelta(days=10 + n),
            address="Paris",
            slot_minutes=20,
            created_by=world.staff,
        )
        for n in range(2 * count)
    )
    certification = Jury.objects.bulk_create(
        Jury(kind=JuryKind.CERTIFICATION, version=world.version, meets_on=today, created_by=world.admin)
        for _ in range(2)
    )
    open_cert, closed_cert = certification
    juries = Jury.objects.bulk_create(
        Jury(
            kind=JuryKind.EVALUATION,
            version=world.version,
            session=session,
            meets_on=session.starts_on,
            president=world.employers,
            created_by=world.admin,
            certification_jury=open_cert if n >= count else None,
            transmitted_at=timezone.now() if n >= count else None,
        )
        for n, session in enumerate(sessions)
    )
    _seat(
        world,
        juries,
        [(world.employees, College.EMPLOYEES), (world.employers, College.EMPLOYERS), (world.trainer, College.TRAINER)],
    )
    _seat(
        world,
        certification,
        [(world.employees, College.EMPLOYEES), (world.cert_president, College.CERTIFIER_PRESIDENT)],
    )
    ProcesVerbal.objects.create(
        jury=closed_cert, status=PvStatus.SIGNED, content={}, content_sha256="0" * 64, opened_by=world.admin
    )
    blocks = list(world.blocks.values())
    for jury in juries:
        places = _places(world, jury.evaluated_session, size)
        Recusal.objects.create(jury=jury, member=world.employees, place=places[0], reason=RecusalReason.DECLARED)
        # places[1] graded (every consensus grid submitted) and recommended; places[2] graded only.
        Grid.objects.bulk_create(
            Grid(jury=jury, place=place, block=block, status=GridStatus.SUBMITTED, submitted_at=timezone.now())
            for place in places[1:3]
            for block in blocks
        )
        Recommendation.objects.create(place=places[1], kind=OutcomeKind.TOTAL, recorded_by=world.admin)
    return {"open": juries[:count], "closed": juries[count:], "certification": certification}
