"""Role gates for views: the one place that says who may open a page reserved to a role."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

View = TypeVar("View", bound=Callable[..., HttpResponse])


def require_certifier_admin(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not (request.user.is_authenticated and request.user.is_certifier_admin):
            raise PermissionDenied(_("Cette page est réservée aux administrateurs du certificateur."))
        return view(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


Scoped = TypeVar("Scoped", bound=QuerySet)


def organisation_scope(user: Any, queryset: Scoped) -> Scoped:
    """Rows with an `organisation` a user may see: certifier admins all, organisation staff their own, others none."""
    if user.is_certifier_admin:
        return queryset
    if user.is_organisation_staff:
        return queryset.filter(organisation_id=user.organisation_id)
    return queryset.none()
