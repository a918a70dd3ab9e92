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
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
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
