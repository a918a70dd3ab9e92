"""Writes about dysfunctions (seed §7): a training organisation proposes to cancel or postpone a session, the
certifier decides (a postponement moves the session and convokes its candidates again), and the certifier writes
the incident report a candidate reads in their space."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.access import check_certifier_admin, check_organisation_staff
from accounts.models import User
from dysfunctions import rules
from dysfunctions.models import IncidentReport, Proposal, ProposalKind, ProposalStatus, ReasonKind
from evaluations import rules as session_rules
from evaluations.models import Attendance, ConvocationOverride, EvaluationSession, Incident, SessionCandidate

PROPOSER_ONLY = "Seul l'organisme de formation qui organise la session peut proposer de l'annuler ou de la reporter."
DECIDER_ONLY = "Seul un administrateur du certificateur décide d'annuler ou de reporter une session."
REPORTER_ONLY = "Seul un administrateur du certificateur établit un rapport d'incident."


def session_is_cancelled(session: EvaluationSession) -> bool:
    """Whether the certifier accepted the cancellation of `session`: the one question other code asks."""
    return Proposal.objects.filter(session=session, kind=ProposalKind.CANCEL, status=ProposalStatus.ACCEPTED).exists()


def _mail(subject: str, body: str, to: Iterable[str]) -> None:
    from accounts.tasks import email_send

    recipients = sorted({address for address in to if address})
    if recipients:
        transaction.on_commit(lambda: email_send.delay(subject=subject, body=body, to=recipients))


@transaction.atomic
def proposal_submit(
    *,
    session: EvaluationSession,
    kind: str,
    reason_kind: str,
    description: str,
    proposed_by: User,
    new_starts_on: dt.date | None = None,
    new_ends_on: dt.date | None = None,
) -> Proposal:
    """The organisation's person in charge proposes to cancel or postpone `session` (with the new dates); the
    certifier's admins are told by e-mail."""
    organisation = check_organisation_staff(proposed_by, _(PROPOSER_ONLY))
    session = EvaluationSession.objects.select_for_update().select_related("version").get(pk=session.pk)
    if organisation.pk != session.organisation_id:
        raise PermissionDenied(_(PROPOSER_ONLY))
    today = timezone.localdate()
    refusal = rules.proposal_refusal(
        today=today,
        session_ends_on=session.ends_on,
        cancelled=session_is_cancelled(session),
        pending=Proposal.objects.filter(session=session, status=ProposalStatus.PENDING).exists(),
    )
    if refusal is not None:
        raise ValidationError(refusal)
    errors: dict[str, str] = {}
    if kind not in ProposalKind.values:
        errors["kind"] = _("Choisissez : annuler ou reporter la session.")
    if reason_kind not in ReasonKind.values:
        errors["reason_kind"] = _("Choisissez le motif : absence d'un membre du jury, non-conformité, ou autre.")
    if not description.strip():
        errors["description"] = _("Décrivez le dysfonctionnement constaté.")
    if kind == ProposalKind.POSTPONE:
        new_ends_on = new_ends_on or new_starts_on
        errors.update(
            rules.new_dates_refusal(
                today=today, current_starts_on=session.starts_on, new_starts_on=new_starts_on, new_ends_on=new_ends_on
            )
        )
    else:
        new_starts_on = new_ends_on = None
    if errors:
        raise ValidationError(errors)
    proposal = Proposal(
        session=session,
        kind=kind,
        reason_kind=reason_kind,
        description=description.strip(),
        new_starts_on=new_starts_on,
        new_ends_on=new_ends_on,
        proposed_by=proposed_by,
    )
    proposal.full_clean()
    try:
        with transaction.atomic():
            proposal.save()
    except IntegrityError as exc:  # another proposal came between the check and the write
        raise ValidationError(
            _("Une proposition attend déjà la décision du certificateur pour cette session.")
        ) from exc
    admins = User.objects.filter(is_certifier_admin=True, is_active=True).values_list("email", flat=True)
    subject = _("Proposition de %(kind)s — %(session)s") % {
        "kind": proposal.get_kind_display().lower(),
        "session": session,
    }
    body = _("%(by)s (%(org)s) propose : %(kind)s.\nMotif : %(reason)s\n\n%(description)s\n") % {
        "by": proposed_by,
        "org": organisation,
        "kind": proposal.get_kind_display(),
        "reason": proposal.get_reason_kind_display(),
        "description": proposal.description,
    }
    _mail(str(subject), str(body), admins)
    return proposal


def _shift(moment: dt.datetime, days: int) -> dt.datetime:
    """The same local time `days` later (a slot keeps its hour across a change of summer time)."""
    return timezone.make_aware(timezone.make_naive(moment) + dt.timedelta(days=days))


def _postpone(proposal: Proposal, session: EvaluationSession, *, decided_by: User, override_reason: str) -> int:
    """Move the session, its candidates' slots and its evaluation jury's date to the new dates, then convoke its
    candidates again. Returns how many convocations were queued."""
    from evaluations import services as session_services
    from juries.models import Jury

    today = timezone.localdate()
    new_starts_on, new_ends_on = proposal.new_starts_on, proposal.new_ends_on
    assert new_starts_on is not None and new_ends_on is not None  # noqa: S101 - the model's constraint
    errors = rules.new_dates_refusal(
        today=today, current_starts_on=session.starts_on, new_starts_on=new_starts_on, new_ends_on=new_ends_on
    )
    if errors:
        raise ValidationError(list(errors.values()))
    organisation = session.organisation
    if not (organisation.approval_is_valid(new_starts_on) and organisation.approval_is_valid(new_ends_on)):
        raise ValidationError(
            _("L'habilitation de %(org)s ne couvre pas les nouvelles dates : le report ne peut pas être accepté.")
            % {"org": organisation.name}
        )
    places = list(SessionCandidate.objects.select_for_update().filter(session=session).order_by("pk"))
    shift = (new_starts_on - session.starts_on).days
    fit = rules.places_fit_refusal(
        place_days=[timezone.localtime(place.starts_at).date() for place in places],
        shift_days=shift,
        new_ends_on=new_ends_on,
    )
    if fit is not None:
        raise ValidationError(fit)
    if rules.override_needed(today=today, new_starts_on=new_starts_on):
        if not override_reason.strip():
            raise ValidationError(
                {
                    "override_reason": _(
                        "Les nouvelles dates sont à moins de 15 jours : les convocations devaient partir au plus "
                        "tard le %(deadline)s. Pour accepter ce report, motivez la dérogation au délai de 15 jours ; "
                        "sinon refusez-le."
                    )
                    % {"deadline": date_format(session_rules.convocation_deadline(new_starts_on))}
                }
            )
        if not ConvocationOverride.objects.filter(session=session).exists():
            session_services.convocation_override_record(
                session=session, reason=override_reason.strip(), recorded_by=decided_by
            )
        proposal.override_reason = override_reason.strip()
    proposal.previous_starts_on, proposal.previous_ends_on = session.starts_on, session.ends_on
    session.starts_on, session.ends_on = new_starts_on, new_ends_on
    session.full_clean()
    session.save(update_fields=["starts_on", "ends_on"])
    for place in places:
        place.starts_at, place.ends_at = _shift(place.starts_at, shift), _shift(place.ends_at, shift)
        place.save(update_fields=["starts_at", "ends_at"])
    for jury in Jury.objects.select_for_update().filter(session=session):
        jury.meets_on += dt.timedelta(days=shift)
        jury.save(update_fields=["meets_on"])
    return session_services.convocations_send(session=session, resend=True) if places else 0


@transaction.atomic
def proposal_decide(
    *, proposal: Proposal, accept: bool, reason: str, decided_by: User, override_reason: str = ""
) -> Proposal:
    """The certifier accepts or refuses (with a reason) a proposal. Accepting a cancellation cancels the session
    and tells its convoked candidates; accepting a postponement moves the session and convokes its candidates
    again, at least 15 days before the new first day unless the decision motivates a derogation
    (`override_reason`, recorded as the session's override when it has none). Decided once."""
    check_certifier_admin(decided_by, _(DECIDER_ONLY))
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    session = (
        EvaluationSession.objects.select_for_update()
        .select_related("version", "organisation")
        .get(pk=proposal.session_id)
    )
    tests_started = SessionCandidate.objects.filter(session=session).exclude(attendance=Attendance.EXPECTED).exists()
    refusal = rules.decision_refusal(status=proposal.status, tests_started=tests_started, accept=accept)
    if refusal is not None:
        raise ValidationError(refusal)
    if not accept and not reason.strip():
        raise ValidationError({"reason": _("Indiquez le motif du refus.")})
    proposal.status = ProposalStatus.ACCEPTED if accept else ProposalStatus.REFUSED
    proposal.decided_by = decided_by
    proposal.decided_at = timezone.now()
    proposal.decision_reason = reason.strip()
    if accept and proposal.kind == ProposalKind.POSTPONE:
        proposal.reconvoked = _postpone(proposal, session, decided_by=decided_by, override_reason=override_reason)
    proposal.full_clean()
    proposal.save()
    _tell_decision(proposal, session)
    return proposal


def _tell_decision(proposal: Proposal, session: EvaluationSession) -> None:
    verdict = _("acceptée") if proposal.status == ProposalStatus.ACCEPTED else _("refusée")
    subject = _("%(kind)s %(verdict)s — %(session)s") % {
        "kind": proposal.get_kind_display(),
        "verdict": verdict,
        "session": session,
    }
    body = _("Le certificateur a %(verb)s la proposition (%(kind)s) du %(on)s.\n%(reason)s\n") % {
        "verb": _("accepté") if proposal.status == ProposalStatus.ACCEPTED else _("refusé"),
        "kind": proposal.get_kind_display().lower(),
        "on": date_format(timezone.localdate(proposal.proposed_at)),
        "reason": proposal.decision_reason,
    }
    _mail(str(subject), str(body), [proposal.proposed_by.email])
    if proposal.status == ProposalStatus.ACCEPTED and proposal.kind == ProposalKind.CANCEL:
        # The candidates who got a convocation learn that it no longer holds (a postponement convokes them again).
        convoked = SessionCandidate.objects.filter(session=session, convocation_sent_at__isnull=False).values_list(
            "enrolment__candidate__email", flat=True
        )
        cancelled = _("Session annulée — %(title)s du %(date)s") % {
            "title": session.version.short_title,
            "date": date_format(session.starts_on),
        }
        notice = _(
            "Les épreuves du %(title)s prévues le %(date)s sont annulées. Votre convocation ne vaut plus ; votre "
            "organisme de formation vous proposera une autre session.\n\n%(reason)s\n"
        ) % {
            "title": session.version.short_title,
            "date": date_format(session.starts_on),
            "reason": proposal.decision_reason,
        }
        _mail(str(cancelled), str(notice), convoked)


@transaction.atomic
def incident_report_write(
    *,
    place: SessionCandidate,
    title: str,
    body: str,
    written_by: User,
    proposal: Proposal | None = None,
    incident: Incident | None = None,
) -> IncidentReport:
    """The certifier's report to a candidate about a dysfunction of their session or an incident of their exam
    day; the candidate is told by e-mail that it is in their space."""
    check_certifier_admin(written_by, _(REPORTER_ONLY))
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("Indiquez l'objet du rapport.")
    if not body.strip():
        errors["body"] = _("Rédigez le rapport remis au candidat.")
    if proposal is not None and proposal.session_id != place.session_id:
        errors["proposal"] = _("Cette proposition concerne une autre session que celle du candidat.")
    if incident is not None and (
        incident.session_id != place.session_id or (incident.place_id is not None and incident.place_id != place.pk)
    ):
        errors["incident"] = _("Cet incident concerne une autre session ou un autre candidat.")
    if errors:
        raise ValidationError(errors)
    report = IncidentReport(
        place=place, proposal=proposal, incident=incident, title=title.strip(), body=body.strip(), written_by=written_by
    )
    report.full_clean()
    report.save()
    candidate = place.enrolment.candidate
    _mail(
        str(_("Rapport d'incident — %(title)s") % {"title": report.title}),
        str(
            _(
                "Bonjour %(name)s,\n\nLe certificateur a établi un rapport d'incident vous concernant (%(title)s). "
                "Vous pouvez le lire dans votre espace candidat CQP Manager.\n"
            )
            % {"name": candidate.display_name, "title": report.title}
        ),
        [candidate.email],
    )
    return report
