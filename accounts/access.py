"""Role gates: the one place that says who holds a role, for views, services, commands and tasks.

The access policy, stated once for every app:

- **An object the user may not see is a 404**, whether it exists or not: each app's `access.py` hands an object
  to a user through a getter (`candidate_for_user`, `parchment_for_admin`, ...) that filters by what the user may
  see and answers `Http404` otherwise. Whether an object exists is not for strangers to learn.
- **A page or an action reserved to a role the user lacks is a 403**: a role gate below raises `PermissionDenied`
  with a French message before any object is looked up. A getter of an admin-only page therefore first calls the
  gate (403 for a non-admin), then looks the object up (404 for an admin when it does not exist).
- Views call only these functions (never an inline `raise PermissionDenied`); services that check their actor call
  the same gates and raise `PermissionDenied`, never a form error, so a refused role is a 403 wherever it happens.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from accounts.models import Role

if TYPE_CHECKING:
    from cqp.models import TrainingOrganisation

View = TypeVar("View", bound=Callable[..., HttpResponse])


def is_certifier_admin(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_certifier_admin)


def is_organisation_staff(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_organisation_staff)


def is_jury_member(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_jury_member)


def is_candidate(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_candidate)


def is_candidate_manager(user: Any) -> bool:
    """Certifier admins and organisation staff manage candidates and sessions."""
    return is_certifier_admin(user) or is_organisation_staff(user)


def has_role(user: Any, role: Role) -> bool:
    return bool(user is not None and user.is_authenticated and role in user.roles)


def check_any_role(user: Any, *roles: Role, message: str) -> None:
    """403 with `message` unless the user holds one of `roles` (a page shared by several roles)."""
    if not any(has_role(user, role) for role in roles):
        raise PermissionDenied(message)


def check_certifier_admin(user: Any, message: str | None = None) -> None:
    """403 unless the user is a certifier admin."""
    if not is_certifier_admin(user):
        raise PermissionDenied(message or _("Cette page est réservée aux administrateurs du certificateur."))


def check_organisation_staff(user: Any, message: str | None = None) -> TrainingOrganisation:
    """403 unless the user is on the staff of a training organisation; their organisation otherwise."""
    if not is_organisation_staff(user) or user.organisation is None:
        raise PermissionDenied(message or _("Cette page est réservée aux organismes de formation."))
    organisation: TrainingOrganisation = user.organisation
    return organisation


def check_candidate_manager(user: Any, message: str | None = None) -> None:
    """403 unless the user is a certifier admin or on the staff of a training organisation."""
    if not is_candidate_manager(user):
        raise PermissionDenied(message or _("Cette page est réservée aux organismes de formation et au certificateur."))


def check_jury_member(user: Any, message: str | None = None) -> None:
    """403 unless the user is a jury member."""
    if not is_jury_member(user):
        raise PermissionDenied(message or _("Cette page est réservée aux membres de jury."))


def check_organisation_manager(user: Any, organisation_id: int | None, message: str | None = None) -> None:
    """403 unless the user is a certifier admin or on the staff of that organisation."""
    if is_certifier_admin(user):
        return
    if not (is_organisation_staff(user) and organisation_id is not None and user.organisation_id == organisation_id):
        raise PermissionDenied(message or _("Seul l'organisme de formation concerné ou le certificateur peut agir."))


def require_certifier_admin(view: View) -> View:
    """Decorator form of `check_certifier_admin` for views reserved to certifier admins."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        check_certifier_admin(request.user)
        return view(request, *args, **kwargs)

    return cast(View, wrapper)  # `wraps` keeps the view's name and signature; the type system cannot see it


Scoped = TypeVar("Scoped", bound="QuerySet[Any]")


def organisation_scope(user: Any, queryset: Scoped) -> Scoped:
    """Rows with an `organisation` a user may see: certifier admins all, organisation staff their own, others none."""
    if is_certifier_admin(user):
        return queryset
    if is_organisation_staff(user):
        return queryset.filter(organisation_id=user.organisation_id)
    return queryset.none()
