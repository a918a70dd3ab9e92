"""The one place that hands sessions to a user, or answers 404/403."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.access import organisation_scope
from accounts.models import User
from candidates.access import require_candidate_manager
from evaluations.models import ConvocationStatus, EvaluationSession, SessionCandidate


def sessions_for(user: User) -> QuerySet[EvaluationSession]:
    return organisation_scope(user, EvaluationSession.objects.all())


def session_for_user(user: User, pk: int) -> EvaluationSession:
    require_candidate_manager(user)
    return get_object_or_404(sessions_for(user).select_related("version", "organisation"), pk=pk)


def place_for_candidate(user: User, pk: int) -> SessionCandidate:
    """A convocation as its candidate sees it (calendar file), or one managed by the user."""
    places = SessionCandidate.objects.select_related(
        "session__version", "session__organisation", "enrolment__candidate"
    )
    if user.is_certifier_admin:
        return get_object_or_404(places, pk=pk)
    mine = Q(enrolment__candidate__user=user, convocation_status=ConvocationStatus.SENT)
    if user.is_organisation_staff:
        mine |= Q(session__organisation_id=user.organisation_id)
    return get_object_or_404(places.filter(mine), pk=pk)


def place_for_manager(user: User, pk: int) -> SessionCandidate:
    """A candidate's place in a session the user runs (their organisation's) or oversees (certifier)."""
    require_candidate_manager(user)
    places = SessionCandidate.objects.select_related("session", "enrolment__candidate")
    return get_object_or_404(places.filter(session__in=sessions_for(user)), pk=pk)
