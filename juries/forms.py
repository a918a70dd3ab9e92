"""Forms of the juries: they parse and validate; the services write."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from candidates.models import Candidate
from cqp.forms import IdsChoiceField
from cqp.lib import bounds, siret
from cqp.models import Certification, CertificationVersion, TrainingOrganisation, VersionStatus
from evaluations.models import SessionCandidate
from juries import rules
from juries.models import College, Jury, JuryKind, JuryMember, MemberStatus, OutcomeKind
from juries.rule_sets import rules_for
from juries.selectors import juries_with_signed_pv


class MemberForm(forms.Form):
    first_name = forms.CharField(
        label=_("Prénom"), max_length=bounds.NAME_LENGTH, validators=[bounds.refuse_control_characters]
    )
    last_name = forms.CharField(
        label=_("Nom"), max_length=bounds.NAME_LENGTH, validators=[bounds.refuse_control_characters]
    )
    email = forms.EmailField(label=_("Adresse e-mail"))
    college = forms.ChoiceField(label=_("Collège"), choices=College.choices)
    company_name = forms.CharField(
        label=_("Entreprise ou organisme"),
        max_length=200,
        required=False,
        validators=[bounds.refuse_control_characters],
    )
    company_siret = forms.CharField(label=_("SIRET de l'entreprise"), max_length=17, required=False)
    organisation = forms.ModelChoiceField(
        label=_("Travaille pour l'organisme de formation"),
        queryset=TrainingOrganisation.objects.order_by("name"),
        required=False,
        help_text=_("Un membre interne à l'organisme : au plus la moitié d'un jury."),
    )
    certifications = IdsChoiceField(
        label=_("Certifications qu'il peut évaluer"),
        queryset=Certification.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
    )
    trained_organisations = IdsChoiceField(
        label=_("Organismes pour lesquels il a formé des candidats"),
        queryset=TrainingOrganisation.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    trained_candidates = IdsChoiceField(
        label=_("Candidats qu'il a formés"),
        queryset=Candidate.objects.none(),
        required=False,
        help_text=_("Il ne pourra pas les évaluer."),
    )

    def __init__(self, *args: Any, candidates: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if candidates is not None:
            cast(forms.ModelMultipleChoiceField[Candidate], self.fields["trained_candidates"]).queryset = candidates

    def clean_company_siret(self) -> str:
        # Its validity (cqp.lib.siret: Luhn, no firm of zeros) is the service's rule too, said on this field.
        value = siret.clean(self.cleaned_data["company_siret"])
        problem = siret.error(value) if value else None
        if problem:
            raise forms.ValidationError(problem, code="siret")
        return value


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif"),
        max_length=bounds.LONG_TEXT_LENGTH,
        validators=[bounds.refuse_control_characters],
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class _MemberField(forms.ModelChoiceField[JuryMember]):
    def label_from_instance(self, obj: JuryMember) -> str:
        return obj.name


class _MemberWithCollegeField(forms.ModelChoiceField[JuryMember]):
    def label_from_instance(self, obj: JuryMember) -> str:
        return f"{obj.name} — {obj.get_college_display()}" + (f" ({obj.company_name})" if obj.company_name else "")


class _CandidateField(forms.ModelChoiceField[SessionCandidate]):
    def label_from_instance(self, obj: SessionCandidate) -> str:
        return obj.enrolment.candidate.display_name


class AssignForm(forms.Form):
    member = _MemberWithCollegeField(label=_("Membre habilité"), queryset=JuryMember.objects.none())

    def __init__(self, *args: Any, jury: Jury, jury_rules: rules.JuryRules | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Those approved for this certification, and the members of a college that sits ex officio on it.
        jury_rules = jury_rules or rules_for(jury.version_id, jury.kind)
        ex_officio = [seat.college for seat in jury_rules.seats if seat.ex_officio]
        cast(_MemberWithCollegeField, self.fields["member"]).queryset = (
            JuryMember.objects.filter(status=MemberStatus.APPROVED, user__isnull=False)
            .filter(Q(certifications=jury.version.certification_id) | Q(college__in=ex_officio))
            .exclude(seats__jury=jury)
            .select_related("user")
            .distinct()
        )


class SeatChoiceForm(forms.Form):
    member = _MemberField(label=_("Membre"), queryset=JuryMember.objects.none())

    def __init__(self, *args: Any, jury: Jury, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(_MemberField, self.fields["member"]).queryset = JuryMember.objects.filter(seats__jury=jury).select_related(
            "user"
        )


class DeclareForm(forms.Form):
    place = _CandidateField(label=_("Candidat"), queryset=SessionCandidate.objects.none())
    note = forms.CharField(
        label=_("Nature du lien"),
        max_length=bounds.SHORT_TEXT_LENGTH,
        validators=[bounds.refuse_control_characters],
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(self, *args: Any, places: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The label reads each candidate's name: with them, not a query per option.
        cast(_CandidateField, self.fields["place"]).queryset = places.select_related("enrolment__candidate")


class CertificationJuryForm(forms.Form):
    version = forms.ModelChoiceField(
        label=_("Certification"),
        queryset=CertificationVersion.objects.filter(status=VersionStatus.PUBLISHED).select_related("certification"),
    )
    meets_on = forms.DateField(
        label=_("Date du jury"),
        validators=[bounds.event_date],
        widget=forms.DateInput(attrs={"type": "date", "min": bounds.EVENTS_START.isoformat()}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meets_on"].widget.attrs["max"] = bounds.events_end().isoformat()


class TransmitForm(forms.Form):
    certification_jury = forms.ModelChoiceField(label=_("Jury de certification"), queryset=Jury.objects.none())

    def __init__(self, *args: Any, jury: Jury, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A jury whose PV is signed decides no more.
        cast(forms.ModelChoiceField[Jury], self.fields["certification_jury"]).queryset = (
            Jury.objects.filter(kind=JuryKind.CERTIFICATION, version_id=jury.version_id)
            .exclude(pk__in=juries_with_signed_pv().values("pk"))
            .select_related("version")
        )


class OutcomeForm(forms.Form):
    """Total, partial (which blocks) or none: a recommendation or a decision."""

    kind = forms.ChoiceField(label=_("Issue"), choices=OutcomeKind.choices, widget=forms.RadioSelect)
    blocks = forms.MultipleChoiceField(
        label=_("Blocs attribués"), choices=(), widget=forms.CheckboxSelectMultiple, required=False
    )
    text = forms.CharField(
        max_length=bounds.LONG_TEXT_LENGTH,
        validators=[bounds.refuse_control_characters],
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(self, *args: Any, blocks: Any, text_label: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.block_objects = {str(b.pk): b for b in blocks}
        cast(forms.MultipleChoiceField, self.fields["blocks"]).choices = [(str(b.pk), b.code) for b in blocks]
        self.fields["text"].label = text_label

    def chosen_blocks(self) -> list[Any]:
        return [self.block_objects[pk] for pk in self.cleaned_data["blocks"]]


class DisputeForm(forms.Form):
    description = forms.CharField(
        label=_("Objet du litige"),
        max_length=bounds.LONG_TEXT_LENGTH,
        validators=[bounds.refuse_control_characters],
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    summon_evaluation_jury = forms.BooleanField(label=_("Convoquer le jury d'évaluation"), required=False)


class ResolutionForm(forms.Form):
    resolution = forms.CharField(
        label=_("Issue du litige"),
        max_length=bounds.LONG_TEXT_LENGTH,
        validators=[bounds.refuse_control_characters],
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RuleSetForm(forms.Form):
    """The composition rules of one kind of jury of a version: one row per college (a college sits when its
    wording is given), who presides, the totals, the trainers and the external share."""

    kind = forms.ChoiceField(choices=JuryKind.choices, widget=forms.HiddenInput)
    name = forms.CharField(
        label=_("Nom du jury dans la fiche"),
        max_length=80,
        validators=[bounds.refuse_control_characters],
        help_text=_("En minuscules, tel que les messages le citeront : « jury d'épreuve »."),
    )
    min_members = forms.IntegerField(label=_("Membres au minimum"), min_value=0, max_value=rules.MAX_SEATS)
    max_members = forms.IntegerField(
        label=_("Membres au maximum"), min_value=1, max_value=rules.MAX_SEATS, required=False
    )
    presiding = forms.MultipleChoiceField(
        label=_("Président choisi parmi"), choices=College.choices, widget=forms.CheckboxSelectMultiple
    )
    trainers_linked_allowed = forms.BooleanField(
        label=_("Les formateurs de l'organisme des candidats peuvent siéger"), required=False
    )
    external_percent = forms.IntegerField(
        label=_("Part du jury extérieure à l'organisme de formation (%)"), min_value=0, max_value=100
    )
    source = forms.CharField(
        label=_("Source de la règle"), max_length=200, required=False, validators=[bounds.refuse_control_characters]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for college, label in College.choices:
            self.fields[f"{college}_label"] = forms.CharField(
                label=_("%(college)s : intitulé dans la fiche") % {"college": label},
                max_length=120,
                required=False,
                validators=[bounds.refuse_control_characters],
                help_text=_("Laisser vide si ce collège ne siège pas."),
            )
            self.fields[f"{college}_minimum"] = forms.IntegerField(
                label=_("minimum"), min_value=0, max_value=rules.MAX_SEATS, required=False
            )
            self.fields[f"{college}_maximum"] = forms.IntegerField(
                label=_("maximum"), min_value=1, max_value=rules.MAX_SEATS, required=False
            )
            self.fields[f"{college}_ex_officio"] = forms.BooleanField(label=_("de droit"), required=False)

    @staticmethod
    def initial_for(value: rules.JuryRules, source: str) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "kind": value.kind,
            "name": value.name,
            "min_members": value.min_members,
            "max_members": value.max_members,
            "presiding": list(value.presiding),
            "trainers_linked_allowed": value.trainers_linked_allowed,
            "external_percent": value.external_percent,
            "source": source,
        }
        for seat in value.seats:
            initial[f"{seat.college}_label"] = seat.label
            initial[f"{seat.college}_minimum"] = seat.minimum
            initial[f"{seat.college}_maximum"] = seat.maximum
            initial[f"{seat.college}_ex_officio"] = seat.ex_officio
        return initial

    def college_rows(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [
            (str(label), [self[f"{college}_{part}"] for part in ("label", "minimum", "maximum", "ex_officio")])
            for college, label in College.choices
        ]

    def seat_rules(self) -> list[rules.SeatRule]:
        data = self.cleaned_data
        seats = []
        for college, _label in College.choices:
            label = (data.get(f"{college}_label") or "").strip()
            if not label:
                continue
            minimum = data.get(f"{college}_minimum")
            seats.append(
                rules.SeatRule(
                    college=college,
                    label=label,
                    minimum=1 if minimum is None else minimum,
                    maximum=data.get(f"{college}_maximum"),
                    ex_officio=bool(data.get(f"{college}_ex_officio")),
                )
            )
        return seats
