"""Login throttling: an account is locked after AXES_FAILURE_LIMIT failures, an address after
AXES_IP_FAILURE_LIMIT, each for the cool-off; the page says until when; a successful login clears the count."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN_URL = "/compte/connexion/"


@pytest.fixture(autouse=True)
def _limits(settings) -> None:
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_IP_FAILURE_LIMIT = 12
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=15)


WRONG = "mauvais-mot-de-passe"


def attempt(client: Client, email: str, password: str = WRONG) -> Any:
    return client.post(LOGIN_URL, {"username": email, "password": password})


def logged_in(client: Client) -> bool:
    return SESSION_KEY in client.session


def test_130_wrong_passwords_then_the_right_one_does_not_log_in(client: Client, staff: User) -> None:
    statuses = [attempt(client, staff.email).status_code for _ in range(130)]

    assert statuses[:4] == [200] * 4  # the form again, with its error
    assert set(statuses[4:]) == {429}
    response = attempt(client, staff.email, PASSWORD)
    assert response.status_code == 429
    assert not logged_in(client)


def test_the_lockout_page_says_in_french_until_when(client: Client, staff: User) -> None:
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        for _ in range(5):
            response = attempt(client, staff.email)

    assert response.status_code == 429
    page = response.content.decode()
    assert "la connexion est suspendue jusqu'à 10 h 15 (dans 15 min)" in page  # 9:15 UTC, Paris time
    assert response["Retry-After"] == "900"
    assert response["Content-Language"] == "fr"


def test_the_account_opens_again_after_the_cool_off_and_a_success_clears_the_count(client: Client, staff: User) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            attempt(client, staff.email)
        assert attempt(client, staff.email, PASSWORD).status_code == 429
    with time_machine.travel(start + dt.timedelta(minutes=14), tick=False):
        assert attempt(client, staff.email, PASSWORD).status_code == 429  # attempts do not extend the lockout
    with time_machine.travel(start + dt.timedelta(minutes=16), tick=False):
        for _ in range(4):
            assert attempt(client, staff.email).status_code == 200
        assert attempt(client, staff.email, PASSWORD).status_code == 302
        assert logged_in(client)
        client.logout()
        # The success cleared the four failures: four more are allowed again before the lockout.
        assert [attempt(client, staff.email).status_code for _ in range(5)] == [200, 200, 200, 200, 429]


def test_the_account_is_locked_whatever_the_address_and_the_case_of_the_email(staff: User) -> None:
    for number in range(5):
        attempt(Client(REMOTE_ADDR=f"198.51.100.{number}"), "  STAFF@example.org")

    response = attempt(Client(REMOTE_ADDR="203.0.113.9"), staff.email, PASSWORD)

    assert response.status_code == 429


def test_an_address_trying_many_accounts_is_locked_but_others_still_log_in(client: Client, staff: User) -> None:
    attacker = Client(REMOTE_ADDR="198.51.100.66")
    for number in range(12):  # never more than 4 on one account: only the address limit can stop it
        attempt(attacker, f"cible{number % 4}@example.org")

    assert attempt(attacker, staff.email, PASSWORD).status_code == 429
    assert attempt(client, staff.email, PASSWORD).status_code == 302  # another address: the office next door


def test_a_shared_address_is_not_locked_by_a_few_mistakes_of_several_people(client: Client) -> None:
    people = [UserFactory(email=f"collegue{number}@example.org") for number in range(5)]
    for person in people:  # two typos each: 10 failures from one office address, under its limit of 12
        for _ in range(2):
            attempt(client, person.email)

    for person in people:
        assert attempt(client, person.email, PASSWORD).status_code == 302
        client.logout()


def test_logging_into_ones_own_account_does_not_clear_the_count_of_an_address(staff: User) -> None:
    attacker = Client(REMOTE_ADDR="198.51.100.66")
    UserFactory(email="attaquant@example.org")
    for _ in range(4):
        attempt(attacker, staff.email)
    assert attempt(attacker, "attaquant@example.org", PASSWORD).status_code == 302
    attacker.logout()

    assert attempt(attacker, staff.email).status_code == 429


def test_the_admin_login_is_throttled_too(client: Client, certifier_admin: User) -> None:
    for _ in range(5):
        client.post("/admin/login/", {"username": certifier_admin.email, "password": "faux"})

    response = client.post("/admin/login/", {"username": certifier_admin.email, "password": PASSWORD})

    assert response.status_code == 429


def test_the_documented_command_lifts_a_lockout_early(client: Client, staff: User) -> None:
    for _ in range(5):
        attempt(client, staff.email)
    assert attempt(client, staff.email, PASSWORD).status_code == 429

    call_command("axes_reset_username", staff.email, stdout=io.StringIO())

    assert attempt(client, staff.email, PASSWORD).status_code == 302
