"""Parchments under real conditions: operating-system processes numbering at the same time, a worker killed in
the middle of a render, the same task delivered twice. PostgreSQL and Redis, real Celery workers.

Runs on the integration leg only (`make test` sets DATABASE_URL and REDIS_URL when both answer); with CI=true a
missing service is a failure, not a skip."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from candidates.models import Candidate, Enrolment
from certificates import services, tasks
from certificates.models import (
    CpnefpValidation,
    NumberSeries,
    Parchment,
    ParchmentVersion,
    ProcesVerbal,
    PvStatus,
    RenderStatus,
)
from certificates.tests.conftest import complete_mentions
from cqp.celery import app
from evaluations.models import Attendance, SessionCandidate
from juries.models import Decision, Jury
from tests.factories import CandidateFactory
from tests.worlds import World

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PROCESSES = 8
HOLDERS = 40


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true : cette jambe est obligatoire)")
    pytest.skip(reason)


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def services_up(transactional_db) -> Iterator[None]:
    """PostgreSQL and Redis, the Redis database emptied before and after: the test owns it."""
    if connection.vendor != "postgresql":
        _skip_or_fail("les tests de fiabilité demandent PostgreSQL (DATABASE_URL)")
    if not settings.REDIS_URL:
        _skip_or_fail("les tests de fiabilité demandent Redis (REDIS_URL)")
    import redis

    broker = redis.Redis.from_url(settings.REDIS_URL)
    broker.flushdb()
    yield
    broker.flushdb()  # no render queued for nobody left to a later test's worker


@dataclass
class Holders:
    world: World
    jury: Jury
    decisions: list[Decision] = field(default_factory=list)


def holders(world: World, count: int) -> Holders:
    """`count` candidates of the world's session, each awarded the certification by its certification jury.

    The places and decisions are written straight to the tables: a session holds a dozen candidates a day,
    and what is tested here is what follows the decision."""
    complete_mentions(world)
    jury = world.certification_jury()
    candidates = Candidate.objects.bulk_create(
        CandidateFactory.build_batch(count, organisation=world.organisation, created_by=world.staff)
    )
    enrolments = Enrolment.objects.bulk_create(
        Enrolment(candidate=c, version=world.version, access_route="vae", created_by=world.staff) for c in candidates
    )
    start = timezone.now()
    places = SessionCandidate.objects.bulk_create(
        SessionCandidate(
            session=world.session, enrolment=e, starts_at=start, ends_at=start, attendance=Attendance.PRESENT
        )
        for e in enrolments
    )
    decisions = Decision.objects.bulk_create(
        Decision(place=p, examined_place=p, jury=jury, kind="total", decided_by=jury.president.user) for p in places
    )
    # Final results (parchments come only from those): the PV signed and the CPNEFP validation, written straight.
    ProcesVerbal.objects.create(
        jury=jury,
        status=PvStatus.SIGNED,
        content={"holders": count},
        content_sha256="0" * 64,
        opened_by=world.admin,
        signed_at=timezone.now(),
        render_status=RenderStatus.DONE,
    )
    CpnefpValidation.objects.create(jury=jury, meeting_on=jury.meets_on, recorded_by=world.admin)
    return Holders(world=world, jury=jury, decisions=decisions)


def wait_for(condition: Callable[[], bool], *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} : toujours pas au bout de {seconds} s")


# --- Numbering from several processes ------------------------------------------------------------------

CHILD = """
import sys, time
from pathlib import Path

import django

django.setup()
from django.db import connection

from accounts.models import User
from certificates import services
from juries.models import Decision

folder, me, admin_id, ids = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
admin = User.objects.get(pk=admin_id)
decisions = list(Decision.objects.filter(pk__in=[int(pk) for pk in ids.split(",")]).order_by("pk"))
connection.ensure_connection()
(folder / f"ready-{me}").touch()
while not (folder / "go").exists():
    time.sleep(0.002)
numbers = [services.parchment_issue(decision=d, issued_by=admin).number for d in decisions]
print(",".join(str(n) for n in numbers))
"""


def test_processes_issuing_at_the_same_time_number_without_gap_or_duplicate(services_up, world, tmp_path) -> None:
    given = holders(world, HOLDERS)
    assert not NumberSeries.objects.exists(), "the first processes also race to create the series"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cqp.settings",
        "DATABASE_URL": _database_url(),
        # The renders are queued in Redis for nobody: only the numbering is under test.
        "REDIS_URL": settings.REDIS_URL,
    }
    shares = [given.decisions[n::PROCESSES] for n in range(PROCESSES)]
    children = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                CHILD,
                str(tmp_path),
                str(n),
                str(world.admin.pk),
                ",".join(str(d.pk) for d in share),
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n, share in enumerate(shares)
    ]
    try:
        wait_for(
            lambda: len(list(tmp_path.glob("ready-*"))) == PROCESSES or any(c.poll() is not None for c in children),
            seconds=120,
            what="les processus ne sont pas prêts",
        )
        (tmp_path / "go").touch()
        outputs = [child.communicate(timeout=120) for child in children]
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()

    for child, (_out, err) in zip(children, outputs, strict=True):
        assert child.returncode == 0, err[-3000:]
    printed = sorted(int(n) for out, _err in outputs for n in out.strip().split(","))
    assert printed == list(range(1, HOLDERS + 1))
    numbers = list(Parchment.objects.order_by("number").values_list("number", flat=True))
    assert numbers == list(range(1, HOLDERS + 1)), "no duplicate, no gap"
    assert NumberSeries.objects.get(certifier=world.version.certifier).next_number == HOLDERS + 1
    assert Parchment.objects.values("decision").distinct().count() == HOLDERS
    assert Parchment.objects.values("verification_code").distinct().count() == HOLDERS


# --- Real workers --------------------------------------------------------------------------------------


class Workers:
    """Celery workers started on the test database and the Redis broker, stopped at the end of the test."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.started: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, name: str, **env: str) -> subprocess.Popen[bytes]:
        log = (self.tmp_path / f"worker-{name}.log").open("w")
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
                f"--hostname={name}@%h",
            ],
            cwd=settings.BASE_DIR,
            env={
                **os.environ,
                "DATABASE_URL": _database_url(),
                "REDIS_URL": settings.REDIS_URL,
                # The worker writes where the test reads: PRIVATE_MEDIA_ROOT/certificates.
                "PRIVATE_MEDIA_ROOT": str(self.tmp_path),
                **env,
            },
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self.started.append((name, process))
        return process

    def stop_all(self) -> None:
        for _name, process in self.started:
            if process.poll() is None:
                process.terminate()
        for name, process in self.started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            print(f"--- worker {name}")
            print((self.tmp_path / f"worker-{name}.log").read_text()[-3000:])


@pytest.fixture
def workers(services_up, tmp_path: Path, settings) -> Iterator[Workers]:
    settings.STORAGES = {
        **settings.STORAGES,
        "certificates": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "certificates", "base_url": None},
        },
    }
    app.conf.task_always_eager = False
    started = Workers(tmp_path)
    try:
        yield started
    finally:
        started.stop_all()


def issue_one(world: World) -> Parchment:
    given = holders(world, 1)
    return services.parchment_issue(decision=given.decisions[0], issued_by=world.admin)


def test_a_worker_killed_mid_render_leaves_the_number_and_another_one_completes_it(workers: Workers, world) -> None:
    unreliable = {
        "CERTIFICATES_RENDER_PAUSE": "5",  # between rendering and saving: the window to kill the worker in
        "CELERY_VISIBILITY_TIMEOUT": "3",  # the message of a dead worker comes back after 3 s
        "CERTIFICATES_RENDER_STALE_SECONDS": "2",  # and a claim older than 2 s is taken over
    }
    first = workers.start("premier", **unreliable)
    parchment = issue_one(world)  # its render is queued once the transaction commits
    number = parchment.number

    def claimed() -> bool:
        # The claim and the count of attempts are two statements: wait for both.
        rendering = Parchment.objects.filter(pk=parchment.pk, render_status=RenderStatus.RENDERING)
        return rendering.filter(render_attempts=1).exists()

    wait_for(claimed, seconds=120, what="le premier worker n'a pas pris le rendu")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)

    parchment.refresh_from_db()
    assert parchment.render_status == RenderStatus.RENDERING
    assert parchment.number == number
    assert parchment.render_attempts == 1
    assert not parchment.pdf
    assert not ParchmentVersion.objects.filter(parchment=parchment).exists()
    # The message is handed back once the visibility timeout has passed since its delivery.
    handed_back = parchment.render_claimed_at + dt.timedelta(seconds=3.5)
    wait_for(lambda: timezone.now() > handed_back, seconds=10, what="délai de visibilité")

    workers.start("second", **unreliable)

    def done() -> bool:
        return Parchment.objects.filter(pk=parchment.pk, render_status=RenderStatus.DONE).exists()

    wait_for(done, seconds=120, what="le second worker n'a pas repris le rendu")
    parchment.refresh_from_db()
    assert parchment.number == number
    assert parchment.render_attempts == 2
    versions = list(ParchmentVersion.objects.filter(parchment=parchment))
    assert len(versions) == 1
    assert versions[0].version == 1
    with parchment.pdf.open("rb") as handle:
        pdf = handle.read()
    assert pdf.startswith(b"%PDF")
    assert hashlib.sha256(pdf).hexdigest() == parchment.pdf_sha256 == versions[0].pdf_sha256
    assert NumberSeries.objects.get().next_number == number + 1


def test_the_same_render_delivered_twice_renders_once(workers: Workers, world) -> None:
    # Two workers, and a pause so the second delivery arrives while the first render is under way.
    workers.start("un", CERTIFICATES_RENDER_PAUSE="2")
    workers.start("deux", CERTIFICATES_RENDER_PAUSE="2")
    with mock.patch.object(tasks.parchment_render, "delay"):  # the two deliveries below are the only ones
        parchment = issue_one(world)

    first = tasks.parchment_render.delay(parchment_id=parchment.pk)
    second = tasks.parchment_render.delay(parchment_id=parchment.pk)

    results = [first.get(timeout=90), second.get(timeout=90)]
    assert sorted(results) == ["rendered", "skipped"]
    parchment.refresh_from_db()
    assert parchment.render_status == RenderStatus.DONE
    assert parchment.render_attempts == 1
    assert ParchmentVersion.objects.filter(parchment=parchment).count() == 1
    # Delivered once more, much later: the row is done, nothing happens.
    assert tasks.parchment_render.apply(kwargs={"parchment_id": parchment.pk}).get() == "skipped"
    parchment.refresh_from_db()
    assert parchment.render_attempts == 1
    assert ParchmentVersion.objects.filter(parchment=parchment).count() == 1
