"""Prior acquisitions' pages: a certifier admin records one for a candidate (with an optional scanned PV),
withdraws one with a reason, imports many from a file (preview, then all or nothing); the certifier and the
candidate's organisation download the scan. The list is a section of the candidate's file
(`results/prior/candidate_section.html`)."""

from __future__ import annotations

import hmac
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from accounts.access import check_certifier_admin
from accounts.types import AuthenticatedHttpRequest
from candidates import importing as candidate_importing
from cqp.forms import add_service_errors
from cqp.lib import bounds
from cqp.lib.downloads import private_download, private_file
from cqp.middleware import max_body
from cqp.models import Block, VersionStatus
from juries.models import PriorSource
from juries.services.prior import SCAN_MAX_BYTES, prior_acquisition_record, prior_acquisition_withdraw
from results import carry_access, importing

TEXT = [bounds.refuse_control_characters]
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BlockChoiceField(forms.ModelChoiceField[Block]):
    def label_from_instance(self, obj: Block) -> str:
        return f"{obj.version.rncp_number} · {obj.code} — {obj.title}"


class PriorAcquisitionForm(forms.Form):
    block = BlockChoiceField(
        label=gettext_lazy("Bloc de compétences"),
        queryset=Block.objects.exclude(version__status=VersionStatus.DRAFT)
        .select_related("version")
        .order_by("version__rncp_code", "-version_id", "order", "code"),
    )
    acquired_on = forms.DateField(
        label=gettext_lazy("Acquis le"), validators=[bounds.past_event_date], widget=DATE_WIDGET
    )
    source = forms.ChoiceField(label=gettext_lazy("Source"), choices=PriorSource.choices)
    reference = forms.CharField(
        label=gettext_lazy("Référence"),
        max_length=bounds.NAME_LENGTH,
        validators=TEXT,
        help_text=gettext_lazy("N° du procès-verbal, du dossier ou de l'attestation."),
    )
    scan = forms.FileField(
        label=gettext_lazy("PV numérisé (facultatif)"),
        required=False,
        help_text=gettext_lazy("PDF, 10 Mo au plus."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Motif du retrait"),
        max_length=bounds.SHORT_TEXT_LENGTH,
        validators=TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Fichier des acquis antérieurs"),
        help_text=gettext_lazy("CSV (UTF-8, séparateur « ; » ou « , ») ou XLSX, 2 Mo et 1 000 lignes au plus."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        problem = candidate_importing.file_problem(upload.name, upload.size)
        if problem:
            raise forms.ValidationError(problem)
        return upload


class ImportConfirmForm(forms.Form):
    token = forms.CharField(
        widget=forms.HiddenInput, min_length=32, max_length=32, validators=[RegexValidator(r"^[0-9a-f]{32}$")]
    )


# --- One prior acquisition -------------------------------------------------------------------------------------

RECORD_REQUEST_MAX_BYTES = SCAN_MAX_BYTES + 64 * 1024


@max_body(RECORD_REQUEST_MAX_BYTES)
def prior_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    candidate = carry_access.candidate_for_admin(request.user, pk)
    form = PriorAcquisitionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            prior = prior_acquisition_record(candidate=candidate, recorded_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Acquis antérieur %(code)s enregistré pour %(name)s.")
                % {"code": prior.block.code, "name": candidate.display_name},
            )
            return redirect("candidates:detail", pk=candidate.pk)
    return render(request, "results/prior/prior_form.html", {"form": form, "candidate": candidate})


def prior_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    prior = carry_access.prior_for_admin(request.user, pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            prior_acquisition_withdraw(prior=prior, reason=form.cleaned_data["reason"], withdrawn_by=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Acquis antérieur %(code)s retiré.") % {"code": prior.block.code})
            return redirect("candidates:detail", pk=prior.candidate_id)
    return render(request, "results/prior/withdraw_form.html", {"form": form, "prior": prior})


def prior_scan(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    prior = carry_access.prior_scan_for_user(request.user, pk)
    try:
        handle = prior.scan.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return private_file(handle, filename=prior.scan_name or "pv.pdf", content_type="application/pdf")


# --- Import from a file: upload and preview (nothing written), then confirm (all rows or none) ----------------
# The previewed file waits in the private storage under a random token (`candidates.importing.stash_save`); the
# session holds the token, the admin's id, the file's name and when it was saved.

IMPORT_SESSION_KEY = "prior_acquisitions_import"
IMPORT_REQUEST_MAX_BYTES = candidate_importing.MAX_BYTES + 64 * 1024


def _import_too_large(request: AuthenticatedHttpRequest, declared: int) -> HttpResponse:
    check_certifier_admin(request.user)
    refusal = candidate_importing.file_problem(".csv", candidate_importing.MAX_BYTES + 1)
    return render(request, "results/prior/import_form.html", {"form": ImportForm(), "refusal": refusal}, status=413)


def _drop_stash(request: AuthenticatedHttpRequest) -> None:
    stash = request.session.pop(IMPORT_SESSION_KEY, None)
    if isinstance(stash, dict) and isinstance(stash.get("token"), str):
        candidate_importing.stash_delete(stash["token"])


def _stashed(request: AuthenticatedHttpRequest, token: str) -> tuple[str, bytes] | None:
    stash = request.session.get(IMPORT_SESSION_KEY)
    if not isinstance(stash, dict) or stash.get("user") != request.user.pk:
        return None
    if not hmac.compare_digest(str(stash.get("token", "")), token):
        return None
    if candidate_importing.stash_expired(float(stash.get("saved_at", 0))):
        _drop_stash(request)
        return None
    content = candidate_importing.stash_read(token)
    return None if content is None else (str(stash.get("filename", "")), content)


def _render_preview(
    request: AuthenticatedHttpRequest, preview: importing.Preview, *, filename: str, token: str | None
) -> HttpResponse:
    context = {
        "preview": preview,
        "filename": filename,
        "confirm_form": ImportConfirmForm(initial={"token": token}),
        "form": ImportForm(),
    }
    return render(request, "results/prior/import_preview.html", context)


@max_body(IMPORT_REQUEST_MAX_BYTES, refuse=_import_too_large)
def prior_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    check_certifier_admin(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read(candidate_importing.MAX_BYTES + 1)
        preview = importing.import_preview(upload.name, content)
        _drop_stash(request)
        token = None
        if preview.can_commit:
            token = candidate_importing.stash_save(content)
            request.session[IMPORT_SESSION_KEY] = {
                "token": token,
                "user": request.user.pk,
                "filename": upload.name[-100:],
                "saved_at": timezone.now().timestamp(),
            }
        return _render_preview(request, preview, filename=upload.name, token=token)
    return render(request, "results/prior/import_form.html", {"form": form})


@require_POST
def prior_import_confirm(request: AuthenticatedHttpRequest) -> HttpResponse:
    check_certifier_admin(request.user)
    form = ImportConfirmForm(request.POST)
    stashed = _stashed(request, form.cleaned_data["token"]) if form.is_valid() else None
    if stashed is None:
        messages.error(request, _("Aucun fichier en attente d'import, ou il a changé : envoyez-le de nouveau."))
        return redirect("results:prior_import")
    filename, content = stashed
    try:
        recorded = importing.prior_acquisitions_import(content=content, filename=filename, recorded_by=request.user)
    except ValidationError:
        messages.error(request, _("Rien n'a été importé : corrigez les lignes en erreur puis renvoyez le fichier."))
        preview = importing.import_preview(filename, content)
        return _render_preview(request, preview, filename=filename, token=cast(str, form.cleaned_data["token"]))
    _drop_stash(request)
    messages.success(
        request,
        ngettext("%(count)s acquis antérieur importé.", "%(count)s acquis antérieurs importés.", len(recorded))
        % {"count": len(recorded)},
    )
    return redirect("results:prior_import")


def prior_import_sample(request: AuthenticatedHttpRequest) -> HttpResponse:
    check_certifier_admin(request.user)
    # A BOM, so that Excel reads the accents as UTF-8.
    content = ("\ufeff" + importing.sample_csv()).encode()
    return private_download(content, filename="acquis-anterieurs-modele.csv", content_type="text/csv; charset=utf-8")


urlpatterns = [
    path("acquis/candidat/<int:pk>/nouveau/", prior_create, name="prior_create"),
    path("acquis/<int:pk>/retirer/", prior_withdraw, name="prior_withdraw"),
    path("acquis/<int:pk>/pv/", prior_scan, name="prior_scan"),
    path("acquis/import/", prior_import, name="prior_import"),
    path("acquis/import/confirmer/", prior_import_confirm, name="prior_import_confirm"),
    path("acquis/import/modele.csv", prior_import_sample, name="prior_import_sample"),
]
