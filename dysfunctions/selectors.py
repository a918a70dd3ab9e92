"""Reads of dysfunctions, at a constant number of queries: the proposals list (pending first), a session's
proposals (its banner), a candidate's incident reports, a session's reports."""

from __future__ import annotations

from django.db.models import Case, Exists, IntegerField, OuterRef, QuerySet, Value, When

from accounts.models import User
from dysfunctions.access import proposals_for
from dysfunctions.models import IncidentReport, Proposal, ProposalKind, ProposalStatus
from evaluations.models import EvaluationSession


def proposal_list(user: User) -> QuerySet[Proposal]:
    """The proposals `user` may see, those waiting for a decision first (oldest first: the longest waiting on
    top), then the decided ones, latest first."""
    return (
        proposals_for(user)
        .select_related("session__version", "session__organisation", "proposed_by", "decided_by")
        .annotate(
            waiting=Case(
                When(status=ProposalStatus.PENDING, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("waiting", Case(When(status=ProposalStatus.PENDING, then="proposed_at")), "-proposed_at", "pk")
    )


def session_cancelled() -> Exists:
    """Whether the session of the outer query (`OuterRef("pk")`) has its cancellation accepted by the certifier
    (`services.session_is_cancelled`, as an expression)."""
    return Exists(
        Proposal.objects.filter(session=OuterRef("pk"), kind=ProposalKind.CANCEL, status=ProposalStatus.ACCEPTED)
    )


def with_cancelled(sessions: QuerySet[EvaluationSession]) -> QuerySet[EvaluationSession]:
    """`sessions`, each with `is_cancelled` (its cancellation accepted by the certifier), in the same query."""
    return sessions.annotate(is_cancelled=session_cancelled())


def session_proposals(session: EvaluationSession) -> list[Proposal]:
    """A session's proposals, latest first (one query), for its page's banner."""
    return list(Proposal.objects.filter(session=session).select_related("decided_by").order_by("-proposed_at", "-pk"))


def candidate_reports(user: User) -> list[IncidentReport]:
    """The incident reports handed to the candidate `user`, latest first (one query)."""
    return list(
        IncidentReport.objects.filter(place__enrolment__candidate__user_id=user.pk)
        .select_related("place__session__version")
        .order_by("-written_at", "-pk")
    )


def session_reports(session: EvaluationSession) -> list[IncidentReport]:
    return list(
        IncidentReport.objects.filter(place__session=session)
        .select_related("place__enrolment__candidate")
        .order_by("-written_at", "-pk")
    )
