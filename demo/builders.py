"""Worlds built through the services, with no test tooling: the tests' world and decided certification jury
(`tests/worlds.py`, `certificates/tests/conftest.py`) and the benchmark's (`bench/parchments.py`) start here.

A session of RNCP 26850 held today at BJO Formation with three candidates present, the members of an evaluation
jury and of a certification jury, approved; then graded, recommended, transmitted and decided (one total, one
partial BC1, one none). Everything is written through the services except the exam day's history, which a
service only ever writes ahead (see `past_session`). Needs the referential (`load_referential`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import F
from django.utils import timezone

from accounts import services as account_services
from accounts.models import User
from candidates import services as candidate_services
from candidates.models import Candidate, Enrolment, EnrolmentStatus
from cqp import services as referential_services
from cqp.models import AccessRoute, Block, CertificationVersion, TrainingOrganisation
from cqp.rules import ACQUIRED, NOT_ACQUIRED
from evaluations import services as evaluation_services
from evaluations.models import Attendance, EvaluationSession, SessionCandidate, SessionMode
from juries import selectors
from juries import services as jury_services
from juries.models import Decision, Jury, JuryMember, OutcomeKind
from juries.selectors import BlockEntry

# The three candidates: total, partial (BC1), none. The competencies not acquired; every other one is.
PATTERNS: list[dict[str, str]] = [{}, {"C2.1": NOT_ACQUIRED}, {"C1.1": NOT_ACQUIRED, "C2.1": NOT_ACQUIRED}]


def user(email: str, *, password: str | None = None, **roles: Any) -> User:
    """The person of `email`, created through `user_create` (Camille Durand, with `roles`) unless they exist."""
    existing = User.objects.filter(email=email).first()
    if existing is not None:
        return existing
    return account_services.user_create(
        email=email, password=password, first_name="Camille", last_name="Durand", **roles
    )


def make_candidate(
    organisation: TrainingOrganisation, n: int = 0, *, created_by: User | None = None, **overrides: Any
) -> Candidate:
    """Julie Martin{n}, created through `candidate_create` as the pages create her (normalised, checked)."""
    fields: dict[str, Any] = {
        "birth_name": f"Martin{n}",
        "first_name": "Julie",
        "sex": "F",
        "birth_date": dt.date(1995, 1, 1) + dt.timedelta(days=n),
        "birth_commune": "Besançon",
        "birth_insee_code": "25056",
        "email": f"julie{n}@example.org",
    }
    fields.update(overrides)
    return candidate_services.candidate_create(organisation=organisation, created_by=created_by, **fields)


def enrol(
    candidate: Candidate,
    version: CertificationVersion,
    *,
    blocks: Iterable[Block] | None = None,
    access_route: str = AccessRoute.FORMATION_CONTINUE,
    created_by: User | None = None,
    **kwargs: Any,
) -> Enrolment:
    """Enrol through `candidate_enrol`: all the version's blocks, by continuing training, unless told otherwise (a
    VAE enrolment sits a session only once admissible with its declarative file sent: `vae.rules`)."""
    return candidate_services.candidate_enrol(
        candidate=candidate, version=version, blocks=blocks, access_route=access_route, created_by=created_by, **kwargs
    )


def jury_member(
    email: str,
    college: str,
    *,
    certifications: Any,
    first_name: str = "Alex",
    last_name: str | None = None,
    approved_by: User | None = None,
    **fields: Any,
) -> JuryMember:
    """A jury member registered and approved through the services (approved by a certifier admin of their own,
    habilitation@example.org, unless one is given)."""
    admin = approved_by or user("habilitation@example.org", is_certifier_admin=True)
    member = jury_services.jury_member_register(
        email=email,
        first_name=first_name,
        last_name=last_name or email.split("@")[0].title(),
        college=college,
        certifications=certifications,
        proposed_by=admin,
        **fields,
    )
    return jury_services.jury_member_approve(member=member, approved_by=admin)


def past_session(
    staff: User,
    version: CertificationVersion,
    candidates: list[Candidate],
    *,
    days_ago: int = 0,
    jury_by: User | None = None,
) -> EvaluationSession:
    """A session of `staff`'s organisation held `days_ago` days ago, every candidate present; with `jury_by`, its
    evaluation jury (`session.jury`, to compose) created by that certifier admin before the exam, as it must be.

    Scheduled and filled through the services (a session is only scheduled ahead), then moved to its exam
    day and the attendance sheet filled straight in the table: what is built on it follows the exam.
    """
    organisation = staff.organisation
    assert organisation is not None, "past_session needs the staff of an organisation"  # noqa: S101
    if organisation.approval_start is None:
        organisation.approval_start = timezone.localdate() - dt.timedelta(days=3650)
        organisation.save(update_fields=["approval_start"])
    session = evaluation_services.session_schedule(
        version=version,
        organisation=organisation,
        starts_on=timezone.localdate() + dt.timedelta(days=30),
        ends_on=None,
        mode=SessionMode.ON_SITE,
        address="58 rue du Louvre, 75002 Paris",
        created_by=staff,
    )
    for candidate in candidates:
        active = candidate.enrolments.filter(version=version, status=EnrolmentStatus.ACTIVE).first()
        enrolment = active or enrol(candidate, version)
        evaluation_services.session_add_candidate(session=session, enrolment=enrolment)
    if jury_by is not None:
        jury_services.evaluation_jury_create(session=session, created_by=jury_by)
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    shift = day - session.starts_on
    EvaluationSession.objects.filter(pk=session.pk).update(starts_on=day, ends_on=day)
    Jury.objects.filter(session=session).update(meets_on=day)
    SessionCandidate.objects.filter(session=session).update(
        starts_at=F("starts_at") + shift,
        ends_at=F("ends_at") + shift,
        attendance=Attendance.PRESENT,
        signed_at=timezone.now(),
    )
    session.refresh_from_db()
    return session


def _user(member: JuryMember | None) -> User:
    assert member is not None and member.user is not None, f"{member} has no account"  # noqa: S101
    return member.user


def _president(jury: Jury) -> User:
    return _user(jury.president)


@dataclass
class World:
    admin: User
    staff: User
    organisation: TrainingOrganisation
    version: CertificationVersion
    session: EvaluationSession
    places: list[SessionCandidate]
    employees: JuryMember
    employers: JuryMember
    trainer: JuryMember
    cert_president: JuryMember
    cert_employees: JuryMember
    cert_employers: JuryMember
    blocks: dict[str, Block]

    def evaluation_jury(self, *, president: JuryMember | None = None) -> Jury:
        jury = jury_services.evaluation_jury_create(session=self.session, created_by=self.admin)
        for member in (self.employees, self.employers, self.trainer):
            jury_services.jury_assign(jury=jury, member=member, assigned_by=self.admin)
        jury_services.jury_president_designate(jury=jury, member=president or self.employers, designated_by=self.admin)
        jury.refresh_from_db()
        return jury

    def certification_jury(self) -> Jury:
        jury = jury_services.certification_jury_create(
            version=self.version, meets_on=self.session.starts_on, created_by=self.admin
        )
        for member in (self.cert_employees, self.cert_employers, self.cert_president):
            jury_services.jury_assign(jury=jury, member=member, assigned_by=self.admin)
        jury_services.jury_president_designate(jury=jury, member=self.cert_president, designated_by=self.admin)
        jury.refresh_from_db()
        return jury

    def session_to_come(self, days: int = 30, enrolments: Iterable[Enrolment] = ()) -> EvaluationSession:
        """A session of the world's version at its organisation in `days` days (on site, no jury yet), the
        `enrolments` placed in it, not convoked."""
        session = evaluation_services.session_schedule(
            version=self.version,
            organisation=self.organisation,
            starts_on=timezone.localdate() + dt.timedelta(days=days),
            ends_on=None,
            mode=SessionMode.ON_SITE,
            address="58 rue du Louvre, 75002 Paris",
            created_by=self.staff,
        )
        for enrolment in enrolments:
            evaluation_services.session_add_candidate(session=session, enrolment=enrolment)
        return session

    def grade(self, jury: Jury, place: SessionCandidate, pattern: dict[str, str], *, submit: bool = True) -> None:
        """Consensus grids of every block the candidate sits. `pattern` maps a competency code to "NA";
        every other competency is "A"."""
        entries: dict[int, BlockEntry] = {
            block.pk: ({c.code: pattern.get(c.code, ACQUIRED) for c in block.competencies.all()}, {}, "")
            for block in selectors.blocks_sat(place)
        }
        jury_services.grids_enter(
            jury=jury, place=place, consensus=True, entries=entries, submit=submit, entered_by=_president(jury)
        )


def build_world(*, password: str | None = None) -> World:
    """The world, built on a loaded referential; `password` is the one of its admin and staff (none by default:
    they cannot log in)."""
    admin = user("certificateur@example.org", password=password, is_certifier_admin=True)
    organisation = TrainingOrganisation.objects.get(name="BJO Formation")
    staff = user("of@example.org", password=password, organisation=organisation)
    version = CertificationVersion.objects.get(rncp_code="RNCP26850")
    candidates = [
        make_candidate(organisation, n, created_by=staff, company_name=company)
        for n, company in enumerate(["Maison Verlaine", "Atelier Saint-Honoré", "Polissage Franc-Comtois"])
    ]
    session = past_session(staff, version, candidates)
    certification = [version.certification]

    def member(email: str, college: str, **fields: Any) -> JuryMember:
        return jury_member(email, college, certifications=certification, approved_by=admin, **fields)

    return World(
        admin=admin,
        staff=staff,
        organisation=organisation,
        version=version,
        session=session,
        places=list(session.candidates.order_by("starts_at")),
        employees=member("salarie@example.org", "employees", company_name="Bijouterie Lumière"),
        employers=member("employeur@example.org", "employers", company_name="Joaillerie Moreau"),
        trainer=member("formateur@example.org", "trainer", company_name="Centre de formation de Saumur"),
        cert_president=member("president@example.org", "certifier_president", company_name="CNHBJO"),
        cert_employees=member("salarie2@example.org", "employees", company_name="Orfèvrerie du Marais"),
        cert_employers=member("employeur2@example.org", "employers", company_name="Horlogerie Vendôme"),
        blocks={b.code: b for b in version.blocks.all()},
    )


@dataclass
class Decided:
    world: World
    evaluation: Jury
    certification: Jury
    decisions: list[Decision]

    def sign_all(self) -> None:
        from certificates import services as certificate_services

        for seat in self.certification.seats.select_related("member__user"):
            certificate_services.pv_sign(jury=self.certification, user=_user(seat.member))


def complete_mentions(world: World) -> None:
    """The level, NSF code and decision date RNCP 26850's seed does not give, and the signatory's name."""
    referential_services.version_update(
        version=world.version, level=3, eu_level=3, nsf_codes=["223"], decision_date=dt.date(2016, 12, 15)
    )
    certifier = world.version.certifier
    certifier.signatory_name = "Jeanne Fabre"
    certifier.save(update_fields=["signatory_name"])


def decide(world: World) -> Decided:
    """Grade, recommend, transmit and decide the world's three candidates through the services: `PATTERNS`."""
    complete_mentions(world)
    evaluation = world.evaluation_jury()
    for place, pattern in zip(world.places, PATTERNS, strict=True):
        world.grade(evaluation, place, pattern)
    for row in selectors.deliberation_rows(selectors.session_places(evaluation), world.version):
        assert row.outcome is not None  # noqa: S101 - every grid is submitted above
        jury_services.recommendation_record(
            place=row.place,
            kind=row.outcome.kind,
            blocks=[cell.block for cell in row.cells if cell.acquired],
            comments="",
            recorded_by=_president(evaluation),
        )
    certification = world.certification_jury()
    jury_services.deliberation_transmit(
        jury=evaluation, certification_jury=certification, transmitted_by=_president(evaluation)
    )
    decisions = []
    for row in selectors.deliberation_rows(selectors.transmitted_places(certification), world.version):
        assert row.outcome is not None  # noqa: S101 - transmitted places are graded
        partial = OutcomeKind(row.outcome.kind) == OutcomeKind.PARTIAL
        decisions.append(
            jury_services.decision_record(
                jury=certification,
                place=row.place,
                kind=row.outcome.kind,
                blocks=[cell.block for cell in row.cells if cell.acquired] if partial else [],
                reason="",
                decided_by=_president(certification),
            )
        )
    return Decided(world=world, evaluation=evaluation, certification=certification, decisions=decisions)
