"""Evaluation sessions run by a training organisation, the candidates convoked with their time
slot, and the tracking of each convocation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from candidates.models import Enrolment
from cqp.lib import bounds
from cqp.models import CertificationVersion, TrainingOrganisation

if TYPE_CHECKING:
    from juries.models import Jury


class SessionMode(models.TextChoices):
    ON_SITE = "on_site", _("Sur place")
    REMOTE = "remote", _("À distance")


class EvaluationSession(models.Model):
    version = models.ForeignKey(
        CertificationVersion, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("certification")
    )
    organisation = models.ForeignKey(
        TrainingOrganisation, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("organisme")
    )
    starts_on = models.DateField(_("premier jour"), validators=[bounds.event_date])
    ends_on = models.DateField(_("dernier jour"), validators=[bounds.event_date])
    day_starts_at = models.TimeField(_("heure du premier passage"), default=dt.time(9, 0))
    mode = models.CharField(_("modalité"), max_length=10, choices=SessionMode, default=SessionMode.ON_SITE)
    address = models.TextField(
        _("adresse"),
        max_length=bounds.SHORT_TEXT_LENGTH,
        blank=True,
        validators=[bounds.refuse_control_characters],
    )
    connection_details = models.TextField(
        _("lien et consignes de connexion"),
        max_length=bounds.LONG_TEXT_LENGTH,
        blank=True,
        validators=[bounds.refuse_control_characters],
    )
    slot_minutes = models.PositiveSmallIntegerField(
        _("durée d'un passage (minutes)"),
        validators=[MinValueValidator(bounds.SLOT_MINUTES_MIN), MaxValueValidator(bounds.SLOT_MINUTES_MAX)],
    )
    # Set by the organisation: every passage lasts `slot_minutes` (plus extra time). Otherwise a candidate's passage
    # lasts the tests of the blocks they sit (`cqp.block_tests`), and `slot_minutes` is the length for all blocks.
    slot_fixed = models.BooleanField(_("durée de passage imposée par l'organisme"), default=False)
    what_to_bring = models.TextField(
        _("à apporter"),
        max_length=bounds.SHORT_TEXT_LENGTH,
        blank=True,
        validators=[bounds.refuse_control_characters],
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("créée par"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(verbose_name=_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("session d'évaluation")
        verbose_name_plural = _("sessions d'évaluation")
        ordering = ["-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="session_ends_after_it_starts",
                violation_error_message=_("Le dernier jour ne peut précéder le premier."),
            )
        ]
        # The list: an organisation's sessions (or all of them) split on their last day, ordered by their first.
        indexes = [
            models.Index(fields=["organisation", "ends_on", "starts_on"], name="session_org_ends_starts"),
            models.Index(fields=["ends_on", "starts_on"], name="session_ends_starts"),
        ]

    def __str__(self) -> str:
        return f"{self.version.short_title} — {self.organisation} — {self.starts_on:%d/%m/%Y}"


class ConvocationStatus(models.TextChoices):
    NOT_SENT = "not_sent", _("Non envoyée")
    QUEUED = "queued", _("À envoyer")
    SENDING = "sending", _("En cours d'envoi")
    SENT = "sent", _("Envoyée")
    FAILED = "failed", _("Échec d'envoi")


class IdentityDocument(models.TextChoices):
    ID_CARD = "cni", _("Carte nationale d'identité")
    PASSPORT = "passeport", _("Passeport")
    RESIDENCE_PERMIT = "titre_sejour", _("Titre de séjour")
    DRIVING_LICENCE = "permis", _("Permis de conduire")


class Attendance(models.TextChoices):
    EXPECTED = "expected", _("Attendu")
    PRESENT = "present", _("Présent")
    ABSENT = "absent", _("Absent")
    EXCLUDED = "excluded", _("Exclu pour fraude")
    # The certifier accepted the session's cancellation (dysfunctions): the place no longer holds its enrolment,
    # which may be placed in another session.
    CANCELLED = "cancelled", _("Session annulée")


class SessionCandidateQuerySet(models.QuerySet["SessionCandidate"]):
    def of_juries(
        self, juries: Iterable[Jury] | models.QuerySet[Jury], *, present_only: bool = False
    ) -> SessionCandidateQuerySet:
        """A jury's candidates, the one definition: the places of its session (an evaluation jury) and of the
        sessions transmitted to it (a certification jury), for any of `juries`. `present_only`: those noted
        present on the attendance sheet, who sat the tests (absent or expected ones have no grid)."""
        places = self.filter(
            models.Q(session__jury__in=juries) | models.Q(session__jury__certification_jury__in=juries)
        )
        return places.filter(attendance=Attendance.PRESENT) if present_only else places

    def of_jury(self, jury: Jury, *, present_only: bool = False) -> SessionCandidateQuerySet:
        return self.of_juries([jury], present_only=present_only)


class SessionCandidate(models.Model):
    """A candidate convoked to a session, with a time slot and the tracking of the convocation."""

    session = models.ForeignKey(EvaluationSession, on_delete=models.CASCADE, related_name="candidates")
    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("inscription"), on_delete=models.PROTECT, related_name="session_places"
    )
    starts_at = models.DateTimeField(_("début du passage"))
    ends_at = models.DateTimeField(_("fin du passage"))
    convocation_status = models.CharField(
        _("convocation"), max_length=10, choices=ConvocationStatus, default=ConvocationStatus.NOT_SENT
    )
    convocation_sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)
    convocation_error = models.TextField(_("motif de l'échec"), max_length=bounds.SHORT_TEXT_LENGTH, blank=True)
    convocation_sends = models.PositiveSmallIntegerField(_("envois"), default=0)
    convocation_claimed_at = models.DateTimeField(
        verbose_name=_("envoi de la convocation pris en charge le"), null=True, blank=True, editable=False
    )
    # Exam day: the attendance sheet (feuille d'émargement).
    identity_document = models.CharField(
        _("pièce d'identité présentée"), max_length=15, choices=IdentityDocument, blank=True
    )
    identity_checked_at = models.DateTimeField(_("identité contrôlée le"), null=True, blank=True)
    identity_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("identité contrôlée par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    identity_checked_remotely = models.BooleanField(_("contrôle à distance (copie comparée)"), default=False)
    attendance = models.CharField(_("présence"), max_length=10, choices=Attendance, default=Attendance.EXPECTED)
    signed_at = models.DateTimeField(_("émargé le"), null=True, blank=True)
    attendance_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("présence enregistrée par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = SessionCandidateQuerySet.as_manager()

    class Meta:
        verbose_name = _("candidat convoqué")
        verbose_name_plural = _("candidats convoqués")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "enrolment"],
                name="one_place_per_enrolment_and_session",
                violation_error_message=_("Ce candidat est déjà dans la session."),
            ),
            # An enrolment awaited in two sessions at once: the service refuses it in words (rules.placement_refusal,
            # which also counts a place present but not decided yet); the database holds the part it can see. A
            # place of a cancelled session is no longer awaited (Attendance.CANCELLED).
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=models.Q(attendance=Attendance.EXPECTED),
                name="one_expected_place_per_enrolment",
                violation_error_message=_("Ce candidat est déjà attendu à une autre session."),
            ),
        ]
        indexes = [models.Index(fields=["session", "starts_at"], name="place_session_starts")]

    def __str__(self) -> str:
        return f"{self.enrolment.candidate} — {self.starts_at:%d/%m/%Y %H:%M}"


class ConvocationOverride(models.Model):
    """A certifier admin's permission to convoke less than 15 days before a session, with a reason."""

    session = models.OneToOneField(EvaluationSession, on_delete=models.CASCADE, related_name="override")
    reason = models.TextField(
        _("motif"), max_length=bounds.LONG_TEXT_LENGTH, validators=[bounds.refuse_control_characters]
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("enregistrée par"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(verbose_name=_("enregistrée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("dérogation au délai de convocation")
        verbose_name_plural = _("dérogations au délai de convocation")

    def __str__(self) -> str:
        return f"Dérogation — {self.session}"


class IncidentKind(models.TextChoices):
    TECHNICAL = "technical", _("Incident technique")
    ORGANISATION = "organisation", _("Problème d'organisation")
    JURY = "jury", _("Absence ou empêchement d'un membre du jury")
    BEHAVIOUR = "behaviour", _("Comportement")
    FRAUD = "fraud", _("Fraude")
    OTHER = "other", _("Autre")


class Incident(models.Model):
    """An incident during the tests: reported to the certifier (the CNHBJO), who can hand it to the candidate."""

    session = models.ForeignKey(EvaluationSession, on_delete=models.PROTECT, related_name="incidents")
    place = models.ForeignKey(
        SessionCandidate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("candidat concerné"),
    )
    kind = models.CharField(_("type"), max_length=15, choices=IncidentKind)
    description = models.TextField(
        _("description"), max_length=bounds.LONG_TEXT_LENGTH, validators=[bounds.refuse_control_characters]
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("signalé par"), on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(_("signalé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["reported_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.session}"
