"""Revocation: the certifier withdraws an award (fraud found later, an error established), with the reason and
the reference of its decision. The decision is kept, marked revoked; its parchments are cancelled with that
reason, the later decisions that carried its blocks over are flagged, the CDC declaration is to be sent again,
and a fraud records the 3-year ban as the exam-day fraud report does."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.access import check_certifier_admin
from accounts.models import User
from candidates import rules as candidate_rules
from candidates.services import fraud_ban_record
from certificates import services as certificate_services
from certificates.models import Parchment, ParchmentStatus
from cqp.lib import bounds
from juries import carry, lifecycle, result_state
from juries.models import AuditAction, Decision, OutcomeKind
from juries.services.audit import audit

REFERENCE_LENGTH = Decision._meta.get_field("revocation_reference").max_length or 100


def parchment_reason(reference: str, reason: str) -> str:
    """The reason written on each cancelled parchment: the revocation's reference and reason, within the
    length a parchment's cancellation reason may have."""
    text = _("Certification retirée (décision %(reference)s) : %(reason)s") % {
        "reference": reference,
        "reason": " ".join(reason.split()),
    }
    limit = bounds.SHORT_TEXT_LENGTH
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def check(*, decision: Decision, reason: str, reference: str, decided_on: dt.date | None) -> dict[str, str]:
    """{field: French error} for a revocation's values (shared by the service and its form's confirmation)."""
    errors: dict[str, str] = {}
    reason, reference = reason.strip(), reference.strip()
    if not reason:
        errors["reason"] = _("Indiquez le motif du retrait.")
    elif len(reason) > bounds.LONG_TEXT_LENGTH or bounds.has_control_characters(reason):
        errors["reason"] = _("Le motif tient en %(n)d caractères, sans caractère de contrôle.") % {
            "n": bounds.LONG_TEXT_LENGTH
        }
    if not reference:
        errors["reference"] = _(
            "Indiquez la référence de la décision de retrait (elle figure sur les parchemins annulés)."
        )
    elif len(reference) > REFERENCE_LENGTH or bounds.has_control_characters(reference):
        errors["reference"] = _("La référence tient en %(n)d caractères, sans caractère de contrôle.") % {
            "n": REFERENCE_LENGTH
        }
    if decided_on is None:
        errors["decided_on"] = _("Indiquez la date de la décision de retrait.")
    elif decided_on > timezone.localdate():
        errors["decided_on"] = _("La décision de retrait est prise : sa date ne peut pas être à venir.")
    elif decided_on < decision.jury.meets_on:
        errors["decided_on"] = _("Le retrait suit la décision du jury (le %(date)s) : il ne peut pas la précéder.") % {
            "date": date_format(decision.jury.meets_on)
        }
    return errors


@dataclass(frozen=True)
class Preview:
    """What a revocation will do, for the confirmation step."""

    parchments: list[Parchment]
    dependants: list[Decision]  # later decisions that carried this one's blocks over: flagged
    ban_ends_on: dt.date | None  # the last day of the 3-year ban, for a fraud


def preview(*, decision: Decision, fraud: bool, decided_on: dt.date) -> Preview:
    return Preview(
        parchments=list(Parchment.objects.filter(decision=decision, status=ParchmentStatus.VALID).order_by("number")),
        dependants=list(
            Decision.objects.filter(relied_on=decision).select_related(
                "examined_place__session", "examined_place__enrolment__candidate", "jury"
            )
        ),
        ban_ends_on=candidate_rules.fraud_ban_end(decided_on) if fraud else None,
    )


@transaction.atomic
def decision_revoke(
    *,
    decision: Decision,
    reason: str,
    reference: str,
    fraud: bool = False,
    decided_on: dt.date,
    revoked_by: User,
) -> Decision:
    """Withdraw a final award: certifier admins only, with the reason and the reference of the decision."""
    check_certifier_admin(revoked_by, _("Seul un administrateur du certificateur retire une certification."))
    decision = (
        Decision.objects.select_for_update(of=("self",))
        .select_related("jury", "examined_place__enrolment__candidate")
        .get(pk=decision.pk)
    )
    result_state.refuse(decision, lifecycle.REVOKE)
    if decision.kind == OutcomeKind.NONE:
        raise ValidationError(_("Une non-attribution n'a rien à retirer."))
    errors = check(decision=decision, reason=reason, reference=reference, decided_on=decided_on)
    if errors:
        raise ValidationError(errors)
    reason, reference = reason.strip(), reference.strip()
    moved = Decision.objects.filter(pk=decision.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(),
        revoked_by=revoked_by,
        revocation_reason=reason,
        revocation_reference=reference,
        revocation_fraud=fraud,
        declaration_to_resend=True,
    )
    if moved != 1:
        raise ValidationError(_("Cette certification est déjà retirée."))
    decision.refresh_from_db()
    cancelled = []
    for parchment in Parchment.objects.filter(decision=decision, status=ParchmentStatus.VALID).order_by("pk"):
        certificate_services.parchment_cancel(
            parchment=parchment, reason=parchment_reason(reference, reason), cancelled_by=revoked_by
        )
        cancelled.append(parchment.display_number)
    candidate = decision.examined_place.enrolment.candidate
    ban = None
    if fraud:
        ban = fraud_ban_record(candidate=candidate, decided_on=decided_on, reason=reason, recorded_by=revoked_by)
    flags = carry.flag_dependants(
        reason=_("Certification retirée (décision %(reference)s)") % {"reference": reference},
        decision=decision,
        actor=revoked_by,
    )
    audit(
        place=decision.examined_place,
        action=AuditAction.REVOCATION,
        subject=_("Certification retirée — décision %(reference)s") % {"reference": reference}
        + (_(" (fraude)") if fraud else ""),
        actor=revoked_by,
        before={"décision": decision.get_kind_display()},
        after={
            "retirée le": decided_on.isoformat(),
            "référence": reference,
            "fraude": fraud,
            "parchemins annulés": cancelled,
            "exclusion jusqu'au": ban.ends_on.isoformat() if ban else None,
            "décisions signalées": len(flags),
        },
        reason=reason,
    )
    return decision
