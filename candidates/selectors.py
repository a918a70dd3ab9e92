"""Reads about candidates, shaped for pages with a constant number of queries."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from accounts.models import User
from candidates.access import candidates_for
from candidates.models import Candidate, Enrolment
from cqp.models import CertificationVersion


def candidate_list(user: User, *, q: str = "", version: CertificationVersion | None = None) -> QuerySet[Candidate]:
    candidates = candidates_for(user).select_related("organisation")
    for word in q.split():
        candidates = candidates.filter(
            Q(birth_name__icontains=word) | Q(usage_name__icontains=word) | Q(first_name__icontains=word)
        )
    if version is not None:
        candidates = candidates.filter(enrolments__version=version).distinct()
    enrolments = Enrolment.objects.select_related("version").order_by("-created_at")
    return candidates.prefetch_related(Prefetch("enrolments", queryset=enrolments))


def candidate_enrolments(candidate: Candidate) -> list[Enrolment]:
    return list(
        candidate.enrolments.select_related("version__certification")
        .prefetch_related("blocks", "accommodations")
        .order_by("-created_at")
    )


def candidate_space(user: User) -> dict[str, object]:
    """What a candidate sees of their own file: enrolments, accommodations and convocations sent."""
    from evaluations.models import ConvocationStatus, SessionCandidate

    enrolments = list(
        Enrolment.objects.filter(candidate__user=user)
        .select_related("version")
        .prefetch_related("blocks", "accommodations")
        .order_by("-created_at")
    )
    places = list(
        SessionCandidate.objects.filter(enrolment__candidate__user=user, convocation_status=ConvocationStatus.SENT)
        .select_related("session__version")
        .order_by("starts_at")
    )
    return {"candidate_enrolments": enrolments, "candidate_places": places}
