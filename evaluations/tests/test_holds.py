"""Issue 11 on sessions: the candidate picker is a bounded search, an enrolment sits in one session at a time,
the lists put what is to come first with a searchable history, every input is bounded, and the session pages keep
their query counts whatever the data."""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from candidates import rules as candidate_rules
from candidates.models import Candidate, Enrolment
from cqp.lib import bounds
from cqp.models import CertificationVersion, TrainingOrganisation
from evaluations import rules, selectors, services
from evaluations.models import Attendance, ConvocationStatus, EvaluationSession, SessionCandidate, SessionMode
from juries.models import Decision, Jury, JuryKind, OutcomeKind

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
SESSION_DAY = dt.date(2026, 4, 1)


@pytest.fixture(autouse=True)
def _today() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=PARIS), tick=False) as traveller:
        yield traveller


@pytest.fixture
def approved(organisation: TrainingOrganisation) -> TrainingOrganisation:
    organisation.approval_start = dt.date(2020, 1, 1)
    organisation.approval_end = dt.date(2028, 12, 31)
    organisation.save()
    return organisation


@pytest.fixture
def version(referential: None) -> CertificationVersion:
    return CertificationVersion.objects.get(rncp_code="RNCP26850")


def schedule(
    staff: User, version: CertificationVersion, day: dt.date = SESSION_DAY, **kwargs: object
) -> EvaluationSession:
    fields: dict[str, object] = {
        "version": version,
        "organisation": staff.organisation,
        "starts_on": day,
        "ends_on": None,
        "mode": SessionMode.ON_SITE,
        "address": "12 rue de Turbigo, 75003 Paris",
        "created_by": staff,
    }
    fields.update(kwargs)
    return services.session_schedule(**fields)  # type: ignore[arg-type]


@pytest.fixture
def session(approved: TrainingOrganisation, version: CertificationVersion, staff: User) -> EvaluationSession:
    return schedule(staff, version, ends_on=SESSION_DAY + dt.timedelta(days=2))


def bulk_enrolments(
    organisation: TrainingOrganisation,
    version: CertificationVersion,
    count: int,
    *,
    start: int = 0,
    name: str = "Durand",
) -> list[Enrolment]:
    """`count` candidates enrolled in `version`, written in bulk (the picker needs rows, not the enrolment's
    checks)."""
    candidates = [
        Candidate(
            organisation=organisation,
            birth_name=f"{name}{n}",
            first_name="Léon",
            sex="M",
            birth_date=dt.date(1990, 1, 1),
            birth_commune="Paris",
            birth_insee_code="75056",
            email=f"{name.lower()}{n}@example.org",
            identity_key=candidate_rules.identity_key(
                birth_name=f"{name}{n}", first_name="Léon", birth_date=dt.date(1990, 1, 1)
            ),
        )
        for n in range(start, start + count)
    ]
    for candidate in candidates:
        bounds.check_instance(candidate)
    created = Candidate.objects.bulk_create(candidates)
    return Enrolment.objects.bulk_create(
        [Enrolment(candidate=c, version=version, access_route="formation_continue") for c in created]
    )


def options(page: str) -> list[str]:
    """The labels offered by the picker's list."""
    marker = 'data-testid="enrolment-option"'
    return [part.split(">", 1)[1].split("<", 1)[0] for part in page.split(marker)[1:]]


def certify(place: SessionCandidate, admin: User) -> Decision:
    """A total decision on `place`, written in the table (the juries' workflow is not under test here)."""
    jury = Jury.objects.create(
        kind=JuryKind.CERTIFICATION, version=place.session.version, meets_on=dt.date(2025, 6, 1), created_by=admin
    )
    return Decision.objects.create(place=place, jury=jury, kind=OutcomeKind.TOTAL, decided_by=admin)


# The picker -----------------------------------------------------------------------------------------------------


def test_the_picker_lists_nobody_until_a_search_then_at_most_twenty_matches(client, staff, session) -> None:
    bulk_enrolments(session.organisation, session.version, 30)
    client.force_login(staff)
    url = f"/sessions/{session.pk}/"
    page = client.get(url).content.decode()
    assert options(page) == []
    assert 'name="q"' in page  # the search box
    found = options(client.get(url, {"q": "durand"}).content.decode())
    assert len(found) == 20
    assert options(client.get(url, {"q": "DURAND17 léon"}).content.decode()) == ["DURAND17 Léon"]
    assert options(client.get(url, {"q": "personne"}).content.decode()) == []
    for hostile in ("durand\x00", "durand " * 1000):  # refused or bounded, never an error
        response = client.get(url, {"q": hostile})
        assert response.status_code == 200 and len(options(response.content.decode())) <= 20


def test_the_picker_finds_names_whatever_their_accents_case_and_hyphens(client, staff, session) -> None:
    bulk_enrolments(session.organisation, session.version, 2, name="Le-Fèvre")
    client.force_login(staff)
    url = f"/sessions/{session.pk}/"
    for typed in ("lefevre1", "LE FÈVRE1", "le-fevre1 leon", "Léon lefèvre1"):
        assert options(client.get(url, {"q": typed}).content.decode()) == ["LE-FÈVRE1 Léon"], typed


def test_the_picker_leaves_out_the_certified_and_those_placed_in_a_session(
    client, staff, certifier_admin, session, version
) -> None:
    _free, placed, certified, absent = bulk_enrolments(session.organisation, version, 4)
    other = schedule(staff, version, SESSION_DAY + dt.timedelta(days=10))
    services.session_add_candidate(session=other, enrolment=placed)
    earlier = services.session_add_candidate(session=other, enrolment=certified)
    certify(earlier, certifier_admin)
    gone = services.session_add_candidate(session=other, enrolment=absent)
    SessionCandidate.objects.filter(pk=gone.pk).update(attendance=Attendance.ABSENT)
    client.force_login(staff)
    found = options(client.get(f"/sessions/{session.pk}/", {"q": "durand"}).content.decode())
    assert found == ["DURAND0 Léon", "DURAND3 Léon"]  # the absent one may be convoked again


def test_posting_an_enrolment_placed_elsewhere_is_refused_in_words(client, staff, session, version) -> None:
    [enrolment] = bulk_enrolments(session.organisation, version, 1)
    other = schedule(staff, version, SESSION_DAY + dt.timedelta(days=10))
    services.session_add_candidate(session=other, enrolment=enrolment)
    client.force_login(staff)
    page = client.post(f"/sessions/{session.pk}/candidats/", {"enrolment": enrolment.pk}, follow=True)
    assert "déjà une place à la session du 11 avril 2026" in page.content.decode()
    assert not session.candidates.exists()


# One session at a time ------------------------------------------------------------------------------------------


def test_an_enrolment_is_in_one_session_at_a_time(staff, session, version) -> None:
    [enrolment] = bulk_enrolments(session.organisation, version, 1)
    same_day = schedule(staff, version, SESSION_DAY)
    services.session_add_candidate(session=session, enrolment=enrolment)
    with pytest.raises(ValidationError) as exc:
        services.session_add_candidate(session=same_day, enrolment=enrolment)
    assert "déjà une place à la session du 1 avril 2026" in " ".join(exc.value.messages)
    assert "une session à la fois" in " ".join(exc.value.messages)
    assert SessionCandidate.objects.filter(enrolment=enrolment).count() == 1


def test_an_absent_candidate_or_one_not_certified_may_be_convoked_again(
    staff, certifier_admin, session, version
) -> None:
    absent, failed = bulk_enrolments(session.organisation, version, 2)
    other = schedule(staff, version, SESSION_DAY + dt.timedelta(days=10))
    SessionCandidate.objects.filter(pk=services.session_add_candidate(session=other, enrolment=absent).pk).update(
        attendance=Attendance.ABSENT
    )
    place = services.session_add_candidate(session=other, enrolment=failed)
    SessionCandidate.objects.filter(pk=place.pk).update(attendance=Attendance.PRESENT)
    with pytest.raises(ValidationError, match="déjà une place"):  # present, not decided yet
        services.session_add_candidate(session=session, enrolment=failed)
    decision = certify(place, certifier_admin)
    Decision.objects.filter(pk=decision.pk).update(kind=OutcomeKind.NONE)
    for enrolment in (absent, failed):
        services.session_add_candidate(session=session, enrolment=enrolment)
    assert session.candidates.count() == 2


def test_a_certified_candidate_is_not_convoked_again(staff, certifier_admin, session, version) -> None:
    [enrolment] = bulk_enrolments(session.organisation, version, 1)
    other = schedule(staff, version, SESSION_DAY + dt.timedelta(days=10))
    place = services.session_add_candidate(session=other, enrolment=enrolment)
    SessionCandidate.objects.filter(pk=place.pk).update(attendance=Attendance.PRESENT)
    certify(place, certifier_admin)
    with pytest.raises(ValidationError, match="déjà titulaire"):
        services.session_add_candidate(session=session, enrolment=enrolment)


def test_the_database_holds_one_expected_place_per_enrolment(staff, session, version) -> None:
    [enrolment] = bulk_enrolments(session.organisation, version, 1)
    other = schedule(staff, version, SESSION_DAY + dt.timedelta(days=10))
    start = dt.datetime(2026, 4, 1, 9, 0, tzinfo=PARIS)
    place = SessionCandidate(session=session, enrolment=enrolment, starts_at=start, ends_at=start)
    place.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionCandidate.objects.bulk_create(
            [SessionCandidate(session=other, enrolment=enrolment, starts_at=start, ends_at=start)]
        )


def test_a_placement_racing_another_is_refused_in_words(staff, session, version, monkeypatch) -> None:
    """Two requests place the same enrolment at once: the second reads no open place (the first has not committed)
    and the database's index refuses its write; the page says so instead of answering 500."""
    [enrolment] = bulk_enrolments(session.organisation, version, 1)
    other = schedule(staff, version, SESSION_DAY + dt.timedelta(days=10))
    services.session_add_candidate(session=other, enrolment=enrolment)
    monkeypatch.setattr(selectors, "open_sessions", lambda enrolment: {})
    with pytest.raises(ValidationError, match="déjà attendu à une autre session"):  # the model's own check
        services.session_add_candidate(session=session, enrolment=enrolment)
    monkeypatch.setattr(SessionCandidate, "full_clean", lambda self: None)
    with pytest.raises(ValidationError, match="vient d'être placé dans une autre session"):  # the write itself
        services.session_add_candidate(session=session, enrolment=enrolment)
    assert SessionCandidate.objects.filter(enrolment=enrolment).count() == 1


def test_the_rule_names_the_other_session() -> None:
    assert rules.placement_refusal(this_session_id=1, open_sessions={1: SESSION_DAY}, certified=False) is not None
    message = rules.placement_refusal(this_session_id=2, open_sessions={1: SESSION_DAY}, certified=False)
    assert message is not None and "1 avril 2026" in message
    assert rules.placement_refusal(this_session_id=2, open_sessions={}, certified=False) is None
    assert "titulaire" in (rules.placement_refusal(this_session_id=2, open_sessions={}, certified=True) or "")


def test_the_length_and_absence_rules() -> None:
    day = dt.date(2026, 4, 1)
    last = day + dt.timedelta(days=bounds.SESSION_DAYS_MAX - 1)
    assert rules.session_length_refusal(starts_on=day, ends_on=last) is None
    refusal = rules.session_length_refusal(starts_on=day, ends_on=last + dt.timedelta(days=1))
    assert refusal is not None and f"{bounds.SESSION_DAYS_MAX} jours au plus" in refusal
    assert not rules.absence_recordable(today=day - dt.timedelta(days=1), first_day=day)
    assert rules.absence_recordable(today=day, first_day=day)
    assert rules.absence_recordable(today=day + dt.timedelta(days=400), first_day=day)


# The sessions list: what is to come first, the history paginated and searchable ---------------------------------


def rows(page: str) -> list[str]:
    return [part.split("</a>", 1)[0].rsplit(">", 1)[1] for part in page.split('data-testid="session-row"')[1:]]


def test_the_list_shows_sessions_to_come_first_then_the_history_newest_first(client, staff, approved, version) -> None:
    for days in (40, 10, 20):
        schedule(staff, version, timezone.localdate() + dt.timedelta(days=days))
    for day in (dt.date(2024, 5, 2), dt.date(2025, 5, 2)):
        past = schedule(staff, version, SESSION_DAY)
        EvaluationSession.objects.filter(pk=past.pk).update(starts_on=day, ends_on=day)
    client.force_login(staff)
    assert rows(client.get("/sessions/").content.decode()) == [
        "12 mars 2026",
        "22 mars 2026",
        "11 avril 2026",
        "2 mai 2025",
        "2 mai 2024",
    ]


def test_the_history_is_searched_by_certification_and_organisation(
    client, certifier_admin, staff, approved, version
) -> None:
    schedule(staff, version, SESSION_DAY)
    other = CertificationVersion.objects.get(rncp_code="RNCP31313")
    client.force_login(certifier_admin)
    assert len(rows(client.get("/sessions/", {"q": version.short_title.split()[-1]}).content.decode())) == 1
    assert len(rows(client.get("/sessions/", {"q": approved.name}).content.decode())) == 1
    assert len(rows(client.get("/sessions/", {"q": other.rncp_number}).content.decode())) == 0
    assert len(rows(client.get("/sessions/", {"q": "x" * 5000}).content.decode())) == 0  # bounded, not an error


def bulk_sessions(staff: User, version: CertificationVersion, count: int) -> None:
    """`count` sessions, half to come and half past, written in bulk."""
    today = timezone.localdate()
    sessions = []
    for n in range(count):
        day = today + dt.timedelta(days=n + 1) if n % 2 else today - dt.timedelta(days=n + 1)
        sessions.append(
            EvaluationSession(
                version=version,
                organisation=staff.organisation,
                starts_on=day,
                ends_on=day,
                address="Paris",
                slot_minutes=45,
                created_by=staff,
            )
        )
    EvaluationSession.objects.bulk_create(sessions)


# Session, user, the filter's certifications, count, one page of sessions with their version, organisation and
# number of candidates: the same for 4 or 60 sessions, on each page and with a search.
LIST_QUERIES = 5


def test_the_list_and_its_history_keep_their_queries(
    client, staff, certifier_admin, approved, version, django_assert_num_queries
) -> None:
    bulk_sessions(staff, version, 4)
    for user in (staff, certifier_admin):
        client.force_login(user)
        client.get("/sessions/")  # the first request after a login also writes the login's session
        for params in ({}, {"page": "2"}, {"q": "polissage"}, {"when": "past"}):
            with django_assert_num_queries(LIST_QUERIES):
                client.get("/sessions/", params)
    bulk_sessions(staff, version, 60)
    for user in (staff, certifier_admin):
        client.force_login(user)
        client.get("/sessions/")
        for params in ({}, {"page": "2"}, {"q": "polissage"}, {"when": "past"}):
            with django_assert_num_queries(LIST_QUERIES):
                response = client.get("/sessions/", params)
            assert response.content.decode().count('data-testid="session-row"') == 25


# Bounds ---------------------------------------------------------------------------------------------------------


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
        "what_to_bring": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("slot_minutes", "99999999999999", "inférieure ou égale à 720"),
        ("slot_minutes", "2", "supérieure ou égale à 5"),
        ("slot_minutes", "-45", "supérieure ou égale à 5"),
        ("starts_on", "9999-12-31", "Date invraisemblable"),
        ("starts_on", "1999-12-31", "Date invraisemblable"),
        ("ends_on", "2026-06-01", "60 jours au plus"),
        ("address", "x" * (bounds.SHORT_TEXT_LENGTH + 1), "300 caractères"),
        ("what_to_bring", "x" * (bounds.SHORT_TEXT_LENGTH + 1), "300 caractères"),
        ("address", "58 rue\x00 du Louvre", "caractère"),
        ("address", "58 rue\x1b du Louvre", "caractère de contrôle"),
    ],
)
def test_the_session_form_refuses_values_out_of_bounds_in_words(
    client, staff, approved, version, field, value, words
) -> None:
    client.force_login(staff)
    response = client.post("/sessions/nouvelle/", session_form(version, **{field: value}))
    assert response.status_code == 200
    assert words in response.content.decode().replace("&#x27;", "'").replace("\u202f", " ")
    assert not EvaluationSession.objects.exists()


def test_the_form_tells_the_browser_its_bounds(client, staff, approved) -> None:
    client.force_login(staff)
    page = client.get("/sessions/nouvelle/").content.decode()
    assert 'name="slot_minutes" min="5" max="720"' in page or ('min="5"' in page and 'max="720"' in page)
    assert f'maxlength="{bounds.SHORT_TEXT_LENGTH}"' in page


def test_the_service_refuses_what_the_form_refuses(staff, approved, version) -> None:
    for kwargs in (
        {"slot_minutes": 99_999_999_999_999},
        {"starts_on": dt.date(9999, 12, 31)},
        {"ends_on": SESSION_DAY + dt.timedelta(days=bounds.SESSION_DAYS_MAX)},
        {"address": "x" * (bounds.SHORT_TEXT_LENGTH + 1)},
        {"mode": SessionMode.REMOTE, "connection_details": "y" * (bounds.LONG_TEXT_LENGTH + 1)},
    ):
        with pytest.raises(ValidationError):
            schedule(staff, version, **kwargs)
    assert not EvaluationSession.objects.exists()
    longest = schedule(staff, version, ends_on=SESSION_DAY + dt.timedelta(days=bounds.SESSION_DAYS_MAX - 1))
    assert (longest.ends_on - longest.starts_on).days + 1 == bounds.SESSION_DAYS_MAX


def test_the_override_and_the_incident_are_bounded(client, staff, certifier_admin, session, _today) -> None:
    _today.move_to(dt.datetime(2026, 3, 20, 9, 0, tzinfo=PARIS))
    client.force_login(certifier_admin)
    page = client.post(
        f"/sessions/{session.pk}/derogation/", {"reason": "x" * (bounds.LONG_TEXT_LENGTH + 1)}, follow=True
    ).content.decode()
    assert "4000 caractères" in page.replace("\u202f", " ")
    assert not hasattr(EvaluationSession.objects.get(pk=session.pk), "override")
    with pytest.raises(ValidationError):
        services.convocation_override_record(session=session, reason="y" * 5000, recorded_by=certifier_admin)
    _today.move_to(dt.datetime(2026, 4, 1, 9, 0, tzinfo=PARIS))
    client.force_login(staff)
    page = client.post(
        f"/sessions/{session.pk}/incidents/",
        {"kind": "other", "description": "z" * (bounds.LONG_TEXT_LENGTH + 1)},
        follow=True,
    ).content.decode()
    assert "4000 caractères" in page.replace("\u202f", " ")
    assert not session.incidents.exists()


def test_a_huge_identifier_in_a_form_is_a_form_error(client, staff, session) -> None:
    client.force_login(staff)
    page = client.post(f"/sessions/{session.pk}/candidats/", {"enrolment": "9" * 30}, follow=True)
    assert page.status_code == 200
    assert "Choisissez un candidat" in page.content.decode()
    assert client.get("/sessions/", {"version": "9" * 30, "page": "9" * 30}).status_code == 200


# Query counts on the session pages --------------------------------------------------------------------------------


def fill(session: EvaluationSession, count: int, *, start: int = 0) -> None:
    for enrolment in bulk_enrolments(session.organisation, session.version, count, start=start, name="Placé"):
        services.session_add_candidate(session=session, enrolment=enrolment)


def counts(client, url: str, params: dict[str, str] | None = None) -> int:
    client.get(url, params or {})  # the first request after a login also writes the login's session
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


def test_the_detail_page_with_a_search_keeps_its_queries(client, staff, session) -> None:
    url = f"/sessions/{session.pk}/"
    fill(session, 2)
    bulk_enrolments(session.organisation, session.version, 2)
    client.force_login(staff)
    few = counts(client, url, {"q": "durand"})
    fill(session, 20, start=2)
    bulk_enrolments(session.organisation, session.version, 40, start=2)
    assert counts(client, url, {"q": "durand"}) == few
    assert counts(client, url) <= few


def test_the_exam_day_pages_keep_their_queries(client, staff, session, monkeypatch, _today) -> None:
    class NoPdf:
        def __init__(self, **kwargs: object) -> None:
            self.html = kwargs["string"]

        def write_pdf(self) -> bytes:
            return b"%PDF-1.7"

    monkeypatch.setattr("weasyprint.HTML", NoPdf)
    fill(session, 2)
    _today.move_to(dt.datetime(2026, 4, 1, 9, 0, tzinfo=PARIS))
    client.force_login(staff)
    services.incident_report(session=session, kind="other", description="Retard", reported_by=staff)
    sheet, pdf = f"/sessions/{session.pk}/emargement/", f"/sessions/{session.pk}/emargement.pdf"
    few = (counts(client, sheet), counts(client, pdf))
    _today.move_to(dt.datetime(2026, 3, 2, 9, 0, tzinfo=PARIS))
    fill(session, 20, start=2)
    _today.move_to(dt.datetime(2026, 4, 1, 9, 0, tzinfo=PARIS))
    client.force_login(staff)
    place = session.candidates.last()
    services.identity_check(place=place, document="cni", checked_by=staff)
    services.incident_report(session=session, kind="other", description="Bruit", reported_by=staff, place=place)
    assert (counts(client, sheet), counts(client, pdf)) == few
    response = client.get(pdf)
    assert response["Cache-Control"] == "private, no-store"


def test_the_attendance_pdf_breaks_long_unbroken_words(client, staff, session, monkeypatch, _today) -> None:
    """The longest texts allowed, without a space, reach the PDF renderer with a break every 40 characters: it never
    searches for a break that does not exist (a 10,000-character word took 8 s in the deliberation PDF)."""
    rendered: list[str] = []

    class Renderer:
        def __init__(self, **kwargs: str) -> None:
            rendered.append(kwargs["string"])

        def write_pdf(self) -> bytes:
            return b"%PDF-1.7"

    monkeypatch.setattr("weasyprint.HTML", Renderer)
    [enrolment] = bulk_enrolments(session.organisation, session.version, 1, name="N" * 140)
    services.session_add_candidate(session=session, enrolment=enrolment)
    EvaluationSession.objects.filter(pk=session.pk).update(address="A" * bounds.SHORT_TEXT_LENGTH)
    _today.move_to(dt.datetime(2026, 4, 1, 9, 0, tzinfo=PARIS))
    client.force_login(staff)
    services.incident_report(
        session=session, kind="other", description="x" * bounds.LONG_TEXT_LENGTH, reported_by=staff
    )
    assert client.get(f"/sessions/{session.pk}/emargement.pdf").status_code == 200
    [html] = rendered
    for letter in "ANx":
        assert letter * bounds.WORD_LENGTH in html
        assert letter * (bounds.WORD_LENGTH + 1) not in html, letter


def test_a_sending_error_is_kept_within_its_field(session) -> None:
    fill(session, 1)
    place = session.candidates.get()
    SessionCandidate.objects.filter(pk=place.pk).update(
        convocation_status=ConvocationStatus.SENDING, convocation_claimed_at=timezone.now()
    )
    place.refresh_from_db()
    services.convocation_mark(place=place, error="SMTP " * 1000)
    place.refresh_from_db()
    assert len(place.convocation_error) == bounds.SHORT_TEXT_LENGTH


def test_a_candidate_left_awaited_after_the_session_is_noted_absent_and_convoked_again(
    client, staff, session, version, _today
) -> None:
    """A sheet never completed leaves a candidate "awaited" in a session that is over: their enrolment would be held
    there for ever. The absence can be noted afterwards (not before the exam day), which frees it."""
    [enrolment] = bulk_enrolments(session.organisation, version, 1)
    place = services.session_add_candidate(session=session, enrolment=enrolment)
    client.force_login(staff)
    with pytest.raises(ValidationError, match="le jour des épreuves"):
        services.attendance_absent(place=place, recorded_by=staff)
    _today.move_to(dt.datetime(2026, 5, 4, 9, 0, tzinfo=PARIS))
    later = schedule(staff, version, dt.date(2026, 6, 1))
    with pytest.raises(ValidationError, match="déjà une place"):
        services.session_add_candidate(session=later, enrolment=enrolment)
    client.force_login(staff)
    assert "Noter absent" in client.get(f"/sessions/{session.pk}/emargement/").content.decode()
    client.post(f"/sessions/places/{place.pk}/absent/")
    place.refresh_from_db()
    assert place.attendance == Attendance.ABSENT
    assert services.session_add_candidate(session=later, enrolment=enrolment).session == later


def test_the_migration_resolves_an_enrolment_already_awaited_in_two_sessions(staff, session, version) -> None:
    """Before migration 0004 an enrolment could be awaited in several sessions: the migration keeps it awaited in
    the latest and marks the earlier places absent (no grid: their attendance was never recorded), so that adding
    the constraint does not stop the deploy."""
    migration = importlib.import_module("evaluations.migrations.0004_bounded_texts_one_session_at_a_time_list_indexes")
    [enrolment] = bulk_enrolments(session.organisation, version, 1)
    later = schedule(staff, version, SESSION_DAY + dt.timedelta(days=10))
    start = dt.datetime(2026, 4, 1, 9, 0, tzinfo=PARIS)
    with connection.cursor() as cursor:  # the state before 0004 (rolled back with the test's transaction)
        cursor.execute("DROP INDEX one_expected_place_per_enrolment")
    SessionCandidate.objects.bulk_create(
        [SessionCandidate(session=s, enrolment=enrolment, starts_at=start, ends_at=start) for s in (session, later)]
    )
    migration.one_expected_place_per_enrolment(django_apps, None)
    places = SessionCandidate.objects.filter(enrolment=enrolment).order_by("session__starts_on")
    assert [p.attendance for p in places] == [Attendance.ABSENT, Attendance.EXPECTED]


# Certified: a current total decision that stands --------------------------------------------------------------


def test_a_revoked_total_decision_no_longer_counts_as_certified(
    client, staff, certifier_admin, session, version
) -> None:
    [enrolment] = bulk_enrolments(session.organisation, version, 1)
    other = schedule(staff, version, SESSION_DAY + dt.timedelta(days=10))
    place = services.session_add_candidate(session=other, enrolment=enrolment)
    SessionCandidate.objects.filter(pk=place.pk).update(attendance=Attendance.PRESENT)
    decision = certify(place, certifier_admin)
    assert selectors.is_certified(enrolment)
    Decision.objects.filter(pk=decision.pk).update(
        revoked_at=timezone.now(), revoked_by=certifier_admin, revocation_reason="Fraude découverte"
    )
    assert not selectors.is_certified(enrolment)
    client.force_login(staff)
    assert options(client.get(f"/sessions/{session.pk}/", {"q": "durand"}).content.decode()) == ["DURAND0 Léon"]
    services.session_add_candidate(session=session, enrolment=enrolment)
    assert session.candidates.get().enrolment == enrolment


def test_a_total_decision_replaced_after_re_examination_no_longer_counts_as_certified(
    staff, certifier_admin, session, version
) -> None:
    [enrolment] = bulk_enrolments(session.organisation, version, 1)
    other = schedule(staff, version, SESSION_DAY + dt.timedelta(days=10))
    place = services.session_add_candidate(session=other, enrolment=enrolment)
    SessionCandidate.objects.filter(pk=place.pk).update(attendance=Attendance.PRESENT)
    replaced = certify(place, certifier_admin)
    Decision.objects.filter(pk=replaced.pk).update(place=None)  # it keeps its examined place
    Decision.objects.create(
        place=place,
        jury=replaced.jury,
        kind=OutcomeKind.NONE,
        decided_by=certifier_admin,
        revises=replaced,
        needs_addendum=True,
    )
    assert not selectors.is_certified(enrolment)
    services.session_add_candidate(session=session, enrolment=enrolment)
