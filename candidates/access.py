"""The one place that says which candidates a user may see and change, or answers 404."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from accounts.models import User
from candidates.models import Candidate


def can_manage_candidates(user: User) -> bool:
    return user.is_authenticated and (user.is_certifier_admin or user.is_organisation_staff)


def require_candidate_manager(user: User) -> None:
    if not can_manage_candidates(user):
        raise PermissionDenied(_("Cette page est réservée aux organismes de formation et au certificateur."))


def candidates_for(user: User) -> QuerySet[Candidate]:
    """Certifier admins see every candidate; organisation staff their organisation's; others none."""
    candidates = Candidate.objects.all()
    if user.is_certifier_admin:
        return candidates
    if user.is_organisation_staff:
        return candidates.filter(organisation_id=user.organisation_id)
    return candidates.none()


def candidate_for_user(user: User, pk: int) -> Candidate:
    require_candidate_manager(user)
    return get_object_or_404(candidates_for(user).select_related("organisation"), pk=pk)
