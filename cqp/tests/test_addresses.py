"""The app's public address (SITE_URL): it follows the port `make run` serves unless set, and production refuses
to start without a public one, since it is printed on parchments (their QR code) for years (cqp.env.site_url)."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ImproperlyConfigured

from cqp.env import env_int, site_url


def test_unset_in_development_it_follows_the_port_served() -> None:
    assert site_url(None, debug=True, port=8000) == "http://127.0.0.1:8000"
    assert site_url("", debug=True, port=8123) == "http://127.0.0.1:8123"
    assert env_int("PORT", 8000, minimum=1, maximum=65535, environ={"PORT": "8123"}) == 8123


def test_a_given_address_wins_without_its_trailing_slash() -> None:
    assert site_url("https://cqp.example.org/", debug=False, port=8000) == "https://cqp.example.org"
    assert site_url(" http://cqp.example.org:8080 ", debug=False, port=8000) == "http://cqp.example.org:8080"
    assert site_url("http://localhost:9000", debug=True, port=8000) == "http://localhost:9000"


def test_production_without_an_address_stops_the_start_and_says_what_to_set() -> None:
    with pytest.raises(ImproperlyConfigured, match="SITE_URL est obligatoire quand DEBUG est désactivé") as excinfo:
        site_url(None, debug=False, port=8000)
    assert "SITE_URL=https://cqp.example.org" in str(excinfo.value)
    assert "parchemins" in str(excinfo.value)


@pytest.mark.parametrize(
    "value", ["cqp.example.org", "ftp://cqp.example.org", "https://", "https://cqp.example.org/?a=1", "http://h:port"]
)
def test_an_address_that_is_not_http_s_is_refused_in_every_configuration(value: str) -> None:
    for debug in (True, False):
        with pytest.raises(ImproperlyConfigured, match="n'est pas une adresse web"):
            site_url(value, debug=debug, port=8000)


@pytest.mark.parametrize(
    "value",
    [
        "http://127.0.0.1:8000",
        "http://localhost",
        "https://LOCALHOST/",
        "http://[::1]:8000",
        "http://0.0.0.0:8000",
        "http://127.0.1.1",
        "https://cqp.localhost",
    ],
)
def test_production_refuses_an_address_of_this_machine(value: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="désigne cette machine"):
        site_url(value, debug=False, port=8000)


def test_the_settings_read_port_and_site_url(monkeypatch) -> None:
    import importlib

    import cqp.settings as module

    for name in ("DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "SITE_URL"):
        monkeypatch.delenv(name, raising=False)
    try:
        monkeypatch.setenv("PORT", "8123")
        assert importlib.reload(module).SITE_URL == "http://127.0.0.1:8123"
        monkeypatch.setenv("SITE_URL", "https://cqp.example.org/")
        assert importlib.reload(module).SITE_URL == "https://cqp.example.org"
        monkeypatch.setenv("DEBUG", "false")
        monkeypatch.setenv("SECRET_KEY", "c9Q!p2" * 10)
        monkeypatch.setenv("ALLOWED_HOSTS", "cqp.example.org")
        monkeypatch.setenv("SITE_URL", "http://127.0.0.1:8123")
        refused = re.escape("SITE_URL='http://127.0.0.1:8123' désigne cette machine")
        with pytest.raises(ImproperlyConfigured, match=refused):
            importlib.reload(module)
    finally:
        monkeypatch.undo()
        importlib.reload(module)
