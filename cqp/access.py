"""The one place that hands referential objects to a user, or answers 404/403 (policy in `accounts.access`).

Editing the referential is reserved to certifier admins: their getters pass the role gate (403) before the object
is looked up (404)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from accounts.access import check_certifier_admin
from accounts.models import User
from cqp.models import Block, CertificationVersion, Competency, TrainingOrganisation
from cqp.selectors import visible_versions


def version_for_user(user: User, pk: int) -> CertificationVersion:
    return get_object_or_404(visible_versions(user).select_related("certification", "certifier"), pk=pk)


def block_for_admin(user: User, pk: int) -> Block:
    check_certifier_admin(user)
    return get_object_or_404(Block.objects.select_related("version__certification"), pk=pk)


def competency_for_admin(user: User, pk: int) -> Competency:
    check_certifier_admin(user)
    return get_object_or_404(Competency.objects.select_related("block__version__certification"), pk=pk)


def organisation_for_admin(user: User, pk: int) -> TrainingOrganisation:
    """An organisation's approval page: certifier admins only (403 for others), 404 when it does not exist."""
    check_certifier_admin(user)
    return get_object_or_404(TrainingOrganisation, pk=pk)
