"""The one place that hands juries, places and members to a user, or answers 404/403.

Certifier admins see every jury; a jury member sees only the juries they sit on; organisation staff see the
evaluation juries of their own sessions (read only). Candidates and strangers see none."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from accounts.models import User
from candidates.models import Candidate
from evaluations.models import SessionCandidate
from juries.models import Jury, JuryKind, JuryMember


def member_of(user: User) -> JuryMember | None:
    if not user.is_authenticated:
        return None
    return JuryMember.objects.filter(user=user).select_related("user").first()


def juries_for(user: User) -> QuerySet[Jury]:
    juries = Jury.objects.all()
    if not user.is_authenticated:
        return juries.none()
    if user.is_certifier_admin:
        return juries
    allowed = Q(seats__member__user=user)
    if user.is_organisation_staff:
        allowed |= Q(kind=JuryKind.EVALUATION, session__organisation_id=user.organisation_id)
    return juries.filter(allowed).distinct()


def require_jury_pages(user: User) -> None:
    if not (user.is_certifier_admin or user.is_organisation_staff or user.is_jury_member):
        raise PermissionDenied(_("Cette page est réservée aux jurys, aux organismes et au certificateur."))


def jury_for_user(user: User, pk: int) -> Jury:
    require_jury_pages(user)
    return get_object_or_404(
        juries_for(user).select_related("version__certification", "session__organisation", "president__user"), pk=pk
    )


def place_of_jury(jury: Jury, pk: int) -> SessionCandidate:
    """A candidate assessed by this jury (its session's, or transmitted to it), or 404."""
    places = SessionCandidate.objects.select_related(
        "session__version", "session__organisation", "enrolment__candidate"
    )
    if jury.kind == JuryKind.EVALUATION:
        places = places.filter(session_id=jury.session_id)
    else:
        places = places.filter(session__jury__certification_jury=jury)
    return get_object_or_404(places, pk=pk)


def require_registry(user: User) -> None:
    if not (user.is_authenticated and (user.is_certifier_admin or user.is_organisation_staff)):
        raise PermissionDenied(_("Le registre des membres de jury est tenu par le certificateur et les organismes."))


def members_for(user: User) -> QuerySet[JuryMember]:
    """Certifier admins see the whole registry; organisation staff the people they proposed."""
    members = JuryMember.objects.select_related("user", "organisation")
    if user.is_certifier_admin:
        return members
    if user.is_organisation_staff:
        return members.filter(proposed_by__organisation_id=user.organisation_id)
    return members.none()


def member_for_admin(user: User, pk: int) -> JuryMember:
    if not user.is_certifier_admin:
        raise Http404
    return get_object_or_404(JuryMember.objects.select_related("user"), pk=pk)


def candidate_for_history(user: User, pk: int) -> Candidate:
    """The history of a candidate's results is read by certifier admins."""
    if not user.is_certifier_admin:
        raise PermissionDenied(_("L'historique des résultats est réservé au certificateur."))
    return get_object_or_404(Candidate.objects.select_related("organisation"), pk=pk)
