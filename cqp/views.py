"""Pages of the referential: everyone logged in browses it, certifier admins edit it."""

from __future__ import annotations

import copy
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import check_certifier_admin, require_certifier_admin
from accounts.selectors import audit_trail
from accounts.types import AuthenticatedHttpRequest
from cqp import access, block_tests, selectors, services
from cqp.actions import run_action
from cqp.forms import (
    BlockForm,
    BlockTestForm,
    CertificationCreateForm,
    CompetencyForm,
    OrganisationApproveForm,
    OrganisationWithdrawForm,
    VersionForm,
    add_service_errors,
)
from cqp.models import Block, BlockTest, CertificationVersion, Competency, TrainingOrganisation, block_rule_in_words
from cqp.pagination import paginate, search_terms


def certification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    q = search_terms(request)
    context = {**paginate(request, selectors.certification_list(request.user, q)), "q": q}
    return render(request, "cqp/certification_list.html", context)


def version_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    version = access.version_for_user(request.user, pk)
    blocks = selectors.version_with_blocks(version)
    prefetch_related_objects(blocks, "tests")
    block_rules = []
    for block in blocks:
        competencies = list(block.competencies.all())
        rule_text = block_rule_in_words(
            threshold_percent=block.threshold_percent,
            total=len(competencies),
            mandatory_codes=[c.code for c in competencies if c.is_mandatory],
        )
        block_rules.append((block, rule_text))
    context = {
        "version": version,
        "block_rules": block_rules,
        "tests_minutes": sum(t.duration_minutes for b in blocks for t in b.tests.all()),
        "in_use": services.version_is_in_use(version) if request.user.is_certifier_admin else None,
        "problems": services.version_problems(version, blocks=blocks) if request.user.is_certifier_admin else [],
    }
    return render(request, "cqp/version_detail.html", context)


def _form_page(
    request: HttpRequest, form: Any, *, title: str, back: str, version: CertificationVersion | None
) -> HttpResponse:
    return render(request, "cqp/form.html", {"form": form, "title": title, "back": back, "version": version})


@require_certifier_admin
def certification_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = CertificationCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            version = services.certification_create(slug=data.pop("slug"), name=data.pop("name"), **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(rncp)s créée en préparation.") % {"rncp": version.rncp_number})
            return redirect("cqp:version_detail", pk=version.pk)
    return _form_page(
        request, form, title=_("Nouvelle certification"), back=reverse("cqp:certification_list"), version=None
    )


@require_certifier_admin
def version_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    version = access.version_for_user(request.user, pk)
    form = VersionForm(request.POST or None, instance=copy.copy(version))
    if request.method == "POST" and form.is_valid():
        try:
            services.version_update(version=version, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Version enregistrée."))
            return redirect("cqp:version_detail", pk=version.pk)
    return _form_page(
        request,
        form,
        title=_("Modifier %(version)s") % {"version": version},
        back=version_url(version),
        version=version,
    )


def version_url(version: CertificationVersion) -> str:
    return reverse("cqp:version_detail", args=[version.pk])


@require_POST
@require_certifier_admin
def version_publish(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    version = access.version_for_user(request.user, pk)
    run_action(
        request, lambda: services.version_publish(version=version), success=_("Version publiée : elle est en vigueur.")
    )
    return redirect("cqp:version_detail", pk=version.pk)


@require_POST
@require_certifier_admin
def version_archive(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    version = access.version_for_user(request.user, pk)
    run_action(request, lambda: services.version_archive(version=version), success=_("Version archivée."))
    return redirect("cqp:version_detail", pk=version.pk)


@require_POST
@require_certifier_admin
def version_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    version = access.version_for_user(request.user, pk)
    new = run_action(
        request, lambda: services.version_new(previous=version), success=_("Nouvelle version créée en préparation.")
    )
    return redirect("cqp:version_detail", pk=(new or version).pk)


@require_certifier_admin
def block_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    version = access.version_for_user(request.user, pk)
    next_order = version.blocks.count() + 1
    form = BlockForm(
        request.POST or None,
        instance=Block(version=version),
        initial={"code": f"BC{next_order}", "rncp_code": f"{version.rncp_code}BC{next_order:02d}", "order": next_order},
    )
    if request.method == "POST" and form.is_valid():
        try:
            block = services.block_create(version=version, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Bloc %(code)s ajouté.") % {"code": block.code})
            return redirect("cqp:version_detail", pk=version.pk)
    return _form_page(
        request,
        form,
        title=_("Nouveau bloc — %(version)s") % {"version": version},
        back=version_url(version),
        version=version,
    )


@require_certifier_admin
def block_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    block = access.block_for_admin(request.user, pk)
    form = BlockForm(request.POST or None, instance=copy.copy(block))
    if request.method == "POST" and form.is_valid():
        try:
            services.block_update(block=block, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Bloc %(code)s enregistré.") % {"code": block.code})
            return redirect("cqp:version_detail", pk=block.version_id)
    return _form_page(
        request,
        form,
        title=_("Modifier le bloc %(code)s — %(version)s") % {"code": block.code, "version": block.version},
        back=version_url(block.version),
        version=block.version,
    )


@require_POST
@require_certifier_admin
def block_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    block = access.block_for_admin(request.user, pk)
    run_action(
        request, lambda: services.block_delete(block=block), success=_("Bloc %(code)s supprimé.") % {"code": block.code}
    )
    return redirect("cqp:version_detail", pk=block.version_id)


@require_certifier_admin
def competency_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    block = access.block_for_admin(request.user, pk)
    position = block.competencies.count() + 1
    number = block.code.removeprefix("BC")
    form = CompetencyForm(
        request.POST or None,
        instance=Competency(block=block),
        initial={"code": f"C{number}.{position}", "order": position},
    )
    if request.method == "POST" and form.is_valid():
        try:
            competency = services.competency_create(block=block, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Compétence %(code)s ajoutée au bloc %(block)s.") % {"code": competency.code, "block": block.code},
            )
            return redirect("cqp:version_detail", pk=block.version_id)
    return _form_page(
        request,
        form,
        title=_("Nouvelle compétence — bloc %(code)s") % {"code": block.code},
        back=version_url(block.version),
        version=block.version,
    )


@require_certifier_admin
def competency_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    competency = access.competency_for_admin(request.user, pk)
    form = CompetencyForm(request.POST or None, instance=copy.copy(competency))
    version = competency.block.version
    if request.method == "POST" and form.is_valid():
        try:
            services.competency_update(competency=competency, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Compétence %(code)s enregistrée.") % {"code": form.cleaned_data["code"]})
            return redirect("cqp:version_detail", pk=version.pk)
    return _form_page(
        request,
        form,
        title=_("Modifier la compétence %(code)s") % {"code": competency.code},
        back=version_url(version),
        version=version,
    )


@require_POST
@require_certifier_admin
def competency_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    competency = access.competency_for_admin(request.user, pk)
    run_action(
        request,
        lambda: services.competency_delete(competency=competency),
        success=_("Compétence %(code)s supprimée.") % {"code": competency.code},
    )
    return redirect("cqp:version_detail", pk=competency.block.version_id)


# Training organisations' approval: granted, suspended or withdrawn by certifier admins, with its history.


@require_certifier_admin
def organisation_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    q = search_terms(request)
    pages = paginate(request, selectors.organisations(q))
    context = {**pages, "rows": selectors.organisation_approvals(pages["page"]), "q": q}
    return render(request, "cqp/organisation_list.html", context)


def _organisation_page(
    request: AuthenticatedHttpRequest,
    organisation: TrainingOrganisation,
    *,
    approve_form: OrganisationApproveForm | None = None,
    withdraw_form: OrganisationWithdrawForm | None = None,
) -> HttpResponse:
    initial = {"start": organisation.approval_start or timezone.localdate(), "end": organisation.approval_end}
    context = {
        "organisation": organisation,
        "valid_today": organisation.approval_is_valid(timezone.localdate()),
        "approve_form": approve_form or OrganisationApproveForm(initial=initial, prefix="approve"),
        "withdraw_form": withdraw_form or OrganisationWithdrawForm(prefix="withdraw"),
        "events": audit_trail(organisation),
    }
    return render(request, "cqp/organisation_detail.html", context)


def organisation_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _organisation_page(request, access.organisation_for_admin(request.user, pk))


@require_POST
def organisation_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organisation = access.organisation_for_admin(request.user, pk)
    form = OrganisationApproveForm(request.POST, prefix="approve")
    if form.is_valid():
        try:
            services.organisation_approve(organisation=organisation, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Habilitation de %(org)s enregistrée.") % {"org": organisation.name})
            return redirect("organisations:detail", pk=organisation.pk)
    return _organisation_page(request, organisation, approve_form=form)


@require_POST
def organisation_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organisation = access.organisation_for_admin(request.user, pk)
    form = OrganisationWithdrawForm(request.POST, prefix="withdraw")
    if form.is_valid():
        try:
            changed = services.organisation_withdraw(organisation=organisation, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            status = changed.get_approval_status_display()
            messages.success(request, _("%(org)s : %(status)s.") % {"org": changed.name, "status": status.lower()})
            return redirect("organisations:detail", pk=organisation.pk)
    return _organisation_page(request, organisation, withdraw_form=form)


# The tests (épreuves) of a block: certifier admins add, change and remove them while the version is not in use.


def _test_for_admin(request: AuthenticatedHttpRequest, pk: int) -> BlockTest:
    """403 for anyone but a certifier admin, then 404 when the test does not exist."""
    check_certifier_admin(request.user)
    return get_object_or_404(BlockTest.objects.select_related("block__version__certification"), pk=pk)


@require_certifier_admin
def block_test_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    block = access.block_for_admin(request.user, pk)
    next_order = block.tests.count() + 1
    form = BlockTestForm(request.POST or None, instance=BlockTest(block=block), initial={"order": next_order})
    if request.method == "POST" and form.is_valid():
        try:
            test = block_tests.block_test_create(block=block, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Épreuve « %(title)s » ajoutée au bloc %(code)s.") % {"title": test.title, "code": block.code},
            )
            return redirect("cqp:version_detail", pk=block.version_id)
    return _form_page(
        request,
        form,
        title=_("Nouvelle épreuve — bloc %(code)s") % {"code": block.code},
        back=version_url(block.version),
        version=block.version,
    )


@require_certifier_admin
def block_test_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    test = _test_for_admin(request, pk)
    version = test.block.version
    form = BlockTestForm(request.POST or None, instance=copy.copy(test))
    if request.method == "POST" and form.is_valid():
        try:
            block_tests.block_test_update(test=test, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Épreuve « %(title)s » enregistrée.") % {"title": form.cleaned_data["title"]})
            return redirect("cqp:version_detail", pk=version.pk)
    return _form_page(
        request,
        form,
        title=_("Modifier une épreuve du bloc %(code)s") % {"code": test.block.code},
        back=version_url(version),
        version=version,
    )


@require_POST
@require_certifier_admin
def block_test_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    test = _test_for_admin(request, pk)
    run_action(
        request,
        lambda: block_tests.block_test_delete(test=test, actor=request.user),
        success=_("Épreuve « %(title)s » supprimée.") % {"title": test.title},
    )
    return redirect("cqp:version_detail", pk=test.block.version_id)
