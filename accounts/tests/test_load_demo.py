"""`manage.py load_demo`: one account per role with printed credentials, idempotent, refused when DEBUG is
off unless forced."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from accounts.management.commands.load_demo import DEMO_PASSWORD
from accounts.models import Role, User

pytestmark = pytest.mark.django_db

EXPECTED_ROLES = {
    "admin@cqp.test": [Role.CERTIFIER_ADMIN],
    "formation@cqp.test": [Role.ORGANISATION_STAFF],
    "jury@cqp.test": [Role.JURY_MEMBER],
    "candidat@cqp.test": [Role.CANDIDATE],
    "formateur-jury@cqp.test": [Role.ORGANISATION_STAFF, Role.JURY_MEMBER],
}


@pytest.fixture
def debug_on(settings: Any) -> None:
    settings.DEBUG = True


def load_demo(**options: Any) -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out, **options)
    return out.getvalue()


@pytest.mark.usefixtures("referential", "debug_on")
def test_it_creates_one_user_per_role_and_prints_their_credentials() -> None:
    output = load_demo()

    users = {user.email: user for user in User.objects.select_related("organisation")}
    assert {email: user.roles for email, user in users.items()} == EXPECTED_ROLES
    assert DEMO_PASSWORD == "demo-cqp-2026"
    assert f"mot de passe commun : {DEMO_PASSWORD}" in output
    for email in EXPECTED_ROLES:
        assert email in output
    assert users["formation@cqp.test"].organisation.name == "BJO Formation"
    assert users["formateur-jury@cqp.test"].organisation.name == "École d'horlogerie Charles Edouard Guillaume"
    assert {role for user in users.values() for role in user.roles} == set(Role)


@pytest.mark.usefixtures("referential", "debug_on")
def test_every_demo_user_logs_in_with_the_printed_password(client: Client) -> None:
    load_demo()

    for email in EXPECTED_ROLES:
        assert client.login(email=email, password=DEMO_PASSWORD) is True, email
        assert client.get("/").status_code == 200
        client.logout()


@pytest.mark.usefixtures("referential", "debug_on")
def test_the_demo_admin_opens_the_django_admin(client: Client) -> None:
    load_demo()

    client.post("/compte/connexion/", {"username": "admin@cqp.test", "password": DEMO_PASSWORD})

    assert client.get("/admin/").status_code == 200


@pytest.mark.usefixtures("referential", "debug_on")
def test_a_second_run_creates_no_user_and_restores_password_and_roles(client: Client) -> None:
    load_demo()
    count = User.objects.count()
    jury = User.objects.get(email="jury@cqp.test")
    jury.set_password("change-par-quelqu-un-2026")
    jury.is_jury_member = False
    jury.is_candidate = True
    jury.save()

    output = load_demo()

    assert User.objects.count() == count == len(EXPECTED_ROLES)
    jury.refresh_from_db()
    assert jury.roles == [Role.JURY_MEMBER]
    assert client.login(email="jury@cqp.test", password=DEMO_PASSWORD) is True
    assert "jury@cqp.test" in output


@pytest.mark.usefixtures("referential")
def test_it_refuses_when_debug_is_off(settings: Any) -> None:
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG est désactivé"):
        load_demo()

    assert not User.objects.exists()


@pytest.mark.usefixtures("referential")
def test_it_runs_when_debug_is_off_but_forced(settings: Any, client: Client) -> None:
    settings.DEBUG = False

    output = load_demo(force=True)

    assert User.objects.count() == len(EXPECTED_ROLES)
    assert DEMO_PASSWORD in output
    assert client.login(email="candidat@cqp.test", password=DEMO_PASSWORD) is True


@pytest.mark.usefixtures("debug_on")
def test_it_asks_for_the_referential_first_and_creates_nobody() -> None:
    with pytest.raises(CommandError, match="load_referential"):
        load_demo()

    assert not User.objects.exists()


def test_the_demo_has_a_session_with_convoked_candidates_seen_by_the_demo_candidate(
    referential, debug_on, client: Client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from evaluations.models import ConvocationStatus, SessionCandidate

    with django_capture_on_commit_callbacks(execute=True):
        load_demo()
    places = SessionCandidate.objects.select_related("enrolment__candidate")
    assert places.count() == 3
    assert {p.convocation_status for p in places} == {ConvocationStatus.SENT}
    assert max(p.ends_at - p.starts_at for p in places).seconds == 60 * 60  # 45 min + 15 min extra time

    client.login(email="candidat@cqp.test", password=DEMO_PASSWORD)
    assert b'data-testid="my-convocation"' in client.get("/").content
