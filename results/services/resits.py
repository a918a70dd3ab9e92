"""Resits (rattrapage): from a partial or failed *final* result, the candidate is placed, in one action, in a
later session of the same certification version for exactly the blocks still missing.

The enrolment stays the one the candidate sat under (one active enrolment per version; `evaluations.selectors`:
"one a certification jury decided on may be convoked again, for the blocks still to acquire"). What the resit
session grades is then what `juries.carry` says is not acquired for good on its first day: the blocks enrolled
for, less those of final results and recorded prior acquisitions still valid. The page shows those same blocks,
computed by the same rule (`results.standing`)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.access import check_organisation_manager
from accounts.models import User
from candidates.models import Enrolment
from cqp.models import Block
from evaluations import services as evaluation_services
from evaluations.models import EvaluationSession, SessionCandidate
from juries import lifecycle, result_state
from juries.models import Decision, OutcomeKind
from results.standing import enrolment_standing


def missing_blocks(enrolment: Enrolment, *, on: dt.date) -> list[Block]:
    """The blocks of the enrolment not acquired for good on `on` (what a session starting that day grades)."""
    return enrolment_standing(enrolment, on=on).remaining


def resit_refusal(decision: Decision) -> str | None:
    """Why no resit may start from this result (French), or None: it must be final, and partial or failed."""
    state = result_state.state(decision)
    if state != lifecycle.FINAL:
        return _(
            "Ce résultat est %(state)s : un rattrapage part d'un résultat définitif (procès-verbal signé et "
            "validation de la CPNEFP enregistrée)."
        ) % {"state": str(lifecycle.LABELS[state]).lower()}
    if decision.kind == OutcomeKind.TOTAL:
        return _("La certification a été obtenue en totalité : il n'y a rien à repasser.")
    return None


def resit_sessions(decision: Decision) -> QuerySet[EvaluationSession]:
    """The sessions the candidate may be placed in for a resit: the same version, their organisation's, not
    started yet (whether one is full is said when placing: its slots depend on the candidate's extra time)."""
    enrolment = decision.examined_place.enrolment
    return (
        EvaluationSession.objects.filter(
            version_id=enrolment.version_id,
            organisation_id=enrolment.candidate.organisation_id,
            starts_on__gt=timezone.localdate(),
        )
        .select_related("version", "organisation")
        .order_by("starts_on", "pk")
    )


@transaction.atomic
def resit_enrol(*, decision: Decision, session: EvaluationSession, enrolled_by: User) -> SessionCandidate:
    """Place the candidate of a partial or failed final result in a later session of the same version, for the
    blocks still missing on its first day (those the session will grade: `juries.selectors.blocks_sat`).
    Refused in French: a result not final or total, nothing missing, a session of another version, past or
    full, a candidate already placed."""
    place = decision.examined_place
    enrolment = (
        Enrolment.objects.select_related("candidate", "version").prefetch_related("blocks").get(pk=place.enrolment_id)
    )
    check_organisation_manager(
        enrolled_by,
        enrolment.candidate.organisation_id,
        _("Seul l'organisme de formation du candidat ou le certificateur inscrit en rattrapage."),
    )
    refusal = resit_refusal(decision)
    if refusal is not None:
        raise ValidationError(refusal)
    if decision.place_id is None:  # a revised decision is never final; said for the type of `place`
        raise ValidationError(_("Ce résultat a été remplacé : partez du résultat en vigueur."))
    if session.version_id != enrolment.version_id:
        raise ValidationError(
            {
                "session": _(
                    "Cette session évalue une autre certification : le rattrapage se passe dans une session "
                    "de %(rncp)s."
                )
                % {"rncp": enrolment.version.rncp_number}
            }
        )
    if session.starts_on <= timezone.localdate():
        raise ValidationError(
            {
                "session": _("La session du %(date)s a déjà commencé : choisissez une session à venir.")
                % {"date": date_format(session.starts_on)}
            }
        )
    if not missing_blocks(enrolment, on=session.starts_on):
        raise ValidationError(_("Tous les blocs présentés sont acquis pour de bon : il n'y a aucun bloc à repasser."))
    # The enrolment's rules (active, organisation, one session at a time, certified, fraud ban, slots).
    return evaluation_services.session_add_candidate(session=session, enrolment=enrolment)
