"""Pages of the certifier's paper: the PV and its signatures, the CPNEFP validation, the deadlines, the
parchments of a jury (issue as a batch with a progress bar, download one by one or as a ZIP, cancel,
duplicate, record the sending). The public verification pages are in `certificates.verification`."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from accounts.access import check_certifier_admin
from accounts.types import AuthenticatedHttpRequest
from certificates import access, selectors, services, stamping
from certificates.models import (
    ParchmentStatus,
    ProcesVerbal,
    RenderStatus,
)
from certificates.verification import verify, verify_code
from cqp.actions import run_action
from cqp.forms import add_service_errors
from cqp.lib import bounds
from cqp.lib.downloads import private_download, private_file, private_stream
from cqp.pagination import paginate, search_terms
from juries import result_pages
from juries.models import Decision, Jury
from results.appeals.selectors import open_appeals
from vae.selectors import deadlines as vae_deadlines

__all__ = ["verify", "verify_code"]

_PDF = "application/pdf"


class ValidationForm(forms.Form):
    meeting_on = forms.DateField(
        label=gettext_lazy("Date de la réunion de la CPNEFP"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": gettext_lazy("Indiquez la date de la réunion de la CPNEFP.")},
        validators=[bounds.event_date],  # a date to come: the service says why
    )


class SentForm(forms.Form):
    sent_on = forms.DateField(
        label=gettext_lazy("Envoyé le"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[bounds.event_date],  # a date to come: the service says why
    )


def _form_error(form: forms.Form, missing: str) -> str:
    """The form's own message for a value out of range, else what to fill in."""
    for error in form.errors.as_data().get(next(iter(form.fields)), []):
        if error.code == "date_range":
            return " ".join(error.messages)
    return missing


# --- Deadlines -----------------------------------------------------------------------------------------


def deadlines(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What is open (to notify, to validate, to send) first, whole; then the history, paginated and searchable."""
    check_certifier_admin(request.user)
    today = timezone.localdate()
    sheet = selectors.deadlines_sheet(today)
    q = search_terms(request)
    history = paginate(request, selectors.deadlines_history(sheet.done, q))
    context = {
        "rows": sheet.open,
        **history,
        "history": [sheet.done[pk] for pk in history["page"]],
        "q": q,
        "today": today,
        "overdue": sum(row.results_overdue + row.parchments_overdue for row in sheet.open),
        "appeals": open_appeals(today),
        "flags": result_pages.open_flags(),
        "vae": vae_deadlines(today),  # VAE files waiting for a decision, declarative files still missing
    }
    return render(request, "certificates/deadlines.html", context)


# --- PV ------------------------------------------------------------------------------------------------


def pv_detail(request: AuthenticatedHttpRequest, jury_pk: int) -> HttpResponse:
    jury = access.certification_jury_for(request.user, jury_pk)
    return _pv_page(request, jury, ValidationForm(initial={"meeting_on": timezone.localdate()}))


def _pv_page(request: AuthenticatedHttpRequest, jury: Jury, validation_form: ValidationForm) -> HttpResponse:
    state = selectors.pv_state(jury)
    mine = state.seat_of(request.user)
    context: dict[str, Any] = {
        "jury": jury,
        "pv": state.pv,
        "content": state.content,
        "digest": state.digest,
        "undecided": state.undecided,
        "state": state.signatures,
        "my_seat": mine.seat if mine else None,
        "my_signature": mine.signature if mine else None,
        "my_signature_valid": mine is not None and mine.valid,
        "validation": selectors.cpnefp_validation(jury),
        "validation_form": validation_form,
    }
    # Each line of the PV with its result's state and flags, read apart from the signed content (one query).
    results = result_pages.pv_results(jury)
    context["pv_rows"] = [(c, results.get(c["place"])) for c in state.content["candidates"]]
    return render(request, "certificates/pv.html", context)


@require_POST
def pv_sign(request: AuthenticatedHttpRequest, jury_pk: int) -> HttpResponse:
    jury = access.certification_jury_for(request.user, jury_pk)
    expected = request.POST.get("sha256", "")
    signature = run_action(request, lambda: services.pv_sign(jury=jury, user=request.user, expected_sha256=expected))
    if signature is not None:
        if services.pv_is_signed(jury):
            messages.success(request, _("Procès-verbal signé par tous les membres : il est verrouillé."))
        else:
            messages.success(request, _("Votre signature est enregistrée."))
    return redirect("certificates:pv", jury_pk=jury.pk)


def pv_pdf(request: AuthenticatedHttpRequest, jury_pk: int) -> FileResponse:
    jury = access.certification_jury_for(request.user, jury_pk)
    pv = ProcesVerbal.objects.filter(jury=jury, render_status=RenderStatus.DONE).first()
    if pv is None or not pv.pdf:
        raise Http404
    return private_file(pv.pdf.open("rb"), filename=f"pv-{jury.meets_on:%Y%m%d}-{jury.pk}.pdf", content_type=_PDF)


@require_POST
def validation_record(request: AuthenticatedHttpRequest, jury_pk: int) -> HttpResponse:
    """Record the CPNEFP's validation; refused, the PV page shows the form again with the date typed."""
    jury = access.admin_jury(request.user, jury_pk)
    form = ValidationForm(request.POST)
    if form.is_valid():
        try:
            services.cpnefp_validation_record(
                jury=jury, meeting_on=form.cleaned_data["meeting_on"], recorded_by=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            done = _("Validation de la CPNEFP enregistrée : les résultats sont notifiés aux candidats.")
            messages.success(request, done)
            return redirect("certificates:pv", jury_pk=jury.pk)
    return _pv_page(request, jury, form)


# --- Parchments ----------------------------------------------------------------------------------------


PARCHMENTS_PER_PAGE = 50


def jury_parchments(request: AuthenticatedHttpRequest, jury_pk: int) -> HttpResponse:
    jury = access.admin_jury(request.user, jury_pk)
    lot = request.GET.get("lot", "")
    state = request.GET.get("state", "")
    q = search_terms(request)
    # Typed into the address bar: anything but a number is ignored, not a server error.
    sheet = selectors.parchments_sheet(
        jury, batch_pk=int(lot) if lot.isdecimal() and len(lot) < 12 else None, q=q, state=state
    )
    # Each parchment's result with its state and flags, for the page's parchments only (one query).
    parchments = sheet.parchments.prefetch_related(
        Prefetch("decision", queryset=result_pages.with_state(Decision.objects.all()))
    )
    context = {
        "jury": jury,
        **paginate(request, parchments, per_page=PARCHMENTS_PER_PAGE),
        "q": q,
        "state": state,
        "states": selectors.ParchmentFilter.choices,
        "batch": sheet.batch,
        "progress": services.batch_progress(sheet.batch) if sheet.batch else None,
        "validation": sheet.validation,
        "due": sheet.due,
        "sent_on": timezone.localdate().isoformat(),  # each row's sending date, proposed
        "ready": sheet.ready,
        "total": sheet.total,
        "pending_holders": sheet.pending_holders,
        "to_resume": sheet.to_resume,
        "reason_length": bounds.SHORT_TEXT_LENGTH,
    }
    return render(request, "certificates/jury_parchments.html", context)


@require_POST
def renders_resume(request: AuthenticatedHttpRequest, jury_pk: int) -> HttpResponse:
    jury = access.admin_jury(request.user, jury_pk)
    queued = run_action(request, lambda: services.renders_resume(jury=jury, requested_by=request.user))
    if queued is not None:
        messages.success(
            request,
            ngettext("%(n)d rendu relancé.", "%(n)d rendus relancés.", queued) % {"n": queued}
            if queued
            else _("Aucun rendu à relancer : tout est produit ou en cours."),
        )
    return redirect("certificates:jury_parchments", jury_pk=jury.pk)


@require_POST
def parchments_issue(request: AuthenticatedHttpRequest, jury_pk: int) -> HttpResponse:
    jury = access.admin_jury(request.user, jury_pk)
    batch = run_action(request, lambda: services.parchments_issue_for_jury(jury=jury, issued_by=request.user))
    url = reverse("certificates:jury_parchments", args=[jury.pk])
    return redirect(f"{url}?lot={batch.pk}") if batch else redirect(url)


def batch_progress(request: AuthenticatedHttpRequest, batch_pk: int) -> JsonResponse:
    batch = access.batch_for_admin(request.user, batch_pk)
    return JsonResponse(services.batch_progress(batch))


def parchment_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    parchment = access.parchment_for_admin(request.user, pk)
    # The jury's list is paginated: the parchment's number finds its row.
    url = reverse("certificates:jury_parchments", args=[parchment.decision.jury_id])
    return redirect(f"{url}?{urlencode({'q': parchment.display_number})}#p{pk}")


def parchment_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """A parchment's PDF for an admin or its holder: the stored file, or, cancelled, a copy stamped "ANNULÉ"."""
    parchment = access.parchment_for_user(request.user, pk)
    if not parchment.pdf:  # never rendered yet; during a duplicate's render, the version in force is served
        raise Http404
    filename = stamping.download_name(parchment)
    if parchment.status != ParchmentStatus.VALID:
        with parchment.pdf.open("rb") as source:
            return private_download(stamping.stamped_pdf(source, parchment), filename=filename, content_type=_PDF)
    return private_file(parchment.pdf.open("rb"), filename=filename, content_type=_PDF)


def parchments_zip(request: AuthenticatedHttpRequest, jury_pk: int) -> StreamingHttpResponse:
    """Every rendered parchment of the jury in one ZIP, written as it streams: one parchment in memory at most
    (a cancelled one is stamped as it is written, and named so)."""
    jury = access.admin_jury(request.user, jury_pk)
    parchments = selectors.rendered_parchments(jury)
    if not parchments:
        raise Http404

    def chunks() -> Iterator[bytes]:
        buffer = _Pipe()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
            for parchment in parchments:
                with archive.open(stamping.download_name(parchment), "w") as target:
                    for block in stamping.handed_out(parchment):
                        target.write(block)
                        yield buffer.take()
                yield buffer.take()
        yield buffer.take()

    return private_stream(
        chunks(), filename=f"parchemins-jury-{jury.meets_on:%Y%m%d}-{jury.pk}.zip", content_type="application/zip"
    )


class _Pipe:
    """A write-only file for zipfile that hands over what was written so far."""

    def __init__(self) -> None:
        self._data = bytearray()
        self._offset = 0

    def write(self, data: bytes) -> int:
        self._data += data
        self._offset += len(data)
        return len(data)

    def tell(self) -> int:
        return self._offset

    def flush(self) -> None:
        return None

    def close(self) -> None:
        return None

    def take(self) -> bytes:
        data, self._data = bytes(self._data), bytearray()
        return data


@require_POST
def parchment_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    parchment = access.parchment_for_admin(request.user, pk)
    run_action(
        request,
        lambda: services.parchment_cancel(
            parchment=parchment, reason=request.POST.get("reason", ""), cancelled_by=request.user
        ),
        success=_("Parchemin n° %(n)s annulé : il garde son numéro.") % {"n": parchment.display_number},
    )
    return redirect(reverse("certificates:jury_parchments", args=[parchment.decision.jury_id]))


@require_POST
def parchment_reissue(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    parchment = access.parchment_for_admin(request.user, pk)
    run_action(
        request,
        lambda: services.parchment_reissue(
            parchment=parchment, reason=request.POST.get("reason", ""), requested_by=request.user
        ),
        success=_("Duplicata du parchemin n° %(n)s en cours : même numéro, nouvelle version.")
        % {"n": parchment.display_number},
    )
    return redirect(reverse("certificates:jury_parchments", args=[parchment.decision.jury_id]))


@require_POST
def parchment_sent(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    parchment = access.parchment_for_admin(request.user, pk)
    form = SentForm(request.POST)
    if form.is_valid():
        run_action(
            request,
            lambda: services.parchment_mark_sent(
                parchment=parchment, sent_on=form.cleaned_data["sent_on"], recorded_by=request.user
            ),
            success=_("Envoi du parchemin n° %(n)s enregistré.") % {"n": parchment.display_number},
        )
    else:
        messages.error(request, _form_error(form, _("Indiquez la date d'envoi.")))
    return redirect(reverse("certificates:jury_parchments", args=[parchment.decision.jury_id]))
