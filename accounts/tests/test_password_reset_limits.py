"""Password-reset mails are rate-limited per target e-mail and per client address; beyond, the same neutral
"sent" page and no mail, so the limit tells nothing about which accounts exist."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RESET_URL = "/compte/mot-de-passe/oublie/"
SENT_URL = "/compte/mot-de-passe/oublie/envoye/"


@pytest.fixture(autouse=True)
def _limits(settings: Any) -> Iterator[None]:
    settings.PASSWORD_RESET_EMAIL_LIMIT_PER_HOUR = 3
    settings.PASSWORD_RESET_ADDRESS_LIMIT_PER_HOUR = 5
    cache.clear()  # the counters live in the cache
    yield
    cache.clear()


def test_24_requests_for_one_account_send_only_the_allowed_mails(
    client: Client, staff: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        responses = [client.post(RESET_URL, {"email": staff.email}) for _ in range(24)]

    assert {(r.status_code, r["Location"]) for r in responses} == {(302, SENT_URL)}
    assert len(mail.outbox) == 3


def test_the_limit_per_account_holds_whatever_the_address_and_the_case(
    staff: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(6):
            Client(REMOTE_ADDR=f"198.51.100.{number}").post(RESET_URL, {"email": "STAFF@example.org"})

    assert len(mail.outbox) == 3


def test_one_address_asking_for_many_accounts_is_limited(
    client: Client, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    people = [UserFactory(email=f"personne{number}@example.org") for number in range(8)]

    with django_capture_on_commit_callbacks(execute=True):
        responses = [client.post(RESET_URL, {"email": person.email}) for person in people]

    assert {r["Location"] for r in responses} == {SENT_URL}
    assert len(mail.outbox) == 5
    # Another address is not held back by that one.
    with django_capture_on_commit_callbacks(execute=True):
        Client(REMOTE_ADDR="203.0.113.9").post(RESET_URL, {"email": people[-1].email})
    assert len(mail.outbox) == 6


def test_unknown_addresses_count_too_so_the_limit_reveals_no_account(
    client: Client, staff: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(5):
            client.post(RESET_URL, {"email": f"inconnu{number}@example.org"})
        response = client.post(RESET_URL, {"email": staff.email})

    assert response["Location"] == SENT_URL
    assert mail.outbox == []
