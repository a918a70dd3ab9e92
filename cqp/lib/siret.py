"""SIRET and SIREN, the French numbers of an establishment and of its firm."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

# La Poste's establishments are numbered beyond what Luhn allows: their digits sum to a multiple of 5 instead.
_LA_POSTE = "356000000"


def clean(value: str) -> str:
    """A SIRET as typed (`732 829 320 00074`) without its spaces."""
    return value.replace(" ", "").strip()


def is_valid(siret: str) -> bool:
    """14 digits whose Luhn checksum is right; La Poste's establishments (SIREN 356000000) may instead have
    digits summing to a multiple of 5. A SIREN of zeros is no firm's, though its checksum passes."""
    if not re.fullmatch(r"\d{14}", siret) or siret[:9] == "0" * 9:
        return False
    return _luhn(siret) or (siret.startswith(_LA_POSTE) and sum(int(d) for d in siret) % 5 == 0)


def error(siret: str) -> str | None:
    """The message for a SIRET that is not valid, None for a valid one."""
    if is_valid(siret):
        return None
    return _("SIRET invalide : 14 chiffres dont la clé de contrôle est juste.")


def siren(siret: str) -> str:
    """The firm's number (its first 9 digits) of a SIRET; empty for a value too short to hold one."""
    return siret[:9] if len(siret) >= 9 else ""


def _luhn(number: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0
