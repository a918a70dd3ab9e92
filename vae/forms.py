from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from candidates.documents import ACCEPT_ATTRIBUTE
from cqp.lib import bounds
from cqp.models import Block, CertificationVersion
from vae import rules
from vae.models import AdmissibilityFile, VaeDocumentKind

YEARS_MAX = rules.EXPERIENCE_MONTHS_MAX // 12


def _text(label: Any, *, required: bool = True, rows: int = 4, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=bounds.LONG_TEXT_LENGTH,
        required=required,
        validators=[bounds.refuse_control_characters],
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=help_text,
    )


class VersionField(forms.ModelChoiceField[CertificationVersion]):
    def label_from_instance(self, obj: CertificationVersion) -> str:
        return f"{obj.rncp_number} — {obj.short_title}"


class ExperienceForm(forms.Form):
    """The experience declared, in years and months (`months` gives the total)."""

    experience_years = forms.IntegerField(label=_("Années"), min_value=0, max_value=YEARS_MAX)
    experience_extra_months = forms.IntegerField(label=_("et mois"), min_value=0, max_value=11, initial=0)
    experience = _text(
        _("Votre expérience en lien avec la certification"),
        rows=6,
        help_text=_("Emplois, entreprises, périodes, activités exercées. Au moins un an d'expérience est exigé."),
    )

    @classmethod
    def initial_of(cls, file: AdmissibilityFile) -> dict[str, Any]:
        return {
            "experience_years": file.experience_months // 12,
            "experience_extra_months": file.experience_months % 12,
            "experience": file.experience,
        }

    def months(self) -> int:
        return int(self.cleaned_data["experience_years"]) * 12 + int(self.cleaned_data["experience_extra_months"])


class FileCreateForm(ExperienceForm):
    version = VersionField(label=_("Certification visée"), queryset=CertificationVersion.objects.none())
    field_order = ["version"]

    def __init__(self, *args: Any, versions: list[CertificationVersion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["version"]
        assert isinstance(field, VersionField)  # noqa: S101
        field.queryset = CertificationVersion.objects.filter(pk__in=[v.pk for v in versions]).select_related(
            "certification"
        )
        self.order_fields(["version", "experience_years", "experience_extra_months", "experience"])


class UploadForm(forms.Form):
    upload = forms.FileField(
        label=_("Fichier (PDF, PNG ou JPEG, 20 Mo au plus)"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )


class DeclarativeUploadForm(UploadForm):
    kind = forms.ChoiceField(
        label=_("Document"),
        choices=[
            (VaeDocumentKind.DECLARATIVE, _("Dossier déclaratif rempli")),
            (VaeDocumentKind.TECHNICAL, _("Document technique")),
        ],
    )
    field_order = ["kind", "upload"]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Décision"),
        choices=[
            ("admissible", _("Recevable")),
            ("incomplete", _("Incomplet")),
            ("not_admissible", _("Non recevable")),
        ],
        widget=forms.RadioSelect,
    )
    missing = _text(_("Ce qui manque"), required=False, rows=3, help_text=_("Obligatoire pour un dossier incomplet."))
    reason = _text(_("Motif"), required=False, rows=3, help_text=_("Obligatoire pour un dossier non recevable."))


class PositioningForm(forms.Form):
    """One line per block of the version: assessed by the jury or not, and the notes."""

    def __init__(self, *args: Any, blocks: list[Block], initial_by_block: dict[int, tuple[bool, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.blocks = blocks
        for block in blocks:
            assessed, notes = initial_by_block.get(block.pk, (True, ""))
            self.fields[f"assessed_{block.pk}"] = forms.BooleanField(
                label=_("%(code)s évalué par le jury") % {"code": block.code}, required=False, initial=assessed
            )
            self.fields[f"notes_{block.pk}"] = _text(
                _("Notes de positionnement — %(code)s %(title)s") % {"code": block.code, "title": block.title},
                required=False,
                rows=2,
            )
            self.fields[f"notes_{block.pk}"].initial = notes

    def entries(self) -> dict[int, tuple[bool, str]]:
        return {
            block.pk: (bool(self.cleaned_data[f"assessed_{block.pk}"]), self.cleaned_data[f"notes_{block.pk}"])
            for block in self.blocks
        }
