"""Candidate pages: organisation staff see and change their organisation's candidates; certifier
admins see all. Thin views: access, form, one service, redirect or render."""

from __future__ import annotations

import copy
import datetime as dt
import hmac
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.access import check_candidate_manager
from accounts.types import AuthenticatedHttpRequest
from candidates import access, documents, importing, selectors, services
from candidates.forms import (
    AccommodationForm,
    CandidateFilterForm,
    CandidateForm,
    CandidateImportConfirmForm,
    CandidateImportForm,
    DocumentUploadForm,
    EnrolmentForm,
    EnrolmentVersionForm,
)
from candidates.models import Candidate, DocumentKind, livret_part_label, required_document_label
from cqp.actions import run_action
from cqp.forms import add_service_errors
from cqp.lib.agreement import agree
from cqp.lib.downloads import private_file
from cqp.middleware import max_body
from cqp.pagination import paginate
from juries import result_pages
from results import standing
from vae import access as vae_access


def candidate_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    check_candidate_manager(request.user)
    filters = CandidateFilterForm(request.GET or None)
    q, version = "", None
    if filters.is_valid():
        q, version = filters.cleaned_data["q"], filters.cleaned_data["version"]
    context = {"filters": filters, **paginate(request, selectors.candidate_list(request.user, q=q, version=version))}
    # The organisation learns the results the candidate was notified of; certifier admins, all.
    context["rows"] = selectors.candidate_rows(
        context["page"].object_list, notified_only=not request.user.is_certifier_admin
    )
    return render(request, "candidates/candidate_list.html", context)


def candidate_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisation = access.check_candidate_creator(request.user)
    form = CandidateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            candidate = services.candidate_create(
                organisation=organisation, created_by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            created = agree(
                candidate.sex,
                _("Candidat %(name)s enregistré."),
                _("Candidate %(name)s enregistrée."),
                _("Candidat(e) %(name)s enregistré(e)."),
            )
            messages.success(request, created % {"name": candidate.display_name})
            return redirect("candidates:detail", pk=candidate.pk)
    return render(request, "candidates/candidate_form.html", {"form": form, "title": _("Nouveau candidat")})


def candidate_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    candidate = access.candidate_for_user(request.user, pk)
    enrolments = selectors.candidate_enrolments(candidate)
    # The organisation learns the results the candidate was notified of; certifier admins, all.
    notified_only = not request.user.is_certifier_admin
    # Results with their state, blocks acquired for good and remaining, prior acquisitions (results app).
    candidate_file = standing.candidate_file(
        candidate, on=timezone.localdate() + dt.timedelta(days=1), notified_only=notified_only
    )
    # Each enrolment's true state and result (with its parchments), which also close the documents decided.
    states = standing.enrolment_states(
        enrolments,
        notified_only=notified_only,
        with_parchments=True,
        block_standings=cast(list[standing.EnrolmentStanding], candidate_file["block_standings"]),
    )
    context = {
        "candidate": candidate,
        "enrolment_states": [states[e.pk] for e in enrolments],
        "version_form": EnrolmentVersionForm(),
        "accommodation_form": AccommodationForm(),
        "documents": selectors.candidate_documents(candidate, enrolments, states),
        # The VAE route's admissibility files (vae app), as the reader may see them.
        "vae_files": list(vae_access.files_for(request.user).filter(candidate=candidate).order_by("-pk")),
        # With their states and flags.
        "results": result_pages.candidate_decisions(candidate, notified_only=notified_only),
        **candidate_file,
    }
    return render(request, "candidates/candidate_detail.html", context)


def candidate_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    candidate = access.candidate_for_user(request.user, pk)
    form = CandidateForm(request.POST or None, instance=copy.copy(candidate))
    if request.method == "POST" and form.is_valid():
        try:
            services.candidate_update(candidate=candidate, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Fiche du candidat enregistrée."))
            return redirect("candidates:detail", pk=candidate.pk)
    title = _("Modifier %(name)s") % {"name": candidate.display_name}
    return render(request, "candidates/candidate_form.html", {"form": form, "title": title, "candidate": candidate})


@require_POST
def candidate_invite(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    candidate = access.candidate_for_user(request.user, pk)
    sent = run_action(
        request, lambda: services.candidate_invite(candidate=candidate, site_url=request.build_absolute_uri("/"))
    )
    if sent is not None and sent.awaiting_consent:
        # One message for every account that existed: what roles it holds is not for the organisation to learn.
        messages.warning(
            request,
            _(
                "Une invitation à confirmer a été envoyée à %(email)s : la personne reliera elle-même son compte à "
                "son espace candidat. Corrigez l'adresse sur la fiche si elle n'est pas celle du candidat."
            )
            % {"email": candidate.email},
        )
    elif sent is not None:
        messages.success(request, _("Invitation envoyée à %(email)s.") % {"email": candidate.email})
    return redirect("candidates:detail", pk=candidate.pk)


def invitation_accept(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    """The owner of an existing account, signed in, confirms the candidate space their organisation opened."""
    candidate = access.invitation_for_user(request.user, token)
    if request.method == "POST":
        linked = run_action(
            request,
            lambda: services.candidate_invitation_accept(candidate=candidate, user=request.user),
            success=_("Votre espace candidat est relié à votre compte."),
        )
        if linked is not None:
            return redirect("home")
    return render(request, "candidates/invitation_accept.html", {"candidate": candidate})


def candidate_enrol(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    candidate = access.candidate_for_user(request.user, pk)
    chooser = EnrolmentVersionForm(request.GET or request.POST or None)
    if not chooser.is_valid():
        messages.error(request, _("Choisissez une certification en vigueur."))
        return redirect("candidates:detail", pk=candidate.pk)
    version = chooser.cleaned_data["version"]
    form = EnrolmentForm(request.POST if request.method == "POST" else None, version=version)
    if request.method == "POST" and form.is_valid():
        try:
            services.candidate_enrol(candidate=candidate, version=version, created_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                agree(
                    candidate.sex,
                    _("%(name)s est inscrit au %(title)s."),
                    _("%(name)s est inscrite au %(title)s."),
                    _("%(name)s est inscrit(e) au %(title)s."),
                )
                % {"name": candidate.display_name, "title": version.short_title},
            )
            return redirect("candidates:detail", pk=candidate.pk)
    context = {"candidate": candidate, "version": version, "form": form}
    return render(request, "candidates/enrolment_form.html", context)


# Import from a file: upload and preview (nothing written), then confirm (all rows or none).
# A file that can be imported waits in the private storage under a random token (`importing.stash_save`); the
# session holds only that token, the organisation, the file's name and when it was saved. A refused file is kept
# nowhere.
IMPORT_SESSION_KEY = "candidates_import"
# Room for the multipart envelope and the CSRF token around the file.
IMPORT_REQUEST_MAX_BYTES = importing.MAX_BYTES + 64 * 1024
DOCUMENT_REQUEST_MAX_BYTES = documents.MAX_UPLOAD_BYTES + 64 * 1024


def _import_too_large(request: AuthenticatedHttpRequest, declared: int) -> HttpResponse:
    """The import page refusing a file from its declared length (the body is not read)."""
    access.check_candidate_importer(request.user)
    context = {"form": CandidateImportForm(), "refusal": importing.file_problem(".csv", importing.MAX_BYTES + 1)}
    return render(request, "candidates/import_form.html", context, status=413)


def _document_too_large(request: AuthenticatedHttpRequest, declared: int) -> HttpResponse:
    """A document refused from its declared length (the body is not read): back to the page it was sent from."""
    messages.error(request, f"{_('Document')} : {documents.declared_problem(size=declared, name='')}")
    back = request.META.get("HTTP_REFERER", "")
    return redirect(back if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) else "home")


def _drop_stash(request: AuthenticatedHttpRequest) -> None:
    stash = request.session.pop(IMPORT_SESSION_KEY, None)
    if isinstance(stash, dict) and isinstance(stash.get("token"), str):
        importing.stash_delete(stash["token"])


def _stash_import(request: AuthenticatedHttpRequest, *, filename: str, content: bytes) -> str:
    _drop_stash(request)
    token = importing.stash_save(content)
    request.session[IMPORT_SESSION_KEY] = {
        "token": token,
        "organisation": request.user.organisation_id,
        "filename": filename[-100:],
        "saved_at": timezone.now().timestamp(),
    }
    return token


def _stashed_import(request: AuthenticatedHttpRequest, token: str) -> tuple[str, bytes] | None:
    """The file previewed by this user for their organisation, if it is the one they confirm and it has not
    expired."""
    stash = request.session.get(IMPORT_SESSION_KEY)
    if not isinstance(stash, dict) or stash.get("organisation") != request.user.organisation_id:
        return None
    if not hmac.compare_digest(str(stash.get("token", "")), token):
        return None
    if importing.stash_expired(float(stash.get("saved_at", 0))):
        _drop_stash(request)
        return None
    content = importing.stash_read(token)
    return None if content is None else (str(stash.get("filename", "")), content)


def _render_preview(
    request: AuthenticatedHttpRequest, preview: importing.Preview, *, filename: str, token: str | None
) -> HttpResponse:
    context = {
        "preview": preview,
        "filename": filename,
        "confirm_form": CandidateImportConfirmForm(initial={"token": token}),
        "form": CandidateImportForm(),
    }
    return render(request, "candidates/import_preview.html", context)


@max_body(IMPORT_REQUEST_MAX_BYTES, refuse=_import_too_large)
def candidate_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisation = access.check_candidate_importer(request.user)
    form = CandidateImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read(importing.MAX_BYTES + 1)
        parsed = importing.parse_rows(upload.name, content)
        preview = importing.import_preview(organisation=organisation, parsed=parsed)
        if preview.can_commit:
            token: str | None = _stash_import(request, filename=upload.name, content=content)
        else:
            _drop_stash(request)
            token = None
        return _render_preview(request, preview, filename=upload.name, token=token)
    return render(request, "candidates/import_form.html", {"form": form})


@require_POST
def candidate_import_confirm(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisation = access.check_candidate_importer(request.user)
    form = CandidateImportConfirmForm(request.POST)
    stashed = _stashed_import(request, form.cleaned_data["token"]) if form.is_valid() else None
    if stashed is None:
        messages.error(request, _("Aucun fichier en attente d'import, ou il a changé : envoyez-le de nouveau."))
        return redirect("candidates:import")
    filename, content = stashed
    try:
        created = importing.candidates_import(
            organisation=organisation, created_by=request.user, content=content, filename=filename
        )
    except ValidationError:
        messages.error(request, _("Rien n'a été importé : corrigez les lignes en erreur puis renvoyez le fichier."))
        preview = importing.import_preview(organisation=organisation, parsed=importing.parse_rows(filename, content))
        # Still waiting: the candidate created meanwhile may be deleted and the same file confirmed.
        return _render_preview(request, preview, filename=filename, token=form.cleaned_data["token"])
    _drop_stash(request)
    messages.success(
        request,
        ngettext("%(count)s candidat importé.", "%(count)s candidats importés.", len(created))
        % {"count": len(created)},
    )
    return redirect("candidates:list")


# Documents: livret parts, formative evaluations and identity copy. The candidate sends theirs from their
# space (the home page), staff from the candidate's page, which alone offers the formative evaluations;
# they are read only through `document_download`, after an access check.


def _document_slot(cleaned: dict[str, Any]) -> str:
    """Several upload forms share the page: a message names the one it is about."""
    if cleaned.get("test"):
        return required_document_label(cleaned["test"])
    if cleaned.get("block"):
        return livret_part_label(cleaned["block"])
    if cleaned.get("kind") in (DocumentKind.IDENTITY_COPY, DocumentKind.FORMATIVE):
        return str(DocumentKind(cleaned["kind"]).label)
    return _("Document")


def _document_upload(request: AuthenticatedHttpRequest, candidate: Candidate, *, by_candidate: bool) -> None:
    form = DocumentUploadForm(request.POST, request.FILES, candidate=candidate)
    valid = form.is_valid()
    slot = _document_slot(form.cleaned_data)
    if by_candidate and form.cleaned_data.get("kind") == DocumentKind.FORMATIVE:
        messages.error(
            request,
            f"{slot} : " + _("Elles sont déposées par votre organisme de formation, pas depuis votre espace candidat."),
        )
        return
    if not valid:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"{slot} : {error}")
        return
    try:
        document = services.document_upload(candidate=candidate, uploaded_by=request.user, **form.cleaned_data)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, f"{slot} : {message}")
    else:
        messages.success(
            request,
            _("%(label)s : « %(name)s » déposé.") % {"label": document.label, "name": document.original_name},
        )


@max_body(DOCUMENT_REQUEST_MAX_BYTES, refuse=_document_too_large)
@require_POST
def my_document_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    _document_upload(request, access.own_candidate(request.user), by_candidate=True)
    return redirect("home")


@max_body(DOCUMENT_REQUEST_MAX_BYTES, refuse=_document_too_large)
@require_POST
def document_upload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    candidate = access.candidate_for_user(request.user, pk)
    _document_upload(request, candidate, by_candidate=False)
    return redirect("candidates:detail", pk=candidate.pk)


def document_download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    document = access.document_for_user(request.user, pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    # Identity copies and livrets are personal: no shared cache keeps them.
    return private_file(handle, filename=document.original_name, content_type=document.content_type)


def accommodation_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    enrolment = access.enrolment_for_user(request.user, pk)
    refusal = standing.accommodation_refusal(standing.enrolment_state(enrolment))
    if refusal is not None:  # the candidate page does not offer it: an old link or a typed address
        messages.error(request, refusal)
        return redirect("candidates:detail", pk=enrolment.candidate_id)
    form = AccommodationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.accommodation_add(enrolment=enrolment, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Aménagement enregistré."))
            return redirect("candidates:detail", pk=enrolment.candidate_id)
    return render(request, "candidates/accommodation_form.html", {"form": form, "enrolment": enrolment})
