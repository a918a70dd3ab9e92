from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from cqp.lib import bounds
from dysfunctions.models import Proposal, ProposalKind, ReasonKind
from evaluations.models import EvaluationSession, Incident, SessionCandidate

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _text(label: Any, *, limit: int = bounds.LONG_TEXT_LENGTH, required: bool = True, rows: int = 4) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=limit,
        required=required,
        validators=[bounds.refuse_control_characters],
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class ProposalForm(forms.Form):
    kind = forms.ChoiceField(label=_("Je propose"), choices=ProposalKind.choices, widget=forms.RadioSelect)
    reason_kind = forms.ChoiceField(label=_("Motif"), choices=ReasonKind.choices)
    description = _text(_("Description du dysfonctionnement"))
    new_starts_on = forms.DateField(
        label=_("Nouveau premier jour"),
        required=False,
        validators=[bounds.event_date],
        widget=DATE_WIDGET,
        help_text=_("Pour un report seulement."),
    )
    new_ends_on = forms.DateField(
        label=_("Nouveau dernier jour"),
        required=False,
        validators=[bounds.event_date],
        widget=DATE_WIDGET,
        help_text=_("Laisser vide pour une session d'un jour."),
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Décision"),
        choices=[("accept", _("Accepter")), ("refuse", _("Refuser"))],
        widget=forms.RadioSelect,
    )
    reason = _text(_("Motif de la décision"), required=False, rows=3)
    override_reason = _text(
        _("Motif de la dérogation au délai de 15 jours"),
        required=False,
        rows=2,
    )

    def __init__(self, *args: Any, proposal: Proposal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].help_text = _("Obligatoire pour un refus.")
        if proposal.kind != ProposalKind.POSTPONE:
            del self.fields["override_reason"]
        else:
            self.fields["override_reason"].help_text = _(
                "Seulement si le nouveau premier jour est à moins de 15 jours : les convocations partiront quand même."
            )


class PlaceField(forms.ModelChoiceField[SessionCandidate]):
    def label_from_instance(self, obj: SessionCandidate) -> str:
        return obj.enrolment.candidate.display_name


class ReportForm(forms.Form):
    place = PlaceField(label=_("Candidat"), queryset=SessionCandidate.objects.none())
    proposal = forms.ModelChoiceField(
        label=_("Annulation ou report concerné"), queryset=Proposal.objects.none(), required=False
    )
    incident = forms.ModelChoiceField(
        label=_("Incident signalé concerné"), queryset=Incident.objects.none(), required=False
    )
    title = forms.CharField(
        label=_("Objet"), max_length=bounds.NAME_LENGTH, validators=[bounds.refuse_control_characters]
    )
    body = _text(_("Rapport remis au candidat"), rows=8)

    def __init__(self, *args: Any, session: EvaluationSession, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        places = session.candidates.select_related("enrolment__candidate")
        cast(PlaceField, self.fields["place"]).queryset = places
        cast(forms.ModelChoiceField[Proposal], self.fields["proposal"]).queryset = Proposal.objects.filter(
            session=session
        ).select_related("session__version", "session__organisation")
        cast(forms.ModelChoiceField[Incident], self.fields["incident"]).queryset = Incident.objects.filter(
            session=session
        ).select_related("session__version", "session__organisation")
