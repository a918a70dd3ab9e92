"""Forms for candidates and enrolments: they parse and validate; services write."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from candidates import documents, importing
from candidates.models import AccommodationKind, Candidate, DocumentKind, Enrolment, PrerequisitesOutcome
from candidates.services import CANDIDATE_FIELDS
from cqp.forms import IdsChoiceField
from cqp.lib import bounds
from cqp.models import AccessRoute, Block, BlockTest, CertificationVersion, VersionStatus

TEXT = [bounds.refuse_control_characters]


class CandidateForm(forms.ModelForm[Candidate]):
    class Meta:
        model = Candidate
        fields = list(CANDIDATE_FIELDS)
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "company_address": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The model's validators (bounds.birth_date) check the value; the date picker offers the same range.
        self.fields["birth_date"].widget.attrs.update(
            {"min": bounds.CALENDAR_START.isoformat(), "max": bounds.youngest_birth_date().isoformat()}
        )


class CandidateFilterForm(forms.Form):
    q = forms.CharField(label=_("Nom ou prénom"), required=False, max_length=bounds.NAME_LENGTH, validators=TEXT)
    version = forms.ModelChoiceField(
        label=_("Certification"),
        queryset=CertificationVersion.objects.exclude(status=VersionStatus.DRAFT),
        required=False,
        empty_label=_("Toutes"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class EnrolmentForm(forms.Form):
    access_route = forms.ChoiceField(label=_("Voie d'accès"))
    blocks = IdsChoiceField(
        label=_("Blocs présentés"),
        queryset=Block.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tous les blocs pour la certification complète, ou certains seulement."),
    )
    prerequisites_interview_on = forms.DateField(
        label=_("Entretien de prérequis le"),
        required=False,
        validators=[bounds.past_event_date],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    prerequisites_outcome = forms.ChoiceField(
        label=_("Résultat de l'entretien"),
        choices=[
            ("", "—"),
            (PrerequisitesOutcome.MET, PrerequisitesOutcome.MET.label),
            (PrerequisitesOutcome.NOT_MET, PrerequisitesOutcome.NOT_MET.label),
        ],
        required=False,
    )
    prerequisites_notes = forms.CharField(
        label=_("Notes de l'entretien"),
        required=False,
        max_length=bounds.LONG_TEXT_LENGTH,
        validators=TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, version: CertificationVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(AccessRoute.choices)
        cast(forms.ChoiceField, self.fields["access_route"]).choices = [
            (r, labels.get(r, r)) for r in version.access_routes
        ]
        cast(IdsChoiceField[Block], self.fields["blocks"]).queryset = version.blocks.all()
        self.initial.setdefault("blocks", list(version.blocks.all()))
        if not version.prerequisites_required:
            for name in ("prerequisites_interview_on", "prerequisites_outcome", "prerequisites_notes"):
                del self.fields[name]


class EnrolmentVersionForm(forms.Form):
    version = forms.ModelChoiceField(
        label=_("Certification"),
        queryset=CertificationVersion.objects.filter(status=VersionStatus.PUBLISHED).select_related("certification"),
        empty_label=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class CandidateImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier des candidats"),
        help_text=_("CSV (UTF-8, séparateur « ; » ou « , ») ou XLSX, 2 Mo et 2 000 lignes au plus."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        problem = importing.file_problem(upload.name, upload.size)
        if problem:
            raise forms.ValidationError(problem)
        return upload


class CandidateImportConfirmForm(forms.Form):
    """The token of the previewed file, waiting in the private storage."""

    token = forms.CharField(
        widget=forms.HiddenInput, min_length=32, max_length=32, validators=[RegexValidator(r"^[0-9a-f]{32}$")]
    )


class DocumentUploadForm(forms.Form):
    """One file for one slot: the document of a test (enrolment + block + test: a livret part, a report...),
    the formative evaluations (enrolment) or the identity copy. The choices are limited to the candidate's own
    enrolments, blocks and tests; the service checks the rest (who may send formative evaluations included)."""

    kind = forms.ChoiceField(choices=DocumentKind.choices, widget=forms.HiddenInput)
    enrolment = forms.ModelChoiceField(queryset=Enrolment.objects.none(), required=False, widget=forms.HiddenInput)
    block = forms.ModelChoiceField(queryset=Block.objects.none(), required=False, widget=forms.HiddenInput)
    test = forms.ModelChoiceField(queryset=BlockTest.objects.none(), required=False, widget=forms.HiddenInput)
    file = forms.FileField(
        label=_("Fichier"),
        help_text=_("PDF, PNG ou JPEG, 20 Mo au plus."),
        # An empty file gets the same refusal as any other unaccepted content, from clean_file.
        allow_empty_file=True,
        error_messages={"required": _("Choisissez un fichier PDF, PNG ou JPEG.")},
        widget=forms.ClearableFileInput(attrs={"accept": documents.ACCEPT_ATTRIBUTE}),
    )

    def __init__(self, *args: Any, candidate: Candidate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField[Enrolment], self.fields["enrolment"]).queryset = candidate.enrolments.all()
        cast(forms.ModelChoiceField[Block], self.fields["block"]).queryset = Block.objects.filter(
            enrolments__candidate=candidate
        ).distinct()
        cast(forms.ModelChoiceField[BlockTest], self.fields["test"]).queryset = (
            BlockTest.objects.filter(block__enrolments__candidate=candidate).select_related("block").distinct()
        )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        # Its declared size and its name first: a file refused by them is not read at all.
        problem = documents.declared_problem(size=upload.size or 0, name=upload.name or "")
        if problem is None:
            problem = documents.upload_problem(size=upload.size or 0, head=documents.read_head(upload))
        if problem:
            raise forms.ValidationError(problem)
        return upload


class AccommodationForm(forms.Form):
    """The measure granted for a disability and who approved it. Never medical documents."""

    kind = forms.ChoiceField(label=_("Aménagement"), choices=AccommodationKind.choices)
    extra_minutes = forms.IntegerField(
        label=_("Minutes supplémentaires"),
        min_value=0,
        max_value=bounds.EXTRA_MINUTES_MAX,
        required=False,
        initial=0,
        help_text=_("%(max)s minutes au plus.") % {"max": bounds.EXTRA_MINUTES_MAX},
    )
    measure = forms.CharField(label=_("Mesure accordée"), max_length=bounds.SHORT_TEXT_LENGTH, validators=TEXT)
    referent = forms.CharField(
        label=_("Référent handicap qui l'a validée"), max_length=bounds.NAME_LENGTH, validators=TEXT
    )
    approved_on = forms.DateField(
        label=_("Validée le"),
        validators=[bounds.past_event_date],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean_extra_minutes(self) -> int:
        return self.cleaned_data["extra_minutes"] or 0
