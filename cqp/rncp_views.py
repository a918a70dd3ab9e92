"""The admin page that imports one RNCP fiche from France compétences' export (issue 13, part 4).

1. `rncp_upload`: the export (XML, or the zip holding it; several hundred MB) is written to a temporary file under
   MEDIA_ROOT/rncp_uploads/ chunk by chunk, never held in memory; `cqp.rncp.iter_fiches` reads it as a stream until
   the fiche of the number asked for; that fiche alone is kept (as JSON, a few KB, beside it) and the upload is
   deleted at once. The session remembers which fiche is the admin's.
2. `rncp_preview`: what the fiche holds, what importing it would do (`rncp_import.assess`: a new certification, a
   renewal linked to its predecessor, unchanged, or changed with its differences against the current version), and
   the proposed split of each block's competencies, which the admin corrects before creating the draft version
   (`rncp_import.import_fiche` with the corrected split, in one transaction). The kept fiche is deleted once used;
   one older than a day is not reused (nor any file of that folder: each upload sweeps them)."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import re
import secrets
import time
import zipfile
import zlib
from collections.abc import Generator
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from lxml import etree  # type: ignore[import-untyped]

from accounts.access import check_certifier_admin
from accounts.types import AuthenticatedHttpRequest
from cqp import rncp, rncp_import
from cqp.forms import RNCP_EXPORT_MAX_BYTES, RncpSplitForm, RncpUploadForm
from cqp.middleware import max_body
from cqp.rncp import Fiche, FicheBlock, Route

SESSION_KEY = "rncp_import"
UPLOAD_DIR = "rncp_uploads"
STALE_SECONDS = 24 * 60 * 60
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
_KINDS = {
    "new": gettext_lazy("Nouvelle certification"),
    "renewal": gettext_lazy("Renouvellement"),
    "unchanged": gettext_lazy("Déjà importée"),
    "changed": gettext_lazy("Fiche modifiée"),
    "skipped": gettext_lazy("Import impossible"),
}


def _folder() -> Path:
    folder = Path(settings.MEDIA_ROOT) / UPLOAD_DIR
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _sweep(folder: Path) -> None:
    """Temporary files older than a day: an upload or a fiche left behind by an admin who went away."""
    limit = time.time() - STALE_SECONDS
    for path in folder.iterdir():
        with contextlib.suppress(OSError):
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()


def _store(upload: Any, path: Path) -> None:
    """The upload copied chunk by chunk (Django already wrote a large one to a temporary file)."""
    with open(path, "xb") as out:
        for chunk in upload.chunks():
            out.write(chunk)


def _find(path: Path, number: str) -> Fiche | None:
    # Closed as soon as the fiche is found: the file too, without reading the rest of it.
    with contextlib.closing(cast("Generator[Fiche]", rncp.iter_fiches(path))) as fiches:
        for fiche in fiches:
            if fiche.number == number:
                return fiche
    return None


def fiche_to_json(fiche: Fiche) -> str:
    return json.dumps(dataclasses.asdict(fiche), default=str)


def fiche_from_json(text: str) -> Fiche:
    data = json.loads(text)
    for name in ("effective_on", "registration_end", "decision_on"):
        data[name] = dt.date.fromisoformat(data[name]) if data[name] else None
    data["routes"] = [Route(**route) for route in data["routes"]]
    data["blocks"] = [FicheBlock(**block) for block in data["blocks"]]
    return Fiche(**data)


def _drop(request: AuthenticatedHttpRequest) -> None:
    stash = request.session.pop(SESSION_KEY, None)
    if isinstance(stash, dict) and _TOKEN.match(str(stash.get("token", ""))):
        (_folder() / f"{stash['token']}.json").unlink(missing_ok=True)


def _stashed(request: AuthenticatedHttpRequest) -> tuple[dict[str, Any], Fiche] | None:
    """The fiche this admin uploaded, unless it is gone or older than a day."""
    stash = request.session.get(SESSION_KEY)
    if not isinstance(stash, dict) or stash.get("user") != request.user.pk:
        return None
    token = str(stash.get("token", ""))
    if not _TOKEN.match(token) or time.time() - float(stash.get("saved_at", 0)) > STALE_SECONDS:
        _drop(request)
        return None
    path = _folder() / f"{token}.json"
    try:
        if time.time() - path.stat().st_mtime > STALE_SECONDS:
            raise FileNotFoundError(path)
        return stash, fiche_from_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError, KeyError):
        _drop(request)
        return None


def _too_large(request: AuthenticatedHttpRequest, declared: int) -> HttpResponse:
    check_certifier_admin(request.user)
    refusal = _("Fichier trop lourd (%(n)s Mo) : l'export de France compétences fait moins de %(max)s Go.") % {
        "n": declared // (1024 * 1024),
        "max": RNCP_EXPORT_MAX_BYTES // 1024**3,
    }
    return render(request, "cqp/rncp_upload.html", {"form": RncpUploadForm(), "refusal": refusal}, status=413)


@max_body(RNCP_EXPORT_MAX_BYTES + 1024 * 1024, refuse=_too_large)
def rncp_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    check_certifier_admin(request.user)
    form = RncpUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload, number = form.cleaned_data["file"], form.cleaned_data["number"]
        folder = _folder()
        _sweep(folder)
        token = secrets.token_urlsafe(24)
        path = folder / f"{token}.{upload.export_kind}"
        try:
            _store(upload, path)
            fiche = _find(path, number)
        except (etree.XMLSyntaxError, zipfile.BadZipFile, zlib.error, EOFError) as error:
            form.add_error(
                "file", _("Export illisible (%(error)s) : envoyez le fichier tel que publié.") % {"error": error}
            )
            fiche = None
        except ValueError as error:  # a zip without its one XML file
            form.add_error("file", str(error))
            fiche = None
        finally:
            path.unlink(missing_ok=True)
        if not form.errors and fiche is None:
            form.add_error(
                "number",
                _("Aucune fiche %(number)s dans ce fichier : vérifiez le numéro, ou envoyez un export plus récent.")
                % {"number": number},
            )
        elif fiche is not None and fiche.problems:
            form.add_error(
                None,
                _("La fiche %(number)s ne peut pas être importée : %(problems)s.")
                % {"number": number, "problems": " ; ".join(fiche.problems)},
            )
        elif fiche is not None:
            _drop(request)
            (folder / f"{token}.json").write_text(fiche_to_json(fiche), encoding="utf-8")
            request.session[SESSION_KEY] = {
                "token": token,
                "user": request.user.pk,
                "number": number,
                "filename": str(upload.name)[-100:],
                "saved_at": time.time(),
            }
            return redirect("cqp:rncp_preview")
    return render(request, "cqp/rncp_upload.html", {"form": form})


def rncp_preview(request: AuthenticatedHttpRequest) -> HttpResponse:
    check_certifier_admin(request.user)
    stashed = _stashed(request)
    if stashed is None:
        if request.method == "POST":
            messages.error(request, _("Le fichier envoyé a expiré ou a déjà servi : envoyez l'export de nouveau."))
        return redirect("cqp:rncp_upload")
    stash, fiche = stashed
    form = RncpSplitForm(request.POST or None, blocks=fiche.blocks)
    split = form.split if request.method == "POST" and form.is_valid() else None
    assessment = rncp_import.assess(fiche, split)
    creatable = assessment.kind in {"new", "renewal", "changed"}
    if split is not None and creatable:
        outcome = rncp_import.import_fiche(fiche, split)
        if outcome.kind == "created" and outcome.version_id is not None:
            _drop(request)
            messages.success(
                request,
                _("Version en préparation créée depuis la fiche %(number)s : %(blocks)s blocs, compétences confirmées.")
                % {"number": fiche.number, "blocks": len(fiche.blocks)},
            )
            return redirect("cqp:version_detail", pk=outcome.version_id)
        form.add_error(None, outcome.text.removeprefix("skipped: "))
    elif request.method == "POST" and not creatable and form.is_valid():
        form.add_error(None, _("Rien à créer pour cette fiche."))
    context = {
        "fiche": fiche,
        "stash": stash,
        "assessment": assessment,
        "kind_label": _KINDS[assessment.kind],
        "creatable": creatable,
        "differences": rncp_import.differences(assessment.latest, fiche, split)
        if assessment.kind == "changed" and assessment.latest is not None
        else [],
        "routes": [(rncp_import.ROUTES[r.code].label, r) for r in fiche.routes],
        "blocks": [(block, form[RncpSplitForm.field_name(block)]) for block in fiche.blocks],
        "form": form,
    }
    return render(request, "cqp/rncp_preview.html", context)
