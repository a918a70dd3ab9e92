"""Candidate pages: organisation staff see and change their organisation's candidates; certifier
admins see all. Thin views: access, form, one service, redirect or render."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from candidates import access, selectors, services
from candidates.forms import CandidateFilterForm, CandidateForm, EnrolmentForm, EnrolmentVersionForm
from cqp.forms import add_service_errors

PAGE_SIZE = 25


def candidate_list(request: HttpRequest) -> HttpResponse:
    access.require_candidate_manager(request.user)
    filters = CandidateFilterForm(request.GET or None)
    q, version = "", None
    if filters.is_valid():
        q, version = filters.cleaned_data["q"], filters.cleaned_data["version"]
    page = Paginator(selectors.candidate_list(request.user, q=q, version=version), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "candidates/candidate_list.html",
        {"page": page, "filters": filters, "query": query.urlencode()},
    )


def candidate_create(request: HttpRequest) -> HttpResponse:
    access.require_candidate_manager(request.user)
    if not request.user.is_organisation_staff:
        raise PermissionDenied(_("Un candidat est enregistré par son organisme de formation."))
    form = CandidateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            candidate = services.candidate_create(
                organisation=request.user.organisation, created_by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Candidat %(name)s enregistré.") % {"name": candidate.display_name})
            return redirect("candidates:detail", pk=candidate.pk)
    return render(request, "candidates/candidate_form.html", {"form": form, "title": _("Nouveau candidat")})


def candidate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = access.candidate_for_user(request.user, pk)
    context = {
        "candidate": candidate,
        "enrolments": selectors.candidate_enrolments(candidate),
        "version_form": EnrolmentVersionForm(),
    }
    return render(request, "candidates/candidate_detail.html", context)


def candidate_edit(request: HttpRequest, pk: int) -> HttpResponse:
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


def candidate_enrol(request: HttpRequest, pk: int) -> HttpResponse:
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
                _("%(name)s est inscrit(e) au %(title)s.")
                % {"name": candidate.display_name, "title": version.short_title},
            )
            return redirect("candidates:detail", pk=candidate.pk)
    context = {"candidate": candidate, "version": version, "form": form}
    return render(request, "candidates/enrolment_form.html", context)
