"""The page of a revocation: a certifier admin withdraws a final award, in two steps: the form (reason, the
decision's reference and date, fraud or not), then a confirmation that says what will happen (the parchments
cancelled, the 3-year ban for a fraud, the later decisions flagged) before anything is written."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import check_certifier_admin
from accounts.models import User
from accounts.types import AuthenticatedHttpRequest
from cqp.forms import add_service_errors
from cqp.lib import bounds
from cqp.lib.outcomes import outcome_words
from juries import lifecycle, result_state
from juries.models import Decision
from results.services import revocation


class RevocationForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Motif du retrait"),
        max_length=bounds.LONG_TEXT_LENGTH,
        validators=[bounds.refuse_control_characters],
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reference = forms.CharField(
        label=gettext_lazy("Référence de la décision de retrait"),
        max_length=revocation.REFERENCE_LENGTH,
        validators=[bounds.refuse_control_characters],
        help_text=gettext_lazy("Elle figure sur les parchemins annulés."),
    )
    decided_on = forms.DateField(
        label=gettext_lazy("Date de la décision de retrait"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[bounds.past_event_date],
    )
    fraud = forms.BooleanField(
        label=gettext_lazy("Retrait pour fraude (exclusion de la certification pendant 3 ans)"), required=False
    )


def decision_for_admin(user: User, pk: int) -> Decision:
    check_certifier_admin(user, _("Seul un administrateur du certificateur retire une certification."))
    return get_object_or_404(
        result_state.with_result_state(Decision.objects.all()).select_related(
            "jury__version", "examined_place__enrolment__candidate", "examined_place__session"
        ),
        pk=pk,
    )


def decision_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    decision = decision_for_admin(request.user, pk)
    form = RevocationForm(request.POST or None, initial={"decided_on": timezone.localdate()})
    preview = None
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        errors = revocation.check(
            decision=decision, reason=values["reason"], reference=values["reference"], decided_on=values["decided_on"]
        )
        if errors:
            add_service_errors(form, ValidationError(errors))
        elif request.POST.get("confirm") == "1":
            try:
                revocation.decision_revoke(
                    decision=decision,
                    reason=values["reason"],
                    reference=values["reference"],
                    fraud=values["fraud"],
                    decided_on=values["decided_on"],
                    revoked_by=request.user,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Certification retirée (décision %(reference)s) : ses parchemins sont annulés.")
                    % {"reference": values["reference"].strip()},
                )
                return redirect("certificates:jury_parchments", jury_pk=decision.jury_id)
        else:
            preview = revocation.preview(decision=decision, fraud=values["fraud"], decided_on=values["decided_on"])
    context: dict[str, Any] = {
        "decision": decision,
        "candidate": decision.examined_place.enrolment.candidate,
        "outcome": outcome_words(decision.kind, [b.code for b in decision.blocks.all()]),
        "result": result_state.view(decision),
        "refusal": lifecycle.refusal(result_state.state(decision), lifecycle.REVOKE),
        "form": form,
        "preview": preview,
    }
    return render(request, "results/revocation/revoke.html", context)


urlpatterns = [
    path("decisions/<int:pk>/retrait/", decision_revoke, name="revoke"),
]
