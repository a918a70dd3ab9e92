"""Public verification of a parchment: anyone, without logging in, types the code printed on it (or follows its
QR code) or sends its PDF, and learns whether it was issued, by whom, to whom, and whether it still stands. The
original file of a cancelled parchment reads "authentique mais annulé"; a copy stamped "ANNULÉ" by a download
reads as that, a cancelled copy, never as authentic.

Nothing else is said: an unknown code and a malformed one get the same 404, a file that matches no parchment
gets one sentence, and the pages show only what the parchment itself shows (no birth place, no e-mail).
Look-ups are counted per client address and hour in Django's cache, so codes cannot be tried in bulk."""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from candidates.documents import megabytes
from certificates import rules, stamping
from certificates.models import Parchment, ParchmentKind, ParchmentStatus, ParchmentVersion
from cqp.lib.ratelimit import HOUR, within_hourly_limit

MAX_PDF_BYTES = 10 * 1024 * 1024
WINDOW_SECONDS = HOUR  # the counters' window (cqp.lib.ratelimit)


# --- Rate limit ----------------------------------------------------------------------------------------


def lookup_allowed(address: str, *, now: dt.datetime | None = None) -> bool:
    """Count one look-up from `address` in the current hour and say whether it is still within
    `VERIFY_RATE_LIMIT_PER_HOUR`. The counter lives in the shared cache (`add` then `incr`, both atomic), so
    several processes count together; a fixed window keyed by the hour keeps it to one key per address."""
    return within_hourly_limit(f"verify-lookups:{address or 'unknown'}", settings.VERIFY_RATE_LIMIT_PER_HOUR, now=now)


def client_address(meta: Mapping[str, str], *, trusted_proxies: int) -> str:
    """Who is counted for the rate limit. Without a trusted proxy, REMOTE_ADDR (X-Forwarded-For is written
    by the client then). Behind `trusted_proxies` proxies that each append the address they received from,
    the entry that many places from the right: what a client writes before it cannot move it. An IPv6
    address counts for its /64, the block one subscriber holds, so rotating addresses in it gains nothing."""
    address = meta.get("REMOTE_ADDR", "")
    if trusted_proxies:
        hops = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= trusted_proxies:
            address = hops[-trusted_proxies]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _client_address(request: HttpRequest) -> str:
    return client_address(request.META, trusted_proxies=settings.TRUSTED_PROXY_COUNT)


def _seconds_left_in_window(now: dt.datetime) -> int:
    return WINDOW_SECONDS - int(now.timestamp()) % WINDOW_SECONDS


def _too_many(request: HttpRequest) -> HttpResponse:
    response = render(request, "certificates/verify_too_many.html", status=429)
    response["Retry-After"] = str(_seconds_left_in_window(timezone.now()))
    return response


# --- Forms ---------------------------------------------------------------------------------------------


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code de vérification"),
        max_length=40,
        help_text=gettext_lazy("Imprimé sur le parchemin, sous le QR code : 10 caractères, par exemple ABCDE-12345."),
    )

    def clean_code(self) -> str:
        code = rules.normalise_code(self.cleaned_data["code"])
        if not rules.looks_like_a_code(code):
            raise forms.ValidationError(
                _("Un code de vérification compte 10 lettres et chiffres, par exemple ABCDE-12345.")
            )
        return code


class PdfForm(forms.Form):
    pdf = forms.FileField(
        label=gettext_lazy("Fichier PDF du parchemin"),
        widget=forms.FileInput(attrs={"accept": ".pdf,application/pdf"}),
        help_text=gettext_lazy("Le fichier tel qu'il a été reçu, sans modification : 10 Mo au plus."),
        error_messages={"required": gettext_lazy("Choisissez le fichier PDF du parchemin.")},
    )

    def clean_pdf(self) -> UploadedFile[bytes]:
        upload: UploadedFile[bytes] = self.cleaned_data["pdf"]
        size = upload.size or 0  # Django's upload handlers always set it
        if size > MAX_PDF_BYTES:
            raise forms.ValidationError(
                _("Le fichier pèse %(size)s Mo : %(max)s Mo au plus.")
                % {"size": megabytes(size), "max": MAX_PDF_BYTES // (1024 * 1024)}
            )
        upload.seek(0)
        head = upload.read(4)
        upload.seek(0)
        if head != b"%PDF":
            raise forms.ValidationError(
                _("Ce fichier n'est pas un PDF (son contenu a été vérifié, pas seulement son nom).")
            )
        return upload


def sha256_of(upload: UploadedFile[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    return digest.hexdigest()


# --- What the pages show -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Details:
    """What a parchment says, as the public pages show it: its mentions with dates parsed, nothing more."""

    number: str
    code: str
    kind: str
    is_blocks: bool
    holder_name: str
    holder_birth_date: dt.date | None
    rncp_number: str
    title: str
    level: Any
    eu_level: Any
    certifier: str
    blocks: list[dict[str, str]]
    issued_on: dt.date | None
    issued_at: str
    cancelled: bool
    cancelled_at: dt.datetime | None
    cancel_reason: str
    version: int


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def details(parchment: Parchment) -> Details:
    mentions = parchment.mentions
    holder = mentions.get("holder", {})
    certification = mentions.get("certification", {})
    return Details(
        number=parchment.display_number,
        code=rules.display_code(parchment.verification_code),
        kind=str(ParchmentKind(parchment.kind).label),
        is_blocks=parchment.kind == ParchmentKind.BLOCKS,
        holder_name=holder.get("name", ""),
        holder_birth_date=_date(holder.get("birth_date")),
        rncp_number=certification.get("rncp_number", ""),
        title=certification.get("title", ""),
        level=certification.get("level"),
        eu_level=certification.get("eu_level"),
        certifier=mentions.get("certifier", {}).get("legal_name", ""),
        blocks=[
            {"code": b.get("code", ""), "rncp_code": b.get("rncp_code", ""), "title": b.get("title", "")}
            for b in mentions.get("blocks", [])
        ],
        issued_on=_date(mentions.get("issued_on")),
        issued_at=mentions.get("issued_at", ""),
        cancelled=parchment.status == ParchmentStatus.CANCELLED,
        cancelled_at=parchment.cancelled_at,
        cancel_reason=parchment.cancel_reason,
        version=parchment.version,
    )


@dataclass(frozen=True)
class Match:
    """A PDF recognised as one version of a parchment."""

    details: Details
    version: int
    current: bool
    current_rendered_at: dt.datetime | None  # when the version in force was rendered (for "replaced")


def match_pdf(digest: str) -> Match | None:
    """The parchment version whose PDF has this SHA-256, or None. When a duplicate rendered the very same bytes,
    the latest version wins: the file is then the one in force."""
    found = (
        ParchmentVersion.objects.filter(pdf_sha256=digest)
        .select_related("parchment")
        .order_by("-version", "-pk")
        .first()
    )
    if found is None:
        return None
    parchment = found.parchment
    current = found.version >= parchment.version
    rendered_at = None
    if not current:
        rendered_at = parchment.versions.filter(version=parchment.version).values_list("rendered_at", flat=True).first()
    return Match(details=details(parchment), version=found.version, current=current, current_rendered_at=rendered_at)


def cancelled_copy(upload: UploadedFile[bytes]) -> Details | None:
    """The cancelled parchment a stamped copy names (`certificates.stamping`), or None. Such a copy is not the
    original's bytes, so it is never called authentic; what is said of it is what the database says of the
    parchment it names, and only if that parchment is cancelled (a file claiming to be the cancelled copy of a
    valid parchment is just a file that matches nothing)."""
    code = stamping.copy_code(upload)
    if code is None:
        return None
    parchment = Parchment.objects.filter(verification_code=code, status=ParchmentStatus.CANCELLED).first()
    return details(parchment) if parchment else None


def _public(response: HttpResponse) -> HttpResponse:
    # The meta tag says the same, for crawlers that only read the page.
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# --- Views ---------------------------------------------------------------------------------------------


class _SizeLimit(FileUploadHandler):
    """First of the upload handlers: stops reading a body past the limit, whatever Content-Length said (or
    did not say), so nobody fills the disk with what is not a parchment. The handlers after it store the rest."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.exceeded = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


_FORM_OVERHEAD = 64 * 1024  # the CSRF token, the boundaries and the part headers around the file


@login_not_required
@never_cache
@csrf_exempt  # checked below, once the size limit is in place: the CSRF check would read the body first
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The public form: a code typed (GET, redirected to its page) or a PDF sent (POST, compared by SHA-256)."""
    limit = _SizeLimit(request, MAX_PDF_BYTES)
    try:
        announced = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        announced = 0
    if request.method == "POST" and announced > MAX_PDF_BYTES + _FORM_OVERHEAD:
        # Answered without reading the body (nothing is read, nothing changes: no CSRF check needed).
        limit.exceeded = True
        return _verify_page(request, CodeForm(), _too_big_form(), {}, status=413)
    request.upload_handlers.insert(0, limit)
    return _verify(request, limit)


def _too_big_form() -> PdfForm:
    form = PdfForm({}, MultiValueDict())
    too_big = _("Le fichier dépasse %(max)s Mo : ce n'est pas un parchemin délivré.")
    form.errors["pdf"] = form.error_class([too_big % {"max": MAX_PDF_BYTES // 2**20}])
    return form


def _verify_page(
    request: HttpRequest, code_form: CodeForm, pdf_form: PdfForm, outcome: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    context = {"code_form": code_form, "pdf_form": pdf_form, **outcome}
    return _public(render(request, "certificates/verify.html", context, status=status))


@csrf_protect
def _verify(request: HttpRequest, limit: _SizeLimit) -> HttpResponse:
    code_form = CodeForm(request.GET or None)
    pdf_form = PdfForm()
    outcome: dict[str, Any] = {}
    if request.method == "POST":
        if not lookup_allowed(_client_address(request)):
            return _public(_too_many(request))
        pdf_form = PdfForm(request.POST, request.FILES)
        if limit.exceeded:  # the file was not kept: say why, in place of "choose a file"
            pdf_form = _too_big_form()
        elif pdf_form.is_valid():
            upload = pdf_form.cleaned_data["pdf"]
            match = match_pdf(sha256_of(upload))
            outcome = {"checked": True, "match": match, "copy": None if match else cancelled_copy(upload)}
            pdf_form = PdfForm()
    elif code_form.is_valid():
        return redirect("verify:code", code=code_form.cleaned_data["code"])
    return _verify_page(request, code_form, pdf_form, outcome)


@login_not_required
@never_cache
@require_safe
def verify_code(request: HttpRequest, code: str) -> HttpResponse:
    """The page a parchment's QR code opens. An unknown code and a malformed one get the same 404."""
    if not lookup_allowed(_client_address(request)):
        return _public(_too_many(request))
    normalised = rules.normalise_code(code)
    parchment = None
    if rules.looks_like_a_code(normalised):
        parchment = Parchment.objects.filter(verification_code=normalised).first()
    if parchment is None:
        return _public(render(request, "certificates/verify_unknown.html", status=404))
    return _public(render(request, "certificates/verify_code.html", {"parchment": details(parchment)}))
