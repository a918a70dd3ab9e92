"""What a candidate has acquired for good and what remains, read for the candidate's file and their space: the
blocks of each enrolment as a session starting on a given day would count them (`juries.carry`: final results
and recorded prior acquisitions, within the block's validity), their results with their state, their prior
acquisitions; and each enrolment's true state (`enrolment_states`: « Inscrite », « Résultat provisoire »,
« Certifiée »…), the one answer of the candidate's space, the staff's candidate page and list, and of the
document board and upload service (`document_refusal`). A constant number of queries whatever the number of
enrolments and results."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, Subquery
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from candidates.models import Candidate, Enrolment, EnrolmentStatus
from certificates.models import Parchment, ResultNotice
from cqp.lib import outcomes
from cqp.lib.agreement import agree
from cqp.lib.blocks import codes_text
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


def candidate_results(candidate: Candidate, *, notified_only: bool = False) -> list[ResultLine]:
    """The candidate's current results (not those replaced by a revision), latest first, with their state (two
    queries). `notified_only`: those the candidate was notified of (what their organisation learns, as
    `enrolment_states` says it)."""
    current = Decision.objects.filter(place__isnull=False, examined_place__enrolment__candidate=candidate)
    if notified_only:
        current = current.filter(notice__isnull=False)
    decisions = (
        result_state.with_result_state(current)
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


def candidate_file(candidate: Candidate, *, on: dt.date, notified_only: bool = False) -> dict[str, object]:
    """The candidate file's sections: results with their state (`notified_only`: those notified, for the
    organisation), prior acquisitions, acquired and remaining blocks of each active enrolment."""
    return {
        "results_lines": candidate_results(candidate, notified_only=notified_only),
        "prior_acquisitions": prior_acquisitions(candidate),
        "block_standings": standings(active_enrolments(candidate), on=on),
    }


# --- The true state of an enrolment -------------------------------------------------------------------------
# What an enrolment has come to, said the same way in the candidate's space, on the staff's candidate page and list,
# and asked by the document upload service: enrolled, withdrawn, or what its latest current result says.

ENROLLED = "enrolled"
WITHDRAWN = "withdrawn"
AWAITING = "awaiting"  # a result not final yet (or not notified to the reader)
UNDER_APPEAL = "under_appeal"
CERTIFIED = "certified"
PARTIAL = "partial"
NOT_CERTIFIED = "not_certified"
REVOKED = "revoked"

STATE_BADGES = {
    ENROLLED: "primary",
    WITHDRAWN: "secondary",
    AWAITING: "info",
    UNDER_APPEAL: "warning",
    CERTIFIED: "success",
    PARTIAL: "success",
    NOT_CERTIFIED: "secondary",
    REVOKED: "danger",
}


def enrolment_state_of(
    *, withdrawn: bool, sex: str | None, result: str | None, kind: str | None, blocks: Iterable[str] = ()
) -> tuple[str, str]:
    """The state of an enrolment and its French words, agreed with the candidate's recorded sex: « Désinscrite »,
    « Inscrit », « Résultat provisoire », « Résultat en recours », « Certifiée », « Certification partielle — blocs
    acquis : BC1 », « Non certifié », « Certification retirée ». `result` is the state (`juries.lifecycle`) of the
    enrolment's latest current result, None without one (or `AWAITING` for one the reader may not see yet); `kind`
    its outcome and `blocks` the codes it awards. Pure."""
    if withdrawn:
        return WITHDRAWN, agree(sex, _("Désinscrit"), _("Désinscrite"))
    if result is None:
        return ENROLLED, agree(sex, _("Inscrit"), _("Inscrite"))
    if result == lifecycle.REVOKED:
        return REVOKED, gettext("Certification retirée")
    if result == lifecycle.UNDER_APPEAL:
        return UNDER_APPEAL, gettext("Résultat en recours")
    if result != lifecycle.FINAL:  # provisional, or not notified to the reader
        return AWAITING, gettext("Résultat provisoire")
    if kind == OutcomeKind.TOTAL:
        return CERTIFIED, agree(sex, _("Certifié"), _("Certifiée"))
    if kind == OutcomeKind.PARTIAL:
        return PARTIAL, gettext("Certification partielle — blocs acquis : %(blocks)s") % {"blocks": codes_text(blocks)}
    return NOT_CERTIFIED, agree(sex, _("Non certifié"), _("Non certifiée"))


@dataclass(frozen=True)
class EnrolmentState:
    """An enrolment's true state (`value`, `label` in French, `badge` colour) and what it is read from: `decision`,
    its latest current result as the reader may see it (with its `result` state), or None; `decided`, whether the
    jury has ruled on its latest place (the documents it examined are closed until a resit places it again);
    `certified` (a final total award) and `acquired` (the ids of its blocks acquired for good)."""

    enrolment: Enrolment
    value: str
    label: str
    decision: Decision | None = None
    result: result_state.StateView | None = None
    decided: bool = False
    certified: bool = False
    acquired: frozenset[int] = frozenset()

    @property
    def badge(self) -> str:
        return STATE_BADGES[self.value]

    @property
    def accommodation_refusal(self) -> str | None:
        return accommodation_refusal(self)

    @property
    def outcome(self) -> str:
        """The visible result's decision in words: « Attribution partielle : BC1 », « Non-attribution »."""
        if self.decision is None:
            return ""
        return outcomes.outcome_words(self.decision.kind, [b.code for b in self.decision.blocks.all()])

    @property
    def awarded(self) -> list[Block]:
        """The blocks the visible result awards: all the enrolment's for a total award, the decision's for a
        partial one."""
        if self.decision is None or self.decision.kind == OutcomeKind.NONE:
            return []
        if self.decision.kind == OutcomeKind.TOTAL:
            return sorted(self.enrolment.blocks.all(), key=lambda b: (b.order, b.code))
        return list(self.decision.blocks.all())


def enrolment_states(
    enrolments: Sequence[Enrolment],
    *,
    notified_only: bool,
    with_parchments: bool = False,
    block_standings: Sequence[EnrolmentStanding] | None = None,
) -> dict[int, EnrolmentState]:
    """{enrolment pk: its true state} for enrolments with their `candidate` and `blocks` loaded. `notified_only`:
    the reader (the candidate, their organisation) learns a result once notified; before, it is « Résultat
    provisoire ». `block_standings`: those of the active enrolments, when the caller read them (else three more
    queries). One query, two once a result exists (its blocks), three `with_parchments` (their parchments),
    whatever the number of enrolments and results; none without enrolments."""
    if not enrolments:
        return {}
    from evaluations.models import Attendance

    ids = [e.pk for e in enrolments]
    decisions = (
        result_state.with_result_state(
            Decision.objects.filter(place__isnull=False, examined_place__enrolment_id__in=ids)
        )
        .annotate(
            _notified=Exists(ResultNotice.objects.filter(decision_id=OuterRef("pk"))),
            # The first day of the enrolment's latest session: a resit placed after this result reopens documents.
            _last_starts_on=Subquery(
                SessionCandidate.objects.filter(enrolment_id=OuterRef("examined_place__enrolment_id"))
                .exclude(attendance=Attendance.CANCELLED)
                .order_by("-session__starts_on")
                .values("session__starts_on")[:1]
            ),
        )
        .select_related("jury__version", "examined_place__session")
        .prefetch_related(Prefetch("blocks", queryset=Block.objects.order_by("order", "code")))
        .order_by("examined_place__session__starts_on", "jury__meets_on", "pk")
    )
    if with_parchments:
        decisions = decisions.prefetch_related(Prefetch("parchments", queryset=Parchment.objects.order_by("pk")))
    latest: dict[int, Decision] = {}
    for found in decisions:  # the latest wins
        latest[found.examined_place.enrolment_id] = found
    if block_standings is None:
        active = [e for e in enrolments if e.status == EnrolmentStatus.ACTIVE]
        block_standings = standings(active, on=timezone.localdate() + dt.timedelta(days=1))
    acquired = {s.enrolment.pk: frozenset(b.block.pk for b in s.acquired) for s in block_standings}
    states = {}
    for enrolment in enrolments:
        decision = latest.get(enrolment.pk)
        value = lifecycle.state_of(result_state.facts(decision)) if decision is not None else None
        visible = decision is not None and (getattr(decision, "_notified", False) or not notified_only)
        shown_result = value if visible or value is None else AWAITING
        code, label = enrolment_state_of(
            withdrawn=enrolment.status == EnrolmentStatus.WITHDRAWN,
            sex=enrolment.candidate.sex,
            result=shown_result,
            kind=decision.kind if decision is not None else None,
            blocks=[b.code for b in decision.blocks.all()] if decision is not None else (),
        )
        states[enrolment.pk] = EnrolmentState(
            enrolment=enrolment,
            value=code,
            label=label,
            decision=decision if visible else None,
            result=result_state.StateView(value) if visible and value is not None else None,
            # Ruled on its latest place: no resit placed since.
            decided=decision is not None
            and decision.examined_place.session.starts_on >= getattr(decision, "_last_starts_on", dt.date.min),
            certified=value == lifecycle.FINAL and decision is not None and decision.kind == OutcomeKind.TOTAL,
            acquired=acquired.get(enrolment.pk, frozenset()),
        )
    return states


def enrolment_state(enrolment: Enrolment) -> EnrolmentState:
    """One enrolment's true state, every result counted (what the services ask)."""
    return enrolment_states([enrolment], notified_only=False)[enrolment.pk]


def accommodation_refusal(state: EnrolmentState) -> str | None:
    """Why no test accommodation may be added to this enrolment, in French, or None: withdrawn, or certified (no
    test is left to sit). What the candidate page offers and the service refuses."""
    if state.enrolment.status != EnrolmentStatus.ACTIVE:
        return gettext("Inscription retirée : plus d'aménagement d'épreuve à prévoir.")
    if state.certified:
        return gettext("Certification obtenue : plus aucune épreuve à passer, donc plus d'aménagement à prévoir.")
    return None


def document_refusal(state: EnrolmentState, block: Block | None = None) -> str | None:
    """Why a document may no longer be sent for this enrolment (for `block`, a livret part's), in French, or None:
    the certification obtained, the block acquired for good, or the jury's ruling on the place the document was
    for (until a resit places the candidate again). What the document board shows and the upload service
    refuses."""
    if state.certified:
        return gettext("Certification obtenue : ce document n'est plus à déposer.")
    if block is not None and block.pk in state.acquired:
        return gettext("Bloc %(code)s acquis : ce document n'est plus à déposer.") % {"code": block.code}
    if state.decided:
        return gettext(
            "Le jury de certification s'est prononcé : le document qu'il a examiné ne se remplace plus. "
            "Un nouvel envoi s'ouvre avec une inscription en rattrapage."
        )
    return None
