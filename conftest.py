"""Fixtures shared by every app's tests: the three actors, the branch's referential, fast hashing."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.core.management import call_command

from tests.factories import OrganisationFactory, UserFactory

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run there
# unless told that this is deliberate (tests only).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path) -> Iterator[None]:  # type: ignore[no-untyped-def]
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


@pytest.fixture
def referential(db) -> None:  # type: ignore[no-untyped-def]
    """The branch's referential, loaded by the real command."""
    call_command("load_referential", stdout=open(os.devnull, "w"))  # noqa: SIM115


@pytest.fixture
def certifier_admin(db):  # type: ignore[no-untyped-def]
    return UserFactory(email="admin@example.org", is_certifier_admin=True)


@pytest.fixture
def organisation(db):  # type: ignore[no-untyped-def]
    return OrganisationFactory(name="BJO Formation")


@pytest.fixture
def staff(organisation):  # type: ignore[no-untyped-def]
    return UserFactory(email="staff@example.org", organisation=organisation)


@pytest.fixture
def jury_member(db):  # type: ignore[no-untyped-def]
    return UserFactory(email="jury@example.org", is_jury_member=True)


@pytest.fixture
def candidate_user(db):  # type: ignore[no-untyped-def]
    return UserFactory(email="candidat@example.org", is_candidate=True)


CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = os.path.join(os.path.dirname(__file__), "test-artifacts")


def _mandatory() -> bool:
    return os.environ.get("CI") == "true"


@pytest.fixture(scope="session")
def _chromium():  # type: ignore[no-untyped-def]
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
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(_chromium, live_server):  # type: ignore[no-untyped-def]
    """A fresh browser tab (French locale) on the live server; `page.goto("/path")` works."""
    context = _chromium.new_context(base_url=live_server.url, locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def screenshot(page):  # type: ignore[no-untyped-def]
    """Save what the user sees under test-artifacts/, to look at after the run."""
    os.makedirs(ARTIFACTS, exist_ok=True)

    def take(name: str) -> str:
        path = os.path.join(ARTIFACTS, f"{name}.png")
        page.screenshot(path=path, full_page=True)
        return path

    return take


@pytest.fixture
def login(page):  # type: ignore[no-untyped-def]
    from tests.factories import PASSWORD

    def do(email: str, password: str = PASSWORD, start: str = "/") -> None:
        page.goto(start)
        page.get_by_label("Adresse e-mail").fill(email)
        page.get_by_label("Mot de passe").fill(password)
        page.get_by_role("button", name="Se connecter").click()

    return do
