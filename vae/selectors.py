"""Reads of the VAE route: a candidate's files, the files a user may see (waiting for a decision first), a file's
documents and positioning, and what the deadlines page shows (files waiting for a decision with their age,
admissible candidates whose declarative file is still missing), each in a constant number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from accounts.models import User
from cqp.models import CertificationVersion, VersionStatus
from vae import access, rules
from vae.models import AdmissibilityFile, AdmissibilityStatus, Positioning, VaeDocument, VaeDocumentKind


def vae_versions() -> list[CertificationVersion]:
    """The versions in force that offer the VAE route (a few: filtered in Python, JSON lists differ by database)."""
    versions = CertificationVersion.objects.filter(status=VersionStatus.PUBLISHED).select_related("certification")
    return [version for version in versions if rules.route_refusal(version.access_routes) is None]


def candidate_files(user: User) -> QuerySet[AdmissibilityFile]:
    return AdmissibilityFile.objects.filter(candidate__user_id=user.pk).select_related("version")


def file_list(user: User) -> QuerySet[AdmissibilityFile]:
    """The files a user sees, those waiting for a decision first (the oldest sent first), then the newest."""
    waiting = Case(
        When(status=AdmissibilityStatus.SUBMITTED, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return access.files_for(user).annotate(waiting=waiting).order_by("waiting", "submitted_at", "-created_at", "-pk")


@dataclass(frozen=True)
class FileSheet:
    admissibility: list[VaeDocument]
    declarative: VaeDocument | None
    technical: list[VaeDocument]
    positionings: list[Positioning]


def file_sheet(file: AdmissibilityFile) -> FileSheet:
    documents = list(file.documents.all())
    return FileSheet(
        admissibility=[d for d in documents if d.kind == VaeDocumentKind.ADMISSIBILITY],
        declarative=next((d for d in documents if d.kind == VaeDocumentKind.DECLARATIVE), None),
        technical=[d for d in documents if d.kind == VaeDocumentKind.TECHNICAL],
        positionings=list(file.positionings.select_related("block", "recorded_by")),
    )


@dataclass(frozen=True)
class DeadlineRow:
    file: AdmissibilityFile
    age: int  # days since it was sent (waiting) or since the admissibility (declarative file missing)


@dataclass(frozen=True)
class VaeDeadlines:
    waiting: list[DeadlineRow]
    declarative_missing: list[DeadlineRow]


def deadlines(today: dt.date) -> VaeDeadlines:
    """One query: the files waiting for the certifier's decision (the oldest first) and the admissible candidates,
    admissibility still valid, whose declarative file is not sent."""
    files = (
        AdmissibilityFile.objects.filter(
            Q(status=AdmissibilityStatus.SUBMITTED)
            | Q(status=AdmissibilityStatus.ADMISSIBLE, declarative_submitted_at__isnull=True, valid_until__gte=today)
        )
        .select_related("candidate__organisation", "version")
        .order_by("submitted_at", "decided_at", "pk")
    )
    waiting: list[DeadlineRow] = []
    missing: list[DeadlineRow] = []
    for file in files:
        if file.status == AdmissibilityStatus.SUBMITTED and file.submitted_at is not None:
            waiting.append(DeadlineRow(file, rules.age_days(file.submitted_at.date(), today)))
        elif file.decided_at is not None:
            missing.append(DeadlineRow(file, rules.age_days(file.decided_at.date(), today)))
    return VaeDeadlines(waiting=waiting, declarative_missing=missing)
