"""The certifier admin's review of a carry-over flag: a later result relied on one that stopped being final
(appeal, revocation, prior acquisition withdrawn); nothing more is issued from it until an admin writes what was
checked or decided (`juries.carry.flag_resolve`)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.types import AuthenticatedHttpRequest
from cqp.forms import add_service_errors
from cqp.lib import bounds
from juries import access, carry, result_pages, result_state
from juries.models import CarryOverFlag, Decision


class FlagResolutionForm(forms.Form):
    # Not required here: the service says what an empty resolution lacks.
    resolution = forms.CharField(
        label=gettext_lazy("Ce qui a été vérifié ou décidé"),
        required=False,
        max_length=bounds.LONG_TEXT_LENGTH,
        validators=[bounds.refuse_control_characters],
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def flag_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    flag = access.flag_for_admin(request.user, pk)
    form = FlagResolutionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            carry.flag_resolve(flag=flag, resolution=form.cleaned_data["resolution"], resolved_by=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Report d'acquis revu : le signalement est levé."))
            return redirect("juries:flag", pk=flag.pk)
    decision = result_pages.with_state(Decision.objects.filter(pk=flag.decision_id)).get()
    source = flag.source_decision
    context = {
        "flag": flag,
        "decision": decision,
        "candidate": flag.decision.examined_place.enrolment.candidate,
        "source": source,
        "source_state": result_state.view(source) if source is not None else None,
        "others": list(
            CarryOverFlag.objects.filter(decision_id=flag.decision_id).exclude(pk=flag.pk).order_by("raised_at", "pk")
        ),
        "form": form,
    }
    return render(request, "juries/flags/flag_detail.html", context)


urlpatterns = [
    path("reports-a-revoir/<int:pk>/", flag_detail, name="flag"),
]
