"""Reads of accounts: the audit trail of an object."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Model, QuerySet

from accounts.models import AuditEvent


def _of_model(model: type[Model] | Model) -> QuerySet[AuditEvent]:
    # The content type by a join rather than `get_for_model`: one query whether Django's content-type cache is
    # warm or not, so the pages that show a trail keep a constant, pinned number of queries.
    opts = (model._meta.concrete_model or model)._meta  # the concrete model is set for every loaded model
    return AuditEvent.objects.filter(
        content_type__app_label=opts.app_label, content_type__model=opts.model_name
    ).select_related("actor")


def audit_trail(target: Model) -> list[AuditEvent]:
    """The audit events of one object, oldest first, with their actor (one query)."""
    return list(_of_model(target).filter(object_id=target.pk).order_by("at", "pk"))


def audit_trails(model: type[Model], ids: Iterable[int]) -> dict[int, list[AuditEvent]]:
    """The audit events of several objects of one model, by object id, oldest first (one query for a list page)."""
    trails: dict[int, list[AuditEvent]] = defaultdict(list)
    for event in _of_model(model).filter(object_id__in=list(ids)).order_by("at", "pk"):
        trails[event.object_id].append(event)
    return dict(trails)
