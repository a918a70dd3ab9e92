"""Carry-over that cannot lie: a block counts as acquired in a later session only from a *final* result of an
earlier session of the same certification version, or from a prior acquisition a certifier admin recorded, and
only within the block's validity (31313: unlimited). A result that stops being final raises a flag on every
later decision that relied on it; a flagged decision carries nothing and issues nothing until an admin resolves
the flag."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from cqp.lib import bounds
from cqp.models import Block
from evaluations.models import SessionCandidate
from juries import lifecycle, result_state, rules
from juries.models import AuditAction, CarryOverFlag, Decision, OutcomeKind, PriorAcquisition


@dataclass(frozen=True)
class Carried:
    """One block carried into a place: when it was acquired and where from."""

    block_id: int
    acquired_on: dt.date
    decision_id: int | None
    prior_id: int | None
    origin: str  # in French, for the pages: the session and date, or the prior acquisition


def carriable_decisions(qs: QuerySet[Decision] | None = None) -> QuerySet[Decision]:
    """Final awards (total or partial) with no unresolved flag: the only decisions a later session may rely on."""
    return result_state.final_decisions(qs).filter(kind__in=[OutcomeKind.TOTAL, OutcomeKind.PARTIAL]).exclude(flagged())


def _decision_origin(decision: Decision) -> str:
    return _("session du %(start)s, jury de certification du %(date)s") % {
        "start": f"{decision.examined_place.session.starts_on:%d/%m/%Y}",
        "date": f"{decision.jury.meets_on:%d/%m/%Y}",
    }


def _prior_origin(prior: PriorAcquisition) -> str:
    return _("acquis antérieur (%(source)s, réf. %(reference)s) du %(date)s") % {
        "source": prior.get_source_display().lower(),
        "reference": prior.reference,
        "date": f"{prior.acquired_on:%d/%m/%Y}",
    }


def carried(
    places: Sequence[SessionCandidate], blocks_of: dict[int, list[Block]] | None = None
) -> dict[int, dict[int, Carried]]:
    """{place: {block: Carried}} for places whose `session__version` and `enrolment` are loaded. The earliest
    acquisition wins. Three queries whatever the number of places (two when `blocks_of`, {version: blocks}, is
    given)."""
    result: dict[int, dict[int, Carried]] = {p.pk: {} for p in places}
    if not places:
        return result
    by_candidate: dict[int, list[SessionCandidate]] = defaultdict(list)
    for place in places:
        by_candidate[place.enrolment.candidate_id].append(place)
    versions = {p.session.version_id for p in places}
    if blocks_of is None:
        blocks_of = defaultdict(list)
        for block in Block.objects.filter(version_id__in=versions).order_by("order", "code"):
            blocks_of[block.version_id].append(block)
    block_version = {b.pk: v for v, bs in blocks_of.items() for b in bs}
    here = [p.pk for p in places]
    decisions = (
        carriable_decisions(
            Decision.objects.filter(
                examined_place__enrolment__candidate_id__in=list(by_candidate),
                examined_place__session__version_id__in=versions,
            ).exclude(examined_place_id__in=here)
        )
        .select_related("jury", "examined_place__enrolment", "examined_place__session")
        .prefetch_related("blocks")
        .order_by()
    )
    priors = PriorAcquisition.objects.filter(
        candidate_id__in=list(by_candidate), withdrawn_at__isnull=True, block__version_id__in=versions
    ).order_by()

    def offer(place: SessionCandidate, item: Carried) -> None:
        known = result[place.pk].get(item.block_id)
        if known is None or item.acquired_on < known.acquired_on:
            result[place.pk][item.block_id] = item

    def valid(acquired_on: dt.date, place: SessionCandidate) -> bool:
        return acquired_on < place.session.starts_on and rules.block_still_valid(
            acquired_on=acquired_on,
            validity_years=place.session.version.block_validity_years,
            on=place.session.starts_on,
        )

    for decision in decisions:
        earlier = decision.examined_place
        version_id = earlier.session.version_id
        awarded = (
            [b.pk for b in blocks_of.get(version_id, [])]
            if decision.kind == OutcomeKind.TOTAL
            else [b.pk for b in decision.blocks.all()]
        )
        for place in by_candidate[earlier.enrolment.candidate_id]:
            if place.session.version_id != version_id or earlier.session.starts_on >= place.session.starts_on:
                continue
            if not valid(decision.jury.meets_on, place):
                continue
            origin = _decision_origin(decision)
            for block_id in awarded:
                offer(place, Carried(block_id, decision.jury.meets_on, decision.pk, None, origin))
    for prior in priors:
        for place in by_candidate[prior.candidate_id]:
            if block_version.get(prior.block_id) != place.session.version_id or not valid(prior.acquired_on, place):
                continue
            offer(place, Carried(prior.block_id, prior.acquired_on, None, prior.pk, _prior_origin(prior)))
    return result


def sources(place: SessionCandidate) -> list[Carried]:
    return list(carried([place]).get(place.pk, {}).values())


def record_sources(decision: Decision, items: Iterable[Carried]) -> None:
    """Remember what the decision carried over, so that a change to those results flags it."""
    items = list(items)
    decision.relied_on.set({i.decision_id for i in items if i.decision_id is not None})
    decision.relied_on_prior.set({i.prior_id for i in items if i.prior_id is not None})


def unresolved_flags(decision: Decision) -> QuerySet[CarryOverFlag]:
    return CarryOverFlag.objects.filter(decision=decision, resolved_at__isnull=True)


def flag_dependants(
    *, reason: str, decision: Decision | None = None, prior: PriorAcquisition | None = None, actor: User | None
) -> list[CarryOverFlag]:
    """Flag every later decision that relied on `decision` or `prior` (and, through them, on theirs): the
    result they carried over stopped being final."""
    bounds.check_text(reason, bounds.SHORT_TEXT_LENGTH, _("motif"))
    flags: list[CarryOverFlag] = []
    seen: set[int] = set()
    queue: list[tuple[Decision, Decision | None, PriorAcquisition | None]]
    if decision is not None:
        queue = [(d, decision, None) for d in Decision.objects.filter(relied_on=decision)]
    elif prior is not None:
        queue = [(d, None, prior) for d in Decision.objects.filter(relied_on_prior=prior)]
    else:
        return flags
    while queue:
        dependant, source_decision, source_prior = queue.pop(0)
        if dependant.pk in seen:
            continue
        seen.add(dependant.pk)
        from juries.services.audit import audit

        flag = CarryOverFlag.objects.create(
            decision=dependant, source_decision=source_decision, source_prior=source_prior, reason=reason
        )
        flags.append(flag)
        audit(
            place=dependant.examined_place,
            action=AuditAction.CARRY_FLAG,
            subject=_("Report d'acquis à revoir"),
            actor=actor,
            reason=reason,
        )
        queue.extend((d, dependant, None) for d in Decision.objects.filter(relied_on=dependant))
    return flags


def issue_refusal(decision: Decision) -> str | None:
    """Why nothing may be issued from `decision` (parchment, declaration), or None."""
    state = result_state.state(decision)
    if not lifecycle.counts(state):
        return _("Ce résultat est %(state)s : rien ne s'émet tant qu'il n'est pas définitif.") % {
            "state": str(lifecycle.LABELS[state]).lower()
        }
    if unresolved_flags(decision).exists():
        return _(
            "Un acquis reporté dans ce résultat a changé depuis (recours, retrait) : "
            "un administrateur doit revoir le report avant toute émission."
        )
    return None


@transaction.atomic
def flag_resolve(*, flag: CarryOverFlag, resolution: str, resolved_by: User) -> CarryOverFlag:
    from accounts.access import check_certifier_admin

    check_certifier_admin(resolved_by)
    resolution = resolution.strip()
    if not resolution:
        raise ValidationError({"resolution": _("Indiquez ce qui a été vérifié ou décidé pour lever ce signalement.")})
    bounds.check_text(resolution, bounds.LONG_TEXT_LENGTH, _("résolution"))
    moved = CarryOverFlag.objects.filter(pk=flag.pk, resolved_at__isnull=True).update(
        resolution=resolution, resolved_at=timezone.now(), resolved_by=resolved_by
    )
    if moved != 1:
        raise ValidationError(_("Ce signalement est déjà levé."))
    flag.refresh_from_db()
    from juries.services.audit import audit

    audit(
        place=flag.decision.examined_place,
        action=AuditAction.CARRY_FLAG,
        subject=_("Report d'acquis revu"),
        actor=resolved_by,
        after={"résolution": resolution},
    )
    return flag


def flagged() -> Exists:
    """Decisions with an unresolved flag (a filter for querysets of decisions)."""
    return Exists(CarryOverFlag.objects.filter(decision_id=OuterRef("pk"), resolved_at__isnull=True))
