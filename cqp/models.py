"""The referential: certifiers, training organisations, certifications and their versions,
competency blocks and competencies.

A certification is versioned: blocks, competencies and rules hang off one `CertificationVersion`, and
whatever refers to a certification (enrolments, grids, parchments) refers to one version. A version
that something refers to is frozen (see `cqp.services.version_is_in_use`): a change then needs a new
version, so later edits never alter past results.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from candidates.rules import approval_is_valid
from cqp.lib import bounds
from cqp.rules import minimum_acquired

RNCP_CODE = RegexValidator(
    r"^RNCP\d{3,6}$", _("Le code RNCP s'écrit RNCP suivi de chiffres, sans espace (ex. : RNCP31313).")
)
BLOCK_CODE = RegexValidator(r"^BC\d{1,2}$", _("Le code du bloc s'écrit BC suivi de son numéro (ex. : BC1)."))
BLOCK_RNCP_CODE = RegexValidator(
    r"^RNCP\d{3,6}BC\d{2}$",
    _("Le code RNCP du bloc s'écrit comme RNCP31313BC01 (code de la fiche, BC, deux chiffres)."),
)
COMPETENCY_CODE = RegexValidator(
    r"^C\d{1,2}\.\d{1,2}$", _("Le code de la compétence s'écrit comme C1.2 (bloc, point, numéro).")
)
NSF_CODE = RegexValidator(r"^\d{3}[a-z]?$", _("Un code NSF a trois chiffres, parfois suivis d'une lettre (ex. : 251)."))


class AccessRoute(models.TextChoices):
    FORMATION_INITIALE = "formation_initiale", _("Formation initiale (élève ou étudiant)")
    APPRENTISSAGE = "apprentissage", _("Contrat d'apprentissage")
    FORMATION_CONTINUE = "formation_continue", _("Formation continue")
    CONTRAT_PRO = "contrat_pro", _("Contrat de professionnalisation")
    CANDIDATURE_INDIVIDUELLE = "candidature_individuelle", _("Candidature individuelle")
    VAE = "vae", _("Validation des acquis de l'expérience (VAE)")


class Certifier(models.Model):
    """The legal body that delivers certifications (e.g. the CPNEFP HBJO, delegated to the CNHBJO)."""

    name = models.CharField(_("nom usuel"), max_length=120, unique=True)
    legal_name = models.CharField(_("raison sociale"), max_length=255)
    delegate_name = models.CharField(
        _("délégataire"),
        max_length=255,
        blank=True,
        help_text=_("Organisme qui exerce le rôle de certificateur par délégation, s'il y en a un."),
    )
    address = models.TextField(_("adresse"), max_length=bounds.SHORT_TEXT_LENGTH, blank=True)
    signatory_title = models.CharField(_("qualité du signataire"), max_length=120, blank=True)
    signatory_name = models.CharField(
        _("nom du signataire"),
        max_length=150,
        blank=True,
        help_text=_("Le dirigeant du certificateur ou la personne qu'il a habilitée : il signe les parchemins."),
    )
    city = models.CharField(_("lieu de délivrance"), max_length=100, blank=True, help_text=_("Ville du siège."))

    class Meta:
        verbose_name = _("certificateur")
        verbose_name_plural = _("certificateurs")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ApprovalStatus(models.TextChoices):
    ACTIVE = "active", _("Habilitation en cours")
    SUSPENDED = "suspended", _("Habilitation suspendue")
    WITHDRAWN = "withdrawn", _("Habilitation retirée")


class TrainingOrganisation(models.Model):
    """A training organisation approved by the certifier to prepare candidates and run the tests."""

    name = models.CharField(_("nom"), max_length=200, unique=True)
    city = models.CharField(_("ville"), max_length=120, blank=True)
    department = models.CharField(_("département"), max_length=3, blank=True)
    approval_status = models.CharField(
        _("habilitation"), max_length=12, choices=ApprovalStatus, default=ApprovalStatus.ACTIVE
    )
    approval_start = models.DateField(_("habilité depuis le"), null=True, blank=True, validators=[bounds.event_date])
    # An approval may run beyond the events' horizon (it is granted for years): only the calendar bounds its end.
    approval_end = models.DateField(_("habilité jusqu'au"), null=True, blank=True, validators=[bounds.calendar_date])
    exam_manager_name = models.CharField(_("responsable de l'organisation des épreuves"), max_length=150, blank=True)
    exam_manager_email = models.EmailField(_("e-mail du responsable"), blank=True)
    exam_manager_phone = models.CharField(_("téléphone du responsable"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("organisme de formation")
        verbose_name_plural = _("organismes de formation")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def approval_is_valid(self, on: dt.date) -> bool:
        return approval_is_valid(
            start=self.approval_start,
            end=self.approval_end,
            suspended=self.approval_status != ApprovalStatus.ACTIVE,
            on=on,
        )


class Certification(models.Model):
    """The lasting identity of a certification across its RNCP registrations (its versions)."""

    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    # A renewal registered under a new RNCP number: a certification of its own that names the one it follows
    # (its holders keep the old one).
    predecessor = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="successors",
        verbose_name=_("certification précédente (renouvellement)"),
    )

    class Meta:
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        ordering = ["name"]
        indexes = [models.Index(fields=["name"], name="certification_by_name")]  # the referential's order

    def __str__(self) -> str:
        return self.name


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("En préparation")
    PUBLISHED = "published", _("En vigueur")
    ARCHIVED = "archived", _("Archivée")


class CertificationVersion(models.Model):
    """One registration of a certification at the RNCP, with its blocks and rules."""

    certification = models.ForeignKey(
        Certification, on_delete=models.PROTECT, related_name="versions", verbose_name=_("certification")
    )
    number = models.PositiveSmallIntegerField(_("version"), validators=[MinValueValidator(1), MaxValueValidator(999)])
    status = models.CharField(_("statut"), max_length=12, choices=VersionStatus, default=VersionStatus.DRAFT)
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_version",
        verbose_name=_("version précédente"),
    )
    rncp_code = models.CharField(_("code RNCP"), max_length=12, validators=[RNCP_CODE])
    title = models.CharField(
        _("intitulé exact"), max_length=255, help_text=_("Tel qu'enregistré au RNCP ; il figure sur le parchemin.")
    )
    short_title = models.CharField(_("intitulé court"), max_length=120)
    level = models.PositiveSmallIntegerField(
        _("niveau (nomenclature 2019)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(8)],
    )
    eu_level = models.PositiveSmallIntegerField(
        _("niveau européen (CEC)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(8)],
    )
    nsf_codes = models.JSONField(_("codes NSF"), default=list, blank=True)
    certifier = models.ForeignKey(
        Certifier, on_delete=models.PROTECT, related_name="versions", verbose_name=_("certificateur")
    )
    decision_date = models.DateField(
        _("date de la décision d'enregistrement"), null=True, blank=True, validators=[bounds.past_event_date]
    )
    decision_reference = models.CharField(_("référence de la décision"), max_length=255, blank=True)
    registration_start = models.DateField(
        _("enregistré à compter du"), null=True, blank=True, validators=[bounds.event_date]
    )
    # A registration at the RNCP lasts up to five years: beyond the events' horizon, only the calendar bounds it.
    registration_end = models.DateField(
        _("enregistré jusqu'au"), null=True, blank=True, validators=[bounds.calendar_date]
    )
    partial_award_allowed = models.BooleanField(_("attribution partielle par blocs"), default=True)
    block_validity_years = models.PositiveSmallIntegerField(
        _("validité des blocs acquis (années)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("Laisser vide pour une validité illimitée."),
    )
    access_routes = models.JSONField(_("voies d'accès ouvertes"), default=list, blank=True)
    prerequisites_required = models.BooleanField(
        _("prérequis à vérifier"),
        default=False,
        help_text=_("Cochez si l'inscription demande un entretien de prérequis favorable."),
    )
    prerequisites = models.TextField(_("prérequis"), max_length=bounds.LONG_TEXT_LENGTH, blank=True)
    evaluation_methods = models.TextField(_("modalités d'évaluation"), max_length=bounds.LONG_TEXT_LENGTH, blank=True)
    exam_minutes = models.PositiveSmallIntegerField(
        _("durée de l'épreuve par candidat (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(bounds.SLOT_MINUTES_MAX)],
        help_text=_("Durée d'un passage devant le jury, hors temps supplémentaire accordé."),
    )
    to_verify = models.TextField(
        _("à vérifier"),
        max_length=bounds.LONG_TEXT_LENGTH,
        blank=True,
        help_text=_("Données provisoires à contrôler sur la fiche officielle avant usage."),
    )
    # The fingerprint of the RNCP fiche this version was imported from (`cqp.rncp_import`): the same fiche
    # imported again changes nothing.
    rncp_fingerprint = models.CharField(_("empreinte de la fiche RNCP importée"), max_length=64, blank=True)
    created_at = models.DateTimeField(verbose_name=_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("version de certification")
        verbose_name_plural = _("versions de certification")
        ordering = ["certification__name", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["certification", "number"], name="version_number_unique"),
            models.CheckConstraint(
                condition=models.Q(registration_end__isnull=True)
                | models.Q(registration_start__isnull=True)
                | models.Q(registration_end__gt=models.F("registration_start")),
                name="version_registration_dates_ordered",
                violation_error_message=_("La fin d'enregistrement doit suivre son début."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rncp_number} — {self.short_title} (v{self.number})"

    @property
    def rncp_number(self) -> str:
        """`RNCP31313` written the way people say it: `RNCP 31313`."""
        return f"RNCP {self.rncp_code.removeprefix('RNCP')}"

    @property
    def registration_expired(self) -> bool:
        """The RNCP registration has ended: candidates already registered keep this version."""
        return self.registration_end is not None and self.registration_end < timezone.localdate()

    def access_route_labels(self) -> list[str]:
        labels = dict(AccessRoute.choices)
        return [str(labels.get(route, route)) for route in self.access_routes]


class Block(models.Model):
    """A competency block, assessed and validated on its own."""

    version = models.ForeignKey(
        CertificationVersion, on_delete=models.CASCADE, related_name="blocks", verbose_name=_("version")
    )
    code = models.CharField(_("code"), max_length=4, validators=[BLOCK_CODE])
    rncp_code = models.CharField(_("code RNCP du bloc"), max_length=16, validators=[BLOCK_RNCP_CODE])
    title = models.CharField(_("intitulé"), max_length=255)
    title_is_draft = models.BooleanField(_("intitulé provisoire"), default=False)
    order = models.PositiveSmallIntegerField(_("ordre"), default=1, validators=[MaxValueValidator(99)])
    threshold_percent = models.PositiveSmallIntegerField(
        _("seuil de validation (%)"),
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Part minimale de compétences acquises, de 1 à 100 %."),
    )
    evaluation_methods = models.TextField(_("modalités d'évaluation"), max_length=bounds.LONG_TEXT_LENGTH, blank=True)

    class Meta:
        verbose_name = _("bloc de compétences")
        verbose_name_plural = _("blocs de compétences")
        ordering = ["version", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "code"],
                name="block_code_unique_in_version",
                violation_error_message=_("Ce code de bloc existe déjà dans cette version."),
            ),
            models.UniqueConstraint(
                fields=["version", "rncp_code"],
                name="block_rncp_code_unique_in_version",
                violation_error_message=_("Ce code RNCP de bloc existe déjà dans cette version."),
            ),
            models.CheckConstraint(
                condition=models.Q(threshold_percent__gte=1, threshold_percent__lte=100),
                name="block_threshold_1_100",
                violation_error_message=_("Le seuil doit être compris entre 1 et 100 %."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.title}"


class Competency(models.Model):
    """A competency, graded A (acquis) or NA (non acquis); some are mandatory for their block."""

    block = models.ForeignKey(Block, on_delete=models.CASCADE, related_name="competencies", verbose_name=_("bloc"))
    code = models.CharField(_("code"), max_length=8, validators=[COMPETENCY_CODE])
    label = models.CharField(_("libellé"), max_length=500)
    label_is_draft = models.BooleanField(
        _("libellé provisoire"),
        default=False,
        help_text=_("Rédigé en attendant la fiche officielle : à vérifier."),
    )
    order = models.PositiveSmallIntegerField(_("ordre"), default=1, validators=[MaxValueValidator(999)])
    is_mandatory = models.BooleanField(_("obligatoire"), default=False)

    class Meta:
        verbose_name = _("compétence")
        verbose_name_plural = _("compétences")
        ordering = ["block", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["block", "code"],
                name="competency_code_unique_in_block",
                violation_error_message=_("Ce code de compétence existe déjà dans ce bloc."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.label}"


class EvaluationMethod(models.TextChoices):
    """How a block is assessed (RNCP 31313's « modalités d'évaluation », RNCP 26850's livret and defence)."""

    PRACTICAL = "practical", _("Épreuve pratique")
    REPORT_INTERVIEW = "report_interview", _("Entretien technique sur rapport d'activité")
    OBSERVATION = "observation", _("Observation en situation reconstituée")
    ROLE_PLAY = "role_play", _("Jeu de rôle")
    ORAL_PRACTICAL = "oral_practical", _("Épreuve orale pratique")
    LIVRET_DEFENCE = "livret_defence", _("Partie du livret de réalisations et soutenance")
    INTERVIEW = "interview", _("Entretien avec le jury")


class BlockTest(models.Model):
    """A test (épreuve) of a block: how it is assessed, how long it lasts before the jury, and the document the
    candidate hands in for it, if any (26850: a part of the livret; 31313 BC3: the professional activity report).

    Sessions' slots, convocations, the candidate's uploads and the jury's file are built from these rows. Frozen
    with the version, like the blocks (`cqp.block_tests`)."""

    block = models.ForeignKey(Block, on_delete=models.CASCADE, related_name="tests", verbose_name=_("bloc"))
    order = models.PositiveSmallIntegerField(
        _("ordre"), default=1, validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    method = models.CharField(_("modalité"), max_length=20, choices=EvaluationMethod)
    title = models.CharField(
        _("intitulé"),
        max_length=255,
        validators=[bounds.refuse_control_characters],
        help_text=_("Ce que le candidat fait, tel que la fiche le décrit."),
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("durée devant le jury (minutes)"),
        validators=[MinValueValidator(1), MaxValueValidator(bounds.SLOT_MINUTES_MAX)],
        help_text=_("De 1 à %(max)d minutes, hors temps supplémentaire accordé.") % {"max": bounds.SLOT_MINUTES_MAX},
    )
    document_required = models.BooleanField(
        _("document à remettre"),
        default=False,
        help_text=_("Cochez si le candidat dépose un document pour cette épreuve (partie du livret, rapport…)."),
    )
    document_label = models.CharField(
        _("nom du document"),
        max_length=120,
        blank=True,
        validators=[bounds.refuse_control_characters],
        help_text=_("Par exemple « Partie A » ou « Rapport d'activité professionnelle »."),
    )

    class Meta:
        verbose_name = _("épreuve")
        verbose_name_plural = _("épreuves")
        ordering = ["block", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=1, duration_minutes__lte=bounds.SLOT_MINUTES_MAX),
                name="block_test_duration_bounded",
                violation_error_message=_("La durée d'une épreuve va de 1 à %(max)d minutes.")
                % {"max": bounds.SLOT_MINUTES_MAX},
            ),
            models.CheckConstraint(
                condition=models.Q(document_required=False) | ~models.Q(document_label=""),
                name="block_test_document_named",
                violation_error_message=_("Nommez le document à remettre (ex. : « Partie A »)."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.block.code} — {self.title}"

    def clean(self) -> None:
        super().clean()
        self.document_label = self.document_label.strip()
        if self.document_required and not self.document_label:
            raise ValidationError(
                {"document_label": _("Nommez le document à remettre (ex. : « Partie A », « Rapport d'activité »).")}
            )
        if not self.document_required:
            self.document_label = ""


def block_rule_in_words(*, threshold_percent: int, total: int, mandatory_codes: list[str]) -> str:
    """The validation rule of a block, stated in French for people."""
    if total == 0:
        return str(_("Aucune compétence : le bloc ne peut pas encore être évalué."))
    needed = minimum_acquired(total, threshold_percent)
    text = _(
        "Bloc validé si au moins %(threshold)s %% des compétences sont acquises (soit %(needed)s sur %(total)s)"
    ) % {"threshold": threshold_percent, "needed": needed, "total": total}
    if not mandatory_codes:
        return f"{text}."
    if len(mandatory_codes) == 1:
        tail = _("et si la compétence %(code)s est acquise") % {"code": mandatory_codes[0]}
    else:
        codes = ", ".join(mandatory_codes[:-1]) + " " + str(_("et")) + " " + mandatory_codes[-1]
        tail = _("et si les compétences %(codes)s sont acquises") % {"codes": codes}
    return f"{text} {tail}."
