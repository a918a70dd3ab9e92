"""The lists of appeals: every one (open first), the open ones for the deadlines page, the decisions an appeal
may be recorded against, a jury's re-examinations on the existing grids."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from evaluations.selectors import search_words
from juries import result_state
from juries.models import Decision, Jury
from results.models import OPEN_STATUSES, Appeal, AppealStatus, ReexaminationMode


def _candidate_words(prefix: str, q: str) -> Q:
    found = Q()
    for word in search_words(q):
        found &= (
            Q(**{f"{prefix}birth_name__icontains": word})
            | Q(**{f"{prefix}usage_name__icontains": word})
            | Q(**{f"{prefix}first_name__icontains": word})
        )
    return found


def appeal_list(q: str = "") -> QuerySet[Appeal]:
    """Every appeal, the open ones first (oldest received first), then the closed ones (latest first)."""
    return (
        Appeal.objects.filter(_candidate_words("decision__examined_place__enrolment__candidate__", q))
        .select_related(
            "decision__jury__version",
            "decision__examined_place__enrolment__candidate",
        )
        .annotate(
            open=Case(
                When(status__in=OPEN_STATUSES, then=Value(True)), default=Value(False), output_field=BooleanField()
            )
        )
        .order_by("-open", Case(When(status__in=OPEN_STATUSES, then="received_on")), "-received_on", "-pk")
    )


def age_in_days(appeal: Appeal, today: dt.date | None = None) -> int:
    """Days since the letter was received."""
    return ((today or timezone.localdate()) - appeal.received_on).days


@dataclass(frozen=True)
class OpenAppeal:
    appeal: Appeal
    age: int
    waits_for: Promise  # what the appeal waits for, in words


def open_appeals(today: dt.date | None = None) -> list[OpenAppeal]:
    """The appeals to deal with, oldest first: to examine by the CPNEF, or re-examinations under way."""
    today = today or timezone.localdate()
    rows = []
    appeals = (
        Appeal.objects.filter(status__in=OPEN_STATUSES)
        .select_related("decision__jury__version", "decision__examined_place__enrolment__candidate")
        .order_by("received_on", "pk")
    )
    for appeal in appeals:
        if appeal.status == AppealStatus.RECEIVED:
            waits = _("l'examen par la CPNEF")
        elif appeal.reexamination_mode == ReexaminationMode.SAME_GRIDS:
            waits = _("la nouvelle décision du jury de certification")
        elif appeal.reexamination_place_id is None:
            waits = _("une place dans une session de nouvelle évaluation")
        else:
            waits = _("la décision après la nouvelle évaluation")
        rows.append(OpenAppeal(appeal=appeal, age=age_in_days(appeal, today), waits_for=waits))
    return rows


def decisions_for_appeal(*, jury: Jury | None, q: str) -> QuerySet[Decision]:
    """Certification jury decisions (the current ones of their candidates) an appeal may be recorded against,
    with their state, searchable by the candidate's name; those of one jury when `jury` is given."""
    decisions = Decision.objects.filter(place__isnull=False)
    if jury is not None:
        decisions = decisions.filter(jury=jury)
    decisions = decisions.filter(_candidate_words("examined_place__enrolment__candidate__", q))
    return (
        result_state.with_result_state(decisions)
        .select_related("jury__version", "examined_place__enrolment__candidate")
        .prefetch_related("blocks")
        .order_by("-jury__meets_on", "examined_place__enrolment__candidate__birth_name", "pk")
    )


def revisions_to_decide(jury: Jury) -> QuerySet[Appeal]:
    """The re-examinations on the existing grids a certification jury has to decide (for its page)."""
    return Appeal.objects.filter(
        decision__jury=jury, status=AppealStatus.REEXAMINATION, reexamination_mode=ReexaminationMode.SAME_GRIDS
    ).select_related("decision__examined_place__enrolment__candidate")


def candidate_appeals(user: object) -> list[Appeal]:
    """A candidate's own appeals, latest first, for their space (`includes/candidate_letters.html`)."""
    pk = getattr(user, "pk", None)
    if pk is None or not getattr(user, "is_candidate", False):
        return []
    from results.appeals.letters import letters

    appeals = list(
        Appeal.objects.filter(decision__examined_place__enrolment__candidate__user_id=pk)
        .select_related("decision__jury__version")
        .order_by("-received_on", "-pk")
    )
    for appeal in appeals:
        appeal.letters = letters(appeal)  # type: ignore[attr-defined]
    return appeals
