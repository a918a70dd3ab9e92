"""Writes of the VAE route: the candidate prepares and sends their admissibility file, the certifier decides it,
the candidate sends their declarative file with technical documents, the certifier or the evaluation jury's
president records the positioning. Each service is atomic and checks its actor through `vae.access`; the rules
are `vae.rules`. `placement_refusal` is what the placement in a session asks of a VAE enrolment."""

from __future__ import annotations

import datetime as dt
import hashlib
from functools import partial

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import check_certifier_admin
from accounts.models import User
from candidates import documents
from candidates.models import Candidate, Enrolment
from cqp.lib import bounds
from cqp.models import Block, CertificationVersion
from vae import access, rules
from vae.models import (
    AdmissibilityDecision,
    AdmissibilityFile,
    AdmissibilityStatus,
    Positioning,
    VaeDocument,
    VaeDocumentKind,
)


def _check_experience(months: int, experience: str) -> None:
    refusal = rules.experience_refusal(months)
    errors: dict[str, str] = {}
    if refusal is not None:
        errors["experience_months"] = refusal
    if not experience.strip():
        errors["experience"] = _("Décrivez votre expérience en lien avec la certification.")
    if errors:
        raise ValidationError(errors)
    bounds.check_text(experience, bounds.LONG_TEXT_LENGTH, _("expérience déclarée"))


@transaction.atomic
def file_create(
    *, candidate: Candidate, version: CertificationVersion, experience_months: int, experience: str, actor: User
) -> AdmissibilityFile:
    """The candidate starts an admissibility file (in preparation) for a version that offers VAE."""
    access.check_file_owner(actor, candidate)
    refusal = rules.route_refusal(version.access_routes)
    if refusal is not None:
        raise ValidationError({"version": refusal})
    _check_experience(experience_months, experience)
    Candidate.objects.select_for_update().get(pk=candidate.pk)  # one file at a time per candidate
    files = AdmissibilityFile.objects.filter(candidate=candidate, version=version)
    admissible = files.filter(status=AdmissibilityStatus.ADMISSIBLE).order_by("-valid_until").first()
    refusal = rules.new_file_refusal(
        open_file=files.filter(status__in=(*rules.OPEN, "submitted")).exists(),
        admissible_until=admissible.valid_until if admissible else None,
        today=timezone.localdate(),
    )
    if refusal is not None:
        raise ValidationError({"version": refusal})
    file = AdmissibilityFile(
        candidate=candidate, version=version, experience_months=experience_months, experience=experience.strip()
    )
    file.full_clean()
    try:
        with transaction.atomic():
            file.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"version": _("Un dossier de recevabilité est déjà en cours pour cette certification.")}
        ) from exc
    return file


@transaction.atomic
def file_update(*, file: AdmissibilityFile, experience_months: int, experience: str, actor: User) -> AdmissibilityFile:
    """The candidate changes the experience declared, while the file is in preparation or incomplete."""
    file = AdmissibilityFile.objects.select_for_update().get(pk=file.pk)
    access.check_file_owner(actor, file.candidate)
    refusal = rules.change_refusal(file.status)
    if refusal is not None:
        raise ValidationError(refusal)
    _check_experience(experience_months, experience)
    file.experience_months = experience_months
    file.experience = experience.strip()
    file.full_clean()
    file.save(update_fields=["experience_months", "experience"])
    return file


def _store(*, file: AdmissibilityFile, kind: str, upload: UploadedFile[bytes], actor: User) -> VaeDocument:
    problem = documents.declared_problem(size=upload.size or 0, name=upload.name or "")
    if problem is not None:
        raise ValidationError({"upload": problem})
    head = documents.read_head(upload)
    problem = documents.upload_problem(size=upload.size or 0, head=head)
    file_type = documents.file_type(head)
    if problem is not None or file_type is None:
        raise ValidationError({"upload": problem})
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    name = (upload.name or "document")[:255]
    document = VaeDocument(
        file_of=file,
        kind=kind,
        original_name=name,
        content_type=file_type.content_type,
        size=upload.size or 0,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    document.file.save(upload.name or "document", upload, save=False)
    try:
        document.full_clean(exclude=["file"])
        with transaction.atomic():
            document.save()
    except (ValidationError, IntegrityError):
        document.file.storage.delete(document.file.name or "")  # the row is not written: its file goes too
        raise
    return document


@transaction.atomic
def document_add(*, file: AdmissibilityFile, upload: UploadedFile[bytes], actor: User) -> VaeDocument:
    """A piece of the admissibility file, while it may change (in preparation or incomplete), within the bound."""
    file = AdmissibilityFile.objects.select_for_update().get(pk=file.pk)
    access.check_file_owner(actor, file.candidate)
    count = file.documents.filter(kind=VaeDocumentKind.ADMISSIBILITY).count()
    refusal = rules.document_refusal(status=file.status, count=count)
    if refusal is not None:
        raise ValidationError(refusal)
    return _store(file=file, kind=VaeDocumentKind.ADMISSIBILITY, upload=upload, actor=actor)


@transaction.atomic
def file_submit(*, file: AdmissibilityFile, actor: User) -> AdmissibilityFile:
    """Send the file to the certifier, first or again once completed: it waits for a decision."""
    file = AdmissibilityFile.objects.select_for_update().get(pk=file.pk)
    access.check_file_owner(actor, file.candidate)
    count = file.documents.filter(kind=VaeDocumentKind.ADMISSIBILITY).count()
    refusal = rules.submit_refusal(status=file.status, documents=count)
    if refusal is not None:
        raise ValidationError(refusal)
    file.status = AdmissibilityStatus.SUBMITTED
    file.submitted_at = timezone.now()
    file.save(update_fields=["status", "submitted_at"])
    return file


@transaction.atomic
def file_decide(
    *, file: AdmissibilityFile, decision: str, missing: str = "", reason: str = "", decided_by: User
) -> AdmissibilityFile:
    """The certifier's decision on a file sent to it: admissible (valid `rules.VALIDITY_YEARS` years), incomplete
    with what is missing (the candidate completes it and sends it again), or not admissible with the reason."""
    check_certifier_admin(decided_by, _("Seul un administrateur du certificateur décide de la recevabilité."))
    file = AdmissibilityFile.objects.select_for_update().get(pk=file.pk)
    refusal = rules.decision_refusal(
        status=file.status, decision=decision, missing=missing, reason=reason, experience_months=file.experience_months
    )
    if refusal is not None:
        if decision == AdmissibilityStatus.INCOMPLETE and not missing.strip():
            raise ValidationError({"missing": refusal})
        if decision == AdmissibilityStatus.NOT_ADMISSIBLE and not reason.strip():
            raise ValidationError({"reason": refusal})
        raise ValidationError(refusal)
    now = timezone.now()
    file.status = decision
    file.missing = missing.strip() if decision == AdmissibilityStatus.INCOMPLETE else ""
    file.reason = reason.strip() if decision == AdmissibilityStatus.NOT_ADMISSIBLE else ""
    file.decided_at = now
    file.decided_by = decided_by
    file.valid_until = rules.valid_until(timezone.localdate()) if decision == AdmissibilityStatus.ADMISSIBLE else None
    file.full_clean()
    file.save(update_fields=["status", "missing", "reason", "decided_at", "decided_by", "valid_until"])
    AdmissibilityDecision.objects.create(
        file_of=file,
        decision=decision,
        missing=file.missing,
        reason=file.reason,
        decided_by=decided_by,
        decided_at=now,
        experience_months=file.experience_months,
    )
    return file


@transaction.atomic
def declarative_add(*, file: AdmissibilityFile, kind: str, upload: UploadedFile[bytes], actor: User) -> VaeDocument:
    """The declarative file itself (one, replaced while not sent) or a technical document, after the admissibility."""
    file = AdmissibilityFile.objects.select_for_update().get(pk=file.pk)
    access.check_file_owner(actor, file.candidate)
    refusal = rules.declarative_refusal(
        status=file.status,
        until=file.valid_until,
        today=timezone.localdate(),
        sent=file.declarative_submitted_at is not None,
    )
    if refusal is None and kind == VaeDocumentKind.TECHNICAL:
        refusal = rules.technical_refusal(count=file.documents.filter(kind=kind).count())
    if refusal is None and kind not in (VaeDocumentKind.DECLARATIVE, VaeDocumentKind.TECHNICAL):
        refusal = _("Dossier déclaratif : le dossier lui-même ou un document technique.")
    if refusal is not None:
        raise ValidationError(refusal)
    previous = (
        list(file.documents.filter(kind=VaeDocumentKind.DECLARATIVE)) if kind == VaeDocumentKind.DECLARATIVE else []
    )
    for old in previous:  # the declarative file is replaced while not sent: the old file goes after the commit
        old.delete()
        transaction.on_commit(partial(old.file.storage.delete, old.file.name or ""))
    return _store(file=file, kind=kind, upload=upload, actor=actor)


@transaction.atomic
def declarative_submit(*, file: AdmissibilityFile, actor: User) -> AdmissibilityFile:
    """Send the declarative file, once: from then on it does not change and the candidate may sit a session."""
    file = AdmissibilityFile.objects.select_for_update().get(pk=file.pk)
    access.check_file_owner(actor, file.candidate)
    refusal = rules.declarative_refusal(
        status=file.status,
        until=file.valid_until,
        today=timezone.localdate(),
        sent=file.declarative_submitted_at is not None,
    ) or rules.declarative_submit_refusal(
        has_declarative=file.documents.filter(kind=VaeDocumentKind.DECLARATIVE).exists()
    )
    if refusal is not None:
        raise ValidationError(refusal)
    file.declarative_submitted_at = timezone.now()
    file.save(update_fields=["declarative_submitted_at"])
    return file


@transaction.atomic
def positioning_record(
    *, file: AdmissibilityFile, entries: dict[int, tuple[bool, str]], recorded_by: User
) -> list[Positioning]:
    """The jury's positioning, block by block (`entries`: block id -> assessed, notes), by a certifier admin or the
    president of an evaluation jury the candidate is placed before."""
    access.check_positioner(recorded_by, file)
    file = AdmissibilityFile.objects.select_for_update().get(pk=file.pk)
    refusal = rules.positioning_refusal(declarative_sent=file.declarative_submitted_at is not None)
    if refusal is not None:
        raise ValidationError(refusal)
    blocks = {block.pk: block for block in Block.objects.filter(version_id=file.version_id)}
    if set(entries) - set(blocks):
        raise ValidationError(_("Positionnement : un bloc ne fait pas partie de cette certification."))
    saved = []
    for block_id, (assessed, notes) in entries.items():
        bounds.check_text(notes, bounds.LONG_TEXT_LENGTH, _("notes de positionnement"))
        positioning, _created = Positioning.objects.update_or_create(
            file_of=file,
            block=blocks[block_id],
            defaults={"assessed": assessed, "notes": notes.strip(), "recorded_by": recorded_by},
        )
        saved.append(positioning)
    return saved


def placement_refusal(enrolment: Enrolment, *, on: dt.date) -> str | None:
    """Why a VAE enrolment may not be placed in a session whose first day is `on` (`rules.placement_refusal`), or
    None: its admissibility file for the enrolment's version, the latest one."""
    if enrolment.access_route != rules.VAE:
        return None
    file = (
        AdmissibilityFile.objects.filter(candidate_id=enrolment.candidate_id, version_id=enrolment.version_id)
        .order_by("-created_at", "-pk")
        .first()
    )
    return rules.placement_refusal(
        name=enrolment.candidate.display_name,
        route=enrolment.access_route,
        status=file.status if file else None,
        until=file.valid_until if file else None,
        on=on,
        declarative_sent=bool(file and file.declarative_submitted_at),
    )
