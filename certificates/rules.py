"""Pure rules of the certifier's paper: the PV's fingerprint, the deadlines, the verification codes.

No Django, no database: plain values in, plain values out.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass

RESULTS_MONTHS = 1  # results notified within 1 month after the jury (seed 004, § 8)
PARCHMENTS_MONTHS = 2  # parchments sent within 2 months after the CPNEFP validation

# Crockford's base 32 without the letters people confuse (I, L, O, U): a code read aloud or typed from paper.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10  # 50 bits: guessing one valid code among a million issued takes ~10^9 tries


def fingerprint(content: object) -> str:
    """SHA-256 of a canonical JSON form (sorted keys, no spaces, UTF-8): the same content always gives the
    same fingerprint, whatever the order its parts were built in."""
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def months_after(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it has no such day (31 Jan + 1 → 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def results_due(jury_day: dt.date) -> dt.date:
    return months_after(jury_day, RESULTS_MONTHS)


def parchments_due(validation_day: dt.date) -> dt.date:
    return months_after(validation_day, PARCHMENTS_MONTHS)


@dataclass(frozen=True, slots=True)
class Deadline:
    label: str
    due: dt.date
    done_on: dt.date | None
    pending: int  # items still to do (candidates not notified, parchments not sent)

    def overdue(self, today: dt.date) -> bool:
        return self.pending > 0 and today > self.due

    def days_left(self, today: dt.date) -> int:
        return (self.due - today).days


def new_verification_code() -> str:
    """A random code of 10 characters from Crockford's base 32 (no I, L, O, U), shown as XXXXX-XXXXX."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """What someone typed, made comparable: case, spaces and dashes dropped; O read as 0, I and L as 1."""
    cleaned = text.upper().replace("-", "").replace(" ", "")
    return cleaned.translate(str.maketrans("OIL", "011"))


def display_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}" if len(code) == CODE_LENGTH else code


def looks_like_a_code(text: str) -> bool:
    code = normalise_code(text)
    return len(code) == CODE_LENGTH and all(ch in _ALPHABET for ch in code)


def surname_caps(name: str) -> str:
    """A surname in capitals as civil records print it, letter for letter: ß stays ß (str.upper() would make
    Weiß "WEISS", another spelling), every other letter keeps its accent (Ødegård → ØDEGÅRD, Dvořák → DVOŘÁK)."""
    return "".join(ch if ch == "ß" else ch.upper() for ch in name)
