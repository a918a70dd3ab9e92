"""Writes of dysfunctions: proposals by the organisation, the certifier's decision (a cancelled session, a
postponed one convoked again under the 15-day rule), the incident report handed to the candidate."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import User
from dysfunctions import services
from dysfunctions.models import IncidentReport, Proposal, ProposalStatus
from dysfunctions.tests.conftest import PARIS, SESSION_DAY, place_for
from evaluations import services as session_services
from evaluations.models import Attendance, ConvocationOverride, ConvocationStatus, EvaluationSession, SessionCandidate
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

LATER = SESSION_DAY + dt.timedelta(days=14)  # 15 April 2026


def propose(session: EvaluationSession, by: User, **overrides: Any) -> Proposal:
    fields: dict[str, Any] = {
        "kind": "postpone",
        "reason_kind": "absent_jury_member",
        "description": "Le représentant des employeurs est hospitalisé.",
        "new_starts_on": LATER,
        "new_ends_on": None,
    }
    fields.update(overrides)
    return services.proposal_submit(session=session, proposed_by=by, **fields)


def messages_of(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(exc.value.messages)


def convoke(session: EvaluationSession, capture: Any) -> None:
    with capture(execute=True):
        session_services.convocations_send(session=session)


# Proposals ------------------------------------------------------------------------------------------------


def test_the_organisation_proposes_a_postponement_and_the_certifier_is_told(
    session, staff, certifier_admin, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        proposal = propose(session, staff)
    assert proposal.status == ProposalStatus.PENDING
    assert (proposal.new_starts_on, proposal.new_ends_on) == (LATER, LATER)
    [message] = mail.outbox
    assert message.to == [certifier_admin.email]
    assert message.subject.startswith("Proposition de report")
    assert "Absence d'un membre du jury" in message.body


def test_a_cancellation_keeps_no_new_dates(session, staff) -> None:
    proposal = propose(session, staff, kind="cancel", reason_kind="non_conformity")
    assert proposal.new_starts_on is None and proposal.new_ends_on is None


@pytest.mark.parametrize("actor", ["admin", "candidate", "jury"])
def test_only_organisation_staff_propose(session, certifier_admin, candidate_user, jury_member, actor) -> None:
    user = {"admin": certifier_admin, "candidate": candidate_user, "jury": jury_member}[actor]
    with pytest.raises(PermissionDenied) as exc:
        propose(session, user)
    assert str(exc.value) == (
        "Seul l'organisme de formation qui organise la session peut proposer de l'annuler ou de la reporter."
    )
    assert not Proposal.objects.exists()


def test_the_staff_of_another_organisation_may_not_propose(session) -> None:
    other = UserFactory(email="autre@example.org", organisation=OrganisationFactory(name="Autre"))
    with pytest.raises(PermissionDenied):
        propose(session, other)


def test_a_proposal_for_a_past_session_is_refused(session, staff, _today) -> None:
    _today.move_to(dt.datetime(2026, 4, 2, 10, 0, tzinfo=PARIS))
    with pytest.raises(ValidationError) as exc:
        propose(session, staff, kind="cancel")
    assert messages_of(exc) == (
        "Cette session est terminée (dernier jour le 1 avril 2026) : on ne propose plus de l'annuler ni de la "
        "reporter. Signalez l'incident : le certificateur en établira le rapport."
    )


def test_a_second_proposal_waits_for_the_first_decision(session, staff) -> None:
    propose(session, staff)
    with pytest.raises(ValidationError) as exc:
        propose(session, staff, kind="cancel")
    assert messages_of(exc) == "Une proposition attend déjà la décision du certificateur pour cette session."


def test_a_proposal_says_what_is_missing(session, staff) -> None:
    with pytest.raises(ValidationError) as exc:
        propose(session, staff, kind="move", reason_kind="weather", description="  ", new_starts_on=None)
    assert exc.value.message_dict == {
        "kind": ["Choisissez : annuler ou reporter la session."],
        "reason_kind": ["Choisissez le motif : absence d'un membre du jury, non-conformité, ou autre."],
        "description": ["Décrivez le dysfonctionnement constaté."],
    }


def test_a_postponement_needs_dates_to_come_after_the_current_ones(session, staff) -> None:
    with pytest.raises(ValidationError) as exc:
        propose(session, staff, new_starts_on=None)
    assert exc.value.message_dict == {"new_starts_on": ["Un report indique le nouveau premier jour de la session."]}
    with pytest.raises(ValidationError) as exc:
        propose(session, staff, new_starts_on=SESSION_DAY - dt.timedelta(days=3))
    assert exc.value.message_dict == {
        "new_starts_on": [
            "Un report fixe une date postérieure au premier jour actuel (le 1 avril 2026) : choisissez un jour après."
        ]
    }
    with pytest.raises(ValidationError) as exc:
        propose(session, staff, new_ends_on=LATER + dt.timedelta(days=80))
    assert exc.value.message_dict == {
        "new_ends_on": ["Une session dure 60 jours au plus : rapprochez le dernier jour du premier."]
    }


def test_a_description_is_bounded(session, staff) -> None:
    with pytest.raises(ValidationError) as exc:
        propose(session, staff, description="x" * 4001)
    assert "4000" in messages_of(exc)


# Decisions ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ["staff", "candidate"])
def test_only_a_certifier_admin_decides(session, staff, candidate_user, actor) -> None:
    proposal = propose(session, staff)
    with pytest.raises(PermissionDenied) as exc:
        services.proposal_decide(
            proposal=proposal, accept=True, reason="", decided_by=staff if actor == "staff" else candidate_user
        )
    assert str(exc.value) == "Seul un administrateur du certificateur décide d'annuler ou de reporter une session."
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING


def test_a_refusal_needs_its_reason_and_is_final(session, staff, certifier_admin) -> None:
    proposal = propose(session, staff)
    with pytest.raises(ValidationError) as exc:
        services.proposal_decide(proposal=proposal, accept=False, reason=" ", decided_by=certifier_admin)
    assert exc.value.message_dict == {"reason": ["Indiquez le motif du refus."]}
    services.proposal_decide(
        proposal=proposal, accept=False, reason="Un suppléant est désigné.", decided_by=certifier_admin
    )
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by, proposal.decision_reason) == (
        ProposalStatus.REFUSED,
        certifier_admin,
        "Un suppléant est désigné.",
    )
    session.refresh_from_db()
    assert session.starts_on == SESSION_DAY
    with pytest.raises(ValidationError) as exc:
        services.proposal_decide(proposal=proposal, accept=True, reason="", decided_by=certifier_admin)
    assert messages_of(exc) == "Cette proposition a déjà été décidée : une décision ne se reprend pas."


def test_an_accepted_cancellation_cancels_the_session_and_tells_the_convoked_candidates(
    session, places, staff, certifier_admin, django_capture_on_commit_callbacks
) -> None:
    convoke(session, django_capture_on_commit_callbacks)
    proposal = propose(session, staff, kind="cancel", reason_kind="non_conformity")
    mail.outbox.clear()
    assert not services.session_is_cancelled(session)
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_decide(proposal=proposal, accept=True, reason="Atelier inondé.", decided_by=certifier_admin)
    assert services.session_is_cancelled(session)
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([staff.email, *(p.enrolment.candidate.email for p in places)])
    notice = next(m for m in mail.outbox if places[0].enrolment.candidate.email in m.to)
    assert notice.subject == "Session annulée — CQP Opérateur en polissage du 1 avril 2026"
    assert "Atelier inondé." in notice.body
    with pytest.raises(ValidationError) as exc:
        propose(session, staff)
    assert messages_of(exc) == "Cette session est annulée : elle ne peut plus faire l'objet d'une proposition."


def test_an_accepted_cancellation_releases_the_sessions_candidates_for_another_session(
    session, places, staff, certifier_admin
) -> None:
    other = session_services.session_schedule(
        version=session.version,
        organisation=session.organisation,
        starts_on=LATER,
        ends_on=None,
        mode=session.mode,
        address=session.address,
        created_by=staff,
    )
    proposal = propose(session, staff, kind="cancel", reason_kind="non_conformity")
    with pytest.raises(ValidationError, match="déjà une place"):  # a pending proposal holds nothing
        session_services.session_add_candidate(session=other, enrolment=places[0].enrolment)
    services.proposal_decide(proposal=proposal, accept=True, reason="Atelier inondé.", decided_by=certifier_admin)
    released = SessionCandidate.objects.filter(session=session)
    assert {(p.attendance, p.attendance_recorded_by) for p in released} == {(Attendance.CANCELLED, certifier_admin)}
    for place in places:
        moved = session_services.session_add_candidate(session=other, enrolment=place.enrolment)
        assert moved.attendance == Attendance.EXPECTED


def test_a_refused_cancellation_or_an_accepted_postponement_keeps_the_candidates_awaited(
    session, places, staff, certifier_admin
) -> None:
    refused = propose(session, staff, kind="cancel")
    services.proposal_decide(proposal=refused, accept=False, reason="Un autre atelier.", decided_by=certifier_admin)
    postponed = propose(session, staff)
    services.proposal_decide(proposal=postponed, accept=True, reason="", decided_by=certifier_admin)
    assert {p.attendance for p in SessionCandidate.objects.filter(session=session)} == {Attendance.EXPECTED}


def test_an_accepted_postponement_moves_the_session_and_convokes_its_candidates_again(
    session, places, staff, certifier_admin, django_capture_on_commit_callbacks
) -> None:
    convoke(session, django_capture_on_commit_callbacks)
    before = {p.pk: timezone.localtime(p.starts_at) for p in places}
    proposal = propose(session, staff)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        decided = services.proposal_decide(proposal=proposal, accept=True, reason="", decided_by=certifier_admin)
    session.refresh_from_db()
    assert (session.starts_on, session.ends_on) == (LATER, LATER)
    assert (decided.previous_starts_on, decided.previous_ends_on, decided.reconvoked) == (SESSION_DAY, SESSION_DAY, 2)
    for place in SessionCandidate.objects.filter(session=session):
        moved = timezone.localtime(place.starts_at)
        assert moved.date() == LATER and moved.time() == before[place.pk].time()
        assert (place.convocation_status, place.convocation_sends) == (ConvocationStatus.SENT, 2)
    convocations = [m for m in mail.outbox if "Convocation" in m.subject]
    assert len(convocations) == 2 and all("15 avril 2026" in m.body for m in convocations)
    assert not ConvocationOverride.objects.exists()


def test_a_postponement_under_15_days_needs_a_derogation(
    session, places, staff, certifier_admin, django_capture_on_commit_callbacks, _today
) -> None:
    _today.move_to(dt.datetime(2026, 3, 25, 10, 0, tzinfo=PARIS))
    proposal = propose(session, staff, new_starts_on=dt.date(2026, 4, 3))
    with pytest.raises(ValidationError) as exc:
        services.proposal_decide(proposal=proposal, accept=True, reason="", decided_by=certifier_admin)
    assert exc.value.message_dict == {
        "override_reason": [
            "Les nouvelles dates sont à moins de 15 jours : les convocations devaient partir au plus tard le "
            "19 mars 2026. Pour accepter ce report, motivez la dérogation au délai de 15 jours ; sinon refusez-le."
        ]
    }
    session.refresh_from_db()
    assert session.starts_on == SESSION_DAY
    with django_capture_on_commit_callbacks(execute=True):
        decided = services.proposal_decide(
            proposal=proposal,
            accept=True,
            reason="",
            override_reason="Report de deux jours, candidats prévenus par téléphone.",
            decided_by=certifier_admin,
        )
    assert decided.override_reason == "Report de deux jours, candidats prévenus par téléphone."
    override = ConvocationOverride.objects.get(session=session)
    assert (override.recorded_by, override.reason) == (certifier_admin, decided.override_reason)
    assert decided.reconvoked == 2
    assert {p.convocation_status for p in SessionCandidate.objects.filter(session=session)} == {ConvocationStatus.SENT}


def test_a_session_already_sat_is_neither_cancelled_nor_postponed(session, places, staff, certifier_admin) -> None:
    proposal = propose(session, staff, kind="cancel")
    SessionCandidate.objects.filter(pk=places[0].pk).update(attendance=Attendance.PRESENT)
    with pytest.raises(ValidationError) as exc:
        services.proposal_decide(proposal=proposal, accept=True, reason="", decided_by=certifier_admin)
    assert messages_of(exc) == (
        "Des candidats ont déjà passé les épreuves de cette session (présence enregistrée) : elle ne peut plus "
        "être annulée ni reportée. Refusez la proposition et établissez le rapport d'incident."
    )
    assert not services.session_is_cancelled(session)


def test_a_postponement_whose_slots_do_not_fit_is_refused(session, staff, certifier_admin) -> None:
    EvaluationSession.objects.filter(pk=session.pk).update(ends_on=SESSION_DAY + dt.timedelta(days=1))
    session.refresh_from_db()
    for n in range(13):  # twelve 45-minute slots from 9:00 to 18:00: the thirteenth goes to the second day
        place_for(session, n=n)
    proposal = propose(session, staff)  # a one-day session on 15 April
    with pytest.raises(ValidationError) as exc:
        services.proposal_decide(proposal=proposal, accept=True, reason="", decided_by=certifier_admin)
    assert messages_of(exc) == (
        "Les passages des candidats occupent plus de jours que les nouvelles dates : 1 passage(s) tomberaient "
        "après le 15 avril 2026. Allongez la session."
    )


def test_a_postponement_outside_the_approval_is_refused(session, staff, certifier_admin, approved) -> None:
    proposal = propose(session, staff)
    approved.approval_end = dt.date(2026, 4, 10)
    approved.save()
    with pytest.raises(ValidationError) as exc:
        services.proposal_decide(proposal=proposal, accept=True, reason="", decided_by=certifier_admin)
    assert messages_of(exc) == (
        "L'habilitation de BJO Formation ne couvre pas les nouvelles dates : le report ne peut pas être accepté."
    )


def test_a_postponement_moves_the_evaluation_jury_with_the_session(session, places, staff, certifier_admin) -> None:
    from juries import services as jury_services

    jury = jury_services.evaluation_jury_create(session=session, created_by=certifier_admin)
    proposal = propose(session, staff)
    services.proposal_decide(proposal=proposal, accept=True, reason="", decided_by=certifier_admin)
    jury.refresh_from_db()
    assert jury.meets_on == LATER


# Incident reports -----------------------------------------------------------------------------------------


def test_the_certifier_hands_an_incident_report_to_the_candidate(
    session, places, staff, certifier_admin, django_capture_on_commit_callbacks
) -> None:
    proposal = propose(session, staff, kind="cancel")
    with django_capture_on_commit_callbacks(execute=True):
        report = services.incident_report_write(
            place=places[0],
            proposal=proposal,
            title="Annulation de la session du 1er avril",
            body="La session a été annulée : l'atelier n'était pas conforme.",
            written_by=certifier_admin,
        )
    assert report.written_by == certifier_admin
    [message] = mail.outbox
    assert message.to == [places[0].enrolment.candidate.email]
    assert "Vous pouvez le lire dans votre espace candidat" in message.body


def test_only_a_certifier_admin_writes_a_report(session, places, staff) -> None:
    with pytest.raises(PermissionDenied) as exc:
        services.incident_report_write(place=places[0], title="Objet", body="Texte", written_by=staff)
    assert str(exc.value) == "Seul un administrateur du certificateur établit un rapport d'incident."
    assert not IncidentReport.objects.exists()


def test_a_report_says_what_is_missing_or_mismatched(session, places, staff, certifier_admin, approved) -> None:
    other = session_services.session_schedule(
        version=session.version,
        organisation=approved,
        starts_on=SESSION_DAY + dt.timedelta(days=30),
        ends_on=None,
        mode="on_site",
        address="Ailleurs",
        created_by=staff,
    )
    elsewhere = propose(other, staff, kind="cancel")
    incident = session_services.incident_report(
        session=session, kind="technical", description="Panne", reported_by=staff, place=places[1]
    )
    with pytest.raises(ValidationError) as exc:
        services.incident_report_write(
            place=places[0], title=" ", body="", proposal=elsewhere, incident=incident, written_by=certifier_admin
        )
    assert exc.value.message_dict == {
        "title": ["Indiquez l'objet du rapport."],
        "body": ["Rédigez le rapport remis au candidat."],
        "proposal": ["Cette proposition concerne une autre session que celle du candidat."],
        "incident": ["Cet incident concerne une autre session ou un autre candidat."],
    }


def test_a_report_on_an_exam_day_incident_is_linked_to_it(session, places, staff, certifier_admin) -> None:
    with time_machine.travel(dt.datetime(2026, 4, 1, 11, 0, tzinfo=PARIS), tick=False):
        incident = session_services.incident_report(
            session=session, kind="technical", description="Coupure de courant", reported_by=staff
        )
        report = services.incident_report_write(
            place=places[0], incident=incident, title="Coupure", body="Temps rendu.", written_by=certifier_admin
        )
    assert report.incident == incident
