"""Writes about evaluation sessions: scheduling, places and slots, convocations and their override."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.access import check_certifier_admin
from accounts.models import User
from candidates.models import AccommodationKind, Enrolment, EnrolmentStatus
from candidates.services import active_fraud_ban
from cqp import block_tests
from cqp.lib import bounds
from cqp.lib.agreement import agree
from cqp.models import CertificationVersion, TrainingOrganisation, VersionStatus
from dysfunctions.services import session_is_cancelled
from evaluations import rules, selectors
from evaluations.convocation import CONVOCATION_CLAIM
from evaluations.models import (
    Attendance,
    ConvocationOverride,
    ConvocationStatus,
    EvaluationSession,
    IdentityDocument,
    Incident,
    IncidentKind,
    SessionCandidate,
    SessionMode,
)
from juries.models import Jury
from juries.services import recusals_refresh
from vae.services import placement_refusal as vae_placement_refusal


@transaction.atomic
def session_schedule(
    *,
    version: CertificationVersion,
    organisation: TrainingOrganisation,
    starts_on: dt.date,
    ends_on: dt.date | None,
    mode: str,
    created_by: User,
    address: str = "",
    connection_details: str = "",
    slot_minutes: int | None = None,
    day_starts_at: dt.time = dt.time(9, 0),
    what_to_bring: str = "",
) -> EvaluationSession:
    """Schedule a session. The organisation's approval must cover every day of it."""
    ends_on = ends_on or starts_on
    errors: dict[str, str] = {}
    if starts_on <= timezone.localdate():
        errors["starts_on"] = _("Une session se programme pour une date à venir.")
    if not (organisation.approval_is_valid(starts_on) and organisation.approval_is_valid(ends_on)):
        end = date_format(organisation.approval_end) if organisation.approval_end else "—"
        errors["starts_on"] = _(
            "L'habilitation de %(org)s ne couvre pas ces dates (%(status)s, jusqu'au %(end)s) : "
            "une session ne peut pas être programmée."
        ) % {"org": organisation.name, "status": organisation.get_approval_status_display().lower(), "end": end}
    length_refusal = rules.session_length_refusal(starts_on=starts_on, ends_on=ends_on)
    if length_refusal is not None:
        errors["ends_on"] = length_refusal
    if version.status != VersionStatus.PUBLISHED:
        errors["version"] = _("Seule une certification en vigueur peut être évaluée.")
    if mode == SessionMode.ON_SITE and not address.strip():
        errors["address"] = _("Indiquez l'adresse des épreuves.")
    if mode == SessionMode.REMOTE and not connection_details.strip():
        errors["connection_details"] = _("Indiquez le lien et les consignes de connexion.")
    # Unless the organisation sets it, a passage lasts the tests of the blocks sat (`candidate_exam_minutes`);
    # the session records the length for all blocks (or the version's exam length when it has no tests).
    slot = slot_minutes or block_tests.version_minutes(version) or version.exam_minutes or 0
    if not slot:
        errors["slot_minutes"] = _(
            "La certification ne fixe pas la durée d'un passage (aucune épreuve saisie) : indiquez-la."
        )
    elif not slot_minutes and not bounds.SLOT_MINUTES_MIN <= slot <= bounds.SLOT_MINUTES_MAX:
        errors["slot_minutes"] = _(
            "Les épreuves de tous les blocs durent %(minutes)d minutes, hors des bornes d'un passage (%(min)d à "
            "%(max)d minutes) : indiquez la durée d'un passage."
        ) % {"minutes": slot, "min": bounds.SLOT_MINUTES_MIN, "max": bounds.SLOT_MINUTES_MAX}
    if errors:
        raise ValidationError(errors)
    session = EvaluationSession(
        version=version,
        organisation=organisation,
        starts_on=starts_on,
        ends_on=ends_on,
        mode=mode,
        address=address.strip(),
        connection_details=connection_details.strip(),
        slot_minutes=slot,
        slot_fixed=bool(slot_minutes),
        day_starts_at=day_starts_at,
        what_to_bring=what_to_bring.strip(),
        created_by=created_by,
    )
    session.full_clean()
    session.save()
    return session


def candidate_exam_minutes(session: EvaluationSession, enrolment: Enrolment) -> int:
    """How long a candidate's passage lasts before extra time: the tests of the blocks they sit in this session
    (enrolled and not acquired earlier, `evaluations.selectors.blocks_to_sit`), or the session's length when the
    organisation imposed one or the version has no tests."""
    if session.slot_fixed:
        return session.slot_minutes
    minutes = block_tests.blocks_minutes(selectors.blocks_to_sit(session, enrolment))
    return minutes or session.slot_minutes


def extra_minutes(enrolment: Enrolment) -> int:
    granted = enrolment.accommodations.filter(kind=AccommodationKind.EXTRA_TIME).aggregate(total=Sum("extra_minutes"))
    return granted["total"] or 0


@transaction.atomic
def session_add_candidate(*, session: EvaluationSession, enrolment: Enrolment) -> SessionCandidate:
    """Give an enrolled candidate the next time slot of the session (their tests' length + extra time), up to the day
    before its first exam day (`rules.placement_date_refusal`): from then on no convocation leaves. Never to a
    cancelled session.

    An enrolment is in one session at a time (`rules.placement_refusal`): the enrolment's row is locked while its
    open places are read, so two sessions asking for it at once take it in turn and the second is refused."""
    session = EvaluationSession.objects.select_for_update().get(pk=session.pk)
    enrolment = Enrolment.objects.select_for_update(of=("self",)).select_related("candidate").get(pk=enrolment.pk)
    candidate = enrolment.candidate
    late = rules.placement_date_refusal(
        today=timezone.localdate(),
        first_day=session.starts_on,
        last_day=session.ends_on,
        cancelled=session_is_cancelled(session),
    )
    if late is not None:
        raise ValidationError(late)
    if enrolment.status != EnrolmentStatus.ACTIVE:
        raise ValidationError(_("Cette inscription n'est plus active."))
    if enrolment.version_id != session.version_id:
        raise ValidationError(_("Le candidat n'est pas inscrit à la certification de cette session."))
    if candidate.organisation_id != session.organisation_id:
        raise ValidationError(_("Ce candidat est suivi par un autre organisme."))
    refusal = rules.placement_refusal(
        this_session_id=session.pk,
        open_sessions=selectors.open_sessions(enrolment),
        certified=selectors.is_certified(enrolment),
    )
    if refusal is not None:
        raise ValidationError(refusal)
    ban = active_fraud_ban(candidate, on=session.starts_on)
    if ban is not None:
        raise ValidationError(
            agree(
                candidate.sex,
                _("%(name)s est exclu pour fraude jusqu'au %(date)s."),
                _("%(name)s est exclue pour fraude jusqu'au %(date)s."),
                _("%(name)s est exclu(e) pour fraude jusqu'au %(date)s."),
            )
            % {"name": candidate.display_name, "date": date_format(ban.ends_on)}
        )
    vae_refusal = vae_placement_refusal(enrolment, on=session.starts_on)  # VAE: admissible, declarative file sent
    if vae_refusal is not None:
        raise ValidationError(vae_refusal)
    last_end = session.candidates.aggregate(last=Max("ends_at"))["last"]
    minutes = rules.slot_minutes(
        exam_minutes=candidate_exam_minutes(session, enrolment), extra_minutes=extra_minutes(enrolment)
    )
    start = rules.next_slot_start(
        previous_end=timezone.make_naive(last_end) if last_end else None,
        first_day=session.starts_on,
        last_day=session.ends_on,
        day_starts_at=session.day_starts_at,
        minutes=minutes,
    )
    if start is None:
        raise ValidationError(
            _("La session est complète : plus aucun créneau avant 18 h sur ses journées. Ajoutez une journée.")
        )
    starts_at = timezone.make_aware(start)
    place = SessionCandidate(
        session=session, enrolment=enrolment, starts_at=starts_at, ends_at=starts_at + dt.timedelta(minutes=minutes)
    )
    place.full_clean()
    try:
        with transaction.atomic():
            place.save()
    except IntegrityError as exc:  # another request placed the enrolment between the check and the write
        raise ValidationError(_("Ce candidat vient d'être placé dans une autre session : rechargez la page.")) from exc
    jury = Jury.objects.filter(session=session).first()
    if jury is not None:
        # The jury was composed before this candidate came: record the members' conflicts with them too.
        recusals_refresh(jury=jury, actor=None)
    return place


@transaction.atomic
def convocation_override_record(*, session: EvaluationSession, reason: str, recorded_by: User) -> ConvocationOverride:
    """A certifier admin waives the 15-day rule for a session, with a reason; refused once its tests have begun
    (`rules.override_refusal`): a convocation never leaves after the first exam day, nor for a cancelled session."""
    check_certifier_admin(recorded_by, _("Seul un administrateur du certificateur peut déroger au délai de 15 jours."))
    late = rules.override_refusal(
        today=timezone.localdate(),
        first_day=session.starts_on,
        last_day=session.ends_on,
        cancelled=session_is_cancelled(session),
    )
    if late is not None:
        raise ValidationError(late)
    if not reason.strip():
        raise ValidationError({"reason": _("Indiquez le motif de la dérogation.")})
    override = ConvocationOverride(session=session, reason=reason.strip(), recorded_by=recorded_by)
    override.full_clean()
    override.save()
    return override


def convocation_refusal(session: EvaluationSession, *, today: dt.date | None = None) -> str | None:
    """Why the session's convocations may not leave today (`rules.convocation_refusal`), or None."""
    return rules.convocation_refusal(
        today=today or timezone.localdate(),
        first_day=session.starts_on,
        last_day=session.ends_on,
        override=ConvocationOverride.objects.filter(session=session).exists(),
        cancelled=session_is_cancelled(session),
    )


def convocations_allowed(session: EvaluationSession, *, today: dt.date | None = None) -> bool:
    return convocation_refusal(session, today=today) is None


@transaction.atomic
def convocations_send(*, session: EvaluationSession, resend: bool = False) -> int:
    """Queue the convocations of every candidate not yet convoked (or all of them with `resend`).

    Refused less than 15 days before the session unless a certifier admin recorded an override, and always from
    its first exam day on. The e-mails leave through a Celery task once this transaction commits (which checks the
    date again: a queue that waited past the first exam day sends nothing). Returns how many were queued.
    """
    from evaluations.tasks import convocation_send

    refusal = convocation_refusal(session)
    if refusal is not None:
        raise ValidationError(refusal)
    places = session.candidates.select_for_update()
    if not resend:
        places = places.exclude(
            convocation_status__in=[ConvocationStatus.SENT, ConvocationStatus.QUEUED, ConvocationStatus.SENDING]
        )
    ids = list(places.values_list("pk", flat=True))
    SessionCandidate.objects.filter(pk__in=ids).update(
        convocation_status=ConvocationStatus.QUEUED, convocation_error=""
    )
    for pk in ids:
        transaction.on_commit(partial(convocation_send.delay, place_id=pk))
    return len(ids)


def convocation_too_late(place: SessionCandidate) -> str | None:
    """Why a queued convocation may no longer leave, or None: its session was cancelled or its tests have begun
    (the 15-day rule was checked when it was queued, by then with any override)."""
    session = place.session
    return rules.convocation_refusal(
        today=timezone.localdate(),
        first_day=session.starts_on,
        last_day=session.ends_on,
        override=True,
        cancelled=session_is_cancelled(session),
    )


def convocation_mark(*, place: SessionCandidate, error: str = "") -> bool:
    """Record the outcome of the sending that holds `place`'s claim (called by the task); False when another
    worker took the claim over."""
    outcome: dict[str, Any] = {
        "convocation_status": ConvocationStatus.FAILED,
        "convocation_error": error[: bounds.SHORT_TEXT_LENGTH],
    }
    if not error:
        outcome = {
            "convocation_status": ConvocationStatus.SENT,
            "convocation_error": "",
            "convocation_sent_at": timezone.now(),
            "convocation_sends": F("convocation_sends") + 1,
        }
    return CONVOCATION_CLAIM.settle(SessionCandidate.objects.all(), place.pk, place.convocation_claimed_at, **outcome)


def _assert_exam_day(session: EvaluationSession) -> None:
    today = timezone.localdate()
    if not session.starts_on <= today <= session.ends_on:
        raise ValidationError(
            _("La feuille d'émargement se remplit le jour des épreuves (le %(date)s).")
            % {"date": date_format(session.starts_on)}
        )


@transaction.atomic
def identity_check(*, place: SessionCandidate, document: str, checked_by: User) -> SessionCandidate:
    """Record that the candidate's identity was checked, on which document and by whom.

    For a remote session the check compares the document shown to the camera with the copy the candidate
    uploaded; that copy is then deleted (kept no longer than the check needs).
    """
    from candidates.services import identity_copy_delete, identity_copy_for

    place = (
        SessionCandidate.objects.select_for_update().select_related("session", "enrolment__candidate").get(pk=place.pk)
    )
    _assert_exam_day(place.session)
    if place.attendance != Attendance.EXPECTED:
        raise ValidationError(
            _("Ce candidat est déjà noté %(state)s.") % {"state": place.get_attendance_display().lower()}
        )
    if document not in IdentityDocument.values:
        raise ValidationError({"identity_document": _("Choisissez la pièce d'identité présentée.")})
    remote = place.session.mode == SessionMode.REMOTE
    candidate = place.enrolment.candidate
    if remote and identity_copy_for(candidate) is None:
        raise ValidationError(
            _(
                "À distance, l'identité se contrôle contre la copie déposée par le candidat : "
                "aucune copie n'a été déposée."
            )
        )
    place.identity_document = document
    place.identity_checked_at = timezone.now()
    place.identity_checked_by = checked_by
    place.identity_checked_remotely = remote
    place.save(
        update_fields=["identity_document", "identity_checked_at", "identity_checked_by", "identity_checked_remotely"]
    )
    if remote:
        identity_copy_delete(candidate=candidate)
    return place


@transaction.atomic
def attendance_sign(*, place: SessionCandidate, recorded_by: User) -> SessionCandidate:
    """The candidate signs the attendance sheet: present, with the time."""
    _assert_exam_day(place.session)
    if SessionCandidate.objects.filter(pk=place.pk, identity_checked_at__isnull=True).exists():
        raise ValidationError(_("Contrôlez d'abord l'identité du candidat."))
    moved = SessionCandidate.objects.filter(pk=place.pk, attendance=Attendance.EXPECTED).update(
        attendance=Attendance.PRESENT, signed_at=timezone.now(), attendance_recorded_by=recorded_by
    )
    if moved != 1:
        raise ValidationError(_("La présence de ce candidat est déjà enregistrée."))
    place.refresh_from_db()
    return place


@transaction.atomic
def attendance_absent(*, place: SessionCandidate, recorded_by: User) -> SessionCandidate:
    """Note the candidate absent: on the exam day, or later for a sheet left incomplete (`rules.absence_recordable`)."""
    if not rules.absence_recordable(today=timezone.localdate(), first_day=place.session.starts_on):
        _assert_exam_day(place.session)
    moved = SessionCandidate.objects.filter(pk=place.pk, attendance=Attendance.EXPECTED).update(
        attendance=Attendance.ABSENT, attendance_recorded_by=recorded_by
    )
    if moved != 1:
        raise ValidationError(_("La présence de ce candidat est déjà enregistrée."))
    place.refresh_from_db()
    return place


@transaction.atomic
def incident_report(
    *, session: EvaluationSession, kind: str, description: str, reported_by: User, place: SessionCandidate | None = None
) -> Incident:
    """Record an incident and tell the certifier's admins. A fraud excludes the candidate from the session
    and bans them from the certification for 3 years."""
    from accounts.tasks import email_send
    from candidates.services import fraud_ban_record

    if not description.strip():
        raise ValidationError({"description": _("Décrivez ce qui s'est passé.")})
    if place is not None and place.session_id != session.pk:
        raise ValidationError({"place": _("Ce candidat n'est pas dans cette session.")})
    if kind == IncidentKind.FRAUD:
        if place is None:
            raise ValidationError({"place": _("Une fraude se signale pour un candidat : choisissez-le.")})
        if session_is_cancelled(session):
            raise ValidationError(
                _("Cette session est annulée : aucune épreuve n'y a lieu, aucune fraude ne s'y constate.")
            )
        if not rules.tests_begun(today=timezone.localdate(), first_day=session.starts_on):
            # A fraud excludes from tests being sat and bans from today: never ahead of them.
            raise ValidationError(
                _("Une fraude se constate pendant les épreuves, à partir du %(date)s : pas avant.")
                % {"date": date_format(session.starts_on)}
            )
        place = SessionCandidate.objects.select_for_update().select_related("enrolment__candidate").get(pk=place.pk)
        if place.attendance == Attendance.EXCLUDED:
            raise ValidationError(_("Ce candidat est déjà exclu pour fraude."))
    incident = Incident(
        session=session, place=place, kind=kind, description=description.strip(), reported_by=reported_by
    )
    incident.full_clean()
    incident.save()
    if kind == IncidentKind.FRAUD and place is not None:
        place.attendance = Attendance.EXCLUDED
        place.attendance_recorded_by = reported_by
        place.save(update_fields=["attendance", "attendance_recorded_by"])
        fraud_ban_record(
            candidate=place.enrolment.candidate,
            decided_on=timezone.localdate(),
            reason=description.strip(),
            recorded_by=reported_by,
        )
    recipients = list(User.objects.filter(is_certifier_admin=True, is_active=True).values_list("email", flat=True))
    if recipients:
        who = place.enrolment.candidate.display_name if place else _("la session")
        subject = _("Incident signalé (%(kind)s) — %(session)s") % {
            "kind": incident.get_kind_display(),
            "session": session,
        }
        body = _(
            "Incident signalé par %(by)s le %(when)s.\nType : %(kind)s\nConcerne : %(who)s\n\n%(description)s\n"
        ) % {
            "by": reported_by,
            "when": timezone.localtime(incident.reported_at).strftime("%d/%m/%Y %H:%M"),
            "kind": incident.get_kind_display(),
            "who": who,
            "description": incident.description,
        }
        transaction.on_commit(lambda: email_send.delay(subject=str(subject), body=str(body), to=recipients))
    return incident
