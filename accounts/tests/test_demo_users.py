"""`manage.py load_demo`: one demo account per role, idempotent, refused in production."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from accounts.models import Role, User

DEMO_PASSWORD = "demo-cqp-2026"
DEMO_ROLES = {
    "admin@cqp.test": [Role.CERTIFIER_ADMIN],
    "formation@cqp.test": [Role.ORGANISATION_STAFF],
    "jury@cqp.test": [Role.JURY_MEMBER],
    "candidat@cqp.test": [Role.CANDIDATE],
    "formateur-jury@cqp.test": [Role.ORGANISATION_STAFF, Role.JURY_MEMBER],
}


@pytest.fixture
def debug(settings: Any) -> None:
    settings.DEBUG = True


def load_demo(**options: object) -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out, **options)
    return out.getvalue()


@pytest.mark.usefixtures("referential", "debug")
def test_it_creates_one_demo_user_per_role_and_prints_their_credentials() -> None:
    output = load_demo()

    users = {user.email: user for user in User.objects.select_related("organisation")}
    assert {email: user.roles for email, user in users.items()} == DEMO_ROLES
    assert users["formation@cqp.test"].organisation.name == "BJO Formation"
    assert users["formateur-jury@cqp.test"].organisation.name == "École d'horlogerie Charles Edouard Guillaume"
    assert users["admin@cqp.test"].is_staff is True
    for email in DEMO_ROLES:
        assert email in output
    assert DEMO_PASSWORD in output


@pytest.mark.usefixtures("referential", "debug")
@pytest.mark.parametrize("email", sorted(DEMO_ROLES))
def test_each_demo_user_logs_in_with_the_demo_password(client: Client, email: str) -> None:
    load_demo()

    response = client.post("/compte/connexion/", {"username": email, "password": DEMO_PASSWORD})

    assert response.status_code == 302
    assert response.url == "/"


@pytest.mark.usefixtures("referential", "debug")
def test_a_second_run_keeps_five_users_and_restores_their_password_and_roles() -> None:
    load_demo()
    jury = User.objects.get(email="jury@cqp.test")
    jury.set_password("change-par-quelqu-un")
    jury.is_jury_member = False
    jury.save()

    load_demo()

    assert User.objects.count() == 5
    jury.refresh_from_db()
    assert jury.check_password(DEMO_PASSWORD)
    assert jury.roles == [Role.JURY_MEMBER]


@pytest.mark.usefixtures("referential")
def test_it_is_refused_when_debug_is_off_unless_forced(settings: Any) -> None:
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        load_demo()
    assert User.objects.count() == 0

    output = load_demo(force=True)

    assert User.objects.count() == 5
    assert DEMO_PASSWORD in output


@pytest.mark.django_db
@pytest.mark.usefixtures("debug")
def test_it_asks_to_load_the_referential_first() -> None:
    with pytest.raises(CommandError, match="load_referential"):
        load_demo()

    assert User.objects.count() == 0


def test_the_demo_has_a_session_with_convoked_candidates_seen_by_the_demo_candidate(
    referential, client, settings, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from django.core.management import call_command

    settings.DEBUG = True
    from evaluations.models import ConvocationStatus, SessionCandidate

    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=io.StringIO())
    places = SessionCandidate.objects.select_related("enrolment__candidate")
    assert places.count() == 3
    assert {p.convocation_status for p in places} == {ConvocationStatus.SENT}
    assert max(p.ends_at - p.starts_at for p in places).seconds == 60 * 60  # 45 min + 15 min extra time

    client.login(email="candidat@cqp.test", password="demo-cqp-2026")
    assert b'data-testid="my-convocation"' in client.get("/").content
