"""In Chromium, on an account created for the test: wrong passwords typed in the login page lock it with a French
page saying until when, the right password is refused meanwhile, and once the cool-off has passed it logs in. No
Content-Security-Policy violation is reported by the browser along the way."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_locked_account_is_told_until_when_then_logs_in_after_the_cool_off(page, login, screenshot, settings) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
    user = UserFactory(email="nouvelle.formatrice@atelier-exemple.fr")
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security" in message.text else None)

    def type_password(password: str) -> None:
        login(user.email, password, start="/compte/connexion/")

    start = timezone.now()
    with time_machine.travel(start, tick=True):
        for _ in range(3):
            type_password("pas-le-bon-mot-de-passe")
        expect(page.get_by_text("la connexion est suspendue jusqu'à")).to_be_visible()
        screenshot("login-locked")
        type_password(PASSWORD)  # the right one, during the lock
        expect(page.get_by_text("la connexion est suspendue jusqu'à")).to_be_visible()
    with time_machine.travel(start + dt.timedelta(minutes=16), tick=True):
        type_password(PASSWORD)
        expect(page).to_have_url(re.compile(r"/$"))
        expect(page.get_by_label("Mot de passe")).to_have_count(0)
        screenshot("login-after-cool-off")
    assert violations == []
