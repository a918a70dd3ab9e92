"""The certification jury: disputes and decisions (total, partial or none), with a written reason when a
decision departs from the recommendation or from the result computed by the rules."""

from __future__ import annotations

from collections.abc import Collection

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from cqp.lib.outcomes import outcome_words
from cqp.models import Block
from evaluations.models import SessionCandidate
from juries import access, carry, lifecycle, result_state, rules, selectors
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
from juries.signals import decision_revised


def _refuse_if_pv_signed(jury: Jury) -> None:
    # The PV (certificates app) is reached through its reverse relation: juries do not depend on it.
    if selectors.juries_with_signed_pv().filter(pk=jury.pk).exists():
        raise ValidationError(_("Le procès-verbal est signé par tous les membres : les décisions ne changent plus."))


def _reexamined(place: SessionCandidate) -> Decision | None:
    """The decision a new evaluation ordered on appeal re-examines, when `place` is that evaluation's."""
    appeal = getattr(place, "appeal_reexamined", None)  # results.Appeal, through its reverse accessor
    return appeal.decision if appeal is not None else None


def _check_meeting_day(jury: Jury) -> None:
    today = timezone.localdate()
    if today < jury.meets_on:
        raise ValidationError(
            _("Le jury de certification se réunit le %(date)s : aucune décision ne s'enregistre avant cette date.")
            % {"date": f"{jury.meets_on:%d/%m/%Y}"}
        )


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


def _check_decidable(jury: Jury, place: SessionCandidate) -> Decision | None:
    """Whether the jury may decide (or decide again) on `place` now, whoever acts: its meeting day has come, the
    existing decision is still provisional, the jury is complete, its PV not signed by all, no dispute is open.
    Raises the refusal; returns the existing decision. The decision page asks the same (`decision_blocker`)."""
    _check_meeting_day(jury)
    existing = Decision.objects.filter(place=place).prefetch_related("blocks").first()
    if existing is not None:
        result_state.refuse(existing, lifecycle.EDIT)
    _require_complete(jury)
    _refuse_if_pv_signed(jury)
    if Dispute.objects.filter(place=place, jury=jury, resolved_at__isnull=True).exists():
        raise ValidationError(_("Un litige est ouvert sur ce candidat : closez-le avant de statuer."))
    return existing


def decisions_open(jury: Jury) -> bool:
    """Whether a certification jury takes decisions now, whatever the candidate: its meeting day has come and its
    PV is not signed by all (the same checks as `decision_record`'s). The jury's board offers them only then."""
    if jury.is_evaluation:
        return False
    try:
        _check_meeting_day(jury)
        _refuse_if_pv_signed(jury)
    except ValidationError:
        return False
    return True


def decision_blocker(*, jury: Jury, place: SessionCandidate, user: User) -> str | None:
    """Why `user` may not record a decision on `place` now (the service's own checks, in words), or None: the page
    then shows the reason instead of a form the server would refuse."""
    try:
        _require_keeper(jury, place, user)
        _check_decidable(jury, _certification_place(jury, place))
    except PermissionDenied as refused:
        return str(refused)
    except ValidationError as refused:
        return " ".join(refused.messages)
    return None


@transaction.atomic
def decision_record(
    *, jury: Jury, place: SessionCandidate, kind: str, blocks: Collection[Block], reason: str, decided_by: User
) -> Decision:
    """The certification jury decides: total, partial (which blocks) or none. A decision that departs from
    the evaluation jury's recommendation or from the result computed by the rules needs a written reason."""
    jury = Jury.objects.select_for_update(of=("self",)).select_related("president__user", "version").get(pk=jury.pk)
    _require_keeper(jury, place, decided_by)  # who acts first (403), then the state
    place = _certification_place(jury, place)
    existing = _check_decidable(jury, place)
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
    before = _outcome_snapshot(existing) if existing else None
    decision = existing or Decision(place=place, examined_place=place, jury=jury)
    reexamined = _reexamined(place) if existing is None else None
    if reexamined is not None:
        # A new evaluation ordered on appeal: this decision replaces the appealed one.
        result_state.refuse(reexamined, lifecycle.REVISE)
        decision.revises = reexamined
        decision.declaration_to_resend = True
    decision.kind = kind
    decision.reason = reason.strip()
    decision.decided_by = decided_by
    decision.full_clean()
    decision.save()
    decision.blocks.set([b for b in blocks if b.code in codes])
    carry.record_sources(decision, carry.sources(place))
    after = _outcome_snapshot(decision)
    if reexamined is not None:
        carry.flag_dependants(
            reason=_("Résultat révisé après recours (nouvelle évaluation)"), decision=reexamined, actor=decided_by
        )
        decision_revised.send(sender=Decision, old=reexamined, new=decision)
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


@transaction.atomic
def revision_record(
    *, decision: Decision, kind: str, blocks: Collection[Block], reason: str, decided_by: User
) -> Decision:
    """The certification jury decides again on the existing grids, after a re-examination ordered on appeal.
    The appealed decision is kept, never edited: it loses its place to the new one, which `revises` it and is
    made final by its own PV addendum (results app), signed like a PV."""
    jury = (
        Jury.objects.select_for_update(of=("self",))
        .select_related("president__user", "version")
        .get(pk=decision.jury_id)
    )
    old = Decision.objects.select_for_update(of=("self",)).select_related("place").get(pk=decision.pk)
    if old.place is None:
        raise ValidationError(_("Cette décision a déjà été remplacée."))
    place = old.place
    _require_keeper(jury, place, decided_by)
    result_state.refuse(old, lifecycle.REVISE)
    codes = _validate_outcome(version=jury.version, kind=kind, blocks=blocks, field="blocks")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Motivez la décision prise après réexamen.")})
    before = _outcome_snapshot(old)
    Decision.objects.filter(pk=old.pk).update(place=None)
    new = Decision(
        place=place,
        examined_place=place,
        jury=jury,
        kind=kind,
        reason=reason,
        decided_by=decided_by,
        revises=old,
        needs_addendum=True,
        declaration_to_resend=True,
    )
    new.full_clean(exclude=["place"])
    new.save()
    new.blocks.set([b for b in blocks if b.code in codes])
    new.relied_on.set(old.relied_on.all())
    new.relied_on_prior.set(old.relied_on_prior.all())
    audit(
        place=place,
        action=AuditAction.REVISION,
        subject=_("Décision révisée après réexamen — %(jury)s") % {"jury": jury},
        actor=decided_by,
        before=before,
        after=_outcome_snapshot(new),
        reason=reason,
    )
    carry.flag_dependants(reason=_("Résultat révisé après recours"), decision=old, actor=decided_by)
    decision_revised.send(sender=Decision, old=old, new=new)
    return new
