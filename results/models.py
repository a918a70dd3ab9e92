"""Appeals (recours) against a certification jury's decision: received, found admissible or not, examined by
the CPNEF, rejected or sent back for re-examination, and closed by the revised decision."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from candidates.models import private_storage
from cqp.lib import bounds
from evaluations.models import SessionCandidate
from juries.models import Decision


class AppealStatus(models.TextChoices):
    RECEIVED = "received", _("Reçu, à examiner")
    INADMISSIBLE = "inadmissible", _("Irrecevable")
    REJECTED = "rejected", _("Rejeté par la CPNEF")
    REEXAMINATION = "reexamination", _("Réexamen ordonné")
    REVISED = "revised", _("Clos par une décision révisée")


# An appeal still open: the result it is against is "under appeal" (juries.result_state reads these values).
OPEN_STATUSES = (AppealStatus.RECEIVED, AppealStatus.REEXAMINATION)


class ReexaminationMode(models.TextChoices):
    SAME_GRIDS = "same_grids", _("Le jury de certification statue à nouveau sur les grilles existantes")
    NEW_EVALUATION = "new_evaluation", _("Une nouvelle évaluation est organisée")


class Appeal(models.Model):
    """One appeal, recorded by a certifier admin from the registered letter. An inadmissible one is kept with
    its reason, never lost."""

    decision = models.ForeignKey(
        Decision, verbose_name=_("décision contestée"), on_delete=models.PROTECT, related_name="appeals"
    )
    received_on = models.DateField(_("reçu le (lettre recommandée)"), validators=[bounds.past_event_date])
    deadline = models.DateField(_("date limite du recours"))
    grounds = models.TextField(_("motifs du recours"), max_length=bounds.LONG_TEXT_LENGTH)
    status = models.CharField(_("statut"), max_length=15, choices=AppealStatus, default=AppealStatus.RECEIVED)
    inadmissible_reason = models.TextField(_("motif d'irrecevabilité"), max_length=bounds.SHORT_TEXT_LENGTH, blank=True)
    cpnef_meeting_on = models.DateField(
        _("date de la réunion de la CPNEF"), null=True, blank=True, validators=[bounds.past_event_date]
    )
    outcome_reason = models.TextField(_("motivation de la CPNEF"), max_length=bounds.LONG_TEXT_LENGTH, blank=True)
    reexamination_mode = models.CharField(
        _("modalité du réexamen"), max_length=20, choices=ReexaminationMode, blank=True
    )
    reexamination_scope = models.TextField(_("étendue du réexamen"), max_length=bounds.LONG_TEXT_LENGTH, blank=True)
    # A new evaluation: the place in the session organised for it; its decision revises the appealed one.
    reexamination_place = models.OneToOneField(
        SessionCandidate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appeal_reexamined",
        verbose_name=_("place de la nouvelle évaluation"),
    )
    revised_decision = models.OneToOneField(
        Decision,
        verbose_name=_("décision révisée"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="answered_appeal",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("enregistré par"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("enregistré le"), auto_now_add=True)
    examined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("examiné par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    examined_at = models.DateTimeField(_("examen enregistré le"), null=True, blank=True)
    closed_at = models.DateTimeField(_("clos le"), null=True, blank=True)

    class Meta:
        verbose_name = _("recours")
        verbose_name_plural = _("recours")
        ordering = ["received_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision"],
                condition=models.Q(status__in=["received", "reexamination"]),
                name="one_open_appeal_per_decision",
                violation_error_message=_("Un recours est déjà en cours sur cette décision."),
            ),
            models.CheckConstraint(
                condition=~models.Q(status="inadmissible") | ~models.Q(inadmissible_reason=""),
                name="inadmissible_appeal_has_a_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Recours du {self.received_on:%d/%m/%Y} — {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


def appeal_document_path(instance: AppealDocument, filename: str) -> str:
    return f"appeal-documents/{uuid.uuid4().hex}"


class AppealDocument(models.Model):
    """A document sent with the appeal (the letter, its enclosures), in the private storage."""

    appeal = models.ForeignKey(Appeal, verbose_name=_("recours"), on_delete=models.PROTECT, related_name="documents")
    file = models.FileField(_("fichier"), storage=private_storage, upload_to=appeal_document_path, max_length=200)
    original_name = models.CharField(_("nom du fichier envoyé"), max_length=255)
    content_type = models.CharField(_("type de contenu"), max_length=100)
    size = models.PositiveIntegerField(_("taille (octets)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("déposée par"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("déposé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("pièce du recours")
        verbose_name_plural = _("pièces des recours")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class AddendumStatus(models.TextChoices):
    SIGNING = "signing", _("En signature")
    SIGNED = "signed", _("Signé")


class PvAddendum(models.Model):
    """The PV addendum of a revised decision taken on the existing grids: a snapshot signed by every member of
    the certification jury, like the PV; once signed by all, the revised decision is final."""

    decision = models.OneToOneField(
        Decision, verbose_name=_("décision"), on_delete=models.PROTECT, related_name="addendum"
    )
    status = models.CharField(_("statut"), max_length=10, choices=AddendumStatus, default=AddendumStatus.SIGNING)
    content = models.JSONField(_("contenu"))
    content_sha256 = models.CharField(_("empreinte SHA-256 du contenu"), max_length=64)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("ouvert par"), on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(verbose_name=_("ouvert le"), auto_now_add=True)
    signed_at = models.DateTimeField(_("signé par tous le"), null=True, blank=True)

    class Meta:
        verbose_name = _("avenant au procès-verbal")
        verbose_name_plural = _("avenants aux procès-verbaux")

    def __str__(self) -> str:
        return f"Avenant — {self.decision}"


class PvAddendumSignature(models.Model):
    addendum = models.ForeignKey(
        PvAddendum, verbose_name=_("avenant"), on_delete=models.CASCADE, related_name="signatures"
    )
    member = models.ForeignKey(
        "juries.JuryMember", verbose_name=_("membre de jury"), on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("compte"), on_delete=models.PROTECT, related_name="+"
    )
    content_sha256 = models.CharField(_("empreinte signée"), max_length=64)
    signed_at = models.DateTimeField(_("signé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("signature de l'avenant")
        verbose_name_plural = _("signatures des avenants")
        ordering = ["signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["addendum", "member"],
                name="one_signature_per_member_and_addendum",
                violation_error_message=_("Vous avez déjà signé cet avenant."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.signed_at:%d/%m/%Y %H:%M}"
