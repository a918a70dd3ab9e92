"""The VAE route (validation des acquis de l'expérience), as the RNCP 31313 fiche describes it: the candidate's
admissibility file (« dossier de recevabilité ») decided by the certifier, then their declarative file (« dossier
déclaratif », with technical documents), the evaluation jury's positioning per block, then the evaluation as for
the other routes."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from candidates.documents import ACCEPTED_TYPES
from candidates.models import Candidate, private_storage
from cqp.lib import bounds
from cqp.models import Block, CertificationVersion
from vae import rules

TEXT = [bounds.refuse_control_characters]


class AdmissibilityStatus(models.TextChoices):
    DRAFT = "draft", _("En préparation")
    SUBMITTED = "submitted", _("Transmis, en attente de décision")
    INCOMPLETE = "incomplete", _("Incomplet")
    ADMISSIBLE = "admissible", _("Recevable")
    NOT_ADMISSIBLE = "not_admissible", _("Non recevable")


class AdmissibilityFile(models.Model):
    """The candidate's « dossier de recevabilité » for a certification version that offers VAE, and the certifier's
    decision on it. An incomplete file is completed and sent again; an admissible one is valid
    `rules.VALIDITY_YEARS` years (`valid_until`)."""

    candidate = models.ForeignKey(
        Candidate, verbose_name=_("candidat"), on_delete=models.PROTECT, related_name="vae_files"
    )
    version = models.ForeignKey(
        CertificationVersion, on_delete=models.PROTECT, related_name="vae_files", verbose_name=_("certification")
    )
    experience_months = models.PositiveSmallIntegerField(
        _("durée de l'expérience en lien avec la certification (mois)"),
        validators=[MinValueValidator(0), MaxValueValidator(rules.EXPERIENCE_MONTHS_MAX)],
    )
    experience = models.TextField(
        _("expérience déclarée"),
        max_length=bounds.LONG_TEXT_LENGTH,
        validators=TEXT,
        help_text=_("Emplois, entreprises, périodes et activités en lien avec la certification."),
    )
    status = models.CharField(
        _("statut"), max_length=15, choices=AdmissibilityStatus, default=AdmissibilityStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("transmis le"), null=True, blank=True)
    missing = models.TextField(
        _("pièces ou informations manquantes"), max_length=bounds.LONG_TEXT_LENGTH, blank=True, validators=TEXT
    )
    reason = models.TextField(
        _("motif de la non-recevabilité"), max_length=bounds.LONG_TEXT_LENGTH, blank=True, validators=TEXT
    )
    decided_at = models.DateTimeField(_("décidé le"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("décidé par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    valid_until = models.DateField(_("recevabilité valable jusqu'au"), null=True, blank=True)
    declarative_submitted_at = models.DateTimeField(_("dossier déclaratif transmis le"), null=True, blank=True)
    created_at = models.DateTimeField(verbose_name=_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("dossier de recevabilité VAE")
        verbose_name_plural = _("dossiers de recevabilité VAE")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "submitted_at"], name="vae_file_status_submitted")]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "version"],
                condition=models.Q(status__in=["draft", "submitted", "incomplete"]),
                name="one_open_vae_file_per_version",
                violation_error_message=_("Un dossier de recevabilité est déjà en cours pour cette certification."),
            ),
            models.CheckConstraint(
                condition=~models.Q(status="not_admissible") | ~models.Q(reason=""),
                name="vae_not_admissible_has_reason",
                violation_error_message=_("Une décision de non-recevabilité est motivée."),
            ),
            models.CheckConstraint(
                condition=~models.Q(status="incomplete") | ~models.Q(missing=""),
                name="vae_incomplete_says_what_is_missing",
                violation_error_message=_("Un dossier incomplet dit ce qui manque."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidate} — {self.version} — {self.get_status_display()}"

    @property
    def experience_label(self) -> str:
        """« 2 ans et 3 mois »."""
        return rules.duration_label(self.experience_months)


class AdmissibilityDecision(models.Model):
    """Each decision taken on a file, kept: a file declared incomplete, completed and decided again keeps both."""

    file_of = models.ForeignKey(
        AdmissibilityFile, verbose_name=_("dossier de recevabilité"), on_delete=models.PROTECT, related_name="decisions"
    )
    decision = models.CharField(_("décision"), max_length=15, choices=AdmissibilityStatus)
    missing = models.TextField(_("ce qui manque"), max_length=bounds.LONG_TEXT_LENGTH, blank=True, validators=TEXT)
    reason = models.TextField(_("motif"), max_length=bounds.LONG_TEXT_LENGTH, blank=True, validators=TEXT)
    experience_months = models.PositiveSmallIntegerField(
        _("expérience déclarée (mois)"), validators=[MaxValueValidator(rules.EXPERIENCE_MONTHS_MAX)]
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("décidé par"), on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("décidé le"))

    class Meta:
        verbose_name = _("décision de recevabilité")
        verbose_name_plural = _("décisions de recevabilité")
        ordering = ["decided_at", "pk"]

    def __str__(self) -> str:
        return f"{self.file_of.candidate} — {self.get_decision_display()} ({self.decided_at:%d/%m/%Y})"


def vae_upload_path(instance: VaeDocument, filename: str) -> str:
    """A random name, never the sender's: the original name is kept in a column, not on disk."""
    extension = next((t.extension for t in ACCEPTED_TYPES if t.content_type == instance.content_type), "")
    return f"vae-documents/{uuid.uuid4().hex}{extension}"


class VaeDocumentKind(models.TextChoices):
    ADMISSIBILITY = "admissibility", _("Pièce du dossier de recevabilité")
    DECLARATIVE = "declarative", _("Dossier déclaratif")
    TECHNICAL = "technical", _("Document technique")


class VaeDocument(models.Model):
    """A file of a VAE file: a piece of the admissibility file, the declarative file itself, or a technical
    document sent with it. Content-checked (PDF, PNG, JPEG, 20 Mo at most), in the private storage."""

    file_of = models.ForeignKey(
        AdmissibilityFile, verbose_name=_("dossier de recevabilité"), on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("type de document"), max_length=15, choices=VaeDocumentKind)
    file = models.FileField(_("fichier"), storage=private_storage, upload_to=vae_upload_path, max_length=200)
    original_name = models.CharField(_("nom du fichier envoyé"), max_length=255)
    content_type = models.CharField(_("type de contenu"), max_length=100)
    size = models.PositiveIntegerField(_("taille (octets)"))
    sha256 = models.CharField(verbose_name=_("empreinte SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("déposé le"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("déposé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("document VAE")
        verbose_name_plural = _("documents VAE")
        ordering = ["kind", "uploaded_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["file_of"],
                condition=models.Q(kind="declarative"),
                name="one_declarative_document_per_vae_file",
                violation_error_message=_("Le dossier déclaratif a déjà été déposé."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.original_name}"


class Positioning(models.Model):
    """The evaluation jury's « repérage des compétences et positionnement » of a VAE candidate, per block: whether
    the jury will assess the block, and its notes on the candidate's experience for it."""

    file_of = models.ForeignKey(
        AdmissibilityFile,
        verbose_name=_("dossier de recevabilité"),
        on_delete=models.CASCADE,
        related_name="positionings",
    )
    block = models.ForeignKey(Block, on_delete=models.PROTECT, related_name="+", verbose_name=_("bloc"))
    assessed = models.BooleanField(_("évalué par le jury"), default=True)
    notes = models.TextField(
        _("notes de positionnement"), max_length=bounds.LONG_TEXT_LENGTH, blank=True, validators=TEXT
    )
    recorded_at = models.DateTimeField(_("enregistré le"), auto_now=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("enregistré par"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("positionnement VAE")
        verbose_name_plural = _("positionnements VAE")
        ordering = ["block__order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["file_of", "block"], name="one_positioning_per_vae_file_and_block")
        ]

    def __str__(self) -> str:
        return f"{self.file_of.candidate} — {self.block.code}"
