"""The state of certification jury results, read from the database in the query that lists them (the rule
itself is `juries.lifecycle`). `with_result_state(qs)` annotates a queryset of decisions; `state(d)` reads an
annotated decision, or a bare one at the cost of a few queries."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet

from juries import lifecycle
from juries.models import Decision

# The statuses of an open appeal (results.models.OPEN_STATUSES; juries does not import results).
OPEN_APPEAL_STATUSES = ("received", "reexamination")


def _pv_signed(jury_ref: str) -> Exists:
    from certificates.models import ProcesVerbal, PvStatus

    return Exists(ProcesVerbal.objects.filter(jury_id=OuterRef(jury_ref), status=PvStatus.SIGNED))


def _validated(jury_ref: str) -> Exists:
    from certificates.models import CpnefpValidation

    return Exists(CpnefpValidation.objects.filter(jury_id=OuterRef(jury_ref)))


def _addendum_signed() -> Exists:
    from results.models import AddendumStatus, PvAddendum

    return Exists(PvAddendum.objects.filter(decision_id=OuterRef("pk"), status=AddendumStatus.SIGNED))


def _open_appeal() -> Exists:
    from results.models import Appeal

    return Exists(Appeal.objects.filter(decision_id=OuterRef("pk"), status__in=OPEN_APPEAL_STATUSES))


def ratified_q() -> Q:
    """Decisions made final: PV signed by all and CPNEFP validation recorded, or, for a revision decided on the
    existing grids, its PV addendum signed by all."""
    return Q(needs_addendum=False, _rs_pv=True, _rs_validated=True) | Q(needs_addendum=True, _rs_addendum=True)


def with_result_state(qs: QuerySet[Decision]) -> QuerySet[Decision]:
    """The decisions with what their state is made of, in the same query."""
    return qs.annotate(
        _rs_pv=_pv_signed("jury_id"),
        _rs_validated=_validated("jury_id"),
        _rs_addendum=_addendum_signed(),
        _rs_open_appeal=_open_appeal(),
        _rs_superseded=Exists(Decision.objects.filter(revises_id=OuterRef("pk"))),
    )


def final_decisions(qs: QuerySet[Decision] | None = None) -> QuerySet[Decision]:
    """The results that count: final (ratified, no open appeal, not replaced, not revoked)."""
    qs = Decision.objects.all() if qs is None else qs
    return (
        with_result_state(qs)
        .filter(ratified_q(), revoked_at__isnull=True)
        .exclude(Q(_rs_open_appeal=True) | Q(_rs_superseded=True))
    )


def facts(decision: Decision) -> lifecycle.Facts:
    if not hasattr(decision, "_rs_pv"):
        decision = with_result_state(Decision.objects.filter(pk=decision.pk)).get()
    ratified = decision._rs_addendum if decision.needs_addendum else decision._rs_pv and decision._rs_validated  # type: ignore[attr-defined]
    return lifecycle.Facts(
        ratified=bool(ratified),
        open_appeal=bool(decision._rs_open_appeal),  # type: ignore[attr-defined]
        superseded=bool(decision._rs_superseded),  # type: ignore[attr-defined]
        revoked=decision.revoked_at is not None,
    )


def state(decision: Decision) -> str:
    return lifecycle.state_of(facts(decision))


def states(decisions: Iterable[Decision]) -> dict[int, str]:
    return {d.pk: state(d) for d in decisions}


def refuse(decision: Decision, event: str) -> None:
    """Raise the lifecycle's French refusal (ValidationError) when `decision`'s state does not allow `event`."""
    from django.core.exceptions import ValidationError

    reason = lifecycle.refusal(state(decision), event)
    if reason is not None:
        raise ValidationError(reason)


class StateView:
    """What a page shows of a result's state: label, explanation, badge colour."""

    def __init__(self, value: str) -> None:
        self.value = value
        self.label = lifecycle.LABELS[value]
        self.explanation = lifecycle.EXPLANATIONS[value]
        self.badge = lifecycle.BADGES[value]
        self.counts = lifecycle.counts(value)


def view(decision: Decision) -> StateView:
    return StateView(state(decision))
