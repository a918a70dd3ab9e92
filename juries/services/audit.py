"""The audit trail of results: every change to a candidate's grids, recommendation, decision or
recusals leaves an entry (who, when, before, after, reason)."""

from __future__ import annotations

from typing import Any

from accounts.models import User
from evaluations.models import SessionCandidate
from juries.models import (
    AuditEntry,
)


def audit(
    *,
    place: SessionCandidate,
    action: str,
    subject: str,
    actor: User | None,
    before: Any = None,
    after: Any = None,
    reason: str = "",
) -> AuditEntry:
    return AuditEntry.objects.create(
        candidate_id=place.enrolment.candidate_id,
        place=place,
        action=action,
        subject=subject[:255],
        before=before,
        after=after,
        reason=reason,
        actor=actor,
    )
