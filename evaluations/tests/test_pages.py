"""Session pages: who may see what, scheduling and convoking through the forms, calendar files,
and a detail page whose query count does not grow with the candidates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from candidates.models import Candidate
from cqp.models import CertificationVersion, TrainingOrganisation
from evaluations import services
from evaluations.models import ConvocationOverride, ConvocationStatus, EvaluationSession, SessionCandidate, SessionMode
from tests.factories import OrganisationFactory, UserFactory, enrol, make_candidate

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
SESSION_DAY = dt.date(2026, 4, 1)
LOGIN = "/compte/connexion/"


@pytest.fixture(autouse=True)
def _today() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=PARIS), tick=False) as traveller:
        yield traveller


def approve(organisation: TrainingOrganisation) -> TrainingOrganisation:
    organisation.approval_start = dt.date(2025, 1, 1)
    organisation.approval_end = dt.date(2027, 12, 31)
    organisation.save()
    return organisation


@pytest.fixture
def approved(organisation: TrainingOrganisation) -> TrainingOrganisation:
    return approve(organisation)


@pytest.fixture
def version(referential: None) -> CertificationVersion:
    return CertificationVersion.objects.get(rncp_code="RNCP26850")


@pytest.fixture
def other_staff(db: None) -> User:
    return UserFactory(email="autre@example.org", organisation=approve(OrganisationFactory(name="Autre organisme")))


def schedule(organisation: TrainingOrganisation, version: CertificationVersion, user: User) -> EvaluationSession:
    return services.session_schedule(
        version=version,
        organisation=organisation,
        starts_on=SESSION_DAY,
        ends_on=None,
        mode=SessionMode.ON_SITE,
        address="12 rue de Turbigo\n75003 Paris",
        created_by=user,
    )


@pytest.fixture
def session(approved: TrainingOrganisation, version: CertificationVersion, staff: User) -> EvaluationSession:
    return schedule(approved, version, staff)


def add_place(session: EvaluationSession, n: int = 0) -> SessionCandidate:
    enrolment = enrol(make_candidate(session.organisation, n=n), session.version)
    return services.session_add_candidate(session=session, enrolment=enrolment)


def statuses(html: str) -> list[str]:
    marker = 'data-testid="convocation-status">'
    return [part.split("<", 1)[0] for part in html.split(marker)[1:]]


# Who may see what ----------------------------------------------------------------------------------


def test_strangers_are_sent_to_login(client, session) -> None:
    for url in ("/sessions/", "/sessions/nouvelle/", f"/sessions/{session.pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(LOGIN), url


def test_jury_members_and_candidates_have_no_access(client, session, jury_member, candidate_user) -> None:
    for user in (jury_member, candidate_user):
        client.force_login(user)
        for url in ("/sessions/", "/sessions/nouvelle/", f"/sessions/{session.pk}/"):
            assert client.get(url).status_code == 403, (user.email, url)
        assert client.post(f"/sessions/{session.pk}/convoquer/").status_code == 403


def test_staff_see_their_sessions_and_get_404_on_another_organisations(client, session, other_staff, version) -> None:
    theirs = schedule(other_staff.organisation, version, other_staff)
    client.force_login(other_staff)
    listing = client.get("/sessions/").content.decode()
    assert listing.count('data-testid="session-row"') == 1
    assert f"/sessions/{theirs.pk}/" in listing and f"/sessions/{session.pk}/" not in listing
    assert client.get(f"/sessions/{theirs.pk}/").status_code == 200
    assert client.get(f"/sessions/{session.pk}/").status_code == 404
    for action in ("candidats", "convoquer"):
        assert client.post(f"/sessions/{session.pk}/{action}/", {"reason": "x"}).status_code == 404, action
    # An override is the certifier's: the role is refused (403) before the session is looked up.
    assert client.post(f"/sessions/{session.pk}/derogation/", {"reason": "x"}).status_code == 403


def test_certifier_admins_see_every_session_but_do_not_schedule(
    client, session, other_staff, version, certifier_admin
) -> None:
    theirs = schedule(other_staff.organisation, version, other_staff)
    client.force_login(certifier_admin)
    listing = client.get("/sessions/").content.decode()
    assert listing.count('data-testid="session-row"') == 2
    assert "BJO Formation" in listing and "Autre organisme" in listing
    for pk in (session.pk, theirs.pk):
        assert client.get(f"/sessions/{pk}/").status_code == 200
    assert client.get("/sessions/nouvelle/").status_code == 403


# Scheduling through the form --------------------------------------------------------------------------


def session_form(version: CertificationVersion, **overrides: str) -> dict[str, str]:
    data = {
        "version": str(version.pk),
        "starts_on": "2026-04-01",
        "ends_on": "",
        "day_starts_at": "08:30",
        "mode": SessionMode.ON_SITE,
        "address": "3 place des Orfèvres, Lyon",
        "connection_details": "",
        "slot_minutes": "",
        "what_to_bring": "Livret de réalisations",
    }
    data.update(overrides)
    return data


def test_staff_schedule_a_session_through_the_form(client, staff, approved, version) -> None:
    client.force_login(staff)
    assert client.get("/sessions/nouvelle/").status_code == 200
    response = client.post("/sessions/nouvelle/", session_form(version))
    session = EvaluationSession.objects.get()
    assert response.status_code == 302 and response.url == f"/sessions/{session.pk}/"
    assert session.organisation == approved
    assert session.created_by == staff
    assert session.starts_on == session.ends_on == SESSION_DAY
    assert session.day_starts_at == dt.time(8, 30)
    assert session.slot_minutes == 45
    page = client.get(response.url).content.decode()
    assert "Session programmée." in page
    assert "3 place des Orfèvres, Lyon" in page
    assert "45 min par passage" in page


def test_a_lapsed_approval_redisplays_the_form_with_the_reason_and_the_input(client, staff, approved, version) -> None:
    approved.approval_end = dt.date(2026, 1, 31)
    approved.save()
    client.force_login(staff)
    response = client.post("/sessions/nouvelle/", session_form(version))
    assert response.status_code == 200
    page = response.content.decode()
    assert "L&#x27;habilitation de BJO Formation ne couvre pas ces dates" in page
    assert "une session ne peut pas être programmée" in page
    assert "31 janvier 2026" in page
    assert 'value="2026-04-01"' in page
    assert "3 place des Orfèvres, Lyon" in page
    assert "Livret de réalisations" in page
    assert not EvaluationSession.objects.exists()


# Convoking through the page ---------------------------------------------------------------------------


def test_staff_add_candidates_and_send_the_convocations(
    client, staff, session, django_capture_on_commit_callbacks
) -> None:
    enrolments = [enrol(make_candidate(session.organisation, n=n), session.version) for n in range(2)]
    client.force_login(staff)
    page = client.get(f"/sessions/{session.pk}/", {"q": "martin"}).content.decode()
    assert "MARTIN0 Julie" in page and "MARTIN1 Julie" in page  # offered by the search
    for enrolment in enrolments:
        response = client.post(f"/sessions/{session.pk}/candidats/", {"enrolment": enrolment.pk}, follow=True)
    page = response.content.decode()
    assert "Créneau de MARTIN1 Julie fixé au 01/04/2026 à 09:45 ; la convocation n&#x27;est pas encore envoyée." in page
    assert page.count('data-testid="place"') == 2
    assert statuses(page) == ["Non envoyée", "Non envoyée"]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/sessions/{session.pk}/convoquer/")
    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == ["julie0@example.org", "julie1@example.org"]
    page = client.get(f"/sessions/{session.pk}/").content.decode()
    assert "2 convocation(s) en cours d&#x27;envoi." in page
    assert statuses(page) == ["Envoyée", "Envoyée"]
    assert "02/03/2026 10:00" in page  # when they left

    again = client.post(f"/sessions/{session.pk}/convoquer/", follow=True).content.decode()
    assert "Toutes les convocations sont déjà parties." in again
    assert len(mail.outbox) == 2


def test_a_candidate_of_another_organisation_cannot_be_posted_into_a_session(client, staff, session) -> None:
    stranger = enrol(make_candidate(OrganisationFactory(name="Autre organisme"), n=9), session.version)
    client.force_login(staff)
    page = client.post(f"/sessions/{session.pk}/candidats/", {"enrolment": stranger.pk}, follow=True)
    assert "Choisissez un candidat inscrit à cette certification." in page.content.decode()
    assert not session.candidates.exists()


def test_the_page_refuses_a_convocation_under_15_days(client, staff, session, _today) -> None:
    place = add_place(session)
    _today.move_to(dt.datetime(2026, 3, 20, 9, 0, tzinfo=PARIS))
    client.force_login(staff)
    page = client.post(f"/sessions/{session.pk}/convoquer/", follow=True).content.decode()
    assert "Convocation refusée" in page and "17 mars 2026" in page
    # The convocation waits: the page says since when its deadline is past, and what could still send it.
    assert "échéance dépassée depuis le 17/03/2026 (3 jours)" in page
    assert "elles ne partent plus qu&#x27;avec une dérogation du certificateur" in page
    assert mail.outbox == []
    place.refresh_from_db()
    assert place.convocation_status == ConvocationStatus.NOT_SENT


def test_the_override_form_is_offered_to_admins_only_under_15_days(
    client, staff, certifier_admin, session, _today
) -> None:
    add_place(session)
    client.force_login(certifier_admin)
    assert "Accorder la dérogation" not in client.get(f"/sessions/{session.pk}/").content.decode()
    _today.move_to(dt.datetime(2026, 3, 20, 9, 0, tzinfo=PARIS))
    client.force_login(certifier_admin)  # the login of 18 days ago has expired
    assert "Accorder la dérogation" in client.get(f"/sessions/{session.pk}/").content.decode()
    client.force_login(staff)
    assert "Accorder la dérogation" not in client.get(f"/sessions/{session.pk}/").content.decode()


def test_staff_cannot_post_an_override(client, staff, session, _today) -> None:
    _today.move_to(dt.datetime(2026, 3, 20, 9, 0, tzinfo=PARIS))
    client.force_login(staff)
    response = client.post(f"/sessions/{session.pk}/derogation/", {"reason": "Urgence"})
    assert response.status_code == 403
    assert not ConvocationOverride.objects.exists()


def test_an_admins_override_lets_staff_convoke_late(
    client, staff, certifier_admin, session, _today, django_capture_on_commit_callbacks
) -> None:
    add_place(session)
    _today.move_to(dt.datetime(2026, 3, 20, 9, 0, tzinfo=PARIS))
    client.force_login(certifier_admin)
    empty = client.post(f"/sessions/{session.pk}/derogation/", {"reason": ""}, follow=True).content.decode()
    assert "Indiquez le motif de la dérogation." in empty
    page = client.post(
        f"/sessions/{session.pk}/derogation/", {"reason": "Session reportée par l'organisme"}, follow=True
    ).content.decode()
    assert "Dérogation enregistrée" in page
    assert "Session reportée par l&#x27;organisme" in page
    assert "Accorder la dérogation" not in page

    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/sessions/{session.pk}/convoquer/")
    assert len(mail.outbox) == 1
    assert statuses(client.get(f"/sessions/{session.pk}/").content.decode()) == ["Envoyée"]


# Calendar files ------------------------------------------------------------------------------------------


def test_the_calendar_file_is_given_to_the_candidate_their_organisation_and_admins(
    client, staff, certifier_admin, session
) -> None:
    place = add_place(session)
    owner = UserFactory(email="julie0@example.org", is_candidate=True)
    Candidate.objects.filter(pk=place.enrolment.candidate_id).update(user=owner)
    url = f"/sessions/convocations/{place.pk}/calendrier.ics"
    client.force_login(owner)
    assert client.get(url).status_code == 404  # not before the convocation is sent
    SessionCandidate.objects.filter(pk=place.pk).update(convocation_status=ConvocationStatus.SENT)
    for user in (owner, staff, certifier_admin):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, user.email
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        assert response["Content-Disposition"] == 'attachment; filename="convocation.ics"'
        assert b"DTSTART:20260401T070000Z" in response.content  # 09:00 in Paris, summer time


def test_the_calendar_file_is_404_for_another_candidate_and_another_organisation(
    client, session, other_staff, jury_member
) -> None:
    place = add_place(session)
    neighbour = add_place(session, n=1)
    neighbour_user = UserFactory(email="julie1@example.org", is_candidate=True)
    Candidate.objects.filter(pk=neighbour.enrolment.candidate_id).update(user=neighbour_user)
    url = f"/sessions/convocations/{place.pk}/calendrier.ics"
    for user in (neighbour_user, other_staff, jury_member):
        client.force_login(user)
        assert client.get(url).status_code == 404, user.email
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(LOGIN)


# Query count ---------------------------------------------------------------------------------------------

# Session and user, the session with its version and organisation, the override (read once, for the
# rule and the notice), the places with their candidates, their accommodations (the picker reads nothing
# before a search: see test_holds.py), the session's cancellation or postponement proposals, the places its
# candidates hold in other sessions still to come (`selectors.places_elsewhere`, one query for all).
DETAIL_QUERIES = 9  # + the session's evaluation jury (none here; its seats are read when it exists)


def test_the_detail_page_keeps_a_constant_number_of_queries(client, staff, session, django_assert_num_queries) -> None:
    EvaluationSession.objects.filter(pk=session.pk).update(ends_on=session.starts_on + dt.timedelta(days=2))
    session.refresh_from_db()  # 20 slots of 45 min need more than one day
    for n in range(3):
        add_place(session, n=n)
    enrol(make_candidate(session.organisation, n=99), session.version)  # waiting in the chooser
    client.force_login(staff)
    url = f"/sessions/{session.pk}/"
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(3, 20):
        add_place(session, n=n)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert page.count('data-testid="place"') == 20
    assert len(many) == len(few)
    with django_assert_num_queries(DETAIL_QUERIES):
        client.get(url)
