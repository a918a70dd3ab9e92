from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from candidates.models import Enrolment, EnrolmentStatus
from cqp.models import CertificationVersion, VersionStatus
from evaluations.models import EvaluationSession, IdentityDocument, IncidentKind, SessionCandidate


class SessionForm(forms.ModelForm[EvaluationSession]):
    version = forms.ModelChoiceField(
        label=_("Certification"), queryset=CertificationVersion.objects.filter(status=VersionStatus.PUBLISHED)
    )
    slot_minutes = forms.IntegerField(
        label=_("Durée d'un passage (minutes)"),
        min_value=1,
        required=False,
        help_text=_("Laisser vide pour la durée fixée par la certification (26850 : 45 minutes)."),
    )
    ends_on = forms.DateField(
        label=_("Dernier jour"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    class Meta:
        model = EvaluationSession
        fields = [
            "version",
            "starts_on",
            "ends_on",
            "day_starts_at",
            "mode",
            "address",
            "connection_details",
            "slot_minutes",
            "what_to_bring",
        ]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "day_starts_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "address": forms.Textarea(attrs={"rows": 2}),
            "connection_details": forms.Textarea(attrs={"rows": 2}),
            "what_to_bring": forms.Textarea(attrs={"rows": 2}),
        }

    def _post_clean(self) -> None:
        """The service validates the session as a whole (approval, mode, duration)."""


class EnrolmentField(forms.ModelChoiceField[Enrolment]):
    def label_from_instance(self, obj: Enrolment) -> str:
        return obj.candidate.display_name


class PlaceField(forms.ModelChoiceField[SessionCandidate]):
    def label_from_instance(self, obj: SessionCandidate) -> str:
        return obj.enrolment.candidate.display_name


class AddCandidateForm(forms.Form):
    enrolment = EnrolmentField(label=_("Candidat inscrit"), queryset=Enrolment.objects.none())

    def __init__(self, *args: Any, session: EvaluationSession, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(EnrolmentField, self.fields["enrolment"]).queryset = (
            Enrolment.objects.filter(
                version=session.version,
                status=EnrolmentStatus.ACTIVE,
                candidate__organisation=session.organisation,
            )
            .exclude(session_places__session=session)
            .select_related("candidate")
        )


class OverrideForm(forms.Form):
    reason = forms.CharField(label=_("Motif de la dérogation"), widget=forms.Textarea(attrs={"rows": 2}))


class IdentityCheckForm(forms.Form):
    identity_document = forms.ChoiceField(label=_("Pièce présentée"), choices=IdentityDocument.choices)


class IncidentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type d'incident"), choices=IncidentKind.choices)
    place = PlaceField(
        label=_("Candidat concerné"),
        queryset=SessionCandidate.objects.none(),
        required=False,
        empty_label=_("Aucun en particulier"),
    )
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, session: EvaluationSession, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(PlaceField, self.fields["place"]).queryset = session.candidates.select_related("enrolment__candidate")


class SessionFilterForm(forms.Form):
    when = forms.ChoiceField(
        label=_("Période"),
        choices=[("", _("Toutes")), ("upcoming", _("À venir")), ("past", _("Passées"))],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    version = forms.ModelChoiceField(
        label=_("Certification"),
        queryset=CertificationVersion.objects.exclude(status=VersionStatus.DRAFT),
        required=False,
        empty_label=_("Toutes"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
