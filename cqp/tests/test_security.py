"""Defence in depth on every response (cqp/middleware.py): the Content-Security-Policy, no cache for what a
logged-in user sees, sessions that end when idle or old, and "database is locked" answered as a 503."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.decorators import login_not_required
from django.db import OperationalError, connection
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse
from django.utils import timezone

from accounts.models import User
from cqp.middleware import LOGIN_AT, SEEN_AT

pytestmark = pytest.mark.django_db

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


# Content-Security-Policy


def test_every_page_carries_the_content_security_policy(client: Client, staff: User) -> None:
    assert client.get("/compte/connexion/")["Content-Security-Policy"] == CSP
    client.force_login(staff)
    assert client.get("/")["Content-Security-Policy"] == CSP


# Cache-Control


@pytest.mark.parametrize("name", ["home", "candidates:list", "evaluations:list", "password_change"])
def test_a_logged_in_users_pages_are_kept_by_no_cache(client: Client, staff: User, name: str) -> None:
    client.force_login(staff)

    response = client.get(reverse(name))

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_a_stricter_cache_control_set_by_a_view_is_kept(client: Client, staff: User) -> None:
    client.force_login(staff)

    response = client.get("/compte/connexion/", follow=False)  # the login view is never_cache

    assert "no-store" in response["Cache-Control"]


def test_public_static_files_keep_their_cache_even_for_a_logged_in_user(staff: User, settings) -> None:
    # As in production: WhiteNoise serves static files before the private-cache middleware runs.
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE[:1],
        "whitenoise.middleware.WhiteNoiseMiddleware",
        *settings.MIDDLEWARE[1:],
    ]
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    client = Client()
    client.force_login(staff)

    response = client.get("/static/css/cqp.css")

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert client.get("/")["Cache-Control"] == "private, no-store"


# Sessions


def logged_in(client: Client) -> bool:
    return SESSION_KEY in client.session


def test_a_session_idle_beyond_the_timeout_is_closed_with_a_french_message(
    client: Client, staff: User, settings
) -> None:
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(staff)
        assert client.get("/").status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=29), tick=False):
        assert client.get("/").status_code == 200  # activity: the idle clock starts again
    with time_machine.travel(start + dt.timedelta(minutes=29 + 31), tick=False):
        response = client.get("/candidats/")

        assert response.status_code == 302
        assert response["Location"] == "/compte/connexion/?next=/candidats/"
        assert not logged_in(client)
        login_page = client.get(response["Location"]).content.decode()
        assert "Votre session a été fermée après 30 minutes d&#x27;inactivité : reconnectez-vous." in login_page


def test_an_active_session_still_ends_after_its_absolute_age(client: Client, staff: User, settings) -> None:
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    settings.SESSION_COOKIE_AGE = 12 * 60 * 60
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(staff)
    for step in range(1, 25):  # a request every 29 minutes: never idle
        with time_machine.travel(start + dt.timedelta(minutes=29 * step), tick=False):
            assert client.get("/").status_code == 200, step
    with time_machine.travel(start + dt.timedelta(minutes=29 * 25), tick=False):  # 12 h 05 after the login
        response = client.get("/")

        assert response.status_code == 302
        assert not logged_in(client)
        login_page = client.get(response["Location"]).content.decode()
        assert "Votre session a été fermée 12 heures après la connexion : reconnectez-vous." in login_page


def test_a_session_left_within_its_first_minute_stays_idle_when_the_user_logs_in_elsewhere(
    staff: User, settings
) -> None:
    """The idle clock starts at the login, written into the session: it used to be read from the user's last
    login, which a login on another computer moves, so an abandoned session came back to life."""
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    abandoned, elsewhere = Client(), Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        abandoned.force_login(staff)
        assert abandoned.get("/").status_code == 200
    with time_machine.travel(start + dt.timedelta(hours=2), tick=False):
        elsewhere.force_login(staff)
        assert abandoned.get("/candidats/").status_code == 302
        assert not logged_in(abandoned)
        assert elsewhere.get("/candidats/").status_code == 200


def test_a_session_without_login_stamps_ends(client: Client, staff: User) -> None:
    client.force_login(staff)
    session = client.session
    del session[LOGIN_AT], session[SEEN_AT]
    session.save()
    assert client.get("/candidats/").status_code == 302
    assert not logged_in(client)


def session_writes(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return sum(1 for query in queries.captured_queries if query["sql"].startswith('UPDATE "django_session"'))


def test_the_activity_stamp_is_written_at_most_once_a_minute(client: Client, staff: User) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(staff)
        assert session_writes(client) == 0  # right after the login: nothing to write
    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        assert session_writes(client) == 0
    with time_machine.travel(start + dt.timedelta(minutes=2), tick=False):
        assert session_writes(client) == 1
        assert session_writes(client) == 0


# Database busy


@login_not_required
def locked_view(request: HttpRequest) -> HttpResponse:
    raise OperationalError("database is locked")


@login_not_required
def broken_view(request: HttpRequest) -> HttpResponse:
    raise OperationalError("no such table: nowhere")


urlpatterns = [
    path("verrou/", locked_view),
    path("panne/", broken_view),
    path("", login_not_required(lambda request: HttpResponse()), name="home"),
]


def test_database_is_locked_answers_a_french_503_asking_to_retry(client: Client, settings) -> None:
    settings.ROOT_URLCONF = __name__

    response = client.get("/verrou/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    page = response.content.decode()
    assert "rien n&#x27;a été enregistré pour cette demande" in page or "rien n'a été enregistré" in page
    assert "puis recommencez" in page


def test_any_other_database_error_is_not_hidden(client: Client, settings) -> None:
    settings.ROOT_URLCONF = __name__

    with pytest.raises(OperationalError):
        client.get("/panne/")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's write lock")
def test_two_concurrent_read_then_write_transactions_both_commit_on_sqlite(tmp_path, settings) -> None:
    """The double submit: two requests each read, then write, at the same time. With SQLite's default
    (deferred) transactions the second writer fails at once with "database is locked"; with the settings'
    IMMEDIATE ones it waits for the first to commit, then commits too."""
    from django.db.backends.sqlite3.base import DatabaseWrapper

    options = settings.DATABASES["default"]["OPTIONS"]

    def open_database() -> DatabaseWrapper:
        path = str(tmp_path / "double.sqlite3")
        return DatabaseWrapper({**connection.settings_dict, "NAME": path, "OPTIONS": options})

    def submit(database: DatabaseWrapper, number: int, between: Callable[[], object]) -> None:
        database.ensure_connection()
        database._start_transaction_under_autocommit()  # type: ignore[attr-defined]  # what atomic() does
        with database.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM submit")
            between()
            cursor.execute("INSERT INTO submit (n) VALUES (%s)", [number])
            cursor.execute("COMMIT")

    first = open_database()
    with first.cursor() as cursor:
        cursor.execute("CREATE TABLE submit (id INTEGER PRIMARY KEY, n INTEGER)")
    second_read = threading.Event()
    errors: list[Exception] = []

    def second_submit() -> None:
        second = open_database()
        try:
            submit(second, 2, second_read.set)
        except Exception as error:  # reported to the test's thread
            errors.append(error)
        finally:
            second_read.set()
            second.close()

    thread = threading.Thread(target=second_submit)

    def start_the_second() -> None:
        # Deferred: the second has read too when the first writes; immediate: it waits for the first's lock.
        thread.start()
        second_read.wait(timeout=0.3)

    submit(first, 1, start_the_second)
    thread.join(timeout=30)

    assert errors == []
    with first.cursor() as cursor:
        cursor.execute("SELECT n FROM submit ORDER BY n")
        assert cursor.fetchall() == [(1,), (2,)]
    first.close()


def test_a_body_larger_than_the_limit_is_refused_before_it_is_read(client, settings) -> None:
    settings.MAX_REQUEST_BYTES = 2 * 1024 * 1024

    response = client.generic(
        "POST", "/connexion/", b"", CONTENT_TYPE="multipart/form-data; boundary=x", CONTENT_LENGTH=str(3 * 1024 * 1024)
    )
    assert response.status_code == 413
    assert "2 Mo au plus" in response.content.decode()


def test_database_is_locked_outside_a_view_answers_503_too(client: Client, staff: User, monkeypatch) -> None:
    """The session saved after the view (an activity stamp) finds the database locked: the 500 handler answers
    "busy, retry"."""
    from django.contrib.sessions.backends.db import SessionStore

    def locked(*args: object, **kwargs: object) -> None:
        raise OperationalError("database is locked")

    client.force_login(staff)
    client.raise_request_exception = False
    session = client.session
    session[SEEN_AT] = session[SEEN_AT] - 120  # the stamp is due: the session is saved after the response
    session.save()
    monkeypatch.setattr(SessionStore, "save", locked)
    response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "rien n'a été enregistré" in response.content.decode()
