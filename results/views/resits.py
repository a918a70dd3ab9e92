"""The resit page: from a partial or failed final result, the blocks acquired for good (with their origin) and
those still missing, and the later sessions of the same version the candidate may be placed in, in one action."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.types import AuthenticatedHttpRequest
from cqp.forms import add_service_errors
from cqp.lib.agreement import agree
from evaluations.models import EvaluationSession
from juries import result_state
from juries.models import Decision
from results import carry_access
from results.services import resits
from results.standing import enrolment_standing


class SessionChoiceField(forms.ModelChoiceField[EvaluationSession]):
    def label_from_instance(self, obj: EvaluationSession) -> str:
        days = date_format(obj.starts_on)
        if obj.ends_on != obj.starts_on:
            days = _("du %(start)s au %(end)s") % {"start": days, "end": date_format(obj.ends_on)}
        return f"{days} — {obj.get_mode_display()}"


class ResitForm(forms.Form):
    session = SessionChoiceField(
        label=gettext_lazy("Session"), queryset=EvaluationSession.objects.none(), widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, decision: Decision, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = resits.resit_sessions(decision)  # type: ignore[attr-defined]


def resit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    decision = carry_access.decision_for_resit(request.user, pk)
    enrolment = decision.examined_place.enrolment
    candidate = enrolment.candidate
    refusal = resits.resit_refusal(decision)
    form = ResitForm(request.POST or None, decision=decision)
    if request.method == "POST" and refusal is None and form.is_valid():
        try:
            place = resits.resit_enrol(
                decision=decision, session=form.cleaned_data["session"], enrolled_by=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                agree(
                    candidate.sex,
                    _("%(name)s est inscrit en rattrapage à la session du %(date)s."),
                    _("%(name)s est inscrite en rattrapage à la session du %(date)s."),
                    _("%(name)s est inscrit(e) en rattrapage à la session du %(date)s."),
                )
                % {"name": candidate.display_name, "date": date_format(place.session.starts_on)},
            )
            return redirect("evaluations:detail", pk=place.session_id)
    elif request.method == "POST" and refusal is not None:
        messages.error(request, refusal)
    context = {
        "decision": decision,
        "candidate": candidate,
        "version": enrolment.version,
        "state": result_state.view(decision),
        "refusal": refusal,
        # Acquired for good as a session starting tomorrow would count it (the earliest a resit may be).
        "standing": enrolment_standing(enrolment, on=timezone.localdate() + dt.timedelta(days=1)),
        "form": form,
    }
    return render(request, "results/resits/resit.html", context)


urlpatterns = [path("rattrapage/<int:pk>/", resit, name="resit")]
