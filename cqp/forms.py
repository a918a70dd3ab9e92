"""Forms of the referential: they parse and validate; services do the writing."""

from __future__ import annotations

from typing import Any, TypeVar, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cqp.lib import bounds
from cqp.models import NSF_CODE, AccessRoute, ApprovalStatus, Block, CertificationVersion, Competency
from cqp.services import VERSION_FIELDS

_M = TypeVar("_M", bound=models.Model)


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's refusal on the form: on its field when the form has one, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class IdsChoiceField(forms.ModelMultipleChoiceField[_M]):
    """A multiple choice of rows by id whose posted ids are checked to be ids (digits within the database's
    integers) before the query: Django's own sends an id past 64 bits to SQLite, which fails with an overflow."""

    def clean(self, value: Any) -> Any:
        for pk in value if isinstance(value, (list, tuple)) else ():
            text = str(pk)
            if not (text.isascii() and text.isdigit()) or int(text) >= 2**63:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": text[:20]}
                )
        return super().clean(value)


class NsfCodesField(forms.Field):
    def to_python(self, value: Any) -> list[str]:
        text = "" if value in self.empty_values else str(value)
        return [code.strip() for code in text.replace(";", ",").split(",") if code.strip()]

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def validate(self, value: Any) -> None:
        for code in value:
            try:
                NSF_CODE(code)
            except ValidationError:
                raise ValidationError(
                    _("« %(code)s » n'est pas un code NSF : trois chiffres, parfois suivis d'une lettre (ex. : 251)."),
                    params={"code": code},
                ) from None


class VersionForm(forms.ModelForm[CertificationVersion]):
    nsf_codes = NsfCodesField(
        label=_("Codes NSF"), required=False, help_text=_("Séparés par des virgules, ex. : 251, 233")
    )
    access_routes = forms.MultipleChoiceField(
        label=_("Voies d'accès ouvertes"),
        choices=AccessRoute.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = CertificationVersion
        fields = list(VERSION_FIELDS)
        widgets = {
            "decision_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "registration_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "registration_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "prerequisites": forms.Textarea(attrs={"rows": 3}),
            "evaluation_methods": forms.Textarea(attrs={"rows": 4}),
            "to_verify": forms.Textarea(attrs={"rows": 2}),
        }


class CertificationCreateForm(VersionForm):
    slug = forms.SlugField(
        label=_("Identifiant"), max_length=80, help_text=_("Lettres, chiffres et tirets, ex. : horloger-qualifie")
    )
    name = forms.CharField(label=_("Nom de la certification"), max_length=200)

    field_order = ["name", "slug", *VERSION_FIELDS]


class BlockForm(forms.ModelForm[Block]):
    mandatory = forms.MultipleChoiceField(
        label=_("Compétences obligatoires"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Le bloc n'est validé que si toutes ces compétences sont acquises."),
    )

    class Meta:
        model = Block
        fields = ["code", "rncp_code", "title", "title_is_draft", "order", "threshold_percent", "evaluation_methods"]
        widgets = {"evaluation_methods": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            competencies = list(self.instance.competencies.order_by("order", "code"))
            cast(forms.MultipleChoiceField, self.fields["mandatory"]).choices = [
                (c.code, f"{c.code} — {c.label}") for c in competencies
            ]
            self.initial.setdefault("mandatory", [c.code for c in competencies if c.is_mandatory])
        else:
            del self.fields["mandatory"]


class CompetencyForm(forms.ModelForm[Competency]):
    class Meta:
        model = Competency
        fields = ["code", "label", "label_is_draft", "order", "is_mandatory"]


class OrganisationApproveForm(forms.Form):
    start = forms.DateField(
        label=_("Habilité depuis le"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[bounds.event_date],
    )
    end = forms.DateField(
        label=_("Habilité jusqu'au"),
        required=False,
        validators=[bounds.calendar_date],
        help_text=_("Laissez vide pour une habilitation sans date de fin."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reason = forms.CharField(
        label=_("Motif"),
        max_length=2000,
        validators=[bounds.refuse_control_characters],
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class OrganisationWithdrawForm(forms.Form):
    status = forms.TypedChoiceField(
        label=_("Mesure"),
        choices=[
            (ApprovalStatus.SUSPENDED.value, ApprovalStatus.SUSPENDED.label),
            (ApprovalStatus.WITHDRAWN.value, ApprovalStatus.WITHDRAWN.label),
        ],
        coerce=ApprovalStatus,
        initial=ApprovalStatus.SUSPENDED,
    )
    reason = forms.CharField(
        label=_("Motif"),
        max_length=2000,
        validators=[bounds.refuse_control_characters],
        widget=forms.Textarea(attrs={"rows": 2}),
    )
