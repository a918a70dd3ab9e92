"""What the pages showing certification jury results read of their state and of their carry-over flags, in the
query that lists them (`with_state`): a list of results keeps its number of queries whatever its length. The
state itself is `juries.result_state`'s; the badge is `juries/_result_state.html` (`{% result_state d %}`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery

from candidates.models import Candidate
from juries import result_state
from juries.models import CarryOverFlag, Decision, Jury

# The deadlines page lists the unresolved flags whole: they are few (a result changed after others relied on it);
# a bound all the same.
OPEN_FLAGS_SHOWN = 200


def _unresolved() -> QuerySet[CarryOverFlag]:
    return CarryOverFlag.objects.filter(resolved_at__isnull=True)


def with_state(qs: QuerySet[Decision]) -> QuerySet[Decision]:
    """The decisions with what their state is made of and their first unresolved carry-over flag (`open_flag`),
    in the same query."""
    first_flag = _unresolved().filter(decision_id=OuterRef("pk")).order_by("raised_at", "pk").values("pk")[:1]
    return result_state.with_result_state(qs).annotate(_open_flag=Subquery(first_flag))


def open_flag(decision: Decision) -> int | None:
    """The pk of the decision's first unresolved flag, read from `with_state`'s annotation."""
    return getattr(decision, "_open_flag", None)


def decision_flags(decision: Decision) -> list[CarryOverFlag]:
    """Every unresolved flag of a decision read by `with_state`, with its source; no query when it has none."""
    if open_flag(decision) is None:
        return []
    return list(
        _unresolved()
        .filter(decision=decision)
        .select_related("source_decision__jury", "source_decision__examined_place__session", "source_prior__block")
    )


def candidate_decisions(candidate: Candidate, *, notified_only: bool) -> list[Decision]:
    """Every decision ever taken on the candidate (a revised one kept beside the one replacing it), the latest
    first, with its state and its unresolved flags (`open_flags`): three queries. `notified_only`: those the
    candidate was notified of (the CPNEFP validated them), what their organisation learns too."""
    decisions = Decision.objects.filter(examined_place__enrolment__candidate=candidate)
    if notified_only:
        decisions = decisions.filter(notice__isnull=False)
    return list(
        with_state(decisions)
        .select_related("jury__version", "examined_place__session__organisation")
        .prefetch_related(
            "blocks",
            Prefetch(
                "carry_flags",
                queryset=_unresolved().select_related("source_decision__jury", "source_prior__block"),
                to_attr="open_flags",
            ),
        )
        .order_by("-jury__meets_on", "-pk")
    )


@dataclass(frozen=True)
class PvResult:
    """A PV's line: the decision it records (its state), and the decision replacing it after re-examination."""

    decision: Decision
    current: Decision | None  # None while the PV's decision is the candidate's current one


def pv_results(jury: Jury) -> dict[int, PvResult]:
    """{place: PvResult} for a certification jury's PV page: one query whatever the number of candidates."""
    by_place: dict[int, list[Decision]] = defaultdict(list)
    for decision in with_state(Decision.objects.filter(jury=jury)).order_by("pk"):
        by_place[decision.examined_place_id].append(decision)
    results = {}
    for place_id, decisions in by_place.items():
        recorded = next((d for d in decisions if d.revises_id is None), decisions[0])
        current = next((d for d in decisions if d.place_id is not None), None)
        results[place_id] = PvResult(decision=recorded, current=None if current in (None, recorded) else current)
    return results


def open_flags() -> list[CarryOverFlag]:
    """The unresolved flags, the oldest first, with what the deadlines page shows of them: one query."""
    return list(
        _unresolved()
        .select_related(
            "decision__jury__version",
            "decision__examined_place__enrolment__candidate",
            "source_decision__jury",
            "source_prior__block",
        )
        .order_by("raised_at", "pk")[:OPEN_FLAGS_SHOWN]
    )


def jury_state_counts(relation: str = "decisions") -> dict[str, Count]:
    """Annotations counting a jury's results that are not, or no longer, simply final: under appeal, revised,
    revoked, with a carry-over flag to review. `relation`: the jury's path to its decisions. Each is asked with
    IN over a narrow subquery, so the decisions grouped are not multiplied."""
    from results.models import Appeal  # results depends on juries, not the reverse

    appealed = Appeal.objects.filter(status__in=result_state.OPEN_APPEAL_STATUSES).values("decision_id")
    superseded = Decision.objects.filter(revises__isnull=False).values("revises_id")
    flagged = _unresolved().values("decision_id")
    return {
        "results_under_appeal": Count(relation, filter=Q(**{f"{relation}__in": appealed})),
        "results_revised": Count(relation, filter=Q(**{f"{relation}__in": superseded})),
        "results_revoked": Count(relation, filter=Q(**{f"{relation}__revoked_at__isnull": False})),
        "results_flagged": Count(relation, filter=Q(**{f"{relation}__in": flagged})),
    }
