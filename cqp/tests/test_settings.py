"""Settings come from the environment and fail loudly on a bad value."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from cqp.env import env_bool, env_choice, env_int, env_list, env_url

BASE_DIR = Path(__file__).resolve().parents[2]
GOOD_KEY = "c9Q!p2" * 10


def run_check(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args],
        cwd=BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_env_bool_accepts_the_usual_spellings() -> None:
    for value in ("1", "true", "TRUE", "yes", "on"):
        assert env_bool("X", False, environ={"X": value}) is True
    for value in ("0", "false", "No", "off"):
        assert env_bool("X", True, environ={"X": value}) is False
    assert env_bool("X", True, environ={}) is True
    assert env_bool("X", False, environ={"X": "  "}) is False


def test_env_bool_refuses_anything_else_and_names_the_variable() -> None:
    with pytest.raises(ImproperlyConfigured, match="DEBUG='peut-être' n'est pas un booléen"):
        env_bool("DEBUG", True, environ={"DEBUG": "peut-être"})


def test_env_int_checks_type_and_bounds() -> None:
    assert env_int("PORT", 587, environ={"PORT": "25"}) == 25
    with pytest.raises(ImproperlyConfigured, match="n'est pas un nombre entier"):
        env_int("PORT", 587, environ={"PORT": "vingt"})
    with pytest.raises(ImproperlyConfigured, match="trop grand"):
        env_int("PORT", 587, maximum=65535, environ={"PORT": "70000"})
    with pytest.raises(ImproperlyConfigured, match="trop petit"):
        env_int("N", 1, minimum=1, environ={"N": "0"})


def test_env_list_and_choice() -> None:
    assert env_list("H", environ={"H": "a.fr, b.fr,,"}) == ["a.fr", "b.fr"]
    assert env_list("H", ["x"], environ={}) == ["x"]
    assert env_choice("L", "INFO", ("INFO", "DEBUG"), environ={"L": "DEBUG"}) == "DEBUG"
    with pytest.raises(ImproperlyConfigured, match="choisissez parmi INFO, DEBUG"):
        env_choice("L", "INFO", ("INFO", "DEBUG"), environ={"L": "verbeux"})


def test_env_url_checks_the_scheme_without_echoing_the_password() -> None:
    assert env_url("R", ("redis",), environ={}) is None
    assert env_url("R", ("redis",), environ={"R": "redis://h:6379/0"}) == "redis://h:6379/0"
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env_url("DATABASE_URL", ("postgres",), environ={"DATABASE_URL": "mysql://user:secret@db/x"})
    assert "postgres://" in str(excinfo.value)
    assert "secret" not in str(excinfo.value)


def test_the_embedded_default_needs_no_variable() -> None:
    from django.conf import settings

    result = run_check()
    assert result.returncode == 0, result.stderr
    assert settings.LANGUAGE_CODE == "fr"
    assert settings.TIME_ZONE == "Europe/Paris"


def test_debug_off_without_a_secret_key_stops_the_start_up() -> None:
    result = run_check(DEBUG="false", ALLOWED_HOSTS="cqp.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY est obligatoire" in result.stderr


def test_debug_off_with_a_weak_secret_key_stops_the_start_up() -> None:
    result = run_check(DEBUG="false", SECRET_KEY="k" * 60, ALLOWED_HOSTS="cqp.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY est trop faible" in result.stderr


def test_a_bad_debug_value_stops_the_start_up() -> None:
    result = run_check(DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG='maybe' n'est pas un booléen" in result.stderr


def test_production_settings_pass_the_deploy_check_without_warnings() -> None:
    result = run_check(
        "--deploy", "--fail-level", "WARNING", DEBUG="false", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="cqp.example.org"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_database_and_redis_urls_switch_backends(monkeypatch) -> None:
    import importlib

    import cqp.settings as module

    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.example:5433/cqp")
    monkeypatch.setenv("REDIS_URL", "redis://cache.example:6379/1")
    try:
        reloaded = importlib.reload(module)
        assert reloaded.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
        assert reloaded.DATABASES["default"]["PORT"] == 5433
        assert reloaded.CELERY_BROKER_URL == "redis://cache.example:6379/1"
        assert reloaded.CELERY_TASK_ALWAYS_EAGER is False
        monkeypatch.delenv("DATABASE_URL")
        monkeypatch.delenv("REDIS_URL")
        reloaded = importlib.reload(module)
        assert reloaded.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
        assert reloaded.CELERY_TASK_ALWAYS_EAGER is True
        assert reloaded.EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend"
    finally:
        importlib.reload(module)
