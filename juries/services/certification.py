"""The certification jury: disputes and decisions (total, partial or none), with a written reason when a
decision departs from the recommendation or from the result computed by the rules."""

from __future__ import annotations

from collections.abc import Collection

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from cqp.lib.outcomes import outcome_words
from cqp.models import Block
from evaluations.models import SessionCandidate
from juries import access, rules, selectors
from juries.models import (
    AuditAction,
    Decision,
    Dispute,
    Jury,
    JuryKind,
)
from juries.services.audit import audit
from juries.services.composition import _require_complete
from juries.services.impartiality import _require_keeper
from juries.services.outcomes import _outcome_snapshot, _row, _validate_outcome


def _refuse_if_pv_signed(jury: Jury) -> None:
    # The PV (certificates app) is reached through its reverse relation: juries do not depend on it.
    if selectors.juries_with_signed_pv().filter(pk=jury.pk).exists():
        raise ValidationError(_("Le procès-verbal est signé par tous les membres : les décisions ne changent plus."))


def _certification_place(jury: Jury, place: SessionCandidate) -> SessionCandidate:
    if jury.kind != JuryKind.CERTIFICATION:
        raise ValidationError(_("Seul le jury de certification décide."))
    found = selectors.transmitted_places(jury).filter(pk=place.pk).select_related("session__version").first()
    if found is None:
        raise ValidationError(_("Les résultats de ce candidat n'ont pas été transmis à ce jury."))
    return found


@transaction.atomic
def dispute_record(
    *, jury: Jury, place: SessionCandidate, description: str, summon_evaluation_jury: bool, recorded_by: User
) -> Dispute:
    access.check_jury_actor(recorded_by, jury, _("Seuls les membres du jury de certification enregistrent un litige."))
    place = _certification_place(jury, place)
    _refuse_if_pv_signed(jury)
    if Decision.objects.filter(place=place).exists():
        raise ValidationError(_("Le jury a déjà statué sur ce candidat."))
    if not description.strip():
        raise ValidationError({"description": _("Décrivez l'objet du litige.")})
    dispute = Dispute(
        jury=jury,
        place=place,
        description=description.strip(),
        summon_evaluation_jury=summon_evaluation_jury,
        recorded_by=recorded_by,
    )
    dispute.full_clean()
    dispute.save()
    audit(
        place=place,
        action=AuditAction.DISPUTE,
        subject=_("Litige (jury d'évaluation convoqué)") if summon_evaluation_jury else _("Litige"),
        actor=recorded_by,
        after={"objet": dispute.description},
    )
    return dispute


@transaction.atomic
def dispute_resolve(*, dispute: Dispute, resolution: str, resolved_by: User) -> Dispute:
    access.check_jury_actor(
        resolved_by, dispute.jury, _("Seuls les membres du jury de certification closent un litige.")
    )
    if not resolution.strip():
        raise ValidationError({"resolution": _("Indiquez l'issue du litige.")})
    moved = Dispute.objects.filter(pk=dispute.pk, resolved_at__isnull=True).update(
        resolution=resolution.strip(), resolved_at=timezone.now(), resolved_by=resolved_by
    )
    if moved != 1:
        raise ValidationError(_("Ce litige est déjà clos."))
    dispute.refresh_from_db()
    audit(
        place=dispute.place,
        action=AuditAction.DISPUTE_RESOLVED,
        subject=_("Litige clos"),
        actor=resolved_by,
        before={"objet": dispute.description},
        after={"issue": dispute.resolution},
    )
    return dispute


@transaction.atomic
def decision_record(
    *, jury: Jury, place: SessionCandidate, kind: str, blocks: Collection[Block], reason: str, decided_by: User
) -> Decision:
    """The certification jury decides: total, partial (which blocks) or none. A decision that departs from
    the evaluation jury's recommendation or from the result computed by the rules needs a written reason."""
    jury = Jury.objects.select_for_update(of=("self",)).select_related("president__user", "version").get(pk=jury.pk)
    _require_keeper(jury, place, decided_by)  # who acts first (403), then the state
    place = _certification_place(jury, place)
    _require_complete(jury)
    _refuse_if_pv_signed(jury)
    if Dispute.objects.filter(place=place, jury=jury, resolved_at__isnull=True).exists():
        raise ValidationError(_("Un litige est ouvert sur ce candidat : closez-le avant de statuer."))
    codes = _validate_outcome(version=jury.version, kind=kind, blocks=blocks, field="blocks")
    row = _row(place)
    if row.outcome is None:
        raise ValidationError(
            _(
                "Les grilles de consensus de ce candidat ne sont pas toutes validées : "
                "le jury d'évaluation doit les reprendre."
            )
        )
    departures = []
    computed = row.outcome
    if computed is not None and rules.departs(
        kind=kind, blocks=codes, reference_kind=computed.kind, reference_blocks=computed.acquired_blocks
    ):
        departures.append(
            _("du résultat calculé par les règles (%(kind)s)")
            % {"kind": outcome_words(computed.kind, computed.acquired_blocks, lower=True)}
        )
    recommendation = row.recommendation
    if recommendation is not None:
        recommended = [b.code for b in recommendation.blocks.all()]
        if rules.departs(kind=kind, blocks=codes, reference_kind=recommendation.kind, reference_blocks=recommended):
            departures.append(
                _("de la préconisation du jury d'évaluation (%(kind)s)")
                % {"kind": outcome_words(recommendation.kind, recommended, lower=True)}
            )
    if departures and not reason.strip():
        raise ValidationError(
            {
                "reason": _("Cette décision s'écarte %(what)s : motivez-la par écrit.")
                % {"what": " et ".join(departures)}
            }
        )
    existing = Decision.objects.filter(place=place).prefetch_related("blocks").first()
    before = _outcome_snapshot(existing) if existing else None
    decision = existing or Decision(place=place, jury=jury)
    decision.kind = kind
    decision.reason = reason.strip()
    decision.decided_by = decided_by
    decision.full_clean()
    decision.save()
    decision.blocks.set([b for b in blocks if b.code in codes])
    after = _outcome_snapshot(decision)
    if after != before:
        audit(
            place=place,
            action=AuditAction.DECISION,
            subject=str(jury),
            actor=decided_by,
            before=before,
            after=after,
            reason=decision.reason,
        )
    return decision
