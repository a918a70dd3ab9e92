"""Reads of the certifier's paper: the deadlines dashboard, a jury's parchments, a candidate's results."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q

from accounts.models import User
from certificates import rules
from certificates.models import NoticeStatus, ParchmentStatus
from juries.models import Decision, Jury, JuryKind, OutcomeKind


@dataclass
class JuryDeadlines:
    jury: Jury
    results: rules.Deadline
    parchments: rules.Deadline | None  # once the CPNEFP has validated


def deadlines(today: dt.date) -> list[JuryDeadlines]:
    """Every certification jury that decided, with its two deadlines: results notified within 1 month after
    the jury, parchments sent within 2 months after the CPNEFP validation. A constant number of queries."""
    juries = (
        Jury.objects.filter(kind=JuryKind.CERTIFICATION)
        .select_related("version", "cpnefp_validation", "pv")
        .annotate(
            decided=Count("decisions", distinct=True),
            notified=Count("decisions", filter=Q(decisions__notice__status=NoticeStatus.SENT), distinct=True),
            holders=Count(
                "decisions",
                filter=Q(decisions__kind__in=[OutcomeKind.TOTAL, OutcomeKind.PARTIAL]),
                distinct=True,
            ),
            sent=Count(
                "decisions__parchments",
                filter=Q(
                    decisions__parchments__status=ParchmentStatus.VALID,
                    decisions__parchments__sent_at__isnull=False,
                ),
                distinct=True,
            ),
        )
        .filter(decided__gt=0)
        .order_by("-meets_on", "pk")
    )
    rows = []
    for jury in juries:
        validation = getattr(jury, "cpnefp_validation", None)
        results = rules.Deadline(
            label="Notification des résultats",
            due=rules.results_due(jury.meets_on),
            done_on=None,
            pending=jury.decided - jury.notified,
        )
        parchments = None
        if validation is not None:
            parchments = rules.Deadline(
                label="Envoi des parchemins",
                due=rules.parchments_due(validation.meeting_on),
                done_on=None,
                pending=jury.holders - jury.sent,
            )
        rows.append(JuryDeadlines(jury=jury, results=results, parchments=parchments))
    return rows


def candidate_results(user: User) -> list[Decision]:
    """A candidate's results once the CPNEFP validated them (a notice exists), with their parchments: the space
    shows them even if the e-mail could not be sent."""
    return list(
        Decision.objects.filter(place__enrolment__candidate__user=user, notice__isnull=False)
        .select_related("jury__version", "notice", "place__session")
        .prefetch_related("blocks", "parchments")
        .order_by("-jury__meets_on")
    )
