"""Pages of the PV addendum of a revised result: read by the certification jury's members and the certifier,
signed by the members (bound to the fingerprint of what they read), downloaded as PDF; once signed by all, the
page shows what followed (the appealed decision's parchments cancelled, the new one issued)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import check_any_role
from accounts.models import Role, User
from accounts.types import AuthenticatedHttpRequest
from certificates import rendering
from certificates.models import Parchment
from cqp.actions import run_action
from cqp.lib.downloads import private_download
from cqp.lib.outcomes import outcome_words
from juries import carry, result_state
from juries import rules as jury_rules
from juries.models import Decision
from results.services import addenda


def revision_for(user: User, pk: int) -> Decision:
    """A revision awaiting (or made final by) its PV addendum, for the members of its certification jury and
    certifier admins; 404 for other jury members, 403 for other roles."""
    check_any_role(
        user,
        Role.CERTIFIER_ADMIN,
        Role.JURY_MEMBER,
        message=_("L'avenant au procès-verbal est réservé au jury de certification et au certificateur."),
    )
    decisions = Decision.objects.filter(needs_addendum=True, revises__isnull=False)
    if not user.is_certifier_admin:
        # As the PV: seated on the jury and still approved (one filter() call: the seat and its member are one row).
        decisions = decisions.filter(
            jury__seats__member__user=user, jury__seats__member__status=jury_rules.APPROVED
        ).distinct()
    return get_object_or_404(decisions, pk=pk)


def _outcome_text(outcome: dict[str, Any]) -> str:
    return outcome_words(outcome["kind"], outcome["blocks"])


def addendum_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    decision = revision_for(request.user, pk)
    state = addenda.addendum_state(decision)
    mine = state.seat_of(request.user)
    parchments = list(
        Parchment.objects.filter(decision_id__in=[decision.pk, decision.revises_id]).order_by("decision_id", "number")
    )
    refusal = carry.issue_refusal(state.decision) if state.signed and decision.kind != "none" else None
    context: dict[str, Any] = {
        "decision": state.decision,
        "jury": state.decision.jury,
        "addendum": state.addendum,
        "content": state.content,
        "appealed": _outcome_text(state.content["appealed"]),
        "revised": _outcome_text(state.content["revised"]),
        "digest": state.digest,
        "signatures": state.signatures,
        "signed": state.signed,
        "result": result_state.view(state.decision),
        "my_seat": mine.seat if mine else None,
        "my_signature": mine.signature if mine else None,
        "my_signature_valid": mine is not None and mine.valid,
        "old_parchments": [p for p in parchments if p.decision_id == decision.revises_id],
        "new_parchments": [p for p in parchments if p.decision_id == decision.pk],
        "not_issued": refusal,
        "pv_awaited": None if state.signed else addenda.pv_awaited(state.decision.jury),
    }
    return render(request, "results/addenda/addendum.html", context)


@require_POST
def addendum_sign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    decision = revision_for(request.user, pk)
    expected = request.POST.get("sha256", "")[:64]
    signature = run_action(
        request, lambda: addenda.addendum_sign(decision=decision, user=request.user, expected_sha256=expected)
    )
    if signature is not None:
        if addenda.addendum_state(decision).signed:
            messages.success(
                request,
                _(
                    "Avenant signé par tous les membres : la décision révisée est définitive ; "
                    "ses conséquences ont suivi (parchemins, notification du candidat)."
                ),
            )
        else:
            messages.success(request, _("Votre signature de l'avenant est enregistrée."))
    return redirect("results:addendum", pk=decision.pk)


def addendum_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The addendum as PDF/A, drawn now from the content in force (a page or two: rendered in the request)."""
    decision = revision_for(request.user, pk)
    state = addenda.addendum_state(decision)
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "fonts": rendering.font_faces(),
            "content": state.content,
            "digest": state.digest,
            "signed": state.signed,
            "appealed": _outcome_text(state.content["appealed"]),
            "revised": _outcome_text(state.content["revised"]),
            "jury_date": rendering.long_date(state.content["jury"]["date"]),
            "birth_date": rendering.long_date(state.content["candidate"]["birth_date"]),
            "sex": decision.examined_place.enrolment.candidate.sex,  # "née le", not "né(e) le"
            "appeal_received_on": rendering.long_date((state.content["appeal"] or {}).get("received_on")),
            "appeal_cpnef_on": rendering.long_date((state.content["appeal"] or {}).get("cpnef_meeting_on")),
            "signed_at": rendering.long_datetime(state.addendum.signed_at)
            if state.addendum and state.addendum.signed_at
            else "",
            "signatures": [
                {
                    "name": s.seat.member.name,
                    "signed_at": rendering.long_datetime(s.signature.signed_at),
                    "sha256": s.signature.content_sha256,
                }
                for s in state.signatures
                if s.valid and s.signature is not None
            ],
        }
        html = render_to_string("results/addenda/pdf/addendum.html", context)
    from weasyprint import HTML

    pdf = HTML(string=html, base_url=str(rendering.FONTS_DIR)).write_pdf(pdf_variant="pdf/a-3b")
    return private_download(pdf, filename=f"avenant-decision-{decision.pk}.pdf", content_type="application/pdf")


urlpatterns = [
    path("decisions/<int:pk>/avenant/", addendum_detail, name="addendum"),
    path("decisions/<int:pk>/avenant/signer/", addendum_sign, name="addendum_sign"),
    path("decisions/<int:pk>/avenant.pdf", addendum_pdf, name="addendum_pdf"),
]
