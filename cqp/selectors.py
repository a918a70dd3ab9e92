"""Reads of the referential, shaped for pages with a constant number of queries."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from accounts.models import User
from accounts.selectors import audit_trails
from cqp.models import Block, Certification, CertificationVersion, Competency, TrainingOrganisation


def visible_versions(user: User) -> QuerySet[CertificationVersion]:
    """The referential is public to every logged-in user; drafts are shown as such."""
    return CertificationVersion.objects.all()


def certification_list(user: User) -> list[Certification]:
    versions = (
        visible_versions(user)
        .select_related("certifier")
        .annotate(block_count=Count("blocks", distinct=True), competency_count=Count("blocks__competencies"))
        .order_by("-number")
    )
    certifications = Certification.objects.prefetch_related(Prefetch("versions", queryset=versions)).order_by("name")
    return [c for c in certifications if c.versions.all()]


def version_with_blocks(version: CertificationVersion) -> list[Block]:
    return list(
        version.blocks.prefetch_related(Prefetch("competencies", queryset=Competency.objects.order_by("order", "code")))
    )


def referential_counts() -> dict[str, int]:
    return {
        "certifications": Certification.objects.count(),
        "versions": CertificationVersion.objects.count(),
        "blocks": Block.objects.count(),
        "competencies": Competency.objects.count(),
        "organisations": TrainingOrganisation.objects.count(),
    }


def organisation_approvals() -> list[dict[str, Any]]:
    """Every training organisation with its approval and its last approval event (two queries)."""
    organisations = list(TrainingOrganisation.objects.order_by("name"))
    trails = audit_trails(TrainingOrganisation, [o.pk for o in organisations])
    today = timezone.localdate()
    return [
        {
            "organisation": o,
            "valid_today": o.approval_is_valid(today),
            "last_event": trails[o.pk][-1] if o.pk in trails else None,
        }
        for o in organisations
    ]
