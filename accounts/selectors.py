"""Reads of accounts: the audit trail of an object."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from accounts.models import AuditEvent


def audit_trail(target: Model) -> list[AuditEvent]:
    """The audit events of one object, oldest first, with their actor (one query)."""
    content_type = ContentType.objects.get_for_model(target)
    return list(
        AuditEvent.objects.filter(content_type=content_type, object_id=target.pk)
        .select_related("actor")
        .order_by("at", "pk")
    )


def audit_trails(model: type[Model], ids: Iterable[int]) -> dict[int, list[AuditEvent]]:
    """The audit events of several objects of one model, by object id, oldest first (one query for a list page)."""
    content_type = ContentType.objects.get_for_model(model)
    trails: dict[int, list[AuditEvent]] = defaultdict(list)
    for event in (
        AuditEvent.objects.filter(content_type=content_type, object_id__in=list(ids))
        .select_related("actor")
        .order_by("at", "pk")
    ):
        trails[event.object_id].append(event)
    return dict(trails)
