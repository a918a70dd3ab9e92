"""Load benchmark: the app served as in production, on ten years of data, under a mixed load of logged-in users.

    .venv/bin/python bench/load.py --scale 1.0     # ten years (bench/dataset.py), a few minutes to build
    .venv/bin/python bench/load.py --scale 0.02    # smoke: a small data set, short runs

1. Builds the data set (`bench/dataset.py`) at `--scale` in its own PostgreSQL database (`--database`, default
   cqp_bench, on BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432): dropped and created again, then
   migrated. A database built at the same scale is reused (migrated, so new indexes apply); `--rebuild` forces a
   build. No other database is touched: the name must contain "bench".
2. Serves the app with gunicorn (`cqp.wsgi --preload -w 2`, `bench.settings`: DEBUG off, persistent connections
   with health checks, `CONN_MAX_AGE=60`) on 127.0.0.1 only. The users are logged in by sessions written straight
   into the session store (a session cookie each), not through the login form: login throttling stays out of it.
3. Per page, alone: median and p95 over `--requests` sequential requests, and the queries the page runs (counted in
   this process with the Django test client on the same session and data).
4. Mixed load, open loop (requests sent on a schedule, whatever the answers; latency counted from the scheduled
   time, so the queue counts): the achieved rate and p50/p95/p99 at 25 requests/s, then a ramp until p95 passes
   500 ms or a request fails: the saturation rate is the last step that held.
Each figure that misses its target is flagged with "MISS". Targets: every page p95 < 100 ms alone (at ten years);
p95 < 150 ms at 25 requests/s; saturation above 60 requests/s on 2 workers.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import http.client
import json
import logging
import math
import os
import queue
import random
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

ALONE_P95_MS = 100.0
PACED_RATE = 25.0
PACED_P95_MS = 150.0
SATURATION_P95_MS = 500.0
SATURATION_TARGET = 60.0
SHED_AFTER = 10.0  # seconds
RAMP = [5, 10, 15, 20, 25, 30, 40, 50, 60, 70, 80, 100, 120, 150, 200]


@dataclass(frozen=True)
class Page:
    name: str
    role: str  # the key of the user's session cookie
    path: str
    weight: int = 4  # share of the mixed load


@dataclass
class Sample:
    latencies: list[float] = field(default_factory=list)  # seconds
    errors: list[str] = field(default_factory=list)
    size: int = 0  # bytes of the last answer
    completed: int = 0  # answered 200
    elapsed: float = 0.0  # seconds from the first scheduled request to the last answer


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of `values`, in the same unit."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


def described(errors: list[str]) -> str:
    """`errors` counted by kind: "0", or "3 (shed 2, 500 /jurys/1/ 1)"."""
    if not errors:
        return "0"
    kinds = collections.Counter(errors).most_common(4)
    return f"{len(errors)} (" + ", ".join(f"{kind} x{n}" for kind, n in kinds) + ")"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f}"


# ---------------------------------------------------------------------------------------------------------------
# Environment, database, data set


def prepare_environment(database: str, workdir: Path) -> dict[str, str]:
    """The settings of a production worker, for this process and gunicorn alike (one SECRET_KEY: the sessions'
    auth hash must verify in both)."""
    server = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": f"{server}/{database}",
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "https://cqp.example.org",
        "SECURE_SSL_REDIRECT": "false",
        "CONN_MAX_AGE": os.environ.get("CONN_MAX_AGE", "60"),
        "EMAIL_BACKEND": "locmem",
        "LOG_LEVEL": "ERROR",
        "STATIC_ROOT": str(workdir),
        "MEDIA_ROOT": str(workdir / "media"),
        "PRIVATE_MEDIA_ROOT": str(workdir / "private-media"),
    }
    os.environ.update(env)
    os.environ.pop("REDIS_URL", None)  # tasks inline, cache in memory: the app alone is measured
    sys.path.insert(0, str(ROOT))
    return env


@contextlib.contextmanager
def admin_cursor(server: str) -> Iterator[Any]:
    """A cursor on the server's maintenance database, in autocommit (CREATE and DROP DATABASE need it)."""
    import psycopg2

    connection = psycopg2.connect(f"{server}/postgres")
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            yield cursor
    finally:
        connection.close()


def database_state(server: str, database: str) -> dict[str, Any] | None:
    """What the benchmark wrote in the database's comment when its build completed, or None."""
    with admin_cursor(server) as cursor:
        cursor.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [database])
        row = cursor.fetchone()
    if row is None or not row[0]:
        return None
    try:
        state: dict[str, Any] = json.loads(row[0])
    except ValueError:
        return None
    return state


def database_recreate(server: str, database: str) -> None:
    with admin_cursor(server) as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{database}"')


def database_mark(server: str, database: str, state: dict[str, Any]) -> None:
    with admin_cursor(server) as cursor:
        cursor.execute(f'COMMENT ON DATABASE "{database}" IS %s', [json.dumps(state)])


def build_or_reuse(args: argparse.Namespace, server: str) -> dict[str, Any]:
    """The ids of the actors and objects the pages are about; the data set built first when needed."""
    import django

    django.setup()  # opens no connection: the database can still be dropped below
    from django.core.management import call_command

    from bench import dataset

    state = None if args.rebuild else database_state(server, args.database)
    if state is not None and (state.get("scale"), state.get("version")) != (args.scale, dataset.VERSION):
        state = None
    if state is None:
        database_recreate(server, args.database)

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    if state is not None:
        print(f"data set: reused {args.database} (scale {args.scale}, built in {state['build_s']:.0f} s), migrated")
        return state
    call_command("load_referential", stdout=open(os.devnull, "w"))  # noqa: SIM115
    print(f"data set: building scale {args.scale} in {args.database}")
    actors = dataset.build(args.scale, log=print)
    build_s = time.perf_counter() - started
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would after a while: plans on real statistics
    state = {
        "scale": args.scale,
        "version": dataset.VERSION,
        "build_s": build_s,
        "users": {
            "admin": actors.admin.pk,
            "staff": actors.staff.pk,
            "evaluation_president": actors.evaluation_president.pk,
            "certification_president": actors.certification_president.pk,
            "candidate": actors.candidate.pk,
        },
        "objects": {
            "candidate": actors.candidate_pk,
            "open_evaluation_jury": actors.open_evaluation_jury,
            "decided_evaluation_jury": actors.decided_evaluation_jury,
            "deciding_certification_jury": actors.deciding_certification_jury,
            "busiest_certification_jury": actors.busiest_certification_jury,
            "parchments_jury": actors.parchments_jury,
            "upcoming_session": actors.upcoming_session,
            "past_session": actors.past_session,
            "version": actors.version,
        },
        "counts": dataset.counts(),
    }
    database_mark(server, args.database, state)
    print(f"data set: built in {build_s:.0f} s")
    return state


def pages(objects: dict[str, int]) -> list[Page]:
    o = objects
    return [
        Page("admin home", "admin", "/"),
        Page("jury list", "admin", "/jurys/"),
        Page("certification jury (admin)", "admin", f"/jurys/{o['busiest_certification_jury']}/"),
        Page("evaluation jury (admin)", "admin", f"/jurys/{o['decided_evaluation_jury']}/"),
        Page("deliberation", "admin", f"/jurys/{o['decided_evaluation_jury']}/deliberation/"),
        Page("deliberation PDF", "admin", f"/jurys/{o['decided_evaluation_jury']}/deliberation.pdf", weight=1),
        Page("jury members", "admin", "/jurys/membres/"),
        Page("session list (admin)", "admin", "/sessions/"),
        Page("session detail (past)", "admin", f"/sessions/{o['past_session']}/"),
        Page("candidates", "admin", "/candidats/"),
        Page("candidates filter", "admin", f"/candidats/?q=martin&version={o['version']}"),
        Page("candidates page 200", "admin", "/candidats/?page=200"),
        Page("candidate detail", "admin", f"/candidats/{o['candidate']}/"),
        Page("parchments", "admin", f"/certificats/jurys/{o['parchments_jury']}/parchemins/"),
        Page("deadlines", "admin", "/certificats/echeances/"),
        Page("certifications", "admin", "/referentiel/"),
        Page("organisations", "admin", "/organismes/"),
        Page("staff home", "staff", "/"),
        Page("session list (staff)", "staff", "/sessions/"),
        Page("session detail (upcoming, add)", "staff", f"/sessions/{o['upcoming_session']}/"),
        Page("candidates (staff)", "staff", "/candidats/"),
        Page("evaluation president home", "evaluation_president", "/"),
        Page("evaluation jury (president)", "evaluation_president", f"/jurys/{o['open_evaluation_jury']}/"),
        Page("deliberation (president)", "evaluation_president", f"/jurys/{o['open_evaluation_jury']}/deliberation/"),
        Page("certification president home", "certification_president", "/"),
        Page(
            "certification jury (president)",
            "certification_president",
            f"/jurys/{o['deciding_certification_jury']}/",
        ),
        Page("candidate space", "candidate", "/"),
    ]


def sessions_for(users: dict[str, int]) -> dict[str, str]:
    """A session cookie per role: `login()` on a request of our own writes the session (the store, the auth
    hash, the stamps of the idle timeout, `last_login`) as the login form would, without the form and its
    throttling."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import login
    from django.http import HttpRequest

    from accounts.models import User

    store = import_module(settings.SESSION_ENGINE).SessionStore
    backend = next(b for b in settings.AUTHENTICATION_BACKENDS if "Role" in b)
    cookies = {}
    for role, pk in users.items():
        request = HttpRequest()
        request.META["REMOTE_ADDR"] = "127.0.0.1"
        request.session = store()
        login(request, User.objects.get(pk=pk), backend=backend)
        request.session.save()
        cookies[role] = f"{settings.SESSION_COOKIE_NAME}={request.session.session_key}"
    return cookies


slowest_queries: dict[str, str] = {}  # page name: its slowest query, time and SQL (shortened), for the misses


def in_process(page_list: list[Page], cookies: dict[str, str]) -> dict[str, tuple[int, int, float, float]]:
    """(status, queries, CPU ms, SQL ms) of each page, in this process, on the same sessions and data. The CPU time
    is this process's (Python: views, templates, the driver), the median of three requests after one to warm: what
    a page costs a worker whatever else the machine runs; PostgreSQL's share is not in it. The SQL time is the
    wall-clock time of the page's queries as the driver saw them (PostgreSQL's work, and the wait for a core)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    found = {}
    slowest_queries.clear()
    logging.getLogger("django.request").disabled = True  # a failing page is reported below, once
    for page in page_list:
        client = Client(HTTP_HOST="127.0.0.1", HTTP_COOKIE=cookies[page.role], raise_request_exception=False)
        client.get(page.path)  # warm: caches, first-use imports
        with CaptureQueriesContext(connection) as context:
            response = client.get(page.path)
        # Now: the next request's start empties the log these read.
        queries = len(context.captured_queries)
        sql_ms = sum(float(query["time"]) for query in context.captured_queries) * 1000
        slowest = max(context.captured_queries, key=lambda query: float(query["time"]), default=None)
        if slowest is not None:
            slowest_queries[page.name] = f"{float(slowest['time']) * 1000:.0f} ms: {slowest['sql'][:300]}"
        cpu = []
        for _ in range(3):
            started = time.process_time()
            client.get(page.path)
            cpu.append(time.process_time() - started)
        found[page.name] = (response.status_code, queries, statistics.median(cpu) * 1000, sql_ms)
    logging.getLogger("django.request").disabled = False
    return found


# ---------------------------------------------------------------------------------------------------------------
# Server and load


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def serve(env: dict[str, str], port: int, workers: int, threads: int, workdir: Path) -> subprocess.Popen[bytes]:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log = open(workdir / "gunicorn.log", "wb")  # noqa: SIM115 - the server's, closed with it
    server = subprocess.Popen(
        [
            *(str(gunicorn), "cqp.wsgi", "--preload", "-w", str(workers), "--threads", str(threads)),
            *("-b", f"127.0.0.1:{port}", "--timeout", "60"),
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/compte/connexion/")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit(f"gunicorn did not answer in 60 s: see {workdir / 'gunicorn.log'}")


class Client:
    """One user agent: one keep-alive connection to 127.0.0.1 (reopened when the server closes it)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.reused = False  # the connection has carried an answer: the server may have closed it since
        self.size = 0

    def get(self, path: str, cookie: str) -> str | None:
        """None when the page answered 200, else what went wrong. A kept-alive connection that the server closed
        while idle is reopened and the request sent again, once, as browsers do."""
        was_reused = self.reused
        try:
            return self._get(path, cookie)
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
            self._reopen()
            if not was_reused:
                return f"{type(exc).__name__} {path}"
        except (OSError, http.client.HTTPException) as exc:
            self._reopen()
            return f"{type(exc).__name__} {path}"
        try:
            return self._get(path, cookie)
        except (OSError, http.client.HTTPException) as exc:
            self._reopen()
            return f"{type(exc).__name__} {path}"

    def _get(self, path: str, cookie: str) -> str | None:
        self.connection.request("GET", path, headers={"Cookie": cookie})
        response = self.connection.getresponse()
        self.size = len(response.read())
        self.reused = not response.will_close
        if response.will_close:
            self.connection.close()
        return None if response.status == 200 else f"{response.status} {path}"

    def _reopen(self) -> None:
        self.connection.close()
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        self.reused = False


def alone(port: int, page: Page, cookie: str, requests: int) -> Sample:
    """`requests` sequential requests of one page after three to warm it (both workers)."""
    client, sample = Client(port), Sample()
    for _ in range(3):
        client.get(page.path, cookie)
    for _ in range(requests):
        started = time.perf_counter()
        error = client.get(page.path, cookie)
        sample.size = client.size
        sample.latencies.append(time.perf_counter() - started)
        if error:
            sample.errors.append(error)
    return sample


def paced(port: int, mix: list[Page], cookies: dict[str, str], rate: float, seconds: float, users: int) -> Sample:
    """Open loop: a request every 1/`rate` s for `seconds`, taken by at most `users` agents; a request's latency
    runs from its scheduled time (time spent waiting for a free agent counts). A request still waiting
    `SHED_AFTER` seconds after its time is not sent: counted as an error ("shed"), it bounds the run's length when
    the server falls behind."""
    rng = random.Random(int(rate * 1000))
    weights = [p.weight for p in mix]
    work: queue.Queue[tuple[float, Page] | None] = queue.Queue()
    sample, lock = Sample(), threading.Lock()

    def agent() -> None:
        client = Client(port)
        while (item := work.get()) is not None:
            scheduled, page = item
            if time.perf_counter() - scheduled > SHED_AFTER:
                error: str | None = "shed"
            else:
                error = client.get(page.path, cookies[page.role])
            latency = time.perf_counter() - scheduled
            with lock:
                sample.latencies.append(latency)
                if error:
                    sample.errors.append(error)
                else:
                    sample.completed += 1

    agents = [threading.Thread(target=agent, daemon=True) for _ in range(users)]
    for thread in agents:
        thread.start()
    total = int(rate * seconds)
    start = time.perf_counter() + 0.05
    for i in range(total):
        scheduled = start + i / rate
        pause = scheduled - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        work.put((scheduled, rng.choices(mix, weights)[0]))
    for _ in agents:
        work.put(None)
    for thread in agents:
        thread.join(timeout=SHED_AFTER + 60)
    sample.elapsed = time.perf_counter() - start
    with lock:
        sample.errors.extend(["unfinished"] * (total - len(sample.latencies)))
    return sample


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system) spent so far by gunicorn's master and its workers, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    pids = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            pids += [int(child) for child in children.read().split()]
    except OSError:
        return 0.0
    total = 0.0
    for each in pids:
        try:
            with open(f"/proc/{each}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def uptime() -> str:
    with open("/proc/loadavg") as loadavg:
        one, five, fifteen = loadavg.read().split()[:3]
    return f"load average {one} {five} {fifteen} on {os.cpu_count()} CPUs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=0.02, help="1.0: ten years of data (default 0.02, smoke)")
    parser.add_argument("--database", help="its own database, rebuilt when needed (cqp_bench_<scale>)")
    parser.add_argument("--rebuild", action="store_true", help="build the data set even if one of this scale exists")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="per worker (1: sync workers; more: gthread)")
    parser.add_argument("--requests", type=int, default=None, help="per page, alone (20; 5 below scale 0.5)")
    parser.add_argument("--seconds", type=float, default=None, help="at 25 requests/s (30; 5 below scale 0.5)")
    parser.add_argument("--step-seconds", type=float, default=None, help="per ramp step (10; 3 below scale 0.5)")
    parser.add_argument("--users", type=int, default=32, help="concurrent agents at most (bounded: 64)")
    args = parser.parse_args()
    args.database = args.database or f"cqp_bench_{args.scale:g}".replace(".", "_")
    if "bench" not in args.database:
        raise SystemExit("The benchmark drops its database: its name must contain 'bench'.")
    if not 0 < args.scale <= 2:
        raise SystemExit("--scale goes from 0 (excluded) to 2.")
    small = args.scale < 0.5
    requests = args.requests or (5 if small else 20)
    seconds = min(args.seconds or (5 if small else 30), 120)
    step = min(args.step_seconds or (3 if small else 10), 60)
    users = max(1, min(args.users, 64))

    workdir = Path(tempfile.mkdtemp(prefix="cqp-load-"))
    env = prepare_environment(args.database, workdir)
    server_url = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
    server: subprocess.Popen[bytes] | None = None
    try:
        print(f"machine: {uptime()}")
        state = build_or_reuse(args, server_url)
        counts = state["counts"]
        print("volumes: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        page_list = pages(state["objects"])
        cookies = sessions_for(state["users"])
        started = time.perf_counter()
        measured = in_process(page_list, cookies)
        print(f"queries and CPU time measured in process in {time.perf_counter() - started:.0f} s")
        port = free_port()
        server = serve(env, port, args.workers, args.threads, workdir)
        print(
            f"gunicorn: cqp.wsgi --preload -w {args.workers} --threads {args.threads} on 127.0.0.1:{port}, "
            f"CONN_MAX_AGE={env['CONN_MAX_AGE']}"
        )

        misses: list[str] = []
        print(f"\nper page, alone ({requests} sequential requests after 3 to warm), ms:")
        print(f"{'page':34} {'median':>7} {'p95':>7} {'queries':>7} {'kB':>6} {'CPU ms':>7} {'SQL ms':>7}  status")
        for page in page_list:
            sample = alone(port, page, cookies[page.role], requests)
            p50, p95 = statistics.median(sample.latencies), percentile(sample.latencies, 95)
            status, count, cpu_ms, sql_ms = measured[page.name]
            flag = ""
            if sample.errors or status != 200:
                flag = f"  MISS errors: {(sample.errors or [str(status)])[0]}"
            elif p95 * 1000 >= ALONE_P95_MS:
                flag = f"  MISS p95 >= {ALONE_P95_MS:.0f} ms"
            if flag:
                misses.append(f"{page.name} ({page.path}): p95 {p95 * 1000:.0f} ms, {count} queries{flag[6:]}")
            size = sample.size / 1024
            print(
                f"{page.name:34} {ms(p50)} {ms(p95)} {count:7d} {size:6.0f} {cpu_ms:7.1f} {sql_ms:7.1f}  {status}{flag}"
            )

        weights = sum(p.weight for p in page_list)
        mix_cpu = sum(p.weight * measured[p.name][2] for p in page_list) / weights
        print(
            f"\nmix: {mix_cpu:.1f} ms of CPU per request in the app's process on average (PostgreSQL's excluded): "
            f"{args.workers} workers on {args.workers} free cores would top out near "
            f"{args.workers * 1000 / mix_cpu:.0f} requests/s"
        )
        print(f"\nmixed load at {PACED_RATE:.0f} requests/s for {seconds:.0f} s (open loop, {users} agents at most):")
        cpu_before = server_cpu(server.pid)
        sample = paced(port, page_list, cookies, PACED_RATE, seconds, users)
        cpu_used = server_cpu(server.pid) - cpu_before
        p95 = percentile(sample.latencies, 95)
        achieved = sample.completed / sample.elapsed
        flag = "  MISS" if p95 * 1000 >= PACED_P95_MS or sample.errors else ""
        print(
            f"achieved {achieved:.1f} requests/s, p50 {ms(percentile(sample.latencies, 50))} "
            f"p95 {ms(p95)} p99 {ms(percentile(sample.latencies, 99))} ms, errors {described(sample.errors)}{flag}"
        )
        cores, per_answer = cpu_used / sample.elapsed, cpu_used * 1000 / max(1, sample.completed)
        print(
            f"gunicorn used {cpu_used:.1f} s of CPU in {sample.elapsed:.0f} s: {cores:.2f} cores of {os.cpu_count()}, "
            f"{per_answer:.0f} ms per answer (a worker's other time waits for PostgreSQL, or for a core the machine "
            "gives elsewhere)"
        )
        if flag:
            misses.append(f"25 requests/s: p95 {p95 * 1000:.0f} ms, errors {described(sample.errors)}")

        print(f"\nramp ({step:.0f} s per step) until p95 > {SATURATION_P95_MS:.0f} ms or an error:")
        held = 0.0
        for rate in RAMP:
            sample = paced(port, page_list, cookies, rate, step, users)
            p95 = percentile(sample.latencies, 95)
            achieved = sample.completed / sample.elapsed
            ok = p95 * 1000 <= SATURATION_P95_MS and not sample.errors and achieved >= 0.9 * rate
            print(
                f"  {rate:4d}/s: achieved {achieved:6.1f}/s, p50 {ms(percentile(sample.latencies, 50))} "
                f"p95 {ms(p95)} p99 {ms(percentile(sample.latencies, 99))} ms, errors {described(sample.errors)}"
                + ("" if ok else "  <- knee")
            )
            if not ok:
                break
            held = achieved
        flag = "" if held > SATURATION_TARGET else "  MISS"
        reached = f"{held:.1f} requests/s" if held else f"below {RAMP[0]} requests/s"
        print(f"saturation: {reached} (target > {SATURATION_TARGET:.0f}){flag}")
        if flag:
            misses.append(f"saturation {reached}")
        print(f"\nmachine: {uptime()}")
        print(f"missed targets: {len(misses)}")
        for miss in misses:
            print(f"  MISS {miss}")
            name = miss.split(" (/")[0]
            if name in slowest_queries:
                print(f"       slowest query {slowest_queries[name]}")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
