"""Reads of juries and results, shaped for pages with a constant number of queries.

`deliberation_rows` is the one computation of a session's results: the grid board, the deliberation grid,
its XLSX and PDF exports and the certification jury's page all read it, and it decides through `cqp.rules`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from candidates.models import CandidateDocument, DocumentKind, Enrolment, missing_document_label
from cqp.models import Block, BlockTest, CertificationVersion, Competency
from cqp.rules import Outcome, certification_outcome
from evaluations.models import Attendance, SessionCandidate
from juries import carry, result_pages, rules
from juries.models import (
    College,
    Decision,
    Dispute,
    Grade,
    Grid,
    GridStatus,
    Jury,
    JuryKind,
    JuryMember,
    JurySeat,
    MemberStatus,
    OutcomeKind,
    PriorAcquisition,
    Recommendation,
    Recusal,
)
from juries.rule_sets import rules_for


def version_blocks(version: CertificationVersion) -> list[Block]:
    """The version's blocks in order, each with its competencies in order (2 queries)."""
    return list(
        Block.objects.filter(version=version)
        .order_by("order", "code")
        .prefetch_related(Prefetch("competencies", queryset=Competency.objects.order_by("order", "code")))
    )


def block_rule(block: Block) -> tuple[list[str], list[str], int]:
    """(competency codes, mandatory codes, threshold) of a block whose competencies are prefetched."""
    competencies = list(block.competencies.all())
    return (
        [c.code for c in competencies],
        [c.code for c in competencies if c.is_mandatory],
        block.threshold_percent,
    )


def earlier_acquisitions(
    places: Sequence[SessionCandidate], version: CertificationVersion, blocks: Sequence[Block]
) -> dict[int, dict[int, carry.Carried]]:
    """For each place, the blocks its candidate acquired earlier and may carry over (`juries.carry`: a final
    result of an earlier session of the same version, or a prior acquisition, still valid on this session's
    first day): {place: {block: Carried}}. Three queries whatever the number of places."""
    return carry.carried(places, {version.pk: list(blocks)})


@dataclass
class BlockCell:
    block: Block
    sat: bool  # graded in this session
    earlier: dt.date | None  # acquired in an earlier session, still valid
    origin: str = ""  # where the block acquired earlier comes from (session and date, or prior acquisition)
    grid: Grid | None = None
    grades: dict[str, str] = field(default_factory=dict)
    live: rules.LiveBlockStatus | None = None

    @property
    def submitted(self) -> bool:
        return self.grid is not None and self.grid.status == GridStatus.SUBMITTED

    @property
    def acquired(self) -> bool:
        """Counted as acquired in the computed result."""
        if self.earlier is not None:
            return True
        return self.submitted and self.live is not None and self.live.state == "validated"


@dataclass
class Row:
    place: SessionCandidate
    cells: list[BlockCell]
    recusals: list[Recusal]
    recommendation: Recommendation | None
    decision: Decision | None
    outcome: Outcome | None  # None until every block sat has a submitted consensus grid
    # The cells and the outcome as HTML, for the pages listing many rows (`views.with_html`): rendered once per
    # distinct content rather than an include per cell.
    cells_html: list[str] = field(default_factory=list)
    outcome_html: str = ""
    # The documents the tests of the blocks sat ask for and that were not handed in (`with_livrets_missing`).
    livret_missing: str = ""

    @property
    def candidate(self):  # type: ignore[no-untyped-def]
        return self.place.enrolment.candidate

    @property
    def graded(self) -> bool:
        return self.outcome is not None

    @property
    def sat_cells(self) -> list[BlockCell]:
        return [cell for cell in self.cells if cell.sat]

    @property
    def acquired_codes(self) -> list[str]:
        return [cell.block.code for cell in self.cells if cell.acquired]

    @property
    def to_grade(self) -> int:
        return sum(1 for cell in self.cells if cell.sat and not cell.submitted)


def session_places(jury: Jury) -> QuerySet[SessionCandidate]:
    """The candidates of an evaluation jury's session who sat the tests (present)."""
    return (
        SessionCandidate.objects.of_jury(jury, present_only=True)
        .select_related("enrolment__candidate", "session")
        .prefetch_related("enrolment__blocks")
        .order_by("starts_at", "pk")
    )


def with_livrets_missing(rows: Sequence[Row]) -> list[Row]:
    """Each row with the documents its candidate's tests ask for and that were not handed in, named ("Livret partie
    A (BC1), ..."), as the candidate's file on the grid and decision pages reads them
    (`evaluations.selectors.candidate_file`): a warning, never a refusal. The blocks sat are the rows'; two queries
    (the tests, the documents) whatever the number of rows."""
    rows = list(rows)
    sat = {row.place.pk: {cell.block.pk for cell in row.cells if cell.sat} for row in rows}
    asking = BlockTest.objects.filter(block_id__in=set().union(*sat.values()), document_required=True)
    tests = list(asking.select_related("block").order_by("block__order", "block__code", "order", "pk"))
    handed = set(
        CandidateDocument.objects.filter(
            kind=DocumentKind.LIVRET_PART,
            enrolment_id__in={row.place.enrolment_id for row in rows},
            test__in=asking,  # a subquery: read whether or not the tests ask for documents
        ).values_list("enrolment_id", "test_id")
    )
    for row in rows:
        row.livret_missing = ", ".join(
            missing_document_label(test)
            for test in tests
            if test.block_id in sat[row.place.pk] and (row.place.enrolment_id, test.pk) not in handed
        )
    return rows


def livrets_missing_names(rows: Sequence[Row]) -> list[str]:
    """The candidates of `rows` (read by `with_livrets_missing`) without a livret, each with the documents missing:
    « Chloé Martin (Livret partie A (BC1)) »."""
    return [f"{row.candidate.display_name} ({row.livret_missing})" for row in rows if row.livret_missing]


def enrolled_block_ids(places: Iterable[SessionCandidate]) -> dict[int, set[int]]:
    """{place: the pks of the blocks its candidate enrolled for} (one query): what `deliberation_rows` reads of
    `enrolment.blocks`, without an instance per block."""
    places = list(places)
    by_enrolment: dict[int, set[int]] = defaultdict(set)
    through = Enrolment.blocks.through.objects.filter(enrolment_id__in={p.enrolment_id for p in places})
    for enrolment_id, block_id in through.values_list("enrolment_id", "block_id"):
        by_enrolment[enrolment_id].add(block_id)
    return {place.pk: by_enrolment.get(place.enrolment_id, set()) for place in places}


def deliberation_rows(
    places: Iterable[SessionCandidate],
    version: CertificationVersion,
    *,
    member_id: int | None = None,
    enrolled: Mapping[int, set[int]] | None = None,
) -> list[Row]:
    """Candidates × blocks: the consensus grids (or one member's grids when `member_id` is given) with the
    live status of each block, the blocks acquired earlier, the computed outcome (`cqp.rules`), the
    recommendation and the decision. A constant number of queries whatever the number of candidates.
    The blocks each candidate enrolled for: `enrolled` ({place: block pks}, `enrolled_block_ids`) or else the
    places' prefetched `enrolment.blocks`."""
    places = list(places)
    if enrolled is None:
        enrolled = {place.pk: {b.pk for b in place.enrolment.blocks.all()} for place in places}
    blocks = version_blocks(version)
    required = [b.code for b in blocks]
    earlier = earlier_acquisitions(places, version, blocks)
    place_ids = [p.pk for p in places]
    # Read into dicts: unordered (the models' orderings join other tables).
    grids = Grid.objects.filter(place_id__in=place_ids).order_by()
    grids = grids.filter(member_id=member_id) if member_id is not None else grids.filter(member__isnull=True)
    grids_by_key = {(g.place_id, g.block_id): g for g in grids}
    grades: dict[int, dict[str, str]] = defaultdict(dict)
    for grid_id, code, value in (
        Grade.objects.filter(grid__in=list(grids_by_key.values()))
        .order_by()
        .values_list("grid_id", "competency__code", "value")
    ):
        grades[grid_id][code] = value
    recusals: dict[int, list[Recusal]] = defaultdict(list)
    for recusal in Recusal.objects.filter(place_id__in=place_ids).select_related("member__user"):
        recusals[recusal.place_id].append(recusal)
    in_order = Prefetch("blocks", queryset=Block.objects.order_by("order", "code"))  # one version's blocks
    recommendations = {
        r.place_id: r
        for r in Recommendation.objects.filter(place_id__in=place_ids).order_by().prefetch_related(in_order)
    }
    decisions = {
        d.place_id: d
        # With its state and its first unresolved carry-over flag, for the pages (`juries.result_pages`).
        for d in result_pages.with_state(Decision.objects.filter(place_id__in=place_ids))
        .order_by()
        .prefetch_related(in_order)
    }
    rules_by_block = {b.pk: block_rule(b) for b in blocks}

    rows = []
    for place in places:
        enrolled_here = enrolled[place.pk]
        cells = []
        for block in blocks:
            carried = earlier.get(place.pk, {}).get(block.pk)
            sat = block.pk in enrolled_here and carried is None
            cell = BlockCell(
                block=block,
                sat=sat,
                earlier=carried.acquired_on if carried else None,
                origin=carried.origin if carried else "",
            )
            if sat:
                cell.grid = grids_by_key.get((place.pk, block.pk))
                cell.grades = grades.get(cell.grid.pk, {}) if cell.grid else {}
                codes, mandatory, threshold = rules_by_block[block.pk]
                if codes:
                    cell.live = rules.live_block_status(cell.grades, codes, mandatory, threshold)
            cells.append(cell)
        outcome = None
        if all(cell.submitted for cell in cells if cell.sat) and required:
            outcome = certification_outcome(
                validated_blocks=[c.block.code for c in cells if c.sat and c.acquired],
                required_blocks=required,
                previously_acquired=[c.block.code for c in cells if c.earlier is not None],
            )
        rows.append(
            Row(
                place=place,
                cells=cells,
                recusals=recusals.get(place.pk, []),
                recommendation=recommendations.get(place.pk),
                decision=decisions.get(place.pk),
                outcome=outcome,
            )
        )
    return rows


def jury_seats(jury: Jury) -> list[JurySeat]:
    return list(jury.seats.select_related("member__user", "member__organisation").order_by("college"))


def jury_disputes(jury: Jury, places: Iterable[SessionCandidate]) -> list[Dispute]:
    """The jury's disputes on `places` (the candidates the reader sees, `access.visible_places`), in order."""
    return list(
        jury.disputes.filter(place_id__in=[place.pk for place in places]).select_related(
            "place__enrolment__candidate", "recorded_by"
        )
    )


def jury_recusals(jury: Jury, places: Iterable[SessionCandidate] | None) -> list[Recusal]:
    """The jury's recusals for `places` (the candidates the reader sees; None: all its candidates, known from
    the composition on, before the attendance is taken), in order (one query)."""
    recusals = jury.recusals.all() if places is None else jury.recusals.filter(place_id__in=[p.pk for p in places])
    return list(recusals.select_related("member__user", "place__enrolment__candidate"))


def transmitted_places(jury: Jury) -> QuerySet[SessionCandidate]:
    """The candidates of the sessions transmitted to a certification jury, present at the tests."""
    return (
        SessionCandidate.objects.of_jury(jury, present_only=True)
        .select_related("enrolment__candidate", "session__organisation")
        .prefetch_related("enrolment__blocks")
        .order_by("session__starts_on", "starts_at", "pk")
    )


def jury_places(jury: Jury) -> QuerySet[SessionCandidate]:
    """The candidates a jury rules on: its session's (evaluation) or those transmitted to it (certification)."""
    return session_places(jury) if jury.kind == JuryKind.EVALUATION else transmitted_places(jury)


# --- Composition and impartiality ---------------------------------------------------------------------


def seats_for_rules(jury: Jury) -> list[rules.Seat]:
    """The jury's seats as the composition rules see them."""
    return [_rule_seat(s) for s in jury.seats.select_related("member__user")]


def _rule_seat(seat: JurySeat) -> rules.Seat:
    return rules.Seat(member_id=seat.member_id, name=seat.member.name, college=seat.college, internal=seat.internal)


def composition_problems(
    jury: Jury, seats: Sequence[JurySeat] | None = None, jury_rules: rules.JuryRules | None = None
) -> list[str]:
    """What keeps the jury from ruling, in words: the rules' problems and the seats no longer approved.
    `seats`: the jury's seats with their members and users when already read (`jury_seats`), else two queries."""
    if seats is None:
        rule_seats = seats_for_rules(jury)
        withdrawn = list(jury.seats.select_related("member__user").exclude(member__status=MemberStatus.APPROVED))
    else:
        rule_seats = [_rule_seat(s) for s in seats]
        withdrawn = [s for s in seats if s.member.status != MemberStatus.APPROVED]
    problems = rules.composition_problems(
        kind=jury.kind,
        seats=rule_seats,
        president_id=jury.president_id,
        rules=jury_rules or rules_for(jury.version_id, jury.kind),
    )
    for seat in withdrawn:
        problems.append(
            _("%(name)s n'est plus habilité(e) : le certificateur doit le remplacer ou l'habiliter à nouveau.")
            % {"name": seat.member.name}
        )
    return problems


def recused_member_ids(jury: Jury, place: SessionCandidate) -> set[int]:
    return set(jury.recusals.filter(place=place).values_list("member_id", flat=True))


def keeper(jury: Jury, place: SessionCandidate) -> JuryMember | None:
    """Who enters the consensus grid and the jury's conclusions for a candidate: the president, or when the
    president is recused or no longer sits (`rules.sits`: habilitation withdrawn) the other representative who
    is neither (evaluation jury), else nobody."""
    recused = recused_member_ids(jury, place)
    president = jury.president
    if (
        president is not None
        and president.pk not in recused
        and rules.sits(seated=True, member_status=president.status)
    ):
        return president
    # Who may preside the jury, else (a certification jury presided by the certifying body's president) the
    # representatives of the two colleges.
    colleges: Sequence[str] = (College.EMPLOYEES, College.EMPLOYERS)
    if jury.is_evaluation:
        colleges = rules_for(jury.version_id, jury.kind).presiding
    for seat in jury.seats.select_related("member__user").filter(college__in=colleges).order_by("college"):
        if seat.member_id not in recused and rules.sits(seated=True, member_status=seat.member.status):
            return seat.member
    return None


def blocks_sat(place: SessionCandidate) -> list[Block]:
    """The blocks a candidate is graded on in this session: those enrolled, less those acquired earlier."""
    version = place.session.version
    blocks = version_blocks(version)
    earlier = earlier_acquisitions([place], version, blocks).get(place.pk, {})
    enrolled = set(place.enrolment.blocks.values_list("pk", flat=True))
    return [b for b in blocks if b.pk in enrolled and b.pk not in earlier]


# --- The grid page -------------------------------------------------------------------------------------

# One block as the grid page posts it: (grades, comments by competency code, comment on the block).
BlockEntry = tuple[Mapping[str, str], Mapping[str, str], str]


@dataclass
class GridLine:
    competency: Competency
    value: str  # "A", "NA" or "" (not graded yet)
    comment: str
    others: list[str]  # the other members' grades, in the order of `GridSheet.members`


@dataclass
class GridSection:
    block: Block
    grid: Grid | None  # the grid shown (consensus or the member's own), None until first saved
    locked: bool
    rows: list[GridLine]
    comment: str
    status: rules.LiveBlockStatus | None  # live status of the grades shown; None for a block without rule


@dataclass
class GridSheet:
    row: Row  # the candidate's line of the deliberation grid (computed result, recommendation)
    sections: list[GridSection]  # every block the candidate sits, in order
    members: list[JuryMember]  # members whose own grids are shown beside, by name
    recusals: list[Recusal]  # this jury's recusals for the candidate


def grid_sheet(
    jury: Jury,
    place: SessionCandidate,
    *,
    consensus: bool,
    member_id: int | None,
    posted: Mapping[int, BlockEntry] | None = None,
) -> GridSheet:
    """A candidate's grid page: every block they sit with its competencies, the grades of the grid shown
    (the consensus, or member `member_id`'s own; those just `posted` when given, e.g. refused), the live
    status of each block, the members' own grids beside (a member does not see theirs twice), and the
    candidate's deliberation row. A constant number of queries whatever the number of blocks or members."""
    row = deliberation_rows([place], jury.version)[0]
    blocks = [cell.block for cell in row.cells if cell.sat]
    grids = list(Grid.objects.filter(place=place).select_related("member__user").prefetch_related("grades__competency"))
    shown = {
        g.block_id: g
        for g in grids
        if (g.member_id is None if consensus else (member_id is not None and g.member_id == member_id))
    }
    hidden = None if consensus else member_id
    beside = [g for g in grids if g.member_id is not None and g.member_id != hidden]
    members = sorted({g.member for g in beside if g.member is not None}, key=lambda m: m.name)
    by_pk = {b.pk: b for b in blocks}
    others: dict[tuple[int, str], list[str]] = {}
    for other in beside:
        if other.block_id not in by_pk or other.member is None:
            continue
        values = {g.competency.code: g.value for g in other.grades.all()}
        column = members.index(other.member)
        for competency in by_pk[other.block_id].competencies.all():
            cells = others.setdefault((other.block_id, competency.code), [""] * len(members))
            cells[column] = values.get(competency.code, "")
    sections = []
    for block in blocks:
        grid = shown.get(block.pk)
        if posted is not None:
            grades, comments, block_comment = posted[block.pk]
        else:
            saved = list(grid.grades.all()) if grid else []
            grades = {g.competency.code: g.value for g in saved}
            comments = {g.competency.code: g.comment for g in saved}
            block_comment = grid.comment if grid else ""
        codes, mandatory, threshold = block_rule(block)
        sections.append(
            GridSection(
                block=block,
                grid=grid,
                locked=grid is not None and grid.status == GridStatus.SUBMITTED,
                rows=[
                    GridLine(
                        competency=c,
                        value=grades.get(c.code, ""),
                        comment=comments.get(c.code, ""),
                        others=others.get((block.pk, c.code), [""] * len(members)),
                    )
                    for c in block.competencies.all()
                ],
                comment=block_comment,
                status=rules.live_block_status(grades, codes, mandatory, threshold) if codes else None,
            )
        )
    recusals = list(place.recusals.filter(jury=jury).select_related("member__user"))
    return GridSheet(row=row, sections=sections, members=members, recusals=recusals)


def live_statuses(blocks: Iterable[Block], grades: Mapping[int, Mapping[str, str]]) -> dict[int, rules.LiveBlockStatus]:
    """The live status of each block (with a rule) for the grades typed so far, by block pk: nothing read."""
    statuses = {}
    for block in blocks:
        codes, mandatory, threshold = block_rule(block)
        if codes:
            statuses[block.pk] = rules.live_block_status(grades.get(block.pk, {}), codes, mandatory, threshold)
    return statuses


def juries_with_signed_pv() -> QuerySet[Jury]:
    """Certification juries whose PV is fully signed: locked, no decision, dispute or transmission more."""
    # certificates depends on juries, not the reverse: its enum is read when the query is built.
    from certificates.models import PvStatus

    return Jury.objects.filter(pv__status=PvStatus.SIGNED)


# --- Open juries and their progress, by aggregate queries ----------------------------------------------


def _pv_signed() -> Exists:
    # certificates depends on juries, not the reverse: its model is read when the query is built.
    from certificates.models import ProcesVerbal, PvStatus

    return Exists(ProcesVerbal.objects.filter(jury=OuterRef("pk"), status=PvStatus.SIGNED))


def open_juries_q() -> Q:
    """A jury still at work: an evaluation jury that has not transmitted, a certification jury whose PV is not
    signed."""
    return Q(kind=JuryKind.EVALUATION, transmitted_at__isnull=True) | Q(~_pv_signed(), kind=JuryKind.CERTIFICATION)


def juries_open(juries: QuerySet[Jury]) -> QuerySet[Jury]:
    return juries.filter(open_juries_q())


def juries_closed(juries: QuerySet[Jury]) -> QuerySet[Jury]:
    """The history: evaluation juries that transmitted, certification juries whose PV is signed."""
    return juries.exclude(open_juries_q())


def juries_search(juries: QuerySet[Jury], text: str) -> QuerySet[Jury]:
    """Juries whose certification, organisation or president match every word of `text`."""
    for word in text.split()[:5]:
        juries = juries.filter(
            Q(version__short_title__icontains=word)
            | Q(version__rncp_code__icontains=word)
            | Q(session__organisation__name__icontains=word)
            | Q(president__last_name__icontains=word)
            | Q(president__first_name__icontains=word)
        )
    return juries


@dataclass
class Progress:
    """Where a jury stands for one reader: its candidates (present at the tests; convoked for a session to come),
    those left to grade (a block sat without a validated consensus grid), to recommend and to decide, and the
    consensus grids left to validate."""

    candidates: int = 0
    convoked: int = 0
    to_grade: int = 0
    to_recommend: int = 0
    to_decide: int = 0
    grids_to_validate: int = 0


def juries_progress(juries: Sequence[Jury], *, member: JuryMember | None) -> dict[int, Progress]:
    """{jury pk: Progress} of `juries` as `member` sees them (None: every candidate; a member does not see nor
    count the candidates they are recused for, `rules.sees_place`). Aggregate queries, a constant number whatever
    the number of juries and candidates: no deliberation is computed. A block the candidate acquired in an earlier
    session is not to grade (`earlier_acquisitions`' rule, read for the few candidates who have such a decision)."""
    progress = {jury.pk: Progress() for jury in juries}
    if not juries:
        return progress
    enrolled = Enrolment.blocks.through.objects.filter(enrolment_id=OuterRef("enrolment_id"))
    unvalidated = enrolled.filter(
        ~Exists(
            Grid.objects.filter(
                place_id=OuterRef(OuterRef("pk")),
                block_id=OuterRef("block_id"),
                member__isnull=True,
                status=GridStatus.SUBMITTED,
            )
        )
    )
    rows: list[dict[str, Any]] = []
    # A place is ruled on by its session's evaluation jury and by the certification jury it was transmitted to:
    # one query per kind of jury asked for (a jury's page asks for one).
    for jury_field, kind in (
        ("session__jury", JuryKind.EVALUATION),
        ("session__jury__certification_jury", JuryKind.CERTIFICATION),
    ):
        wanted = [jury.pk for jury in juries if jury.kind == kind]
        if not wanted:
            continue
        # What is left to grade and to recommend is an evaluation jury's: a certification jury counts decisions
        # only (its places were transmitted with every grid validated), so it skips those subqueries.
        grading: dict[str, Any] = (
            {
                "pending": Coalesce(
                    Subquery(unvalidated.values("enrolment_id").annotate(n=Count("*")).values("n")[:1]),  # type: ignore[misc]
                    0,
                    output_field=IntegerField(),
                ),
                "has_earlier": Exists(
                    Decision.objects.filter(
                        examined_place__enrolment__candidate_id=OuterRef("enrolment__candidate_id"),
                        examined_place__session__version_id=OuterRef("session__version_id"),
                        examined_place__session__starts_on__lt=OuterRef("session__starts_on"),
                        kind__in=[OutcomeKind.TOTAL, OutcomeKind.PARTIAL],
                    )
                )
                | Exists(
                    PriorAcquisition.objects.filter(
                        candidate_id=OuterRef("enrolment__candidate_id"),
                        block__version_id=OuterRef("session__version_id"),
                        withdrawn_at__isnull=True,
                    )
                ),
                "recommended": Exists(Recommendation.objects.filter(place_id=OuterRef("pk"))),
            }
            if kind == JuryKind.EVALUATION
            else {
                "pending": Value(0, output_field=IntegerField()),
                "has_earlier": Value(False),
                "recommended": Value(True),
            }
        )
        places = SessionCandidate.objects.filter(**{f"{jury_field}__in": wanted}).annotate(
            jury_id=F(jury_field),
            **grading,
            decided=Exists(Decision.objects.filter(place_id=OuterRef("pk"))),
            recused=Exists(
                Recusal.objects.filter(
                    member_id=member.pk if member is not None else None,
                    place_id=OuterRef("pk"),
                    jury_id=OuterRef("jury_id"),
                )
            ),
        )
        fields = ("pk", "jury_id", "attendance", "pending", "has_earlier", "recommended", "decided", "recused")
        rows.extend(dict(row) for row in places.values(*fields))
    covered = _pending_acquired_earlier([r["pk"] for r in rows if r["pending"] and r["has_earlier"]])
    kinds = {jury.pk: jury.kind for jury in juries}
    for row in rows:
        counts = progress[row["jury_id"]]
        if member is not None and row["recused"]:
            continue
        counts.convoked += 1
        if row["attendance"] != Attendance.PRESENT:
            continue
        counts.candidates += 1
        pending = row["pending"] - covered.get(row["pk"], 0)
        counts.grids_to_validate += pending
        if kinds[row["jury_id"]] == JuryKind.EVALUATION:
            if pending:
                counts.to_grade += 1
            elif not row["recommended"]:
                counts.to_recommend += 1
        elif not row["decided"]:
            counts.to_decide += 1
    return progress


def _pending_acquired_earlier(place_ids: list[int]) -> dict[int, int]:
    """{place: how many of its blocks without a validated consensus grid the candidate acquired in an earlier
    session, still valid}: the exact rule of `earlier_acquisitions`, for the few places that may have some."""
    if not place_ids:
        return {}
    places = list(SessionCandidate.objects.filter(pk__in=place_ids).select_related("enrolment", "session__version"))
    enrolled = Enrolment.blocks.through.objects.filter(enrolment_id__in=[p.enrolment_id for p in places])
    blocks_of: dict[int, set[int]] = defaultdict(set)
    for enrolment_id, block_id in enrolled.values_list("enrolment_id", "block_id"):
        blocks_of[enrolment_id].add(block_id)
    validated = set(
        Grid.objects.filter(place_id__in=place_ids, member__isnull=True, status=GridStatus.SUBMITTED).values_list(
            "place_id", "block_id"
        )
    )
    earlier = carry.carried(places)
    covered: dict[int, int] = {}
    for place in places:
        pending = {b for b in blocks_of[place.enrolment_id] if (place.pk, b) not in validated}
        covered[place.pk] = len(pending & set(earlier.get(place.pk, {})))
    return covered
