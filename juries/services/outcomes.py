"""The evaluation jury's conclusions: its recommendation for each candidate and the transmission of its
deliberation to a certification jury."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from cqp.models import Block, CertificationVersion
from evaluations.models import Attendance, SessionCandidate
from juries import access, rules, selectors
from juries.models import (
    AuditAction,
    Decision,
    Grid,
    Jury,
    JuryKind,
    JurySeat,
    OutcomeKind,
    Recommendation,
)
from juries.rule_sets import rules_for
from juries.services.audit import audit
from juries.services.composition import _organisations_of
from juries.services.grids import _check_gradable, _refuse_if_transmitted
from juries.services.impartiality import _require_keeper, recusals_refresh


def _row(place: SessionCandidate) -> selectors.Row:
    return selectors.deliberation_rows([place], place.session.version)[0]


def _validate_outcome(*, version: CertificationVersion, kind: str, blocks: Collection[Block], field: str) -> list[str]:
    if kind not in OutcomeKind.values:
        raise ValidationError({"kind": _("Choisissez : attribution totale, partielle ou non-attribution.")})
    codes = sorted({b.code for b in blocks if b.version_id == version.pk})
    if any(b.version_id != version.pk for b in blocks):
        raise ValidationError({field: _("Ces blocs n'appartiennent pas à la certification.")})
    if kind == OutcomeKind.PARTIAL:
        if not version.partial_award_allowed:
            raise ValidationError({"kind": _("Cette certification ne s'attribue pas partiellement par blocs.")})
        if not codes:
            raise ValidationError({field: _("Une attribution partielle nomme les blocs attribués.")})
        if len(codes) == version.blocks.count():
            raise ValidationError({field: _("Tous les blocs : c'est une attribution totale.")})
    return codes if kind == OutcomeKind.PARTIAL else []


@transaction.atomic
def recommendation_record(
    *, place: SessionCandidate, kind: str, blocks: Collection[Block], comments: str, recorded_by: User
) -> Recommendation:
    """The evaluation jury's recommendation for a candidate, once the consensus grids are all validated."""
    place = SessionCandidate.objects.select_related("session__version", "enrolment__candidate").get(pk=place.pk)
    jury = Jury.objects.select_related("session", "president__user").get(session=place.session)
    _require_keeper(jury, place, recorded_by)  # who acts first: an outsider learns nothing of the jury's state
    _check_gradable(jury, place)
    _refuse_if_transmitted(
        jury,
        place,
        # After transmission the recommendation follows a consensus grid the certifier reopened since.
        reopened=jury.transmitted_at is not None
        and Grid.objects.filter(place=place, member__isnull=True, reopened_at__gt=jury.transmitted_at).exists(),
    )
    row = _row(place)
    if not row.graded:
        raise ValidationError(_("Validez d'abord toutes les grilles de consensus de ce candidat."))
    codes = _validate_outcome(version=place.session.version, kind=kind, blocks=blocks, field="blocks")
    existing = Recommendation.objects.filter(place=place).prefetch_related("blocks").first()
    before = _outcome_snapshot(existing) if existing else None
    recommendation = existing or Recommendation(place=place)
    recommendation.kind = kind
    recommendation.comments = comments.strip()
    recommendation.recorded_by = recorded_by
    recommendation.full_clean()
    recommendation.save()
    recommendation.blocks.set([b for b in blocks if b.code in codes])
    after = _outcome_snapshot(recommendation)
    if after != before:
        audit(
            place=place,
            action=AuditAction.RECOMMENDATION,
            subject=_("Préconisation du jury d'évaluation"),
            actor=recorded_by,
            before=before,
            after=after,
        )
    return recommendation


def _outcome_snapshot(obj: Recommendation | Decision) -> dict[str, Any]:
    snapshot: dict[str, Any] = {"issue": obj.kind, "blocs": sorted(b.code for b in obj.blocks.all())}
    if isinstance(obj, Recommendation):
        snapshot["commentaires"] = obj.comments
    else:
        snapshot["motif"] = obj.reason
    return snapshot


def _refuse_internal_majority(certification_jury: Jury, *, organisations: set[int]) -> None:
    """A certification jury is usually composed before any session is transmitted to it, when `jury_assign`
    cannot know whose candidates it will assess: check "at least half external" again against the
    organisations it receives, and mark the seats that turn out internal."""
    organisations = organisations | _organisations_of(certification_jury)
    seats = list(certification_jury.seats.select_related("member__user"))
    internal = [seat.member.name for seat in seats if seat.member.organisation_id in organisations]
    jury_rules = rules_for(certification_jury.version_id, certification_jury.kind)
    if rules.too_internal(
        internal=len(internal),
        size=max(len(seats), jury_rules.full_size),
        external_percent=jury_rules.external_percent,
    ):
        raise ValidationError(
            _("%(names)s appartiennent à l'organisme de formation des candidats : %(share)s.")
            % {"names": ", ".join(internal), "share": rules.external_share_rule(jury_rules)}
        )
    JurySeat.objects.filter(pk__in=[s.pk for s in seats if s.member.organisation_id in organisations]).update(
        internal=True
    )


@transaction.atomic
def deliberation_transmit(*, jury: Jury, certification_jury: Jury, transmitted_by: User) -> Jury:
    """The evaluation jury hands its grids, livrets and deliberation grid to a certification jury: every
    candidate present has validated consensus grids and a recommendation."""
    jury = Jury.objects.select_for_update(of=("self",)).select_related("session", "president__user").get(pk=jury.pk)
    if not jury.is_evaluation:
        raise ValidationError(_("Seul un jury d'évaluation transmet ses résultats."))
    access.check_president_or_certifier(
        transmitted_by, jury, _("Le président du jury d'évaluation transmet la grille de délibération.")
    )
    if jury.transmitted_at is not None:
        raise ValidationError(_("Les résultats de cette session sont déjà transmis."))
    if certification_jury.kind != JuryKind.CERTIFICATION or certification_jury.version_id != jury.version_id:
        raise ValidationError(_("Choisissez un jury de certification de la même certification."))
    # Locked as its members sign: a session cannot reach a jury whose PV is being locked.
    certification_jury = Jury.objects.select_for_update(of=("self",)).get(pk=certification_jury.pk)
    if selectors.juries_with_signed_pv().filter(pk=certification_jury.pk).exists():
        raise ValidationError(
            _(
                "Le procès-verbal de ce jury de certification est signé : il ne statue plus. Transmettez à un "
                "autre jury de certification."
            )
        )
    _refuse_internal_majority(certification_jury, organisations={jury.evaluated_session.organisation_id})
    # A candidate still "expected" would reach the certification jury ungraded once signed in.
    unrecorded = [
        place.enrolment.candidate.display_name
        for place in SessionCandidate.objects.filter(
            session_id=jury.session_id, attendance=Attendance.EXPECTED
        ).select_related("enrolment__candidate")
    ]
    if unrecorded:
        raise ValidationError(
            _("Présence à noter sur la feuille d'émargement pour : %(names)s.") % {"names": ", ".join(unrecorded)}
        )
    rows = selectors.deliberation_rows(selectors.session_places(jury), jury.version)
    if not rows:
        raise ValidationError(_("Aucun candidat présent : rien à transmettre."))
    missing = [r.candidate.display_name for r in rows if not r.graded]
    if missing:
        raise ValidationError(_("Grilles de consensus à valider pour : %(names)s.") % {"names": ", ".join(missing)})
    unrecommended = [r.candidate.display_name for r in rows if r.recommendation is None]
    if unrecommended:
        raise ValidationError(_("Préconisation à saisir pour : %(names)s.") % {"names": ", ".join(unrecommended)})
    jury.certification_jury = certification_jury
    jury.transmitted_at = timezone.now()
    jury.transmitted_by = transmitted_by
    jury.save(update_fields=["certification_jury", "transmitted_at", "transmitted_by"])
    for row in rows:
        audit(
            place=row.place,
            action=AuditAction.TRANSMITTED,
            subject=str(certification_jury),
            actor=transmitted_by,
        )
    recusals_refresh(jury=certification_jury, actor=transmitted_by)
    return jury
