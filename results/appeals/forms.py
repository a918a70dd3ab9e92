"""Forms of the appeals' pages: they parse and bound; the services decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from candidates.documents import ACCEPT_ATTRIBUTE
from cqp.lib import bounds
from evaluations.models import EvaluationSession
from results.models import ReexaminationMode
from results.services.appeals import MAX_DOCUMENTS, REEXAMINATION, REJECTED

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe); their number and content are the service's."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[bytes]]:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data[: MAX_DOCUMENTS + 1] if item]
        return [single(data, initial)] if data else []


class AppealForm(forms.Form):
    received_on = forms.DateField(
        label=_("Reçu le (date de l'avis de réception de la lettre recommandée)"),
        widget=_DATE,
        validators=[bounds.past_event_date],
    )
    grounds = forms.CharField(
        label=_("Motifs du recours"),
        max_length=bounds.LONG_TEXT_LENGTH,
        validators=[bounds.refuse_control_characters],
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    documents = MultipleFileField(
        label=_("Pièces (la lettre et ses annexes : PDF, PNG ou JPEG)"),
        required=False,
        help_text=_("%(max)d fichiers au plus, 10 Mo chacun.") % {"max": MAX_DOCUMENTS},
    )


class ExamineForm(forms.Form):
    meeting_on = forms.DateField(
        label=_("Date de la réunion de la CPNEF"), widget=_DATE, validators=[bounds.past_event_date]
    )
    outcome = forms.ChoiceField(
        label=_("Décision de la CPNEF"),
        choices=[(REJECTED, _("Recours rejeté")), (REEXAMINATION, _("Réexamen du dossier ordonné"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Motivation de la CPNEF"),
        max_length=bounds.LONG_TEXT_LENGTH,
        validators=[bounds.refuse_control_characters],
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    mode = forms.ChoiceField(
        label=_("Modalité du réexamen"),
        choices=[("", "—"), *ReexaminationMode.choices],
        required=False,
    )
    scope = forms.CharField(
        label=_("Étendue du réexamen"),
        max_length=bounds.LONG_TEXT_LENGTH,
        validators=[bounds.refuse_control_characters],
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Les blocs, les épreuves ou les points à revoir."),
    )


class PlaceForm(forms.Form):
    session = forms.ModelChoiceField(
        label=_("Session de la nouvelle évaluation"), queryset=EvaluationSession.objects.none()
    )

    def __init__(self, *args: Any, sessions: QuerySet[EvaluationSession], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField[EvaluationSession], self.fields["session"]).queryset = sessions
