"""Reading a large RNCP export in bounded memory (issue 13, part 4): `cqp.rncp.iter_fiches` on generated exports of
growing sizes (the real one is several hundred MB), each read in a fresh process that prints its peak memory.

    .venv/bin/python bench/rncp_import.py                 # 30 MB and 300 MB
    .venv/bin/python bench/rncp_import.py --megabytes 50  # one size

The exports repeat the sample's RNCP 31313 fiche under distinct numbers (RNCP100000…), its competency lists made
longer; they are written as a stream to a temporary folder and removed afterwards. The figures: file size, fiches
read, seconds, fiches a second, peak resident memory of the reading process (`ru_maxrss`), which should not grow
with the file."""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIDTHS = (10, 8, 8, 9, 8, 9, 14)
SAMPLE = ROOT.parent / "shared" / "rncp" / "export-fiches-rncp-sample.xml"


def _fiche_template() -> str:
    text = SAMPLE.read_text(encoding="utf-8")
    start = text.index("<FICHE>")
    end = text.index("</FICHE>", start) + len("</FICHE>")
    fiche = text[start:end]
    # Longer competency lists, as some real fiches have: the same list three times.
    head, _, rest = fiche.partition("<LISTE_COMPETENCES>")
    body, _, tail = rest.partition("</LISTE_COMPETENCES>")
    return head + "<LISTE_COMPETENCES>" + body * 3 + "</LISTE_COMPETENCES>" + tail


def generate(path: Path, megabytes: int) -> int:
    """Write an export of about `megabytes` MB to `path`; return the number of fiches."""
    template = _fiche_template()
    target = megabytes * 1024 * 1024
    written = 0
    count = 0
    with open(path, "w", encoding="utf-8") as handle:
        handle.write('<?xml version="1.0" encoding="UTF-8"?>\n<FICHES>\n<VERSION_FLUX>4.1</VERSION_FLUX>\n')
        while written < target:
            number = f"RNCP{100000 + count}"
            fiche = template.replace("RNCP31313", number).replace(
                "<ID_FICHE>31313</ID_FICHE>", f"<ID_FICHE>{count}</ID_FICHE>"
            )
            handle.write(fiche)
            handle.write("\n")
            written += len(fiche.encode("utf-8")) + 1
            count += 1
        handle.write("</FICHES>\n")
    return count


def read(path: str) -> None:
    """In this (fresh) process: read every fiche, print fiches, blocks, competencies, seconds, peak memory."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cqp.settings")
    import django

    django.setup()
    from cqp.rncp import iter_fiches

    started = time.perf_counter()
    fiches = blocks = competencies = problems = 0
    for fiche in iter_fiches(path):
        fiches += 1
        blocks += len(fiche.blocks)
        competencies += sum(len(block.proposed) for block in fiche.blocks)
        problems += len(fiche.problems)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{fiches} {blocks} {competencies} {problems} {seconds:.2f} {peak_mb:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--megabytes", type=int, action="append", help="size of an export (repeatable)")
    parser.add_argument("--read", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.read:
        read(arguments.read)
        return
    sizes = arguments.megabytes or [30, 300]
    columns = ("size (MB)", "fiches", "blocks", "compet.", "seconds", "fiches/s", "peak RSS (MB)")
    print(" ".join(f"{c:>{w}}" for c, w in zip(columns, WIDTHS, strict=True)))
    with tempfile.TemporaryDirectory() as folder:
        for megabytes in sizes:
            path = Path(folder) / f"export-{megabytes}.xml"
            expected = generate(path, megabytes)
            size = path.stat().st_size / 1024 / 1024
            answer = subprocess.run(
                [sys.executable, __file__, "--read", str(path)], check=True, capture_output=True, text=True
            ).stdout.split()
            fiches, blocks, competencies, problems = (int(v) for v in answer[:4])
            seconds, peak = float(answer[4]), float(answer[5])
            if fiches != expected or problems:
                raise SystemExit(f"read {fiches} fiches of {expected}, {problems} problems")
            values = (
                f"{size:.0f}",
                fiches,
                blocks,
                competencies,
                f"{seconds:.1f}",
                f"{fiches / seconds:.0f}",
                f"{peak:.1f}",
            )
            print(" ".join(f"{v:>{w}}" for v, w in zip(values, WIDTHS, strict=True)))
            path.unlink()


if __name__ == "__main__":
    main()
