"""Private downloads: one response, one set of headers, for every file a view hands to a logged-in user."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO, TypeVar

from django.http import FileResponse, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.utils.http import content_disposition_header

_Response = TypeVar("_Response", bound=HttpResponseBase)
# Path separators and control characters never reach a file name the browser saves.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]+")
MAX_FILENAME = 200


def safe_filename(name: str) -> str:
    """A file name fit for Content-Disposition: no path, no control character, at most 200 characters (its
    extension kept)."""
    name = _UNSAFE.sub("_", name).strip(" .") or "fichier"
    if len(name) > MAX_FILENAME:
        _stem, dot, extension = name.rpartition(".")
        suffix = dot + extension if dot and len(extension) <= 10 else ""
        name = name[: MAX_FILENAME - len(suffix)] + suffix
    return name


def private_headers(response: _Response, *, filename: str, inline: bool = False) -> _Response:
    """The headers of a private file: saved (or shown, `inline`) under a safe name, kept by no cache, its type
    never guessed by the browser."""
    disposition = content_disposition_header(not inline, safe_filename(filename))
    assert disposition is not None  # noqa: S101 - a file name always makes a header
    response["Content-Disposition"] = disposition
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def private_download(content: bytes, *, filename: str, content_type: str, inline: bool = False) -> HttpResponse:
    """A private file made in memory, for the user who asked."""
    response = HttpResponse(content, content_type=content_type)
    return private_headers(response, filename=filename, inline=inline)


def private_file(handle: IO[bytes], *, filename: str, content_type: str, inline: bool = False) -> FileResponse:
    """A stored private file, streamed from its open handle."""
    return private_headers(FileResponse(handle, content_type=content_type), filename=filename, inline=inline)


def private_stream(chunks: Iterator[bytes], *, filename: str, content_type: str) -> StreamingHttpResponse:
    """A private file written as it streams (a ZIP of many files)."""
    return private_headers(StreamingHttpResponse(chunks, content_type=content_type), filename=filename)
