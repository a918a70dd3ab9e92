"""Benchmark of parchment issue, end to end, on one core: `.venv/bin/python bench/parchments.py [N]` (N=1000).

It builds a throwaway SQLite database and storage under a temporary folder (never db.sqlite3 nor private-media),
loads the referential, runs a certification jury through the services (`demo.builders`, as the `decided` test
fixture does, with no test module nor test tool), then copies its holders in bulk up to N decisions. Timed:
`services.parchments_issue_for_jury`, i.e. numbering, the render task run inline (no REDIS_URL), and the write
through the storage API; then the plain WeasyPrint render (`rendering.render_parchment_naive`) on a sample of the
same parchments. The last line is
`parchments/s: <rate> naive/s: <rate> ratio: <ratio>`, rates per second of this process's CPU time (one core,
whatever else the machine runs); the wall-clock rates are printed above it.
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def prepare_environment() -> Path:
    """A throwaway folder for the database and the files, and the settings of a production worker."""
    # A RAM disk when there is one: what is measured is the work of one core, not how long the disk takes to
    # flush SQLite's journal (BENCH_DIR=/tmp measures that too).
    default = "/dev/shm" if os.path.isdir("/dev/shm") else None
    workdir = Path(tempfile.mkdtemp(prefix="cqp-bench-", dir=os.environ.get("BENCH_DIR", default)))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "cqp.settings",
            "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
            "PRIVATE_MEDIA_ROOT": str(workdir / "private-media"),
            "MEDIA_ROOT": str(workdir / "media"),
            "EMAIL_BACKEND": "locmem",
            "LOG_LEVEL": "ERROR",
            # As a production worker runs: DEBUG off (no query log), hence a key and hosts.
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(60),
            "ALLOWED_HOSTS": "localhost",
            "SITE_URL": "https://cqp.example.org",
        }
    )
    os.environ.pop("REDIS_URL", None)  # tasks run inline, in this process: it is the worker being measured
    sys.path.insert(0, str(ROOT))
    return workdir


# Surnames and first names with the letters a parchment must render (ø, ß, ł, ę, č, ś, ž...).
SURNAMES = ["Weiß", "Ødegård", "Krzyżanowska", "Dvořák", "Łukaszewicz", "Müller", "Čapek", "Nuñez", "Martin", "Lefèvre"]
FIRST_NAMES = ["Søren", "Zoë", "Agnieszka", "Jiří", "Łucja", "Gaëlle", "Björn", "Inès", "Ștefan", "Élodie"]
LONG_NAME = ("Maria-Magdalena Anastazja", "Krzyżanowska-Wiśniewska-Ødegård de la Tour d'Auvergne-Lauraguais")


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


class Stopwatch:
    """Wall-clock and CPU time spent inside wrapped callables, added up."""

    def __init__(self) -> None:
        self.wall = 0.0
        self.cpu = 0.0
        self.calls = 0

    def wrap(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                self.wall += time.perf_counter() - wall
                self.cpu += time.process_time() - cpu
                self.calls += 1

        return timed

    def run(self, fn: Callable[[], Any]) -> Any:
        return self.wrap(fn)()


def build_jury(n: int) -> tuple[Any, Any]:
    """A certification jury with `n` holders: three decided through the services, the others copies."""
    from django.core.management import call_command
    from django.utils import timezone

    from candidates import rules as candidate_rules
    from candidates.models import Candidate, Enrolment
    from certificates.models import CpnefpValidation, ProcesVerbal, PvStatus, RenderStatus
    from cqp.models import AccessRoute
    from demo.builders import build_world, decide
    from evaluations.models import Attendance, SessionCandidate
    from juries.models import Decision, OutcomeKind

    call_command("migrate", verbosity=0)
    call_command("load_referential", stdout=open(os.devnull, "w"))  # noqa: SIM115
    # The tests' world (demo.builders), decided through the services: one total, one partial (BC1), one none.
    decided = decide(build_world())
    world, certification = decided.world, decided.certification
    admin, organisation, staff, version, session = (
        world.admin,
        world.organisation,
        world.staff,
        world.version,
        world.session,
    )

    # Copies, written in bulk: the benchmark measures what follows the decisions, not how they are taken.
    holders = Decision.objects.filter(jury=certification).exclude(kind=OutcomeKind.NONE).count()
    president = decided.decisions[0].decided_by  # the certification jury's president
    extra = max(0, n - holders)
    blocks = list(version.blocks.order_by("order"))
    template = world.places[0]
    people = []
    for i in range(extra):
        first, last = (
            LONG_NAME if i == 7 else (FIRST_NAMES[i % len(FIRST_NAMES)], f"{SURNAMES[(i // 10) % len(SURNAMES)]}-{i}")
        )
        birth = dt.date(1980, 1, 1) + dt.timedelta(days=i * 7)
        people.append(
            Candidate(
                organisation=organisation,
                birth_name=last,
                first_name=first,
                sex="F" if i % 2 else "M",
                birth_date=birth,
                birth_commune="Besançon" if i % 3 else "Kraków",
                birth_insee_code="25056" if i % 3 else "",
                birth_country="France" if i % 3 else "Pologne",
                email=f"titulaire{i}@example.org",
                identity_key=candidate_rules.identity_key(birth_name=last, first_name=first, birth_date=birth),
                created_by=staff,
            )
        )
    people = Candidate.objects.bulk_create(people)
    enrolments = Enrolment.objects.bulk_create(
        [Enrolment(candidate=c, version=version, access_route=AccessRoute.VAE, created_by=staff) for c in people]
    )
    Enrolment.blocks.through.objects.bulk_create(
        [Enrolment.blocks.through(enrolment_id=e.pk, block_id=b.pk) for e in enrolments for b in blocks]
    )
    places = SessionCandidate.objects.bulk_create(
        [
            SessionCandidate(
                session=session,
                enrolment=e,
                starts_at=template.starts_at,
                ends_at=template.ends_at,
                attendance=Attendance.PRESENT,
                signed_at=timezone.now(),
            )
            for e in enrolments
        ]
    )
    decisions = Decision.objects.bulk_create(
        [
            Decision(
                place=p,
                examined_place=p,
                jury=certification,
                kind=OutcomeKind.PARTIAL if i % 4 == 3 else OutcomeKind.TOTAL,
                decided_by=president,
            )
            for i, p in enumerate(places)
        ]
    )
    Decision.blocks.through.objects.bulk_create(
        [
            Decision.blocks.through(decision_id=d.pk, block_id=blocks[0].pk)
            for d in decisions
            if d.kind == OutcomeKind.PARTIAL
        ]
    )
    # The PV signed and the CPNEFP validation, written straight: signing renders a PV of N rows, not measured.
    ProcesVerbal.objects.create(
        jury=certification,
        status=PvStatus.SIGNED,
        content={"benchmark": True},
        content_sha256="0" * 64,
        opened_by=admin,
        signed_at=timezone.now(),
        render_status=RenderStatus.DONE,
    )
    CpnefpValidation.objects.create(jury=certification, meeting_on=certification.meets_on, recorded_by=admin)
    return certification, admin


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})  # one core, as one worker process has
    workdir = prepare_environment()
    import django

    django.setup()
    from django.core.files.storage import storages

    from certificates import rendering, services
    from certificates.models import Parchment, ParchmentKind, RenderStatus

    try:
        started = time.perf_counter()
        jury, admin = build_jury(n)
        setup = time.perf_counter() - started

        import weasyprint  # noqa: F401 - loaded as in a worker that has rendered once (its import is ~1 s)

        total, render, store, naive = Stopwatch(), Stopwatch(), Stopwatch(), Stopwatch()
        rendering.render_parchment = render.wrap(rendering.render_parchment)
        storage = storages["certificates"]
        samples: list[tuple[int, float]] = []  # (parchments stored, resident memory)
        saved = store.wrap(storage.save)

        def save_and_sample(*args: Any, **kwargs: Any) -> Any:
            name = saved(*args, **kwargs)
            if (len(samples) + 1) * max(1, n // 4) == store.calls:
                samples.append((store.calls, rss_mb()))
            return name

        # The FileField's storage proxy finds this instance: its save is timed in place.
        storage.save = save_and_sample  # type: ignore[method-assign]
        rss_before = rss_mb()
        batch = total.run(lambda: services.parchments_issue_for_jury(jury=jury, issued_by=admin))

        parchments = list(batch.parchments.order_by("number"))
        count = len(parchments)
        done = sum(p.render_status == RenderStatus.DONE for p in parchments)
        numbers = [p.number for p in parchments]
        if done != count or numbers != list(range(1, count + 1)) or Parchment.objects.count() != count:
            raise SystemExit(f"{count - done} parchments not rendered, or a gap in the numbers: {numbers}")
        fast_size = sum(p.pdf.size for p in parchments) / count

        size = min(count, max(50, count // 10))
        sample = parchments[:: max(1, count // size)][:size]
        naive_size = naive.run(lambda: sum(len(rendering.render_parchment_naive(p)) for p in sample)) / len(sample)

        def split(clock: str) -> str:
            spent = {name: getattr(watch, clock) * 1000 / count for name, watch in [("all", total), ("render", render)]}
            stored = getattr(store, clock) * 1000 / count
            return (
                f"numbering and database {spent['all'] - spent['render'] - stored:.2f}, "
                f"rendering {spent['render']:.2f}, storage {stored:.2f}, total {spent['all']:.2f}"
            )

        kinds = {kind: sum(p.kind == kind for p in parchments) for kind in ParchmentKind.values}
        print(f"N: {count} parchments ({kinds['full']} full, {kinds['blocks']} blocks), one core, SQLite in {workdir}")
        print(f"setup s: {setup:.1f}")
        print(
            f"end to end (parchments_issue_for_jury: number, render task inline, storage): "
            f"{total.wall:.2f} s wall clock, {total.cpu:.2f} s CPU ({total.cpu / total.wall:.0%} of the core)"
        )
        print(f"per parchment ms, CPU: {split('cpu')}")
        print(f"per parchment ms, wall clock: {split('wall')}")
        print(f"backgrounds rendered: {rendering._background.cache_info().misses}")
        print(
            f"naive (one WeasyPrint render each): {len(sample)} parchments, {naive.cpu / len(sample) * 1000:.1f} ms "
            f"CPU, {naive.wall / len(sample) * 1000:.1f} ms wall clock each"
        )
        print(f"pdf size kB: fast {fast_size / 1024:.1f}, naive {naive_size / 1024:.1f}")
        over_the_run = ", ".join(f"after {stored}: {mb:.0f}" for stored, mb in samples)
        print(f"resident memory MB: before issue {rss_before:.0f}, {over_the_run}")
        wall_rate, wall_naive = count / total.wall, len(sample) / naive.wall
        print(
            f"wall clock, shared with whatever else runs on the core: parchments/s: {wall_rate:.1f} "
            f"naive/s: {wall_naive:.1f} ratio: {wall_rate / wall_naive:.2f}"
        )
        print(f"peak memory MB: {peak_mb():.1f}")
        rate, naive_rate = count / total.cpu, len(sample) / naive.cpu
        print(f"parchments/s: {rate:.1f} naive/s: {naive_rate:.1f} ratio: {rate / naive_rate:.2f}")
    finally:
        if not os.environ.get("BENCH_KEEP"):  # BENCH_KEEP=1 keeps the database and the PDFs to look at
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
