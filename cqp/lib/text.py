"""Text folded for comparison: no accents, no case, ligatures spelt out."""

from __future__ import annotations

import re
import unicodedata

# Letters that Unicode does not decompose into a base letter and an accent.
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "đ": "d", "ł": "l", "ß": "ss", "ı": "i", "þ": "th"})
_WORD = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """`Élodie` → `elodie`, `Cœur` → `coeur`, `Strauß` → `strauss`: lower case, accents dropped, ligatures
    spelt out; every other character (spaces, hyphens, punctuation) kept."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_LIGATURES))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """The folded words of a text, split on anything but a letter or a digit: `LE-GOFF  Élodie` →
    `["le", "goff", "elodie"]`."""
    return _WORD.findall(fold(text))
