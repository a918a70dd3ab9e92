"""Warnings, not refusals (issue 14): a candidate placed in two sessions still to come, convocations close to their
deadline or sent after it, and a slot message that says a slot was set, not that a convocation left."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.constants import SUCCESS, WARNING

from accounts.models import User
from cqp.models import CertificationVersion, TrainingOrganisation
from evaluations import rules, selectors, services
from evaluations.models import ConvocationStatus, EvaluationSession, SessionCandidate, SessionMode
from evaluations.tests.test_pages import DETAIL_QUERIES, PARIS, SESSION_DAY, _today, approved, session, version
from tests.factories import enrol, make_candidate

pytestmark = pytest.mark.django_db

__all__ = ["_today", "approved", "session", "version"]  # fixtures shared with the session pages' tests


def messages_of(response) -> list[tuple[int, str]]:
    return [(m.level, str(m)) for m in get_messages(response.wsgi_request)]


def other_session(organisation: TrainingOrganisation, user: User, *, starts_on: dt.date) -> EvaluationSession:
    return services.session_schedule(
        version=CertificationVersion.objects.get(rncp_code="RNCP31313"),
        organisation=organisation,
        starts_on=starts_on,
        ends_on=starts_on + dt.timedelta(days=2),  # the certification's tests are long: room for a few candidates
        mode=SessionMode.REMOTE,
        connection_details="https://visio.example.org/cqp",
        created_by=user,
    )


# --- Placed in two sessions still to come ---------------------------------------------------------------------


def test_placing_a_candidate_already_placed_elsewhere_warns_and_still_places(client, staff, session) -> None:
    candidate = make_candidate(session.organisation, sex="F", first_name="Chloé")
    watchmaking = other_session(session.organisation, staff, starts_on=dt.date(2026, 4, 20))
    elsewhere = enrol(candidate, watchmaking.version, access_route="formation_continue")
    services.session_add_candidate(session=watchmaking, enrolment=elsewhere)
    here = enrol(candidate, session.version)
    client.force_login(staff)
    response = client.post(f"/sessions/{session.pk}/candidats/", {"enrolment": here.pk})
    assert response.status_code == 302
    assert SessionCandidate.objects.filter(session=session, enrolment=here).exists()  # placed all the same
    warnings = [text for level, text in messages_of(response) if level == WARNING]
    assert warnings == [
        f"{candidate.display_name} est aussi placée à une autre session qui n'est pas terminée : "
        f"{watchmaking.version.short_title} du 20/04/2026 (BJO Formation)."
    ]


def test_a_candidate_placed_nowhere_else_gets_no_warning(client, staff, session) -> None:
    enrolment = enrol(make_candidate(session.organisation), session.version)
    client.force_login(staff)
    response = client.post(f"/sessions/{session.pk}/candidats/", {"enrolment": enrolment.pk})
    assert [level for level, _text in messages_of(response)] == [SUCCESS]


def test_a_place_in_a_session_over_or_cancelled_is_not_a_conflict(staff, session, _today) -> None:
    candidate = make_candidate(session.organisation)
    watchmaking = other_session(session.organisation, staff, starts_on=dt.date(2026, 3, 10))
    place = services.session_add_candidate(
        session=watchmaking, enrolment=enrol(candidate, watchmaking.version, access_route="formation_continue")
    )
    services.session_add_candidate(session=session, enrolment=enrol(candidate, session.version))
    assert list(selectors.places_elsewhere(session)) == [candidate.pk]
    SessionCandidate.objects.filter(pk=place.pk).update(attendance="cancelled")
    assert selectors.places_elsewhere(session) == {}
    SessionCandidate.objects.filter(pk=place.pk).update(attendance="expected")
    _today.move_to(dt.datetime(2026, 3, 13, 10, 0, tzinfo=PARIS))  # the other session is over (10-12 March)
    assert selectors.places_elsewhere(session) == {}


def test_the_session_page_badges_the_candidate_placed_elsewhere_at_constant_queries(
    client, staff, session, django_assert_num_queries
) -> None:
    watchmaking = other_session(session.organisation, staff, starts_on=dt.date(2026, 4, 20))
    EvaluationSession.objects.filter(pk=session.pk).update(ends_on=session.starts_on + dt.timedelta(days=2))
    session.refresh_from_db()
    for n in range(6):
        candidate = make_candidate(session.organisation, n=n)
        services.session_add_candidate(session=session, enrolment=enrol(candidate, session.version))
        if n % 2:
            services.session_add_candidate(
                session=watchmaking,
                enrolment=enrol(candidate, watchmaking.version, access_route="formation_continue"),
            )
    client.force_login(staff)
    with django_assert_num_queries(DETAIL_QUERIES):
        page = client.get(f"/sessions/{session.pk}/").content.decode()
    assert page.count('data-testid="placed-elsewhere"') == 3
    assert "Aussi placée ailleurs" in page and f"{watchmaking.version.short_title} du 20/04/2026" in page
    other_page = client.get(f"/sessions/{watchmaking.pk}/").content.decode()
    assert other_page.count('data-testid="placed-elsewhere"') == 3


# --- Convocations close to their deadline -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2026, 3, 11), None),  # 6 days before the deadline (17 March)
        (dt.date(2026, 3, 12), "Convocations à envoyer au plus tard le 17/03/2026 (dans 5 jours)."),
        (dt.date(2026, 3, 16), "Convocations à envoyer au plus tard le 17/03/2026 (demain)."),
        (dt.date(2026, 3, 17), "Convocations à envoyer au plus tard le 17/03/2026 (aujourd'hui)."),
        (
            dt.date(2026, 3, 20),
            "Convocations à envoyer : échéance dépassée depuis le 17/03/2026 (3 jours) ; elles ne partent plus "
            "qu'avec une dérogation du certificateur.",
        ),
        (SESSION_DAY, None),  # the tests have begun: the refusal says it
    ],
)
def test_the_convocation_deadline_warning_gives_the_date(today, expected) -> None:
    assert rules.convocation_deadline_warning(today=today, first_day=SESSION_DAY, override=False) == expected


def test_the_session_page_warns_of_the_deadline_while_convocations_wait(client, staff, session, _today) -> None:
    place = services.session_add_candidate(
        session=session, enrolment=enrol(make_candidate(session.organisation), session.version)
    )
    client.force_login(staff)
    url = f"/sessions/{session.pk}/"
    assert 'data-testid="convocation-deadline"' not in client.get(url).content.decode()  # 15 days away
    _today.move_to(dt.datetime(2026, 3, 14, 10, 0, tzinfo=PARIS))
    client.force_login(staff)  # the login of 2 March has expired
    assert "Convocations à envoyer au plus tard le 17/03/2026 (dans 3 jours)." in client.get(url).content.decode()
    _today.move_to(dt.datetime(2026, 3, 20, 10, 0, tzinfo=PARIS))
    client.force_login(staff)
    assert "échéance dépassée depuis le 17/03/2026 (3 jours)" in client.get(url).content.decode()
    SessionCandidate.objects.filter(pk=place.pk).update(convocation_status=ConvocationStatus.SENT)
    assert 'data-testid="convocation-deadline"' not in client.get(url).content.decode()  # nothing waits


def test_sending_convocations_after_the_deadline_warns(client, staff, certifier_admin, session, _today) -> None:
    services.session_add_candidate(
        session=session, enrolment=enrol(make_candidate(session.organisation), session.version)
    )
    _today.move_to(dt.datetime(2026, 3, 20, 10, 0, tzinfo=PARIS))
    services.convocation_override_record(session=session, reason="Salle libérée tard.", recorded_by=certifier_admin)
    client.force_login(staff)
    response = client.post(f"/sessions/{session.pk}/convoquer/")
    warnings = [text for level, text in messages_of(response) if level == WARNING]
    assert len(warnings) == 1 and "après l'échéance du 17/03/2026" in warnings[0]


def test_sending_convocations_in_time_does_not_warn(client, staff, session) -> None:
    services.session_add_candidate(
        session=session, enrolment=enrol(make_candidate(session.organisation), session.version)
    )
    client.force_login(staff)
    response = client.post(f"/sessions/{session.pk}/convoquer/")
    assert [level for level, _text in messages_of(response)] == [SUCCESS]


# --- A slot set is not a convocation sent ---------------------------------------------------------------------


@pytest.mark.parametrize(("sex", "first_name"), [("F", "Chloé"), ("M", "Paul")])
def test_the_slot_message_says_the_slot_was_set_not_that_a_convocation_left(
    client, staff, session, sex, first_name
) -> None:
    candidate = make_candidate(session.organisation, sex=sex, first_name=first_name)
    enrolment = enrol(candidate, session.version)
    client.force_login(staff)
    response = client.post(f"/sessions/{session.pk}/candidats/", {"enrolment": enrolment.pk})
    assert messages_of(response) == [
        (
            SUCCESS,
            f"Créneau de {candidate.display_name} fixé au 01/04/2026 à 09:00 ; la convocation n'est pas encore "
            "envoyée.",
        )
    ]


def test_the_session_page_does_not_call_placed_candidates_convoked(client, staff, session) -> None:
    services.session_add_candidate(
        session=session, enrolment=enrol(make_candidate(session.organisation), session.version)
    )
    client.force_login(staff)
    page = client.get(f"/sessions/{session.pk}/").content.decode()
    assert "Candidats et créneaux" in page and "Candidats convoqués" not in page
