"""Reads about candidates, shaped for pages with a constant number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from candidates.access import candidates_for
from candidates.documents import ACCEPT_ATTRIBUTE, part_letter
from candidates.models import (
    Candidate,
    CandidateDocument,
    DocumentKind,
    Enrolment,
    EnrolmentStatus,
    livret_part_label,
    required_document_label,
)
from cqp.models import Block, BlockTest, CertificationVersion, EvaluationMethod

if TYPE_CHECKING:
    from evaluations.models import SessionCandidate
    from results.standing import EnrolmentState


def candidate_list(user: User, *, q: str = "", version: CertificationVersion | None = None) -> QuerySet[Candidate]:
    candidates = candidates_for(user).select_related("organisation")
    for word in q.split():
        candidates = candidates.filter(
            Q(birth_name__icontains=word) | Q(usage_name__icontains=word) | Q(first_name__icontains=word)
        )
    if version is not None:
        # A subquery, not a join: no DISTINCT over every column, and the list's order keeps its index.
        candidates = candidates.filter(Exists(Enrolment.objects.filter(candidate=OuterRef("pk"), version=version)))
    enrolments = Enrolment.objects.select_related("version").order_by("-created_at")
    return candidates.prefetch_related(Prefetch("enrolments", queryset=enrolments))


@dataclass(frozen=True)
class CandidateRow:
    candidate: Candidate
    states: list[EnrolmentState]  # its enrolments' true states, the latest enrolment first


def candidate_rows(candidates: Iterable[Candidate], *, notified_only: bool) -> list[CandidateRow]:
    """A page of `candidate_list` with each enrolment's true state (`results.standing.enrolment_states`): two
    queries more (three once a result exists) whatever the page's length."""
    from results.standing import enrolment_states

    candidates = list(candidates)
    enrolments = [e for c in candidates for e in c.enrolments.all()]
    # The list says the state, not the blocks acquired: no standings to read.
    states = enrolment_states(enrolments, notified_only=notified_only, block_standings=())
    return [CandidateRow(candidate=c, states=[states[e.pk] for e in c.enrolments.all()]) for c in candidates]


def candidate_enrolments(candidate: Candidate) -> list[Enrolment]:
    return list(
        candidate.enrolments.select_related("version__certification")
        .prefetch_related("blocks", "accommodations")
        .order_by("-created_at")
    )


def candidate_space(user: User) -> dict[str, object]:
    """What a candidate sees of their own file: enrolments with their true state (`results.standing`), the blocks
    acquired for good and those that remain, accommodations, convocations sent (those to come, and the tests
    passed), documents (closed for a result decided), the incident reports the certifier handed them."""
    from dysfunctions.selectors import candidate_reports
    from evaluations.models import Attendance, ConvocationStatus, SessionCandidate
    from results import standing

    enrolments = list(
        Enrolment.objects.filter(candidate__user=user)
        .select_related("version", "candidate")
        .prefetch_related("blocks", "accommodations")
        .order_by("-created_at")
    )
    places = list(
        SessionCandidate.objects.filter(enrolment__candidate__user=user, convocation_status=ConvocationStatus.SENT)
        .exclude(attendance=Attendance.CANCELLED)  # a cancelled session's convocation no longer holds
        .select_related("session__version")
        .order_by("starts_at")
    )
    today = timezone.localdate()
    documents = CandidateDocument.objects.filter(candidate__user=user)
    identity_expected = upcoming_remote_places().filter(enrolment__candidate__user=user).exists()
    # Blocks acquired for good and blocks that remain (results: resits and prior acquisitions), read once for the
    # section that shows them and for the states that close the documents of what is acquired.
    active = [e for e in enrolments if e.status == EnrolmentStatus.ACTIVE]
    block_standings = standing.standings(active, on=today + dt.timedelta(days=1))
    states = standing.enrolment_states(enrolments, notified_only=True, block_standings=block_standings)
    return {
        "candidate_enrolments": enrolments,
        "candidate_enrolment_states": [states[e.pk] for e in enrolments],
        "my_block_standings": block_standings,
        "candidate_places": places,
        # The to-do reads the convocations to come; those of tests passed are listed apart, without a calendar.
        "candidate_upcoming_places": [p for p in places if timezone.localtime(p.starts_at).date() >= today],
        "candidate_past_places": [p for p in places if timezone.localtime(p.starts_at).date() < today],
        # Formative evaluations are the organisation's to send: the candidate's space leaves them out.
        "candidate_documents": document_board(
            enrolments, documents, identity_expected=identity_expected, states=states
        ),
        "candidate_reports": candidate_reports(user),
    }


@dataclass(frozen=True)
class LivretPart:
    """A document to send for an active enrolment: one per test of its blocks that asks for one (26850: parts A and
    B of the livret; 31313: the professional activity report), with what was sent if any. `test` is None only for
    a version without any test (a livret part per block, lettered by the block's order, as before tests were data).
    """

    enrolment: Enrolment
    block: Block
    document: CandidateDocument | None
    test: BlockTest | None = None
    # Why it may no longer be sent (`results.standing.document_refusal`), or "": then shown read-only.
    closed: str = ""

    @property
    def label(self) -> str:
        return required_document_label(self.test) if self.test is not None else livret_part_label(self.block)

    @property
    def letter(self) -> str:
        return part_letter(self.block.order)

    @property
    def noun(self) -> str:
        """The document as the buttons name it: « la partie A », « « Rapport d'activité professionnelle » »."""
        if self.test is None:
            return gettext("la partie %(letter)s") % {"letter": self.letter}
        label = self.test.document_label
        if self.test.method == EvaluationMethod.LIVRET_DEFENCE:
            return gettext("la %(part)s") % {"part": label[:1].lower() + label[1:]}
        return f"« {label} »"

    @property
    def key(self) -> str:
        """What tells the slot's form apart on a page: the enrolment and the test (or the block)."""
        return (
            f"{self.enrolment.pk}-{self.test.pk}" if self.test is not None else f"{self.enrolment.pk}-b{self.block.pk}"
        )


@dataclass(frozen=True)
class FormativeEvaluations:
    """The formative evaluations of an active enrolment, sent by the training organisation for the jury."""

    enrolment: Enrolment
    document: CandidateDocument | None
    closed: str = ""  # as `LivretPart.closed`

    @property
    def label(self) -> str:
        return gettext("Évaluations formatives — %(rncp)s") % {"rncp": self.enrolment.version.rncp_number}


@dataclass(frozen=True)
class DocumentBoard:
    parts: list[LivretPart] = field(default_factory=list)
    # Those of a result decided (certification obtained, block acquired, jury ruled): read-only, not to send.
    closed_parts: list[LivretPart] = field(default_factory=list)
    # Empty on the candidate's space: only staff and certifier admins send them.
    formatives: list[FormativeEvaluations] = field(default_factory=list)
    identity_expected: bool = False
    identity_copy: CandidateDocument | None = None
    # Sent for an enrolment since withdrawn: still listed, no longer replaceable.
    others: list[CandidateDocument] = field(default_factory=list)

    accept: str = ACCEPT_ATTRIBUTE

    @property
    def uploads_open(self) -> bool:
        """Whether the board offers a livret part or formative evaluations to send (the file types are said)."""
        return bool(self.parts) or any(not f.closed for f in self.formatives)

    @property
    def all_documents(self) -> list[CandidateDocument]:
        sent = [p.document for p in [*self.parts, *self.closed_parts] if p.document is not None]
        sent += [f.document for f in self.formatives if f.document is not None]
        return sent + self.others + ([self.identity_copy] if self.identity_copy else [])


def document_board(
    enrolments: list[Enrolment],
    documents: QuerySet[CandidateDocument],
    *,
    identity_expected: bool,
    formatives: bool = False,
    states: Mapping[int, EnrolmentState] | None = None,
) -> DocumentBoard:
    """The documents the tests ask for and those sent, from enrolments whose blocks are prefetched (two queries).
    With `formatives`, also the formative evaluations of each active enrolment (the enrolments' versions
    loaded with them); without, formative evaluations are left out altogether. `states`: the enrolments' true
    states (`results.standing.enrolment_states`); a document their result closes is listed apart, read-only,
    with the reason (`results.standing.document_refusal`, what the upload service asks too)."""
    from results.standing import document_refusal

    def refusal(enrolment: Enrolment, block: Block | None) -> str:
        state = states.get(enrolment.pk) if states is not None else None
        return (document_refusal(state, block) or "") if state is not None else ""

    sent = list(documents.select_related("block", "test__block").order_by("pk"))
    active = [e for e in enrolments if e.status == EnrolmentStatus.ACTIVE]
    by_test = {(d.enrolment_id, d.test_id): d for d in sent if d.kind == DocumentKind.LIVRET_PART and d.test_id}
    by_block = {(d.enrolment_id, d.block_id): d for d in sent if d.kind == DocumentKind.LIVRET_PART and not d.test_id}
    blocks = {b.pk: b for e in active for b in e.blocks.all()}
    tested_versions: set[int] = set()
    document_tests: dict[int, list[BlockTest]] = {}
    tests = BlockTest.objects.filter(block__version_id__in={e.version_id for e in active}).annotate(
        version_id=F("block__version_id")
    )
    for test in tests.order_by("order", "pk"):
        tested_versions.add(test.version_id)
        if test.document_required and test.block_id in blocks:
            test.block = blocks[test.block_id]
            document_tests.setdefault(test.block_id, []).append(test)
    parts: list[LivretPart] = []
    for e in active:
        for b in sorted(e.blocks.all(), key=lambda b: (b.order, b.code)):
            closed = refusal(e, b)
            if e.version_id not in tested_versions:  # a version without tests: one livret part per block
                document = by_block.pop((e.pk, b.pk), None)
                parts.append(LivretPart(enrolment=e, block=b, document=document, closed=closed))
                continue
            parts += [
                LivretPart(enrolment=e, block=b, test=t, document=by_test.pop((e.pk, t.pk), None), closed=closed)
                for t in document_tests.get(b.pk, [])
            ]
    formative: dict[int | None, CandidateDocument] = {}
    formative_slots: list[FormativeEvaluations] = []
    if formatives:
        formative = {d.enrolment_id: d for d in sent if d.kind == DocumentKind.FORMATIVE}
        formative_slots = [
            FormativeEvaluations(enrolment=e, document=formative.pop(e.pk, None), closed=refusal(e, None))
            for e in active
        ]
    identity_copy = next((d for d in sent if d.kind == DocumentKind.IDENTITY_COPY), None)
    return DocumentBoard(
        parts=[p for p in parts if not p.closed],
        closed_parts=[p for p in parts if p.closed],
        formatives=formative_slots,
        identity_expected=identity_expected,
        identity_copy=identity_copy,
        others=sorted([*by_test.values(), *by_block.values(), *formative.values()], key=lambda d: d.pk),
    )


def candidate_documents(
    candidate: Candidate, enrolments: list[Enrolment], states: Mapping[int, EnrolmentState] | None = None
) -> DocumentBoard:
    """The documents card of a candidate's page (staff and certifier admins), formative evaluations included;
    `states`, the enrolments' true states, close the documents of a result decided."""
    identity_expected = upcoming_remote_places().filter(enrolment__candidate=candidate).exists()
    return document_board(
        enrolments, candidate.documents.all(), identity_expected=identity_expected, formatives=True, states=states
    )


def upcoming_remote_places() -> QuerySet[SessionCandidate]:
    """Places of active enrolments in remote sessions not over yet: they call for an identity copy."""
    from evaluations.models import SessionCandidate, SessionMode

    return SessionCandidate.objects.filter(
        enrolment__status=EnrolmentStatus.ACTIVE,
        session__mode=SessionMode.REMOTE,
        session__ends_on__gte=timezone.localdate(),
    )
