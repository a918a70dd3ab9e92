"""Dysfunction pages: the organisation proposes to cancel or postpone a session, the certifier decides and writes
the incident reports its candidates read. Thin: access, a form, one service."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.types import AuthenticatedHttpRequest
from cqp.forms import add_service_errors
from cqp.pagination import paginate
from dysfunctions import access, rules, selectors, services
from dysfunctions.forms import DecisionForm, ProposalForm, ReportForm
from dysfunctions.models import Proposal, ProposalStatus


@require_GET
def proposal_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.check_proposals_reader(request.user)
    return render(request, "dysfunctions/proposal_list.html", paginate(request, selectors.proposal_list(request.user)))


def proposal_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = access.session_for_proposer(request.user, pk)
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.proposal_submit(session=session, proposed_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Proposition transmise au certificateur."))
            return redirect("dysfunctions:detail", pk=proposal.pk)
    refusal = rules.proposal_refusal(
        today=timezone.localdate(),
        session_ends_on=session.ends_on,
        cancelled=services.session_is_cancelled(session),
        pending=session.dysfunction_proposals.filter(status=ProposalStatus.PENDING).exists(),
    )
    return render(request, "dysfunctions/proposal_form.html", {"session": session, "form": form, "refusal": refusal})


def _render_detail(
    request: AuthenticatedHttpRequest, proposal: Proposal, form: DecisionForm | None = None, status: int = 200
) -> HttpResponse:
    if form is None and request.user.is_certifier_admin and proposal.status == ProposalStatus.PENDING:
        form = DecisionForm(proposal=proposal)
    context = {
        "proposal": proposal,
        "session": proposal.session,
        "form": form,
        "override_needed": proposal.new_starts_on is not None
        and rules.override_needed(today=timezone.localdate(), new_starts_on=proposal.new_starts_on),
    }
    return render(request, "dysfunctions/proposal_detail.html", context, status=status)


@require_GET
def proposal_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, access.proposal_for_user(request.user, pk))


@require_POST
def proposal_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    proposal = access.proposal_for_decision(request.user, pk)
    form = DecisionForm(request.POST, proposal=proposal)
    if form.is_valid():
        accept = form.cleaned_data["decision"] == "accept"
        try:
            decided = services.proposal_decide(
                proposal=proposal,
                accept=accept,
                reason=form.cleaned_data["reason"],
                override_reason=form.cleaned_data.get("override_reason", ""),
                decided_by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if not accept:
                messages.success(request, _("Proposition refusée."))
            elif decided.kind == "cancel":
                messages.success(request, _("Session annulée."))
            else:
                messages.success(
                    request,
                    _("Session reportée : %(n)d candidat(s) convoqué(s) à nouveau.") % {"n": decided.reconvoked},
                )
            return redirect("dysfunctions:detail", pk=proposal.pk)
    return _render_detail(request, proposal, form)


def report_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = access.session_for_reporter(request.user, pk)
    form = ReportForm(request.POST or None, session=session, initial={"place": request.GET.get("place")})
    if request.method == "POST" and form.is_valid():
        try:
            report = services.incident_report_write(written_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Rapport d'incident remis au candidat."))
            return redirect("dysfunctions:report", pk=report.pk)
    context = {"session": session, "form": form, "reports": selectors.session_reports(session)}
    return render(request, "dysfunctions/report_form.html", context)


@require_GET
def report_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = access.report_for_user(request.user, pk)
    return render(request, "dysfunctions/report_detail.html", {"report": report})
