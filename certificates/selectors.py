"""Reads of the certifier's paper: what a PV says and who signed it, the deadlines dashboard, a jury's
parchments, a candidate's results."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from certificates import rules
from certificates.models import (
    CpnefpValidation,
    NoticeStatus,
    Parchment,
    ParchmentBatch,
    ParchmentStatus,
    ProcesVerbal,
    PvSignature,
    PvStatus,
    RenderStatus,
    ResultNotice,
)
from cqp.lib.blocks import codes_text
from evaluations.models import Incident
from juries import result_pages, result_state
from juries import rules as jury_rules
from juries import selectors as jury_selectors
from juries.models import Decision, Jury, JuryKind, JurySeat, OutcomeKind, Recusal
from juries.rule_sets import rules_by_kind, titles_of

# --- PV ------------------------------------------------------------------------------------------------


def pv_sheet(jury: Jury, seats: list[JurySeat] | None = None) -> dict[str, Any]:
    """What the PV says, as plain data: the sessions, the jury, recusals, incidents and every decision with
    its reason where it departs from the computed result. Its fingerprint is what members sign. `seats`: the
    jury's, when the caller read them already."""
    version = jury.version
    seats = jury_selectors.jury_seats(jury) if seats is None else seats
    evaluation_juries = list(
        Jury.objects.filter(certification_jury=jury)
        .select_related("session__organisation", "president__user")
        .prefetch_related("seats__member__user")
        .order_by("session__starts_on", "pk")
    )
    # The colleges in the version's words (31313: « Membre de la CPNEFP (collège des salariés) »).
    version_rules = rules_by_kind(version)
    titles, evaluation_titles = titles_of(version_rules[jury.kind]), titles_of(version_rules[JuryKind.EVALUATION])
    places = list(jury_selectors.transmitted_places(jury))
    rows = jury_selectors.deliberation_rows(places, version)
    session_ids = [ev.session_id for ev in evaluation_juries]
    incidents = Incident.objects.filter(session_id__in=session_ids).select_related("place__enrolment__candidate")
    recusals = Recusal.objects.filter(jury__in=[jury, *evaluation_juries]).select_related(
        "member__user", "place__enrolment__candidate", "jury"
    )
    candidates = []
    for row in rows:
        decision = row.decision
        computed = row.outcome
        departs = False
        if decision is not None and computed is not None:
            departs = jury_rules.departs(
                kind=decision.kind,
                blocks=[b.code for b in decision.blocks.all()],
                reference_kind=computed.kind,
                reference_blocks=computed.acquired_blocks,
            )
        candidates.append(
            {
                "place": row.place.pk,
                "name": row.candidate.display_name,
                "birth_date": row.candidate.birth_date.isoformat(),
                "organisation": row.place.session.organisation.name,
                "blocks": {
                    cell.block.code: (
                        "acquis antérieurement"
                        if cell.earlier
                        else ("validé" if cell.acquired else ("non présenté" if not cell.sat else "non validé"))
                    )
                    for cell in row.cells
                },
                "computed": computed.kind if computed else None,
                "computed_blocks": codes_text(computed.acquired_blocks) if computed else "",
                "recommendation": row.recommendation.kind if row.recommendation else None,
                "decision": decision.kind if decision else None,
                "decision_blocks": codes_text(b.code for b in decision.blocks.all()) if decision else "",
                "reason": decision.reason if decision else "",
                "departs": departs,
            }
        )
    return {
        "certification": {
            "rncp": version.rncp_number,
            "title": version.title,
            "version": version.number,
        },
        "certifier": version.certifier.legal_name,
        "jury": {
            "date": jury.meets_on.isoformat(),
            "president": jury.president.name if jury.president else None,
            "members": [{"name": s.member.name, "college": titles[s.college]} for s in seats],
        },
        "sessions": [
            {
                "organisation": ev.session.organisation.name,
                "date": ev.session.starts_on.isoformat(),
                "evaluation_jury": [
                    {"name": s.member.name, "college": evaluation_titles[s.college]} for s in ev.seats.all()
                ],
                "president": ev.president.name if ev.president else None,
            }
            for ev in evaluation_juries
            if ev.session is not None  # an evaluation jury always has its session
        ],
        "recusals": [
            {
                "member": r.member.name,
                "candidate": r.place.enrolment.candidate.display_name,
                "reason": str(r.get_reason_display()),
                "jury": str(r.jury.get_kind_display()),
            }
            for r in recusals.order_by("jury__kind", "place_id", "member_id")
        ],
        "incidents": [
            {
                "kind": str(i.get_kind_display()),
                "description": i.description,
                "candidate": i.place.enrolment.candidate.display_name if i.place else None,
                "at": timezone.localtime(i.reported_at).strftime("%Y-%m-%d %H:%M"),
            }
            for i in incidents.order_by("reported_at", "pk")
        ],
        "candidates": candidates,
    }


@dataclass(frozen=True)
class SeatSignature:
    seat: JurySeat
    signature: PvSignature | None
    valid: bool  # given to the content in force: a signature given to an earlier content is to renew


@dataclass(frozen=True)
class PvState:
    """A jury's PV as its page shows it: the content in force (the signed snapshot once locked, what the PV
    says now before), its fingerprint, the candidates still to decide, and each member's signature."""

    pv: ProcesVerbal | None
    content: dict[str, Any]
    digest: str
    undecided: list[str]
    signatures: list[SeatSignature]

    @property
    def signed(self) -> bool:
        return self.pv is not None and self.pv.status == PvStatus.SIGNED

    def seat_of(self, user: User) -> SeatSignature | None:
        return next((s for s in self.signatures if s.seat.member.user_id == user.pk), None)


def pv_state(jury: Jury) -> PvState:
    """The one computation of who signed what: a signature counts when it was given to the content in force,
    so a decision changed after a signature asks that member to sign again."""
    pv = ProcesVerbal.objects.filter(jury=jury).first()
    seats = jury_selectors.jury_seats(jury)
    if pv is not None and pv.status == PvStatus.SIGNED:
        content, digest = pv.content, pv.content_sha256
    else:
        content = pv_sheet(jury, seats)
        digest = rules.fingerprint(content)
    signatures = {s.member_id: s for s in pv.signatures.select_related("user")} if pv is not None else {}
    return PvState(
        pv=pv,
        content=content,
        digest=digest,
        undecided=[c["name"] for c in content["candidates"] if c["decision"] is None],
        signatures=[
            SeatSignature(
                seat=seat,
                signature=signatures.get(seat.member_id),
                valid=seat.member_id in signatures and signatures[seat.member_id].content_sha256 == digest,
            )
            for seat in seats
        ],
    )


# --- Deadlines -----------------------------------------------------------------------------------------


@dataclass
class JuryDeadlines:
    jury: Jury
    results: rules.Deadline
    parchments: rules.Deadline | None  # once the CPNEFP has validated
    results_overdue: bool
    parchments_overdue: bool

    @property
    def open(self) -> bool:
        """A result still to notify, the CPNEFP's validation still to come, or a parchment still to send."""
        return self.results.pending > 0 or self.parchments is None or self.parchments.pending > 0


_HOLDERS = [OutcomeKind.TOTAL, OutcomeKind.PARTIAL]
_current = Q(decisions__place__isnull=False)  # the place's current decision, not one replaced after an appeal


def _deadline_juries() -> QuerySet[Jury]:
    """Every certification jury that decided, with what the page shows of it (no PV content, no referential
    text) and its counts still to do. One pass over the decisions, grouped by jury: a decision joins nothing that
    multiplies it (the sent notices and parchments are asked with NOT IN, which PostgreSQL hashes once), and the
    rows grouped are narrow."""
    sent_notices = ResultNotice.objects.filter(status=NoticeStatus.SENT).values("decision_id")
    sent_parchments = Parchment.objects.filter(status=ParchmentStatus.VALID, sent_at__isnull=False).values(
        "decision_id"
    )
    return (
        Jury.objects.filter(kind=JuryKind.CERTIFICATION)
        .select_related("version", "cpnefp_validation", "pv")
        .only("meets_on", "version__rncp_code", "version__short_title", "cpnefp_validation__meeting_on", "pv__status")
        .annotate(
            decided=Count("decisions"),
            # A decision replaced after an appeal (it lost its place) is notified and sent through its revision;
            # a revoked award has nothing left to send (its parchments are cancelled).
            to_notify=Count("decisions", filter=_current & ~Q(decisions__in=sent_notices)),
            to_send=Count(
                "decisions",
                filter=_current
                & Q(decisions__kind__in=_HOLDERS, decisions__revoked_at__isnull=True)
                & ~Q(decisions__in=sent_parchments),
            ),
            **result_pages.jury_state_counts("decisions"),
        )
        .filter(decided__gt=0)
    )


def deadline_rows(juries: Iterable[Any], today: dt.date) -> list[JuryDeadlines]:
    """The two deadlines of juries read from `_deadline_juries` (their annotations; no query), overdue or not
    on `today`."""
    rows = []
    for jury in juries:
        validation = getattr(jury, "cpnefp_validation", None)
        results = rules.Deadline(
            label="Notification des résultats",
            due=rules.results_due(jury.meets_on),
            done_on=None,
            pending=jury.to_notify,
        )
        parchments = None
        if validation is not None:
            parchments = rules.Deadline(
                label="Envoi des parchemins",
                due=rules.parchments_due(validation.meeting_on),
                done_on=None,
                pending=jury.to_send,
            )
        rows.append(
            JuryDeadlines(
                jury=jury,
                results=results,
                parchments=parchments,
                results_overdue=results.overdue(today),
                parchments_overdue=parchments is not None and parchments.overdue(today),
            )
        )
    return rows


def deadlines(today: dt.date) -> list[JuryDeadlines]:
    """Every certification jury that decided, with its two deadlines: results notified within 1 month after
    the jury, parchments sent within 2 months after the CPNEFP validation, the latest first. One query."""
    return deadline_rows(_deadline_juries().order_by("-meets_on", "pk"), today)


@dataclass(frozen=True)
class DeadlinesSheet:
    """The deadlines page: the juries with something left to do, the oldest (the most overdue) first, and the
    juries done, by id, for the history's page to pick from."""

    open: list[JuryDeadlines]
    done: dict[int, JuryDeadlines]


def deadlines_sheet(today: dt.date) -> DeadlinesSheet:
    """One query: the certification juries are few (a few a year), their decisions many (counted in the
    database)."""
    rows = deadline_rows(_deadline_juries().order_by("meets_on", "pk"), today)
    return DeadlinesSheet(
        open=[row for row in rows if row.open], done={row.jury.pk: row for row in rows if not row.open}
    )


def deadlines_history(done: Iterable[int], q: str = "") -> QuerySet[Jury, int]:
    """The ids of the juries done (`DeadlinesSheet.done`), the latest first, searched by RNCP number, title or year
    (`q`): what the page paginates (a count and a page of ids, without counting any decision again)."""
    juries = Jury.objects.filter(pk__in=list(done)).order_by("-meets_on", "-pk")
    if q:
        condition = (
            Q(version__rncp_code__icontains=q) | Q(version__short_title__icontains=q) | Q(version__title__icontains=q)
        )
        if q.isdecimal() and len(q) == 4:
            condition |= Q(meets_on__year=int(q))
        juries = juries.filter(condition)
    return juries.values_list("pk", flat=True)


def candidate_results(user: User) -> list[Decision]:
    """A candidate's results once the CPNEFP validated them (a notice exists), with their parchments: the space
    shows them even if the e-mail could not be sent."""
    return list(
        # With their state (`juries.result_state`): under appeal, revoked… in the same query.
        result_state.with_result_state(
            # The place examined, not its current decision only: a result replaced after an appeal stays in
            # the space, said to be revised, above which its revision shows once notified.
            Decision.objects.filter(examined_place__enrolment__candidate__user=user, notice__isnull=False)
        )
        .select_related("jury__version", "notice", "examined_place__session")
        .prefetch_related("blocks", "parchments")
        .order_by("-jury__meets_on", "-pk")
    )


def cpnefp_validation(jury: Jury) -> CpnefpValidation | None:
    """The CPNEFP's validation of a certification jury's results, with who recorded it, or None."""
    return CpnefpValidation.objects.filter(jury=jury).select_related("recorded_by").first()


class ParchmentFilter(models.TextChoices):
    """The states the parchments page filters on (`?state=`)."""

    VALID = "valid", _("Valides")
    TO_SEND = "to_send", _("À envoyer")
    SENT = "sent", _("Envoyés")
    RENDERING = "rendering", _("En production")
    FAILED = "failed", _("Échec du rendu")
    CANCELLED = "cancelled", _("Annulés")


_STATE_FILTERS: dict[str, Q] = {
    ParchmentFilter.VALID: Q(status=ParchmentStatus.VALID),
    ParchmentFilter.TO_SEND: Q(status=ParchmentStatus.VALID, sent_at__isnull=True),
    ParchmentFilter.SENT: Q(status=ParchmentStatus.VALID, sent_at__isnull=False),
    ParchmentFilter.RENDERING: Q(render_status__in=[RenderStatus.PENDING, RenderStatus.RENDERING]),
    ParchmentFilter.FAILED: Q(render_status=RenderStatus.FAILED),
    ParchmentFilter.CANCELLED: Q(status=ParchmentStatus.CANCELLED),
}

# A parchment's number as printed: the series' prefix (if any), then the number.
_DISPLAY_NUMBER = re.compile(r"(\D{0,12}?)(\d{1,9})")


def _parchment_search(q: str) -> Q:
    """By holder (as printed), verification code or number (with or without its prefix and zeros)."""
    condition = Q(mentions__holder__name__icontains=q) | Q(verification_code__iexact=q.replace("-", ""))
    number = _DISPLAY_NUMBER.fullmatch(q.replace(" ", ""))
    if number:
        condition |= Q(number=int(number[2])) & (Q(prefix__iexact=number[1]) if number[1] else Q())
    return condition


@dataclass(frozen=True)
class ParchmentsSheet:
    """A certification jury's parchments as their page shows them: the parchments asked for (searched, filtered;
    the view pages them), the batch being followed, the validation that starts the two-month deadline, and what
    is left to do over the whole jury."""

    parchments: QuerySet[Parchment]
    batch: ParchmentBatch | None
    validation: CpnefpValidation | None
    due: dt.date | None
    ready: int  # rendered: what the ZIP holds
    total: int
    pending_holders: int
    to_resume: int


def parchments_sheet(jury: Jury, *, batch_pk: int | None = None, q: str = "", state: str = "") -> ParchmentsSheet:
    """Constant queries whatever the number of parchments: the counts are aggregates, the list a queryset."""
    from certificates import services  # the render queries are the services' own (claims and resumes)

    mine = Parchment.objects.filter(decision__jury=jury)
    parchments = mine.prefetch_related("blocks").order_by("number")  # the holder is read from the mentions
    if q:
        parchments = parchments.filter(_parchment_search(q))
    if state in _STATE_FILTERS:
        parchments = parchments.filter(_STATE_FILTERS[state])
    counts = mine.aggregate(
        total=Count("pk"),
        ready=Count("pk", filter=~Q(pdf="")),
        to_resume=Count("pk", filter=Q(pk__in=services.renders_to_resume(jury).values("pk"))),
    )
    batch = ParchmentBatch.objects.filter(jury=jury, pk=batch_pk).first() if batch_pk is not None else None
    validation = CpnefpValidation.objects.filter(jury=jury).first()
    return ParchmentsSheet(
        parchments=parchments,
        batch=batch,
        validation=validation,
        due=rules.parchments_due(validation.meeting_on) if validation else None,
        ready=counts["ready"],
        total=counts["total"],
        pending_holders=services.holders_without_parchment(jury).count(),
        to_resume=counts["to_resume"],
    )


def rendered_parchments(jury: Jury) -> list[Parchment]:
    """Every rendered parchment of the jury, in its version in force (a duplicate being rendered is there in its
    previous version), cancelled ones included: what the ZIP holds."""
    return list(Parchment.objects.filter(decision__jury=jury).exclude(pdf="").order_by("number"))
