"""Forms of the referential: they parse and validate; services do the writing."""

from __future__ import annotations

import re
from typing import Any, TypeVar, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cqp.lib import bounds
from cqp.models import NSF_CODE, AccessRoute, ApprovalStatus, Block, BlockTest, CertificationVersion, Competency
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


# Importing an RNCP fiche from France compétences' export (cqp/rncp_views.py).

RNCP_EXPORT_MAX_BYTES = 1024 * 1024 * 1024  # the real export is a few hundred MB unzipped
RNCP_MAX_COMPETENCIES = 99  # a competency's code is C<block>.<1 to 99>
RNCP_COMPETENCY_LENGTH = 500  # `Competency.label`
_RNCP_NUMBER = re.compile(r"^(?:RNCP)?(\d{3,6})$")
_XML_START = (b"\xef\xbb\xbf", b" ", b"\t", b"\r", b"\n")


def _export_kind(upload: Any) -> str:
    """ "zip" or "xml", from the file's name and its first bytes (they must agree); a French error otherwise."""
    name = str(upload.name or "").lower()
    kind = "zip" if name.endswith(".zip") else "xml" if name.endswith(".xml") else ""
    if not kind:
        raise ValidationError(
            _("Le fichier doit être l'export de France compétences : un fichier .xml ou le .zip qui le contient."),
            code="extension",
        )
    head = upload.read(512)
    upload.seek(0)
    is_zip = head.startswith(b"PK\x03\x04")
    text = head
    while text.startswith(_XML_START):
        text = text.removeprefix(next(p for p in _XML_START if text.startswith(p)))
    if kind == "zip" and not is_zip:
        raise ValidationError(_("Ce fichier .zip n'est pas une archive zip lisible."), code="content")
    if kind == "xml" and not text.startswith(b"<"):
        raise ValidationError(
            _("Ce fichier .zip est nommé .xml : renommez-le en .zip.")
            if is_zip
            else _("Ce fichier n'est pas du XML : envoyez l'export de France compétences (.xml ou .zip)."),
            code="content",
        )
    return kind


class RncpUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Export des fiches RNCP (XML ou zip)"),
        max_length=255,
        help_text=_("Le fichier publié par France compétences, tel quel : 1 Go au plus."),
        error_messages={"required": _("Choisissez le fichier de l'export (.xml ou .zip).")},
    )
    number = forms.CharField(
        label=_("Numéro de la fiche"),
        max_length=12,
        help_text=_("Par exemple RNCP31313 (ou 31313)."),
        error_messages={"required": _("Indiquez le numéro RNCP de la fiche à importer.")},
    )

    def clean_number(self) -> str:
        value = "".join(str(self.cleaned_data["number"]).split()).upper()
        matched = _RNCP_NUMBER.match(value)
        if matched is None:
            raise ValidationError(
                _("Numéro RNCP illisible : « %(value)s ». Il s'écrit RNCP suivi de 3 à 6 chiffres (ex. RNCP31313).")
                % {"value": value[:12]},
                code="number",
            )
        return f"RNCP{matched.group(1)}"

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size is not None and upload.size > RNCP_EXPORT_MAX_BYTES:
            raise ValidationError(
                _("Fichier trop lourd : %(max)s Go au plus.") % {"max": RNCP_EXPORT_MAX_BYTES // 1024**3}, code="size"
            )
        upload.export_kind = _export_kind(upload)
        return upload


class RncpSplitForm(forms.Form):
    """The competencies of each block of a fiche, one a line, as the admin corrects the proposed split."""

    def __init__(self, *args: Any, blocks: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.blocks = blocks
        for block in blocks:
            proposed = block.proposed
            self.fields[self.field_name(block)] = forms.CharField(
                label=_("Compétences du bloc %(code)s, une par ligne") % {"code": block.code},
                required=False,
                initial="\n".join(proposed),
                strip=False,
                max_length=RNCP_MAX_COMPETENCIES * (RNCP_COMPETENCY_LENGTH + 2),
                widget=forms.Textarea(attrs={"rows": min(max(len(proposed), 3), 14)}),
                help_text=_("Les lignes vides sont ignorées ; 99 compétences au plus, de 500 caractères chacune."),
                error_messages={
                    "max_length": _(
                        "Bloc %(code)s : texte trop long (%%(show_value)s caractères, %%(limit_value)s au plus)."
                    )
                    % {"code": block.code}
                },
            )

    @staticmethod
    def field_name(block: Any) -> str:
        return f"split_{block.code}"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.split: dict[str, list[str]] = {}
        for block in self.blocks:
            name = self.field_name(block)
            if name not in cleaned:
                continue
            labels = []
            for number, line in enumerate(str(cleaned[name]).splitlines(), start=1):
                label = " ".join(line.split())
                if not label:
                    continue
                if len(label) > RNCP_COMPETENCY_LENGTH:
                    self.add_error(
                        name,
                        _("Bloc %(code)s, ligne %(line)s : %(n)s caractères, %(max)s au plus ; raccourcissez-la.")
                        % {"code": block.code, "line": number, "n": len(label), "max": RNCP_COMPETENCY_LENGTH},
                    )
                elif bounds.has_control_characters(label):
                    self.add_error(
                        name,
                        _("Bloc %(code)s, ligne %(line)s : caractère de contrôle invisible ; retapez la ligne.")
                        % {"code": block.code, "line": number},
                    )
                labels.append(label)
            if not labels:
                self.add_error(
                    name, _("Bloc %(code)s : indiquez au moins une compétence, une par ligne.") % {"code": block.code}
                )
            elif len(labels) > RNCP_MAX_COMPETENCIES:
                self.add_error(
                    name,
                    _("Bloc %(code)s : %(n)s compétences, %(max)s au plus.")
                    % {"code": block.code, "n": len(labels), "max": RNCP_MAX_COMPETENCIES},
                )
            self.split[block.code] = labels
        return cleaned


class BlockTestForm(forms.ModelForm[BlockTest]):
    """A test (épreuve) of a block: what, how long, which document the candidate hands in."""

    order = forms.IntegerField(label=_("Ordre"), min_value=1, max_value=99)
    duration_minutes = forms.IntegerField(
        label=_("Durée devant le jury (minutes)"),
        min_value=1,
        max_value=bounds.SLOT_MINUTES_MAX,
        help_text=_("De 1 à %(max)d minutes, hors temps supplémentaire accordé.") % {"max": bounds.SLOT_MINUTES_MAX},
    )

    class Meta:
        model = BlockTest
        fields = ["order", "method", "title", "duration_minutes", "document_required", "document_label"]
