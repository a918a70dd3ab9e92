"""Benchmark of the candidates import: `.venv/bin/python bench/import_candidates.py [--rows 2000]`.

It builds a throwaway SQLite database under a temporary folder (never db.sqlite3), or uses the PostgreSQL database
named by `--database-url` (its tables are created by migrate and the candidates written are deleted afterwards),
creates a training organisation and its staff, writes a CSV file of N distinct candidates (accented names, INSEE
codes, SIRET, addresses), then times, as the confirmation page does it, `importing.candidates_import`: parse,
validate every row, one look-up of the duplicates, `bulk_create` in one transaction. The preview (parse and
validate, nothing written) is timed apart, and the import's CPU time in this process is printed too (the wall
clock shares the machine with whatever else runs). The last line is
`rows: <N> seconds: <s> queries: <q> rows/s: <rate>`, the import's wall-clock time and query count.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SURNAMES = ["Weiß", "Ødegård", "Dvořák", "Müller", "Nuñez", "Martin", "Lefèvre", "Bernard", "Dubois", "Garçon"]
FIRST_NAMES = ["Zoë", "Gaëlle", "Inès", "Élodie", "Jérôme", "François", "Søren", "Léa", "Noël", "Aurélien"]


def prepare_environment(database_url: str | None) -> Path:
    workdir = Path(tempfile.mkdtemp(prefix="cqp-bench-import-"))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "cqp.settings",
            "DATABASE_URL": database_url or f"sqlite:///{workdir / 'bench.sqlite3'}",
            "PRIVATE_MEDIA_ROOT": str(workdir / "private-media"),
            "MEDIA_ROOT": str(workdir / "media"),
            "EMAIL_BACKEND": "locmem",
            "LOG_LEVEL": "ERROR",
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(60),
            "ALLOWED_HOSTS": "localhost",
            "SITE_URL": "https://cqp.example.org",
        }
    )
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    return workdir


def csv_content(rows: int, prefix: str) -> bytes:
    header = (
        "Nom de naissance;Prénom;Sexe;Date de naissance;Commune de naissance;Code INSEE;E-mail;Téléphone;"
        "Entreprise;SIRET;Adresse de l'entreprise"
    )
    lines = [header]
    for n in range(rows):
        birth = dt.date(1970, 1, 1) + dt.timedelta(days=n * 3)
        lines.append(
            ";".join(
                [
                    f"{SURNAMES[n % 10]}-{prefix}{n}",
                    FIRST_NAMES[(n // 10) % 10],
                    "F" if n % 2 else "M",
                    f"{birth:%d/%m/%Y}",
                    "Besançon",
                    "25056",
                    f"{prefix}{n}@example.org",
                    "06 12 34 56 78",
                    "Polissage de Franche-Comté",
                    "73282932000074",
                    f"{n} rue de la République, 25000 Besançon",
                ]
            )
        )
    return ("\r\n".join(lines) + "\r\n").encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--database-url", help="a PostgreSQL database (default: a throwaway SQLite file)")
    args = parser.parse_args()
    workdir = prepare_environment(args.database_url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from candidates import importing
    from candidates.models import Candidate
    from cqp.models import TrainingOrganisation

    created: list[int] = []
    organisation = staff = None
    try:
        call_command("migrate", verbosity=0)
        tag = secrets.token_hex(3)
        organisation = TrainingOrganisation.objects.create(name=f"Banc d'essai {tag}", city="Besançon")
        staff = User.objects.create(
            email=f"banc-{tag}@example.org", first_name="Banc", last_name="Essai", organisation=organisation
        )
        content = csv_content(args.rows, prefix=f"b{tag}-")

        started = time.perf_counter()
        preview = importing.import_preview(
            organisation=organisation, parsed=importing.parse_rows("candidats.csv", content)
        )
        preview_seconds = time.perf_counter() - started
        if not preview.can_commit:
            raise SystemExit("\n".join([*preview.file_errors, *(str(e) for e in preview.errors[:10])]))

        with CaptureQueriesContext(connection) as queries:
            started, cpu = time.perf_counter(), time.process_time()
            candidates = importing.candidates_import(
                organisation=organisation, created_by=staff, content=content, filename="candidats.csv"
            )
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        created = [c.pk for c in candidates]
        written = Candidate.objects.filter(organisation=organisation).count()
        if written != args.rows:
            raise SystemExit(f"{written} candidates written, {args.rows} expected")

        print(f"database: {connection.vendor}, file: {len(content) / 1024:.0f} kB CSV")
        print(f"preview (parse, validate, duplicates; nothing written): {preview_seconds:.2f} s")
        print(f"import CPU of this process (the database server's work apart): {cpu:.2f} s")
        print(f"rows: {args.rows} seconds: {seconds:.2f} queries: {len(queries)} rows/s: {args.rows / seconds:.0f}")
    finally:
        if args.database_url:
            Candidate.objects.filter(pk__in=created).delete()
            if staff is not None:
                staff.delete()
            if organisation is not None:
                organisation.delete()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
