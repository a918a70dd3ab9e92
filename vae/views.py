"""VAE pages: the candidate prepares and sends their admissibility file, then their declarative file; the
certifier decides; the organisation and the certifier read; the certifier or the jury's president positions.
Thin: access, a form, one service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import check_candidate_manager
from accounts.types import AuthenticatedHttpRequest
from cqp.forms import add_service_errors
from cqp.lib.downloads import private_file
from cqp.models import Block
from cqp.pagination import paginate
from vae import access, rules, selectors, services
from vae.forms import DecisionForm, DeclarativeUploadForm, ExperienceForm, FileCreateForm, PositioningForm, UploadForm
from vae.models import AdmissibilityFile, AdmissibilityStatus


@require_GET
def my_files(request: AuthenticatedHttpRequest) -> HttpResponse:
    candidate = access.own_candidate(request.user)
    files = selectors.candidate_files(request.user)
    return render(request, "vae/my_files.html", {"candidate": candidate, "files": files})


def file_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    candidate = access.own_candidate(request.user)
    form = FileCreateForm(request.POST or None, versions=selectors.vae_versions())
    if request.method == "POST" and form.is_valid():
        try:
            file = services.file_create(
                candidate=candidate,
                version=form.cleaned_data["version"],
                experience_months=form.months(),
                experience=form.cleaned_data["experience"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Dossier de recevabilité créé : joignez vos pièces puis transmettez-le."))
            return redirect("vae:detail", pk=file.pk)
    return render(request, "vae/file_form.html", {"form": form, "file": None}, status=400 if form.errors else 200)


def file_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    file = access.own_file(request.user, pk)
    form = ExperienceForm(request.POST or None, initial=ExperienceForm.initial_of(file))
    if request.method == "POST" and form.is_valid():
        try:
            services.file_update(
                file=file,
                experience_months=form.months(),
                experience=form.cleaned_data["experience"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Expérience déclarée mise à jour."))
            return redirect("vae:detail", pk=file.pk)
    refusal = rules.change_refusal(file.status)
    context = {"form": form, "file": file, "refusal": refusal}
    return render(request, "vae/file_form.html", context, status=400 if form.errors else 200)


def _detail(
    request: AuthenticatedHttpRequest, file: AdmissibilityFile, status: int = 200, **forms: Any
) -> HttpResponse:
    owner = file.candidate.user_id == request.user.pk
    today = timezone.localdate()
    context: dict[str, Any] = {
        "file": file,
        "sheet": selectors.file_sheet(file),
        "owner": owner,
        "change_refusal": rules.change_refusal(file.status),
        "declarative_refusal": rules.declarative_refusal(
            status=file.status, until=file.valid_until, today=today, sent=file.declarative_submitted_at is not None
        ),
        "expired": file.status == AdmissibilityStatus.ADMISSIBLE
        and not rules.admissible_on(status=file.status, until=file.valid_until, on=today),
        "can_position": access.may_position(request.user, file),
    }
    if owner:
        context["upload_form"] = forms.get("upload_form") or UploadForm()
        context["declarative_form"] = forms.get("declarative_form") or DeclarativeUploadForm()
    if request.user.is_certifier_admin and file.status == AdmissibilityStatus.SUBMITTED:
        context["decision_form"] = forms.get("decision_form") or DecisionForm()
    context["submit_error"] = forms.get("submit_error")
    return render(request, "vae/file_detail.html", context, status=status)


@require_GET
def file_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _detail(request, access.file_for_user(request.user, pk))


@require_POST
def document_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    file = access.own_file(request.user, pk)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.document_add(file=file, upload=form.cleaned_data["upload"], actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Pièce ajoutée au dossier de recevabilité."))
            return redirect("vae:detail", pk=file.pk)
    return _detail(request, file, status=400, upload_form=form)


@require_POST
def file_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    file = access.own_file(request.user, pk)
    try:
        services.file_submit(file=file, actor=request.user)
    except ValidationError as exc:
        return _detail(request, file, status=400, submit_error=" ".join(exc.messages))
    messages.success(request, _("Dossier de recevabilité transmis au certificateur."))
    return redirect("vae:detail", pk=file.pk)


@require_POST
def declarative_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    file = access.own_file(request.user, pk)
    form = DeclarativeUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.declarative_add(
                file=file, kind=form.cleaned_data["kind"], upload=form.cleaned_data["upload"], actor=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Document ajouté au dossier déclaratif."))
            return redirect("vae:detail", pk=file.pk)
    return _detail(request, file, status=400, declarative_form=form)


@require_POST
def declarative_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    file = access.own_file(request.user, pk)
    try:
        services.declarative_submit(file=file, actor=request.user)
    except ValidationError as exc:
        return _detail(request, file, status=400, submit_error=" ".join(exc.messages))
    messages.success(
        request,
        _(
            "Dossier déclaratif transmis : votre organisme de formation peut maintenant vous placer dans une session "
            "d'évaluation."
        ),
    )
    return redirect("vae:detail", pk=file.pk)


@require_GET
def file_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    check_candidate_manager(request.user, _("Les dossiers VAE se lisent par les organismes et le certificateur."))
    return render(request, "vae/file_list.html", paginate(request, selectors.file_list(request.user)))


@require_POST
def file_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    file = access.file_for_decision(request.user, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.file_decide(file=file, decided_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Décision de recevabilité enregistrée."))
            return redirect("vae:detail", pk=file.pk)
    return _detail(request, file, status=400, decision_form=form)


def positioning(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    file = access.file_for_positioning(request.user, pk)
    blocks = list(Block.objects.filter(version_id=file.version_id).order_by("order"))
    initial = {p.block_id: (p.assessed, p.notes) for p in file.positionings.all()}
    form = PositioningForm(request.POST or None, blocks=blocks, initial_by_block=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.positioning_record(file=file, entries=form.entries(), recorded_by=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Positionnement enregistré."))
            return redirect("vae:positioning", pk=file.pk)
    refusal = rules.positioning_refusal(declarative_sent=file.declarative_submitted_at is not None)
    context = {"file": file, "form": form, "refusal": refusal}
    return render(request, "vae/positioning.html", context, status=400 if form.errors else 200)


@require_GET
def document_download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    document = access.document_for_user(request.user, pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return private_file(handle, filename=document.original_name, content_type=document.content_type)
