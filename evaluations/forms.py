from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Field
from django.utils.translation import gettext_lazy as _

from candidates.models import Enrolment
from cqp.lib import bounds
from cqp.models import CertificationVersion, VersionStatus
from evaluations import rules, selectors
from evaluations.models import EvaluationSession, IdentityDocument, IncidentKind, SessionCandidate


class SessionForm(forms.ModelForm[EvaluationSession]):
    version = forms.ModelChoiceField(
        label=_("Certification"), queryset=CertificationVersion.objects.filter(status=VersionStatus.PUBLISHED)
    )
    slot_minutes = forms.IntegerField(
        label=_("Durée d'un passage (minutes)"),
        min_value=bounds.SLOT_MINUTES_MIN,
        max_value=bounds.SLOT_MINUTES_MAX,
        required=False,
        help_text=_(
            "Laisser vide : chaque passage dure le temps des épreuves des blocs que le candidat présente "
            "(26850 : 45 minutes pour les deux blocs), plus son temps supplémentaire. Une durée saisie "
            "s'impose à tous les passages."
        ),
    )
    ends_on = forms.DateField(
        label=_("Dernier jour"),
        required=False,
        validators=[bounds.event_date],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Laisser vide pour une session d'un jour ; %(days)d jours au plus.")
        % {"days": bounds.SESSION_DAYS_MAX},
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The model's validators run in the service (the form skips `_post_clean`): the form says the same at once.
        for name in ("starts_on", "address", "connection_details", "what_to_bring"):
            self.fields[name].validators.extend(
                cast(Field[Any, Any], EvaluationSession._meta.get_field(name)).validators
            )

    def _post_clean(self) -> None:
        """The service validates the session as a whole (approval, mode, duration)."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on:
            refusal = rules.session_length_refusal(starts_on=starts_on, ends_on=ends_on)
            if refusal is not None:
                self.add_error("ends_on", refusal)
        return data


class EnrolmentField(forms.ModelChoiceField[Enrolment]):
    def label_from_instance(self, obj: Enrolment) -> str:
        return obj.candidate.display_name


class PlaceField(forms.ModelChoiceField[SessionCandidate]):
    def label_from_instance(self, obj: SessionCandidate) -> str:
        return obj.enrolment.candidate.display_name


class AddCandidateForm(forms.Form):
    """The enrolment to place: any active enrolment of the organisation in the session's certification (the
    service says in words why one cannot take a place). The page offers them through `EnrolmentSearchForm`."""

    enrolment = EnrolmentField(label=_("Candidat inscrit"), queryset=Enrolment.objects.none())

    def __init__(self, *args: Any, session: EvaluationSession, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(EnrolmentField, self.fields["enrolment"]).queryset = selectors.session_enrolments(session)


class EnrolmentSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Rechercher un candidat inscrit"),
        required=False,
        max_length=bounds.NAME_LENGTH,
        validators=[bounds.refuse_control_characters],
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Nom ou prénom"), "class": "form-control"}),
    )


class OverrideForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif de la dérogation"),
        max_length=bounds.LONG_TEXT_LENGTH,
        error_messages={"required": _("Indiquez le motif de la dérogation.")},
        validators=[bounds.refuse_control_characters],
        widget=forms.Textarea(attrs={"rows": 2}),
    )


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
    description = forms.CharField(
        label=_("Description"),
        max_length=bounds.LONG_TEXT_LENGTH,
        error_messages={"required": _("Décrivez ce qui s'est passé.")},
        validators=[bounds.refuse_control_characters],
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, session: EvaluationSession, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(PlaceField, self.fields["place"]).queryset = session.candidates.select_related("enrolment__candidate")


class SessionFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Rechercher"),
        required=False,
        max_length=bounds.NAME_LENGTH,
        validators=[bounds.refuse_control_characters],
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Certification ou organisme"), "class": "form-control"}
        ),
    )
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
