"""What the demo sessions share: their address, their candidates and enrolments found again on a second run,
a session moved to the past with its history, and the jury work that follows the exam (grids entered
and recommendations recorded by the evaluation jury, decisions following them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandError
from django.utils import timezone

from accounts.models import User
from candidates import services as candidate_services
from candidates.models import Candidate, Enrolment, EnrolmentStatus
from cqp.models import CertificationVersion, TrainingOrganisation
from cqp.rules import ACQUIRED, NOT_ACQUIRED, Outcome
from demo.scenarios.accounts import organisation_of
from demo.scenarios.registry import CERTIFICATION_PRESIDENT, demo_evaluation_jury, president_of, user_of
from evaluations import services as evaluation_services
from evaluations.models import (
    Attendance,
    ConvocationStatus,
    EvaluationSession,
    IdentityDocument,
    SessionCandidate,
    SessionMode,
)
from juries import selectors as jury_selectors
from juries import services as jury_services
from juries.models import Jury, JuryMember, OutcomeKind
from juries.selectors import BlockEntry

DEMO_ADDRESS = "BJO Formation\n58 rue du Louvre\n75002 Paris"
DEMO_WHAT_TO_BRING = "la pièce de bijouterie polie et votre livret de réalisations (parties A et B)"


def session_of(organisation: TrainingOrganisation, candidate_email: str) -> EvaluationSession | None:
    """A demo session is known by its first candidate."""
    return (
        EvaluationSession.objects.filter(
            organisation=organisation, candidates__enrolment__candidate__email=candidate_email
        )
        .order_by("starts_on", "pk")
        .first()
    )


def demo_candidate(*, organisation: TrainingOrganisation, staff: User, spec: dict[str, Any]) -> Candidate:
    candidate = Candidate.objects.filter(organisation=organisation, email=spec["email"]).first()
    if candidate is None:
        candidate = candidate_services.candidate_create(organisation=organisation, created_by=staff, **spec)
    return candidate


def active_enrolment(
    candidate: Candidate, version: CertificationVersion, *, access_route: str, staff: User
) -> tuple[Enrolment, bool]:
    enrolment = candidate.enrolments.filter(version=version, status=EnrolmentStatus.ACTIVE).first()
    if enrolment is not None:
        return enrolment, False
    enrolment = candidate_services.candidate_enrol(
        candidate=candidate, version=version, blocks=None, access_route=access_route, created_by=staff
    )
    return enrolment, True


def held_session(
    *,
    staff: User,
    version: CertificationVersion,
    specs: list[dict[str, Any]],
    days_ago: int,
    admin: User,
    members: dict[str, JuryMember],
) -> EvaluationSession:
    """A session of BJO Formation held `days_ago` days ago, every candidate of `specs` present, its evaluation
    jury constituted by `admin` before the exam (no jury is constituted for a session whose tests are over).

    A session is only scheduled ahead: schedule it and fill it through the services as the pages would, then
    move it to its exam day and write its history (convocations sent, identities checked, signatures) straight
    in the table, as `demo.builders.past_session` does. The jury's work goes through its services."""
    session = evaluation_services.session_schedule(
        version=version,
        organisation=organisation_of(staff),
        starts_on=timezone.localdate() + dt.timedelta(days=30),
        ends_on=None,
        mode=SessionMode.ON_SITE,
        address=DEMO_ADDRESS,
        what_to_bring=DEMO_WHAT_TO_BRING,
        created_by=staff,
    )
    for spec in specs:
        candidate = demo_candidate(organisation=organisation_of(staff), staff=staff, spec=spec["identity"])
        enrolment, _created = active_enrolment(candidate, version, access_route=spec["access_route"], staff=staff)
        evaluation_services.session_add_candidate(session=session, enrolment=enrolment)
    demo_evaluation_jury(session=session, admin=admin, members=members)
    move_to_the_past(session, days_ago=days_ago, staff=staff)
    return session


def move_to_the_past(session: EvaluationSession, *, days_ago: int, staff: User) -> None:
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    shift = session.starts_on - day
    EvaluationSession.objects.filter(pk=session.pk).update(
        starts_on=day, ends_on=day, created_at=timezone.now() - shift - dt.timedelta(days=15)
    )
    Jury.objects.filter(session=session).update(meets_on=day)
    for place in session.candidates.all():
        # Shifted on the local clock, so that a slot at 9 h stays at 9 h across a change of time.
        starts_at = timezone.make_aware(timezone.make_naive(place.starts_at) - shift)
        SessionCandidate.objects.filter(pk=place.pk).update(
            starts_at=starts_at,
            ends_at=starts_at + (place.ends_at - place.starts_at),
            convocation_status=ConvocationStatus.SENT,
            convocation_sent_at=starts_at - dt.timedelta(days=30),
            convocation_sends=1,
            identity_document=IdentityDocument.ID_CARD,
            identity_checked_at=starts_at - dt.timedelta(minutes=10),
            identity_checked_by=staff,
            attendance=Attendance.PRESENT,
            signed_at=starts_at - dt.timedelta(minutes=5),
            attendance_recorded_by=staff,
        )
    session.refresh_from_db()


def grade_and_recommend(*, jury: Jury, version: CertificationVersion, specs: dict[str, dict[str, Any]]) -> None:
    """The president enters the consensus grids (the competencies of `not_acquired` not acquired, with its
    remarks) and records the recommendation the rules compute, with the spec's comments."""
    president = president_of(jury)
    for place in jury_selectors.session_places(jury):
        spec = specs[place.enrolment.candidate.email]
        entries: dict[int, BlockEntry] = {}
        for block in jury_selectors.blocks_sat(place):
            codes = [c.code for c in block.competencies.all()]
            entries[block.pk] = (
                {code: NOT_ACQUIRED if code in spec["not_acquired"] else ACQUIRED for code in codes},
                {code: text for code, text in spec["not_acquired"].items() if code in codes},
                "",
            )
        jury_services.grids_enter(
            jury=jury, place=place, consensus=True, entries=entries, submit=True, entered_by=president
        )
    blocks = {b.code: b for b in version.blocks.all()}
    for row in jury_selectors.deliberation_rows(jury_selectors.session_places(jury), version):
        outcome = _outcome(row)
        # The evaluation jury follows the rules' result.
        jury_services.recommendation_record(
            place=row.place,
            kind=outcome.kind,
            blocks=[blocks[code] for code in sorted(outcome.acquired_blocks)],
            comments=specs[row.candidate.email]["comments"],
            recorded_by=president,
        )


def decide_as_recommended(
    *,
    jury: Jury,
    certification_jury: Jury,
    specs: dict[str, dict[str, Any]],
    members: dict[str, JuryMember],
    president: str = CERTIFICATION_PRESIDENT,
) -> None:
    """The certification jury's president (`president`'s account) follows the recommendation for every candidate
    marked `decided`."""
    for row in jury_selectors.deliberation_rows(jury_selectors.session_places(jury), jury.version):
        if specs[row.candidate.email]["decided"]:
            recommendation = row.recommendation
            if recommendation is None:
                raise CommandError(f"Aucune préconisation pour {row.candidate.display_name}.")
            jury_services.decision_record(
                jury=certification_jury,
                place=row.place,
                kind=recommendation.kind,
                blocks=list(recommendation.blocks.all()),
                reason="",
                decided_by=user_of(members[president]),
            )


def _outcome(row: jury_selectors.Row) -> Outcome:
    if row.outcome is None:
        raise CommandError(f"Grilles incomplètes pour {row.candidate.display_name}.")
    return row.outcome


def outcome_line(row: jury_selectors.Row) -> str:
    outcome = _outcome(row)
    kind = OutcomeKind(outcome.kind)
    words = str(kind.label).lower()
    if kind == OutcomeKind.PARTIAL:
        words = f"{words} {', '.join(sorted(outcome.acquired_blocks))}"
    return f"{row.candidate.display_name} : {words}"
