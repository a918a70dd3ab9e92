"""Fixtures shared by every app's tests: the three actors, the branch's referential, fast hashing."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Model

from tests.factories import OrganisationFactory, UserFactory

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run there
# unless told that this is deliberate (tests only).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path) -> Iterator[None]:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private-media", "base_url": None},
        },
        "certificates": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "certificates", "base_url": None},
        },
    }
    # Tasks run inline in ordinary tests, even on the PostgreSQL leg where REDIS_URL is set;
    # only the integration tests talk to a real worker.
    from cqp.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = eager


# The rows the real `load_referential` wrote the first time a test of this process asked for the referential,
# in the order they are inserted: every later test gets the very same rows (primary keys included) in one bulk
# insert a table, instead of running the command's 400 checked writes again (0.4 s a test, 200 tests a leg).
_REFERENTIAL_ROWS: list[tuple[type[Model], list[dict[str, Any]]]] = []


def _referential_models() -> list[type[Model]]:
    from cqp.models import (
        Block,
        BlockTest,
        Certification,
        CertificationVersion,
        Certifier,
        Competency,
        TrainingOrganisation,
    )
    from juries.models import JuryRuleSet, SeatRuleRow

    return [
        Certifier,
        TrainingOrganisation,
        Certification,
        CertificationVersion,
        Block,
        Competency,
        BlockTest,
        JuryRuleSet,
        SeatRuleRow,
    ]


@pytest.fixture
def referential(db) -> None:
    """The branch's referential, as the real command loads it (run once per process, then copied)."""

    from tests.snapshots import reset_sequences

    models = _referential_models()
    empty = not any(model._default_manager.exists() for model in models)
    if not (empty and _REFERENTIAL_ROWS):
        call_command("load_referential", stdout=open(os.devnull, "w"))  # noqa: SIM115
        if empty:  # what the command alone wrote: the copy for the next tests
            _REFERENTIAL_ROWS[:] = [(model, list(model._default_manager.order_by("pk").values())) for model in models]
    else:
        for model, rows in _REFERENTIAL_ROWS:
            model._default_manager.bulk_create([model(**row) for row in rows])
    # Every sequence follows the rows present (PostgreSQL does not roll them back with a test): the copied keys
    # get fresh ones after them, and the worlds built next get the same keys from test to test
    # (`tests.snapshots` replays a fixture's writes only on the very same rows).
    reset_sequences()


@pytest.fixture
def certifier_admin(db):
    return UserFactory(email="admin@example.org", is_certifier_admin=True)


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="BJO Formation")


@pytest.fixture
def staff(organisation):
    return UserFactory(email="staff@example.org", organisation=organisation)


@pytest.fixture
def jury_member(db):
    return UserFactory(email="jury@example.org", is_jury_member=True)


@pytest.fixture
def candidate_user(db):
    return UserFactory(email="candidat@example.org", is_candidate=True)


# What `make test` runs on SQLite besides the browser journeys when PostgreSQL answers too (scripts/test.sh; every
# other test runs once, on PostgreSQL): what depends on the database engine (SQLite's write lock and busy page, the
# settings read from DATABASE_URL, the fuzzing's per-engine findings, searches and the replayed fixtures' sequences),
# and `make run`'s demo loaded and walked on SQLite, as a new user gets it.
SQLITE_LEG = (
    "demo/tests/",
    "tests/test_demo_crawl.py",
    "tests/test_fuzz.py",
    "tests/test_snapshots.py",
    "cqp/tests/test_security.py",
    "cqp/tests/test_settings.py",
    "cqp/tests/test_error_pages.py",
    "cqp/tests/test_lists.py",
    "certificates/tests/test_load.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.nodeid.startswith(SQLITE_LEG):
            item.add_marker(pytest.mark.sqlite)


CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = os.path.join(os.path.dirname(__file__), "test-artifacts")


def _mandatory() -> bool:
    return os.environ.get("CI") == "true"


@pytest.fixture(scope="session")
def _chromium():
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} absent : installez le paquet Debian « chromium » pour les parcours navigateur."
        if _mandatory():
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--lang=fr-FR",  # date fields as a French user sees them (jj/mm/aaaa)
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(_chromium, live_server):
    """A fresh browser tab (French locale) on the live server; `page.goto("/path")` works."""
    context = _chromium.new_context(base_url=live_server.url, locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def screenshot(page):
    """Save what the user sees under test-artifacts/, to look at after the run."""
    os.makedirs(ARTIFACTS, exist_ok=True)

    from playwright.sync_api import Error as PlaywrightError

    def take(name: str) -> str:
        path = os.path.join(ARTIFACTS, f"{name}.png")
        # Chromium sometimes answers "Unable to capture screenshot" to a full-page capture on a loaded machine
        # (CI, two cores): the picture is for people to look at, so try again, then take the visible part.
        for attempt in range(3):
            try:
                page.screenshot(path=path, full_page=attempt < 2)
                return path
            except PlaywrightError:
                if attempt == 2:
                    raise
                page.wait_for_timeout(200)
        return path

    return take


@pytest.fixture
def login(page):
    from tests.factories import PASSWORD

    def do(email: str, password: str = PASSWORD, start: str = "/") -> None:
        page.goto(start)
        page.get_by_label("Adresse e-mail").fill(email)
        page.get_by_label("Mot de passe").fill(password)
        page.get_by_role("button", name="Se connecter").click()

    return do
