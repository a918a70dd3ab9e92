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
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="cqp.example.org",
        SITE_URL="https://cqp.example.org",
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


def reload_settings(monkeypatch, **env: str):
    import importlib

    import cqp.settings as module

    for name in ("DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "TRUSTED_PROXY_COUNT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return importlib.reload(module)


@pytest.fixture
def restore_settings():
    import importlib

    import cqp.settings as module

    yield
    importlib.reload(module)


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": GOOD_KEY,
    "ALLOWED_HOSTS": "cqp.example.org",
    "SITE_URL": "https://cqp.example.org",
}


def test_x_forwarded_proto_is_trusted_only_behind_a_declared_proxy(monkeypatch, restore_settings) -> None:
    direct = reload_settings(monkeypatch, **PRODUCTION)
    assert not hasattr(direct, "SECURE_PROXY_SSL_HEADER")
    assert direct.SECURE_SSL_REDIRECT is True

    proxied = reload_settings(monkeypatch, **PRODUCTION, TRUSTED_PROXY_COUNT="1")
    assert proxied.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")


def test_https_and_secure_cookies_are_on_in_production_and_settable_from_the_environment(
    monkeypatch, restore_settings
) -> None:
    production = reload_settings(monkeypatch, **PRODUCTION)
    assert (production.SESSION_COOKIE_SECURE, production.CSRF_COOKIE_SECURE) == (True, True)
    assert production.SECURE_HSTS_SECONDS == 31536000

    plain_http = reload_settings(
        monkeypatch,
        **PRODUCTION,
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
    )
    assert plain_http.SECURE_SSL_REDIRECT is False
    assert (plain_http.SESSION_COOKIE_SECURE, plain_http.CSRF_COOKIE_SECURE) == (False, False)
    assert plain_http.SECURE_HSTS_SECONDS == 0

    development = reload_settings(monkeypatch)
    assert (development.SESSION_COOKIE_SECURE, development.SECURE_SSL_REDIRECT) == (False, False)


def test_connections_persist_with_health_checks_and_sqlite_waits_for_its_lock(monkeypatch, restore_settings) -> None:
    sqlite = reload_settings(monkeypatch)
    database = sqlite.DATABASES["default"]
    assert (database["CONN_MAX_AGE"], database["CONN_HEALTH_CHECKS"]) == (60, True)
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert database["OPTIONS"]["timeout"] == 20
    assert "journal_mode=WAL" in database["OPTIONS"]["init_command"]

    postgres = reload_settings(
        monkeypatch, DATABASE_URL="postgres://u@db.example/cqp", CONN_MAX_AGE="0", CONN_HEALTH_CHECKS="false"
    )
    database = postgres.DATABASES["default"]
    assert (database["CONN_MAX_AGE"], database["CONN_HEALTH_CHECKS"]) == (0, False)
    assert "transaction_mode" not in database.get("OPTIONS", {})


def test_login_throttling_and_session_limits_come_from_the_environment(monkeypatch, restore_settings) -> None:
    defaults = reload_settings(monkeypatch)
    assert (defaults.AXES_FAILURE_LIMIT, defaults.AXES_IP_FAILURE_LIMIT) == (10, 50)
    assert defaults.SESSION_IDLE_TIMEOUT == 30 * 60
    assert defaults.SESSION_COOKIE_AGE == 12 * 60 * 60

    tuned = reload_settings(
        monkeypatch,
        AXES_FAILURE_LIMIT="5",
        AXES_IP_FAILURE_LIMIT="100",
        AXES_COOLOFF_MINUTES="30",
        SESSION_IDLE_TIMEOUT="600",
        SESSION_COOKIE_AGE="3600",
        PASSWORD_RESET_EMAIL_LIMIT_PER_HOUR="2",
    )
    assert (tuned.AXES_FAILURE_LIMIT, tuned.AXES_IP_FAILURE_LIMIT) == (5, 100)
    assert tuned.AXES_COOLOFF_TIME.total_seconds() == 1800
    assert (tuned.SESSION_IDLE_TIMEOUT, tuned.SESSION_COOKIE_AGE) == (600, 3600)
    assert tuned.PASSWORD_RESET_EMAIL_LIMIT_PER_HOUR == 2


def test_the_production_settings_behind_a_tls_proxy_pass_the_deploy_check() -> None:
    result = run_check("--deploy", "--fail-level", "WARNING", **PRODUCTION, TRUSTED_PROXY_COUNT="1")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_every_security_setting_is_in_the_readme_and_env_example() -> None:
    readme = (BASE_DIR / "README.md").read_text()
    example = (BASE_DIR / ".env.example").read_text()
    for name in SECURITY_SETTINGS:
        assert f"`{name}`" in readme, name
        assert f"{name}=" in example, name


SECURITY_SETTINGS = [
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "TRUSTED_PROXY_COUNT",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_IDLE_TIMEOUT",
    "SESSION_COOKIE_AGE",
    "AXES_FAILURE_LIMIT",
    "AXES_IP_FAILURE_LIMIT",
    "AXES_COOLOFF_MINUTES",
    "PASSWORD_RESET_EMAIL_LIMIT_PER_HOUR",
    "PASSWORD_RESET_ADDRESS_LIMIT_PER_HOUR",
    "VERIFY_RATE_LIMIT_PER_HOUR",
    "CONN_MAX_AGE",
    "CONN_HEALTH_CHECKS",
    "SQLITE_TIMEOUT",
]
