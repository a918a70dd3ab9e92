"""Reads of the referential, shaped for pages with a constant number of queries."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet

from accounts.models import User
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
