"""Reads about evaluation sessions, at a constant number of queries whatever the history: the sessions list (what is
to come first, the history after it), the enrolments a session may still take (a bounded search), and an
enrolment's open places."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from candidates.models import CandidateDocument, Enrolment, EnrolmentStatus, missing_document_label
from cqp import block_tests
from cqp.lib import bounds, text
from cqp.models import Block, BlockTest, CertificationVersion
from evaluations import access
from evaluations.models import Attendance, EvaluationSession, SessionCandidate
from juries.models import Decision, OutcomeKind

# A search looks at this many words of the query, and the picker offers this many enrolments at most.
SEARCH_WORDS_MAX = 5
PICKER_SIZE = 20

# A place holds its enrolment while the candidate is awaited, or present and not decided on yet: an absent
# candidate, or one a certification jury decided on, may be convoked again (for the blocks still to acquire).
OPEN_PLACE = Q(attendance=Attendance.EXPECTED) | Q(attendance=Attendance.PRESENT, decision__isnull=True)


def search_words(q: str) -> list[str]:
    """The words of a search box, bounded: a hostile query costs no more than a short one."""
    return q[: bounds.NAME_LENGTH].split()[:SEARCH_WORDS_MAX]


def session_list(
    user: User, *, when: str = "", version: CertificationVersion | None = None, q: str = ""
) -> QuerySet[EvaluationSession]:
    """The sessions `user` may see, those to come first (soonest first), then the history (latest first), with
    their number of candidates. `when`: "upcoming" or "past" keeps one part; `q` searches the certification and
    the organisation, word by word."""
    today = timezone.localdate()
    to_come = Q(ends_on__gte=today)
    sessions = access.sessions_for(user).select_related("version", "organisation")
    if version is not None:
        sessions = sessions.filter(version=version)
    if when == "upcoming":
        sessions = sessions.filter(to_come)
    elif when == "past":
        sessions = sessions.exclude(to_come)
    for word in search_words(q):
        sessions = sessions.filter(
            Q(version__short_title__icontains=word)
            | Q(version__rncp_code__icontains=word)
            | Q(organisation__name__icontains=word)
        )
    return sessions.annotate(
        candidate_count=Count("candidates"),
        is_past=Case(When(to_come, then=Value(0)), default=Value(1), output_field=IntegerField()),
        coming_on=Case(When(to_come, then=F("starts_on"))),
    ).order_by("is_past", "coming_on", "-starts_on", "pk")


def _certified(candidate_id: Any, version_id: Any) -> QuerySet[Decision]:
    """The decisions awarding the candidate the whole of the certification that still stand: current (a decision
    replaced after re-examination loses its `place`) and not revoked."""
    return Decision.objects.filter(
        kind=OutcomeKind.TOTAL,
        place__isnull=False,
        revoked_at__isnull=True,
        place__enrolment__candidate_id=candidate_id,
        place__session__version_id=version_id,
    )


def open_sessions(enrolment: Enrolment) -> dict[int, dt.date]:
    """The sessions where `enrolment` holds an open place: {session id: first day}."""
    places = SessionCandidate.objects.filter(OPEN_PLACE, enrolment=enrolment)
    return dict(places.values_list("session_id", "session__starts_on"))


def places_elsewhere(
    session: EvaluationSession, *, candidate_ids: Iterable[int] | None = None, today: dt.date | None = None
) -> dict[int, list[SessionCandidate]]:
    """The places the candidates of `session` (or only `candidate_ids`) hold in *other* sessions that have not
    ended yet, through any of their enrolments, the places of a cancelled session left out: {candidate id: places,
    soonest first}. Not a refusal (an enrolment is in one session at a time, but a candidate enrolled in two
    certifications may sit both); what the page and the placement warn about. One query, whatever the number of
    candidates; nothing when `session` itself is over or its place is cancelled."""
    today = today or timezone.localdate()
    here = SessionCandidate.objects.filter(session=session, session__ends_on__gte=today).exclude(
        attendance=Attendance.CANCELLED
    )
    if candidate_ids is not None:
        here = here.filter(enrolment__candidate_id__in=list(candidate_ids))
    places = (
        SessionCandidate.objects.filter(
            enrolment__candidate_id__in=here.values("enrolment__candidate_id"), session__ends_on__gte=today
        )
        .exclude(session=session)
        .exclude(attendance=Attendance.CANCELLED)
        .select_related("session__version", "session__organisation", "enrolment")
        .order_by("session__starts_on", "starts_at", "pk")
    )
    found: dict[int, list[SessionCandidate]] = {}
    for place in places:
        found.setdefault(place.enrolment.candidate_id, []).append(place)
    return found


def session_label(session: EvaluationSession) -> str:
    """A session named in a sentence: "CQP Opérateur en polissage du 12/12/2026 (Atelier Durand)"."""
    return _("%(title)s du %(date)s (%(organisation)s)") % {
        "title": session.version.short_title,
        "date": f"{session.starts_on:%d/%m/%Y}",
        "organisation": session.organisation.name,
    }


def is_certified(enrolment: Enrolment) -> bool:
    return _certified(enrolment.candidate_id, enrolment.version_id).exists()


def session_enrolments(session: EvaluationSession) -> QuerySet[Enrolment]:
    """The active enrolments of the session's organisation in its certification: whom a place may be asked for
    (the service says why one of them cannot take it)."""
    return Enrolment.objects.filter(
        version_id=session.version_id,
        status=EnrolmentStatus.ACTIVE,
        candidate__organisation_id=session.organisation_id,
    ).select_related("candidate")


def placeable_enrolments(session: EvaluationSession, q: str) -> list[Enrolment]:
    """The picker: at most `PICKER_SIZE` enrolments whose candidate's names match every word of `q`, leaving out
    those already in this session, placed in another, or whose candidate holds the certification. None without
    a search."""
    words = search_words(q)
    if not words:
        return []
    enrolments = session_enrolments(session).exclude(
        Exists(SessionCandidate.objects.filter(enrolment=OuterRef("pk")).filter(OPEN_PLACE | Q(session=session)))
    )
    enrolments = enrolments.exclude(Exists(_certified(OuterRef("candidate_id"), OuterRef("version_id"))))
    for word in words:
        # The identity key holds the birth name and first name folded (no accent, case or hyphen): "lefevre" finds
        # "Lefèvre", "le-goff" finds "Le Goff".
        matches = Q(candidate__usage_name__icontains=word) | Q(candidate__first_name__icontains=word)
        folded = "".join(text.words(word))
        if folded:
            matches |= Q(candidate__identity_key__contains=folded)
        enrolments = enrolments.filter(matches | Q(candidate__birth_name__icontains=word))
    ordered = enrolments.order_by("candidate__birth_name", "candidate__first_name", "pk")
    return list(ordered[:PICKER_SIZE])


def blocks_to_sit(session: EvaluationSession, enrolment: Enrolment) -> list[Block]:
    """The blocks a candidate would sit in this session: those enrolled, less those acquired earlier and still
    valid on its first day (`juries.selectors.blocks_sat`, for a place not created yet)."""
    from juries.selectors import blocks_sat

    return blocks_sat(SessionCandidate(session=session, enrolment=enrolment))


def place_tests(place: SessionCandidate) -> list[BlockTest]:
    """The tests a convoked candidate sits, block by block: what the convocation and the jury's file list."""
    from juries.selectors import blocks_sat

    return block_tests.of_blocks(blocks_sat(place))


@dataclass(frozen=True)
class FileEntry:
    """One test of the candidate's file: what the jury assesses, and the document handed in for it if it asks one."""

    test: BlockTest
    document: CandidateDocument | None


@dataclass(frozen=True)
class CandidateFile:
    entries: list[FileEntry]
    others: list[CandidateDocument]  # documents not tied to a test sat here (formative evaluations, older parts)

    @property
    def missing_entries(self) -> list[FileEntry]:
        """The tests that ask for a document none was handed in for."""
        return [e for e in self.entries if e.test.document_required and e.document is None]

    @property
    def missing(self) -> int:
        return len(self.missing_entries)

    @property
    def missing_label(self) -> str:
        """The documents missing, named in a sentence: "Livret partie A (BC1), Rapport d'activité (BC3)"."""
        return ", ".join(missing_document_label(e.test) for e in self.missing_entries)


def candidate_file(blocks: Iterable[Block], documents: Iterable[CandidateDocument]) -> CandidateFile:
    """The jury's file for a candidate: the tests of the blocks they sit, each with the document handed in for it,
    then the other documents of the enrolment. One query (the tests); `documents` as the caller may read them."""
    tests = block_tests.of_blocks(blocks)
    documents = list(documents)
    by_test = {d.test_id: d for d in documents if d.test_id is not None}
    entries = [FileEntry(test=t, document=by_test.get(t.pk) if t.document_required else None) for t in tests]
    used = {e.document.pk for e in entries if e.document is not None}
    return CandidateFile(entries=entries, others=[d for d in documents if d.pk not in used])
