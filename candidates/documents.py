"""Checks on the files candidates send, by their CONTENT (first bytes), never by their name or the
type the browser declares: a renamed executable or an HTML page must not pass for a PDF. Pure functions
over bytes and sizes, plus `read_head` to take the first bytes of an uploaded file. What the sender declared
(its size, its name) is checked first, by `declared_problem`, so that a file it refuses is never read."""

from __future__ import annotations

import math
import string
from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext as _

from cqp.lib.bounds import has_control_characters

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MEBIBYTE = 1024 * 1024


@dataclass(frozen=True)
class FileType:
    signature: bytes
    content_type: str
    extension: str
    label: str


ACCEPTED_TYPES = (
    FileType(b"%PDF-", "application/pdf", ".pdf", "PDF"),
    FileType(b"\x89PNG\r\n\x1a\n", "image/png", ".png", "PNG"),
    FileType(b"\xff\xd8\xff", "image/jpeg", ".jpg", "JPEG"),
)
HEAD_BYTES = max(len(t.signature) for t in ACCEPTED_TYPES)
# For the file chooser only: it narrows what is offered, it checks nothing.
ACCEPT_ATTRIBUTE = ",".join(
    [t.extension for t in ACCEPTED_TYPES] + [".jpeg"] + [t.content_type for t in ACCEPTED_TYPES]
)


def file_type(head: bytes) -> FileType | None:
    """The accepted type whose signature starts the content, or None."""
    for candidate in ACCEPTED_TYPES:
        if head.startswith(candidate.signature):
            return candidate
    return None


def megabytes(size: int) -> str:
    """A size in Mo, French style, rounded UP to a tenth so that 20 Mo + 1 octet never reads « 20,0 Mo »."""
    tenths = math.ceil(size * 10 / MEBIBYTE)
    return f"{tenths // 10},{tenths % 10}"


def declared_problem(*, size: int, name: str) -> str | None:
    """Why a file is refused from what its sender declared (its size, its name), before a byte is read."""
    if size > MAX_UPLOAD_BYTES:
        return _("Le fichier pèse %(size)s Mo : %(max)s Mo au plus.") % {
            "size": megabytes(size),
            "max": MAX_UPLOAD_BYTES // MEBIBYTE,
        }
    if has_control_characters(name):
        return _(
            "Le nom du fichier contient un caractère de contrôle invisible : renommez le fichier puis envoyez-le "
            "de nouveau."
        )
    return None


def upload_problem(*, size: int, head: bytes) -> str | None:
    """Why a file is refused, in French, or None when it is a PDF, PNG or JPEG of 20 Mo at most."""
    accepted = _("PDF, PNG ou JPEG")
    if size <= 0 or not head:
        return _("Le fichier est vide : envoyez un fichier %(types)s.") % {"types": accepted}
    if size > MAX_UPLOAD_BYTES:
        return _("Le fichier pèse %(size)s Mo : %(max)s Mo au plus.") % {
            "size": megabytes(size),
            "max": MAX_UPLOAD_BYTES // MEBIBYTE,
        }
    if file_type(head) is None:
        return _(
            "Ce fichier n'est ni un PDF, ni une image PNG ou JPEG (son contenu a été vérifié, pas seulement son nom) : "
            "envoyez un fichier %(types)s."
        ) % {"types": accepted}
    return None


def read_head(file: IO[bytes]) -> bytes:
    """The first bytes of a file, leaving it rewound for whoever reads it next."""
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    return head


def part_letter(order: int) -> str:
    """The livret part of a block: order 1 is part A (BC1), 2 part B (BC2)…"""
    if not 1 <= order <= len(string.ascii_uppercase):
        raise ValueError(f"Ordre de bloc hors de A–Z : {order}")
    return string.ascii_uppercase[order - 1]
