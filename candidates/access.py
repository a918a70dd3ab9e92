"""The one place that says which candidates a user may see and change, or answers 404."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from accounts.access import organisation_scope
from accounts.models import User
from candidates.models import Candidate, CandidateDocument, Enrolment


def can_manage_candidates(user: User) -> bool:
    return user.is_authenticated and (user.is_certifier_admin or user.is_organisation_staff)


def require_candidate_manager(user: User) -> None:
    if not can_manage_candidates(user):
        raise PermissionDenied(_("Cette page est réservée aux organismes de formation et au certificateur."))


def candidates_for(user: User) -> QuerySet[Candidate]:
    """Certifier admins see every candidate; organisation staff their organisation's; others none."""
    return organisation_scope(user, Candidate.objects.all())


def candidate_for_user(user: User, pk: int) -> Candidate:
    require_candidate_manager(user)
    return get_object_or_404(candidates_for(user).select_related("organisation"), pk=pk)


def jury_documents_filter(user: User) -> Q | None:
    """The livret parts and formative evaluations a jury member may read: those of the candidates their
    evaluation jury assesses, or whose results were transmitted to their certification jury, unless they are
    recused for them."""
    if not user.is_jury_member:
        return None
    from evaluations.models import SessionCandidate
    from juries.models import Recusal
    from juries.rules import APPROVED

    # A member sits while their habilitation is in force (`juries.rules.sits`): a withdrawn member reads none.
    # The seat and its member's status in one Q, so that they are the same row.
    evaluated = SessionCandidate.objects.filter(
        Q(session__jury__seats__member__user=user, session__jury__seats__member__status=APPROVED)
        | Q(
            session__jury__certification_jury__seats__member__user=user,
            session__jury__certification_jury__seats__member__status=APPROVED,
        )
    ).exclude(pk__in=Recusal.objects.filter(member__user=user).values("place_id"))
    # A subquery, not a join: a candidate in several sessions must not repeat their documents.
    readable = CandidateDocument.objects.filter(
        kind__in=["livret_part", "formative"], enrolment__session_places__in=evaluated
    )
    return Q(pk__in=readable.values("pk"))


def documents_for(user: User) -> QuerySet[CandidateDocument]:
    """The candidate themselves, their organisation's staff and certifier admins; nobody else yet."""
    documents = CandidateDocument.objects.select_related("candidate", "block")
    if not user.is_authenticated:
        return documents.none()
    if user.is_certifier_admin:
        return documents
    allowed = Q(candidate__user_id=user.pk)
    if user.is_organisation_staff:
        allowed |= Q(candidate__organisation_id=user.organisation_id)
    jury = jury_documents_filter(user)
    if jury is not None:
        allowed |= jury
    return documents.filter(allowed)


def document_for_user(user: User, pk: int) -> CandidateDocument:
    """The document, or 404 (never 403: whether a document exists is not for strangers to learn)."""
    return get_object_or_404(documents_for(user), pk=pk)


def own_candidate(user: User) -> Candidate:
    """The candidate record of a candidate's account, or 404."""
    if not user.is_authenticated or not user.is_candidate:
        raise Http404
    return get_object_or_404(Candidate, user_id=user.pk)


def enrolment_for_user(user: User, pk: int) -> Enrolment:
    require_candidate_manager(user)
    enrolments = Enrolment.objects.select_related("candidate", "version").filter(candidate__in=candidates_for(user))
    return get_object_or_404(enrolments, pk=pk)
