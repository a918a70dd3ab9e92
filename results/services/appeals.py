"""Appeals (recours): recorded by a certifier admin from the registered letter, admissible within two months of
the deliberating jury (`results.rules.appeal_deadline`), examined by the CPNEF, then rejected or sent back for a
re-examination: on the existing grids (the certification jury's president decides again,
`juries.services.revision_record`) or by a new evaluation in a later session (its decision revises the appealed
one through `juries.services.decision_record`). Either way `juries.signals.decision_revised` closes the appeal.

Every step leaves an entry in the candidate's result history (AuditAction.APPEAL)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.access import check_certifier_admin
from accounts.models import User
from candidates import documents as files
from evaluations.models import EvaluationSession, SessionCandidate
from evaluations.services import session_add_candidate
from juries import lifecycle, result_state
from juries.models import AuditAction, Decision
from juries.services.audit import audit
from results import rules
from results.models import Appeal, AppealDocument, AppealStatus, ReexaminationMode

MAX_DOCUMENTS = 10
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
REJECTED = "rejected"
REEXAMINATION = "reexamination"
OUTCOMES = (REJECTED, REEXAMINATION)


def _day(value: dt.date) -> str:
    return date_format(value, "DATE_FORMAT")


def _check_documents(documents: Sequence[UploadedFile[bytes]]) -> None:
    """At most MAX_DOCUMENTS files, each a PDF, PNG or JPEG of MAX_DOCUMENT_BYTES at most, checked by content."""
    if len(documents) > MAX_DOCUMENTS:
        raise ValidationError(
            {"documents": _("%(max)d pièces au plus par recours : regroupez-les dans un PDF.") % {"max": MAX_DOCUMENTS}}
        )
    for document in documents:
        size = document.size or 0
        name = document.name or ""
        if size > MAX_DOCUMENT_BYTES:
            problem: str | None = _("« %(name)s » pèse %(size)s Mo : %(max)d Mo au plus.") % {
                "name": name[:80],
                "size": files.megabytes(size),
                "max": MAX_DOCUMENT_BYTES // files.MEBIBYTE,
            }
        else:
            problem = files.declared_problem(size=size, name=name) or files.upload_problem(
                size=size, head=files.read_head(document)
            )
        if problem:
            raise ValidationError({"documents": problem})


def _save_documents(appeal: Appeal, documents: Sequence[UploadedFile[bytes]], by: User) -> None:
    for document in documents:
        kind = files.file_type(files.read_head(document))
        assert kind is not None  # noqa: S101 - checked by _check_documents
        row = AppealDocument(
            appeal=appeal,
            original_name=(document.name or "piece")[:255],
            content_type=kind.content_type,
            size=document.size or 0,
            uploaded_by=by,
        )
        row.file.save(f"piece{kind.extension}", document, save=False)
        row.save()


def _snapshot(appeal: Appeal) -> dict[str, Any]:
    return {
        "statut": str(appeal.get_status_display()),
        "reçu le": appeal.received_on.isoformat(),
        "date limite": appeal.deadline.isoformat(),
        **({"réunion de la CPNEF": appeal.cpnef_meeting_on.isoformat()} if appeal.cpnef_meeting_on else {}),
        **({"réexamen": str(appeal.get_reexamination_mode_display())} if appeal.reexamination_mode else {}),
    }


@transaction.atomic
def appeal_record(
    *,
    decision: Decision,
    received_on: dt.date,
    grounds: str,
    documents: Sequence[UploadedFile[bytes]] = (),
    recorded_by: User,
) -> Appeal:
    """Record the appeal a candidate sent by registered letter against a certification jury's decision.

    Received by the last day (`rules.appeal_deadline` of the jury's meeting day), it is open (RECEIVED) and the
    result is under appeal until the CPNEF rules; received later, it is recorded all the same as INADMISSIBLE,
    with the reason naming the deadline. A revised or revoked result, or one already under appeal, takes none."""
    check_certifier_admin(recorded_by, _("Seul un administrateur du certificateur enregistre un recours."))
    decision = (
        Decision.objects.select_for_update(of=("self",))
        .select_related("jury", "examined_place__enrolment__candidate")
        .get(pk=decision.pk)
    )
    result_state.refuse(decision, lifecycle.APPEAL)
    grounds = grounds.strip()
    if not grounds:
        raise ValidationError({"grounds": _("Indiquez les motifs du recours, tels que la lettre les expose.")})
    jury_day = decision.jury.meets_on
    if received_on < jury_day:
        raise ValidationError(
            {
                "received_on": _(
                    "Le jury de certification a délibéré le %(date)s : un recours contre sa décision ne peut pas "
                    "avoir été reçu avant."
                )
                % {"date": _day(jury_day)}
            }
        )
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": _("La date de réception ne peut pas être dans le futur.")})
    _check_documents(documents)
    deadline = rules.appeal_deadline(jury_day)
    appeal = Appeal(
        decision=decision, received_on=received_on, deadline=deadline, grounds=grounds, recorded_by=recorded_by
    )
    if not rules.admissible(deliberation_date=jury_day, received_on=received_on):
        appeal.status = AppealStatus.INADMISSIBLE
        appeal.inadmissible_reason = _(
            "Recours reçu le %(received)s, après la date limite du %(deadline)s : le délai de deux mois suivant "
            "le jury de délibération du %(jury)s est expiré."
        ) % {"received": _day(received_on), "deadline": _day(deadline), "jury": _day(jury_day)}
        appeal.closed_at = timezone.now()
    appeal.full_clean()
    try:
        with transaction.atomic():
            appeal.save()
    except IntegrityError as exc:  # another admin recorded one on this decision meanwhile
        raise ValidationError(_("Un recours est déjà en cours sur cette décision.")) from exc
    _save_documents(appeal, documents, recorded_by)
    audit(
        place=decision.examined_place,
        action=AuditAction.APPEAL,
        subject=_("Recours reçu le %(date)s") % {"date": _day(received_on)}
        if appeal.status == AppealStatus.RECEIVED
        else _("Recours irrecevable reçu le %(date)s") % {"date": _day(received_on)},
        actor=recorded_by,
        after={**_snapshot(appeal), "pièces": len(documents)},
        reason=appeal.inadmissible_reason or grounds,
    )
    return appeal


def _locked(appeal: Appeal) -> Appeal:
    return (
        Appeal.objects.select_for_update(of=("self",))
        .select_related("decision__jury", "decision__examined_place__enrolment__candidate")
        .get(pk=appeal.pk)
    )


@transaction.atomic
def appeal_examine(
    *,
    appeal: Appeal,
    meeting_on: dt.date,
    outcome: str,
    reason: str,
    mode: str = "",
    scope: str = "",
    examined_by: User,
) -> Appeal:
    """Record what the CPNEF decided on an appeal at its meeting of `meeting_on`: rejected (the result is back to
    its state: final, or provisional), or a re-examination ordered, on the existing grids or by a new evaluation,
    with its scope."""
    check_certifier_admin(examined_by, _("Seul un administrateur du certificateur enregistre l'examen d'un recours."))
    appeal = _locked(appeal)
    if appeal.status != AppealStatus.RECEIVED:
        raise ValidationError(
            _("Ce recours est « %(status)s » : il n'attend plus l'examen de la CPNEF.")
            % {"status": appeal.get_status_display()}
        )
    errors: dict[str, str] = {}
    if meeting_on < appeal.received_on:
        errors["meeting_on"] = _("La CPNEF ne peut pas avoir examiné le recours avant sa réception (le %(date)s).") % {
            "date": _day(appeal.received_on)
        }
    elif meeting_on > timezone.localdate():
        errors["meeting_on"] = _(
            "La réunion de la CPNEF ne peut pas être dans le futur : enregistrez-la une fois tenue."
        )
    if outcome not in OUTCOMES:
        errors["outcome"] = _("Choisissez l'issue : recours rejeté, ou réexamen ordonné.")
    reason = reason.strip()
    if not reason:
        errors["reason"] = _("Indiquez la motivation de la CPNEF : elle figure dans le courrier au candidat.")
    scope = scope.strip()
    if outcome == REEXAMINATION:
        if mode not in ReexaminationMode.values:
            errors["mode"] = _(
                "Choisissez la modalité du réexamen : le jury statue à nouveau sur les grilles existantes, ou "
                "une nouvelle évaluation est organisée."
            )
        if not scope:
            errors["scope"] = _("Précisez l'étendue du réexamen (les blocs, les épreuves ou les points à revoir).")
    if errors:
        raise ValidationError(errors)
    before = _snapshot(appeal)
    now = timezone.now()
    appeal.cpnef_meeting_on = meeting_on
    appeal.outcome_reason = reason
    appeal.examined_by = examined_by
    appeal.examined_at = now
    if outcome == REJECTED:
        result_state.refuse(appeal.decision, lifecycle.REJECT)
        appeal.status = AppealStatus.REJECTED
        appeal.closed_at = now
        subject = _("Recours rejeté par la CPNEF (réunion du %(date)s)")
    else:
        appeal.status = AppealStatus.REEXAMINATION
        appeal.reexamination_mode = mode
        appeal.reexamination_scope = scope
        subject = _("Réexamen ordonné par la CPNEF (réunion du %(date)s)")
    appeal.full_clean()
    moved = Appeal.objects.filter(pk=appeal.pk, status=AppealStatus.RECEIVED).update(
        status=appeal.status,
        cpnef_meeting_on=meeting_on,
        outcome_reason=reason,
        reexamination_mode=appeal.reexamination_mode,
        reexamination_scope=appeal.reexamination_scope,
        examined_by=examined_by,
        examined_at=now,
        closed_at=appeal.closed_at,
    )
    if moved != 1:  # pragma: no cover - the row is locked above
        raise ValidationError(_("Ce recours vient d'être examiné : rechargez la page."))
    audit(
        place=appeal.decision.examined_place,
        action=AuditAction.APPEAL,
        subject=subject % {"date": _day(meeting_on)},
        actor=examined_by,
        before=before,
        after={**_snapshot(appeal), **({"étendue": scope} if scope else {})},
        reason=reason,
    )
    return appeal


def sessions_for_reexamination(appeal: Appeal) -> Any:
    """The sessions a new evaluation may take place in: of the appealed decision's certification and its
    candidate's organisation, starting after the deliberation and not over yet, soonest first."""
    decision = appeal.decision
    place = decision.examined_place
    return EvaluationSession.objects.filter(
        version_id=decision.jury.version_id,
        organisation_id=place.enrolment.candidate.organisation_id,
        starts_on__gt=decision.jury.meets_on,
        ends_on__gte=timezone.localdate(),
    ).order_by("starts_on", "pk")


@transaction.atomic
def appeal_reexamination_place(*, appeal: Appeal, session: EvaluationSession, by: User) -> SessionCandidate:
    """A new evaluation ordered by the CPNEF: the candidate takes a place in `session` (a later session of the
    same certification); the decision taken on that place revises the appealed one and closes the appeal."""
    check_certifier_admin(by, _("Seul un administrateur du certificateur organise la nouvelle évaluation."))
    appeal = _locked(appeal)
    if appeal.status != AppealStatus.REEXAMINATION or appeal.reexamination_mode != ReexaminationMode.NEW_EVALUATION:
        raise ValidationError(_("La CPNEF n'a pas ordonné de nouvelle évaluation sur ce recours."))
    if appeal.reexamination_place_id is not None:
        raise ValidationError(_("La nouvelle évaluation a déjà sa place dans une session."))
    decision = appeal.decision
    if session.version_id != decision.jury.version_id:
        raise ValidationError(
            {"session": _("La nouvelle évaluation se passe dans une session de la même certification.")}
        )
    if session.starts_on <= decision.jury.meets_on or session.ends_on < timezone.localdate():
        raise ValidationError(
            {
                "session": _(
                    "Choisissez une session qui commence après le jury de délibération du %(date)s et n'est pas "
                    "terminée."
                )
                % {"date": _day(decision.jury.meets_on)}
            }
        )
    place = session_add_candidate(session=session, enrolment=decision.examined_place.enrolment)
    moved = Appeal.objects.filter(pk=appeal.pk, reexamination_place__isnull=True).update(reexamination_place=place)
    if moved != 1:  # pragma: no cover - the row is locked above
        raise ValidationError(_("La nouvelle évaluation vient d'être placée : rechargez la page."))
    appeal.reexamination_place = place
    audit(
        place=decision.examined_place,
        action=AuditAction.APPEAL,
        subject=_("Nouvelle évaluation : session du %(date)s") % {"date": _day(session.starts_on)},
        actor=by,
        after={"session": session.pk, "début": session.starts_on.isoformat()},
    )
    return place


def appeal_close_on_revision(*, old: Decision, new: Decision) -> Appeal:
    """The re-examination's decision `new` replaces `old`: its appeal is closed (REVISED). Called inside the
    transaction of `juries.services.revision_record` or `decision_record` (signal `decision_revised`): a refusal
    here undoes the revision. Only the re-examination the CPNEF ordered, in the way it ordered it, revises."""
    appeal = (
        Appeal.objects.select_for_update(of=("self",))
        .filter(decision_id=old.pk, status__in=[AppealStatus.RECEIVED, AppealStatus.REEXAMINATION])
        .first()
    )
    if appeal is None or appeal.status != AppealStatus.REEXAMINATION:
        raise ValidationError(
            _("La CPNEF n'a pas ordonné de réexamen de ce résultat : le jury ne statue à nouveau qu'après sa décision.")
        )
    if new.needs_addendum and appeal.reexamination_mode != ReexaminationMode.SAME_GRIDS:
        raise ValidationError(
            _(
                "La CPNEF a ordonné une nouvelle évaluation : la décision sera prise sur la session où le candidat "
                "est replacé, pas sur les grilles existantes."
            )
        )
    now = timezone.now()
    Appeal.objects.filter(pk=appeal.pk).update(status=AppealStatus.REVISED, revised_decision=new, closed_at=now)
    appeal.refresh_from_db()
    audit(
        place=new.examined_place,
        action=AuditAction.APPEAL,
        subject=_("Recours clos par la décision révisée"),
        actor=new.decided_by,
        before={"décision": old.get_kind_display()},
        after={**_snapshot(appeal), "décision révisée": new.get_kind_display()},
        reason=new.reason,
    )
    return appeal


def on_decision_revised(sender: object, *, old: Decision, new: Decision, **kwargs: object) -> None:
    """Receiver of `juries.signals.decision_revised` (connected in `results.apps`)."""
    appeal_close_on_revision(old=old, new=new)
