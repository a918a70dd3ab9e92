"""Prior acquisitions: blocks a candidate acquired before the application was in use (paper PV, earlier
software, another certifier), recorded by a certifier admin, withdrawn (never deleted) with a reason. A
withdrawal flags every later decision that carried the block over (`juries.carry.flag_dependants`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import check_certifier_admin
from accounts.models import User
from candidates.models import Candidate
from cqp.lib import bounds
from cqp.models import Block
from juries import carry
from juries.models import AuditAction, AuditEntry, PriorAcquisition, PriorSource

SCAN_MAX_BYTES = 10 * 1024 * 1024


def _check_scan(scan: UploadedFile[Any]) -> None:
    if scan.size is None or scan.size > SCAN_MAX_BYTES:
        raise ValidationError({"scan": _("Le PV numérisé dépasse 10 Mo : réduisez-le ou scannez-le en noir et blanc.")})
    head = scan.read(5)
    scan.seek(0)
    if head != b"%PDF-":
        raise ValidationError({"scan": _("Le PV numérisé doit être un fichier PDF.")})


def prior_acquisition_check(
    *, candidate: Candidate, block: Block, acquired_on: dt.date, source: str, reference: str
) -> dict[str, str]:
    """The French errors of one prior acquisition, by field (empty: it may be recorded). Shared by the form and
    the bulk import."""
    errors: dict[str, str] = {}
    if source not in PriorSource.values:
        errors["source"] = _("Source inconnue : procès-verbal papier, logiciel antérieur ou autre certificateur.")
    reference = reference.strip()
    if not reference:
        errors["reference"] = _("Indiquez la référence du document qui atteste l'acquis (n° de PV, de dossier).")
    elif len(reference) > bounds.NAME_LENGTH:
        errors["reference"] = _("La référence dépasse %(n)d caractères.") % {"n": bounds.NAME_LENGTH}
    if acquired_on > timezone.localdate():
        errors["acquired_on"] = _("La date d'acquisition est à venir : un acquis antérieur est passé.")
    elif acquired_on < bounds.EVENTS_START:
        errors["acquired_on"] = _("La date d'acquisition est antérieure à %(year)d.") % {
            "year": bounds.EVENTS_START.year
        }
    if PriorAcquisition.objects.filter(candidate=candidate, block=block, withdrawn_at__isnull=True).exists():
        errors["block"] = _("Le bloc %(code)s est déjà enregistré comme acquis antérieur pour ce candidat.") % {
            "code": block.code
        }
    return errors


@transaction.atomic
def prior_acquisition_record(
    *,
    candidate: Candidate,
    block: Block,
    acquired_on: dt.date,
    source: str,
    reference: str,
    recorded_by: User,
    scan: UploadedFile[Any] | None = None,
) -> PriorAcquisition:
    check_certifier_admin(recorded_by, _("Seul un administrateur du certificateur enregistre un acquis antérieur."))
    errors = prior_acquisition_check(
        candidate=candidate, block=block, acquired_on=acquired_on, source=source, reference=reference
    )
    if scan is not None:
        try:
            _check_scan(scan)
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    prior = PriorAcquisition(
        candidate=candidate,
        block=block,
        acquired_on=acquired_on,
        source=source,
        reference=reference.strip(),
        recorded_by=recorded_by,
        scan_name=(scan.name or "")[:255] if scan is not None else "",
    )
    if scan is not None:
        prior.scan.save("scan.pdf", scan, save=False)
    prior.full_clean(exclude=["scan"])
    prior.save()
    AuditEntry.objects.create(
        candidate=candidate,
        place=None,
        action=AuditAction.PRIOR_ACQUISITION,
        subject=_("Acquis antérieur %(code)s enregistré") % {"code": block.code},
        actor=recorded_by,
        after={"bloc": block.code, "acquis le": acquired_on.isoformat(), "référence": prior.reference},
    )
    return prior


@transaction.atomic
def prior_acquisition_withdraw(*, prior: PriorAcquisition, reason: str, withdrawn_by: User) -> PriorAcquisition:
    check_certifier_admin(withdrawn_by, _("Seul un administrateur du certificateur retire un acquis antérieur."))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Indiquez pourquoi cet acquis antérieur est retiré.")})
    bounds.check_text(reason, bounds.SHORT_TEXT_LENGTH, _("motif"))
    moved = PriorAcquisition.objects.filter(pk=prior.pk, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now(), withdrawn_by=withdrawn_by, withdrawal_reason=reason
    )
    if moved != 1:
        raise ValidationError(_("Cet acquis antérieur est déjà retiré."))
    prior.refresh_from_db()
    AuditEntry.objects.create(
        candidate=prior.candidate,
        place=None,
        action=AuditAction.PRIOR_ACQUISITION,
        subject=_("Acquis antérieur %(code)s retiré") % {"code": prior.block.code},
        actor=withdrawn_by,
        reason=reason,
    )
    carry.flag_dependants(
        reason=_("Acquis antérieur %(code)s retiré : %(reason)s") % {"code": prior.block.code, "reason": reason[:200]},
        prior=prior,
        actor=withdrawn_by,
    )
    return prior
