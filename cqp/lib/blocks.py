"""Block codes in their natural order: BC2 before BC10."""

from __future__ import annotations

import re
from collections.abc import Iterable


def natural_key(code: str) -> tuple[tuple[int, int | str], ...]:
    """A sort key reading the digits of a code as numbers: `BC2` < `BC10` < `BC10a`."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", code) if part)


def natural_sorted(codes: Iterable[str]) -> list[str]:
    return sorted(codes, key=natural_key)


def codes_text(codes: Iterable[str]) -> str:
    """`BC1, BC2, BC10`: the codes in their natural order, comma-separated."""
    return ", ".join(natural_sorted(codes))
