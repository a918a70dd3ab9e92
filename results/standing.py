"""What a candidate has acquired for good and what remains, read for the candidate's file and their space: the
blocks of each enrolment as a session starting on a given day would count them (`juries.carry`: final results
and recorded prior acquisitions, within the block's validity), their results with their state, their prior
acquisitions. A constant number of queries whatever the number of enrolments and results."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from candidates.models import Candidate, Enrolment, EnrolmentStatus
from cqp.models import Block
from evaluations.models import EvaluationSession, SessionCandidate
from juries import carry, lifecycle, result_state
from juries.models import Decision, OutcomeKind, PriorAcquisition


@dataclass(frozen=True)
class BlockStanding:
    block: Block
    carried: carry.Carried | None  # acquired for good (final result or prior acquisition), with its origin

    @property
    def acquired(self) -> bool:
        return self.carried is not None


@dataclass
class EnrolmentStanding:
    enrolment: Enrolment
    blocks: list[BlockStanding] = field(default_factory=list)

    @property
    def acquired(self) -> list[BlockStanding]:
        return [b for b in self.blocks if b.acquired]

    @property
    def remaining(self) -> list[Block]:
        return [b.block for b in self.blocks if not b.acquired]


def standings(enrolments: Sequence[Enrolment], *, on: dt.date) -> list[EnrolmentStanding]:
    """Each enrolment's blocks, in order, acquired for good or not as a session starting on `on` would count
    them. `enrolments` come with their `version` loaded and their `blocks` prefetched; three queries in all."""
    if not enrolments:
        return []
    # Unsaved places of a session starting on `on` ask `carry` the question; each gets the negative of its
    # enrolment's pk as its key (no real place has one, so none is left out as "this very place").
    places = []
    for enrolment in enrolments:
        session = EvaluationSession(version=enrolment.version, starts_on=on, ends_on=on)
        places.append(SessionCandidate(pk=-enrolment.pk, session=session, enrolment=enrolment))
    blocks_of: dict[int, list[Block]] = defaultdict(list)
    for block in Block.objects.filter(version_id__in={e.version_id for e in enrolments}).order_by("order", "code"):
        blocks_of[block.version_id].append(block)
    acquired = carry.carried(places, blocks_of)
    result = []
    for enrolment, place in zip(enrolments, places, strict=True):
        mine = acquired.get(place.pk, {})
        chosen = {b.pk for b in enrolment.blocks.all()}
        result.append(
            EnrolmentStanding(
                enrolment=enrolment,
                blocks=[
                    BlockStanding(block=b, carried=mine.get(b.pk))
                    for b in blocks_of[enrolment.version_id]
                    if b.pk in chosen
                ],
            )
        )
    return result


def enrolment_standing(enrolment: Enrolment, *, on: dt.date) -> EnrolmentStanding:
    return standings([enrolment], on=on)[0]


@dataclass
class ResultLine:
    """A current result of the candidate, as the candidate's file shows it."""

    decision: Decision
    state: result_state.StateView

    @property
    def resit_possible(self) -> bool:
        return self.state.value == lifecycle.FINAL and self.decision.kind != OutcomeKind.TOTAL


def candidate_results(candidate: Candidate) -> list[ResultLine]:
    """The candidate's current results (not those replaced by a revision), latest first, with their state (two
    queries)."""
    decisions = (
        result_state.with_result_state(
            Decision.objects.filter(place__isnull=False, examined_place__enrolment__candidate=candidate)
        )
        .select_related("jury__version", "examined_place__session")
        .prefetch_related(Prefetch("blocks", queryset=Block.objects.order_by("order", "code")))
        .order_by("-jury__meets_on", "-pk")
    )
    return [ResultLine(decision=d, state=result_state.StateView(result_state.state(d))) for d in decisions]


def prior_acquisitions(candidate: Candidate) -> list[PriorAcquisition]:
    """Every prior acquisition of the candidate, withdrawn ones included (one query)."""
    return list(
        PriorAcquisition.objects.filter(candidate=candidate)
        .select_related("block__version", "recorded_by", "withdrawn_by")
        .order_by("withdrawn_at", "block__version_id", "block__order", "pk")
    )


def active_enrolments(candidate: Candidate) -> list[Enrolment]:
    return list(
        candidate.enrolments.filter(status=EnrolmentStatus.ACTIVE)
        .select_related("version")
        .prefetch_related("blocks")
        .order_by("pk")
    )


def candidate_file(candidate: Candidate, *, on: dt.date) -> dict[str, object]:
    """The candidate file's sections: results with their state, prior acquisitions, acquired and remaining
    blocks of each active enrolment."""
    return {
        "results_lines": candidate_results(candidate),
        "prior_acquisitions": prior_acquisitions(candidate),
        "block_standings": standings(active_enrolments(candidate), on=on),
    }


def candidate_space_blocks(enrolments: Sequence[Enrolment]) -> dict[str, object]:
    """The candidate space's section: for each active enrolment of the candidate's (as the space reads them, with
    their version and blocks), the blocks acquired for good (final results, prior acquisitions) and those that
    remain (three queries)."""
    active = [e for e in enrolments if e.status == EnrolmentStatus.ACTIVE]
    return {"my_block_standings": standings(active, on=timezone.localdate() + dt.timedelta(days=1))}
