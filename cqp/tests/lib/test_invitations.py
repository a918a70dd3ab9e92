from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import time_machine
from django.utils import timezone

from cqp.lib import invitations

SALT = "tests.invitation"


def account(email: str, *, signed_in: bool = True) -> SimpleNamespace:
    return SimpleNamespace(is_authenticated=signed_in, email=email)


def test_an_invitation_names_its_record_to_the_account_it_is_addressed_to() -> None:
    token = invitations.token(salt=SALT, key="member", pk=7, email="Camille@Example.org")
    assert invitations.invited_pk(account("camille@example.org"), token, salt=SALT, key="member") == 7


def test_it_names_nothing_to_another_account_or_a_visitor() -> None:
    token = invitations.token(salt=SALT, key="member", pk=7, email="camille@example.org")
    assert invitations.invited_pk(account("autre@example.org"), token, salt=SALT, key="member") is None
    assert invitations.invited_pk(account("", signed_in=False), token, salt=SALT, key="member") is None


def test_it_names_nothing_for_a_bad_link_another_salt_or_key() -> None:
    token = invitations.token(salt=SALT, key="member", pk=7, email="camille@example.org")
    camille = account("camille@example.org")
    assert invitations.invited_pk(camille, token + "x", salt=SALT, key="member") is None
    assert invitations.invited_pk(camille, token, salt="tests.other", key="member") is None
    assert invitations.invited_pk(camille, token, salt=SALT, key="candidate") is None


def test_a_link_holds_for_its_days() -> None:
    token = invitations.token(salt=SALT, key="member", pk=7, email="camille@example.org")
    camille = account("camille@example.org")
    with time_machine.travel(timezone.now() + dt.timedelta(days=invitations.DAYS - 1)):
        assert invitations.invited_pk(camille, token, salt=SALT, key="member") == 7
    with time_machine.travel(timezone.now() + dt.timedelta(days=invitations.DAYS + 1)):
        assert invitations.invited_pk(camille, token, salt=SALT, key="member") is None
