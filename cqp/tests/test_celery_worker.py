"""A real Celery worker, started by the test, takes tasks from Redis and works on PostgreSQL.

Runs on the integration leg only (`make test` sets DATABASE_URL and REDIS_URL when both answer);
with CI=true a missing service is a failure, not a skip.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from accounts.tasks import email_send
from cqp import selectors
from cqp.celery import app
from cqp.tasks import referential_summary

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true : cette jambe est obligatoire)")
    pytest.skip(reason)


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[Path]:
    """Start `celery worker` on the test database and the Redis broker; yield its mail folder."""
    if connection.vendor != "postgresql":
        _skip_or_fail("le test du worker réel demande PostgreSQL (DATABASE_URL)")
    if not settings.REDIS_URL:
        _skip_or_fail("le test du worker réel demande Redis (REDIS_URL)")
    import redis

    redis.Redis.from_url(settings.REDIS_URL).flushdb()  # the test owns this Redis database
    db = connection.settings_dict
    mail_dir = tmp_path / "mail"
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_BACKEND": "file",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "cqp",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    app.conf.task_always_eager = False
    try:
        yield mail_dir
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        print((tmp_path / "worker.log").read_text()[-3000:])


def test_a_real_worker_reads_the_test_database_through_a_task_from_redis(referential, worker) -> None:
    result = referential_summary.delay()

    counts = result.get(timeout=60)

    assert counts == selectors.referential_counts()
    assert counts["certifications"] == 4
    assert counts["competencies"] == 40 + 11


def test_a_password_reset_mail_is_sent_by_the_worker(client, certifier_admin, worker) -> None:
    response = client.post("/compte/mot-de-passe/oublie/", {"email": certifier_admin.email})
    assert response.status_code == 302

    deadline = time.monotonic() + 60
    sent: list[Path] = []
    while time.monotonic() < deadline and not sent:
        sent = list(worker.glob("*.log")) if worker.exists() else []
        time.sleep(0.2)
    assert sent, "le worker n'a envoyé aucun e-mail en 60 s"
    text = sent[0].read_text()
    assert f"To: {certifier_admin.email}" in text
    assert "/compte/mot-de-passe/nouveau/" in text


def test_an_error_raised_in_the_worker_reaches_the_caller(worker) -> None:
    # A newline in a header is refused by Django when the worker builds the message.
    result = email_send.delay(subject="Objet\nBcc: intrus@example.org", body="corps", to=["a@example.org"])

    with pytest.raises(Exception, match="newlines") as excinfo:
        result.get(timeout=60)
    assert type(excinfo.value).__name__ == "BadHeaderError"
    # The file backend opens its file before building the message: nothing may be written in it.
    assert all(path.read_text() == "" for path in worker.glob("*.log")), "aucun e-mail ne doit partir"
