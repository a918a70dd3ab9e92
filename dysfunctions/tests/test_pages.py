"""Dysfunction pages: the organisation's proposal form, the certifier's list (pending first) and decision, the
session page's banner, and the incident report in the candidate's space."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from dysfunctions import services
from dysfunctions.models import IncidentReport, Proposal, ProposalStatus
from dysfunctions.tests.conftest import SESSION_DAY
from evaluations.models import EvaluationSession, SessionCandidate
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

LATER = SESSION_DAY + dt.timedelta(days=14)


def propose(session: EvaluationSession, staff: Any, kind: str = "postpone") -> Proposal:
    return services.proposal_submit(
        session=session,
        kind=kind,
        reason_kind="absent_jury_member",
        description="Membre du jury absent.",
        new_starts_on=LATER if kind == "postpone" else None,
        proposed_by=staff,
    )


def test_staff_propose_from_the_form(client: Client, session, staff) -> None:
    client.force_login(staff)
    url = f"/dysfonctionnements/sessions/{session.pk}/proposer/"
    assert "Proposer d'annuler ou de reporter la session" in client.get(url).text
    response = client.post(
        url,
        {
            "kind": "postpone",
            "reason_kind": "non_conformity",
            "description": "Polisseuses en panne.",
            "new_starts_on": LATER.isoformat(),
        },
    )
    proposal = Proposal.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/dysfonctionnements/{proposal.pk}/"
    assert (proposal.kind, proposal.reason_kind, proposal.new_starts_on) == ("postpone", "non_conformity", LATER)


def test_a_refused_proposal_is_shown_with_the_data_typed(client: Client, session, staff) -> None:
    client.force_login(staff)
    response = client.post(
        f"/dysfonctionnements/sessions/{session.pk}/proposer/",
        {"kind": "postpone", "reason_kind": "other", "description": "Grève des transports.", "new_starts_on": ""},
    )
    assert response.status_code == 200
    assert "Un report indique le nouveau premier jour de la session." in response.text
    assert "Grève des transports." in response.text
    assert not Proposal.objects.exists()


def test_the_form_says_at_once_when_a_session_is_past_proposing(client: Client, session, staff, _today) -> None:
    from dysfunctions.tests.conftest import PARIS

    _today.move_to(dt.datetime(2026, 4, 5, 10, 0, tzinfo=PARIS))
    client.force_login(staff)
    page = client.get(f"/dysfonctionnements/sessions/{session.pk}/proposer/").text
    assert 'data-testid="proposal-refusal"' in page and "Cette session est terminée" in page


def test_the_certifier_refuses_from_the_page_with_a_reason(client: Client, session, staff, certifier_admin) -> None:
    proposal = propose(session, staff)
    client.force_login(certifier_admin)
    url = f"/dysfonctionnements/{proposal.pk}/decider/"
    response = client.post(url, {"decision": "refuse", "reason": ""})
    assert response.status_code == 200 and "Indiquez le motif du refus." in response.text
    response = client.post(url, {"decision": "refuse", "reason": "Un suppléant siégera."}, follow=True)
    assert "Proposition refusée." in response.text
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.REFUSED
    # Decided: the page shows the decision, no form any more.
    page = client.get(f"/dysfonctionnements/{proposal.pk}/").text
    assert 'data-testid="decision"' in page and "Un suppléant siégera." in page
    assert "Enregistrer la décision" not in page


def test_the_certifier_accepts_a_cancellation_and_the_session_page_says_it(
    client: Client, session, staff, certifier_admin
) -> None:
    proposal = propose(session, staff, kind="cancel")
    client.force_login(certifier_admin)
    response = client.post(f"/dysfonctionnements/{proposal.pk}/decider/", {"decision": "accept"}, follow=True)
    assert "Session annulée." in response.text
    client.force_login(staff)
    page = client.get(f"/sessions/{session.pk}/").text
    assert 'data-testid="session-cancelled"' in page and "Session annulée" in page
    listed = client.get("/sessions/").text
    assert listed.count('data-testid="session-cancelled"') == 1 and "Annulée" in listed


def test_the_session_page_shows_a_pending_proposal_and_the_actions(
    client: Client, session, staff, certifier_admin
) -> None:
    client.force_login(staff)
    page = client.get(f"/sessions/{session.pk}/").text
    assert "Proposer d'annuler ou de reporter" in page and 'data-testid="proposal-pending"' not in page
    propose(session, staff)
    assert (
        "Proposition (report) en attente de la décision du certificateur."
        in client.get(f"/sessions/{session.pk}/").text
    )
    client.force_login(certifier_admin)
    page = client.get(f"/sessions/{session.pk}/").text
    assert "Rapport d'incident pour un candidat" in page and "Proposer d'annuler" not in page


def test_the_list_shows_pending_proposals_first_at_a_constant_number_of_queries(
    client: Client, session, staff, certifier_admin, approved, django_assert_num_queries
) -> None:
    from evaluations import services as session_services

    sessions = [session] + [
        session_services.session_schedule(
            version=session.version,
            organisation=approved,
            starts_on=SESSION_DAY + dt.timedelta(days=n),
            ends_on=None,
            mode="on_site",
            address="Atelier",
            created_by=staff,
        )
        for n in range(1, 4)
    ]
    decided = propose(sessions[0], staff)
    services.proposal_decide(proposal=decided, accept=False, reason="Non", decided_by=certifier_admin)
    first = propose(sessions[1], staff, kind="cancel")
    second = propose(sessions[2], staff)
    client.force_login(certifier_admin)
    # Session and user, the count of the page, the page of proposals with their sessions and people.
    with django_assert_num_queries(4):
        page = client.get("/dysfonctionnements/").text
    rows = page.split('data-testid="proposal-row"')[1:]
    assert all(f"/dysfonctionnements/{p.pk}/" in row for row, p in zip(rows, [first, second, decided], strict=True))
    propose(sessions[3], staff)
    with django_assert_num_queries(4):
        client.get("/dysfonctionnements/")
    # Another organisation's staff see none of them.
    other = UserFactory(email="autre@example.org", organisation=OrganisationFactory(name="Autre"))
    client.force_login(other)
    assert 'data-testid="proposal-row"' not in client.get("/dysfonctionnements/").text


def write_report(place: SessionCandidate, admin: Any) -> IncidentReport:
    return services.incident_report_write(
        place=place, title="Coupure de courant", body="Le passage a été repris à 10 h.", written_by=admin
    )


def test_the_certifier_writes_a_report_from_the_page(client: Client, session, places, certifier_admin) -> None:
    client.force_login(certifier_admin)
    url = f"/dysfonctionnements/sessions/{session.pk}/rapport/"
    assert places[0].enrolment.candidate.display_name in client.get(url).text
    response = client.post(url, {"place": places[0].pk, "title": "Coupure", "body": "Temps rendu au candidat."})
    report = IncidentReport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/dysfonctionnements/rapports/{report.pk}/"
    response = client.post(url, {"place": places[0].pk, "title": "", "body": "Texte gardé"})
    assert response.status_code == 200 and "Texte gardé" in response.text


def test_the_candidate_reads_their_report_in_their_space(client: Client, session, places, certifier_admin) -> None:
    report = write_report(places[0], certifier_admin)
    candidate = places[0].enrolment.candidate
    candidate.user = UserFactory(email=candidate.email, is_candidate=True)
    candidate.save()
    client.force_login(candidate.user)
    home = client.get("/").text
    assert 'data-testid="my-incident-report"' in home and f"/dysfonctionnements/rapports/{report.pk}/" in home
    page = client.get(f"/dysfonctionnements/rapports/{report.pk}/").text
    assert "Le passage a été repris à 10 h." in page


def test_a_report_is_404_for_another_candidate_and_another_organisation(
    client: Client, session, places, staff, certifier_admin
) -> None:
    report = write_report(places[0], certifier_admin)
    url = f"/dysfonctionnements/rapports/{report.pk}/"
    other = places[1].enrolment.candidate
    other.user = UserFactory(email=other.email, is_candidate=True)
    other.save()
    for user, status in (
        (other.user, 404),
        (UserFactory(email="autre@example.org", organisation=OrganisationFactory(name="Autre")), 404),
        (UserFactory(email="jury2@example.org", is_jury_member=True), 404),
        (staff, 200),
        (certifier_admin, 200),
    ):
        client.force_login(user)
        assert client.get(url).status_code == status, user


@pytest.mark.parametrize(("kind", "heading"), [("cancel", "Annulation proposée"), ("postpone", "Report proposé")])
def test_the_proposal_heading_agrees_with_its_kind(client: Client, session, staff, kind, heading) -> None:
    proposal = propose(session, staff, kind=kind)
    client.force_login(staff)
    page = client.get(f"/dysfonctionnements/{proposal.pk}/").text
    assert f"{heading} —" in page and "proposé(e)" not in page
