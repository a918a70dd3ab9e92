"""Reads of the referential, shaped for pages with a constant number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from accounts.selectors import audit_trails
from cqp.models import Block, Certification, CertificationVersion, Competency, TrainingOrganisation


def visible_versions(user: User) -> QuerySet[CertificationVersion]:
    """The referential is public to every logged-in user; drafts are shown as such."""
    return CertificationVersion.objects.all()


def certification_list(user: User, q: str = "") -> QuerySet[Certification]:
    """The certifications with at least one visible version (each with its versions, latest first), by name;
    searched by name, RNCP code or title (`q`). A queryset the page paginates: two queries a page."""
    versions = (
        visible_versions(user)
        .select_related("certifier")
        .annotate(block_count=Count("blocks", distinct=True), competency_count=Count("blocks__competencies"))
        .order_by("-number")
    )
    certifications = Certification.objects.filter(Exists(visible_versions(user).filter(certification=OuterRef("pk"))))
    if q:
        certifications = certifications.filter(
            Q(name__icontains=q)
            | Exists(
                visible_versions(user).filter(
                    Q(rncp_code__icontains=q.replace(" ", "")) | Q(title__icontains=q) | Q(short_title__icontains=q),
                    certification=OuterRef("pk"),
                )
            )
        )
    return certifications.prefetch_related(Prefetch("versions", queryset=versions)).order_by("name", "pk")


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


def organisations(q: str = "") -> QuerySet[TrainingOrganisation]:
    """The training organisations by name, searched by name, city or department (`q`)."""
    rows = TrainingOrganisation.objects.order_by("name")
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(city__icontains=q) | Q(department=q))
    return rows


def organisation_approvals(organisations: Iterable[TrainingOrganisation] | None = None) -> list[dict[str, Any]]:
    """Training organisations (all of them by default; the list page passes one page) with their approval and
    their last approval event (one query)."""
    rows = list(TrainingOrganisation.objects.order_by("name") if organisations is None else organisations)
    trails = audit_trails(TrainingOrganisation, [o.pk for o in rows])
    today = timezone.localdate()
    return [
        {
            "organisation": o,
            "valid_today": o.approval_is_valid(today),
            "last_event": trails[o.pk][-1] if o.pk in trails else None,
        }
        for o in rows
    ]
