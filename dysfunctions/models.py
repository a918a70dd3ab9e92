"""Dysfunctions of an evaluation session (seed §7): the training organisation proposes to cancel or postpone a
session, the certifier decides; the incident reports the certifier writes for a candidate, handed to them in
their space.

A proposal is also the record of its decision: who decided, when, why, and the session's dates before a
postponement. It is written by `dysfunctions.services` only and never deleted."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cqp.lib import bounds
from evaluations.models import EvaluationSession, Incident, SessionCandidate


class ProposalKind(models.TextChoices):
    CANCEL = "cancel", _("Annulation")
    POSTPONE = "postpone", _("Report")


class ReasonKind(models.TextChoices):
    ABSENT_JURY_MEMBER = "absent_jury_member", _("Absence d'un membre du jury")
    NON_CONFORMITY = "non_conformity", _("Non-conformité des locaux ou du matériel")
    OTHER = "other", _("Autre")


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("En attente de décision")
    ACCEPTED = "accepted", _("Acceptée")
    REFUSED = "refused", _("Refusée")


class Proposal(models.Model):
    """A proposal to cancel or postpone a session, and the certifier's decision on it."""

    session = models.ForeignKey(
        EvaluationSession, on_delete=models.PROTECT, related_name="dysfunction_proposals", verbose_name=_("session")
    )
    kind = models.CharField(_("proposition"), max_length=10, choices=ProposalKind)
    reason_kind = models.CharField(_("motif"), max_length=20, choices=ReasonKind)
    description = models.TextField(
        _("description"), max_length=bounds.LONG_TEXT_LENGTH, validators=[bounds.refuse_control_characters]
    )
    new_starts_on = models.DateField(_("nouveau premier jour"), null=True, blank=True, validators=[bounds.event_date])
    new_ends_on = models.DateField(_("nouveau dernier jour"), null=True, blank=True, validators=[bounds.event_date])
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposée par"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposée le"), auto_now_add=True)
    status = models.CharField(_("statut"), max_length=10, choices=ProposalStatus, default=ProposalStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("décidée par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    decision_reason = models.TextField(
        _("motif de la décision"),
        max_length=bounds.LONG_TEXT_LENGTH,
        blank=True,
        validators=[bounds.refuse_control_characters],
    )
    # A postponement accepted: the dates the session had before, and the reason of a derogation to the 15-day
    # rule when the new first day was too close.
    previous_starts_on = models.DateField(_("ancien premier jour"), null=True, blank=True)
    previous_ends_on = models.DateField(_("ancien dernier jour"), null=True, blank=True)
    override_reason = models.TextField(
        _("motif de la dérogation au délai de 15 jours"),
        max_length=bounds.LONG_TEXT_LENGTH,
        blank=True,
        validators=[bounds.refuse_control_characters],
    )
    reconvoked = models.PositiveSmallIntegerField(_("candidats convoqués à nouveau"), default=0)

    class Meta:
        verbose_name = _("proposition d'annulation ou de report")
        verbose_name_plural = _("propositions d'annulation ou de report")
        ordering = ["-proposed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session"],
                condition=models.Q(status="pending"),
                name="one_pending_proposal_per_session",
                violation_error_message=_("Une proposition attend déjà la décision du certificateur."),
            ),
            models.UniqueConstraint(
                fields=["session"],
                condition=models.Q(status="accepted", kind="cancel"),
                name="one_cancellation_per_session",
                violation_error_message=_("Cette session est déjà annulée."),
            ),
            models.CheckConstraint(
                condition=models.Q(kind="cancel")
                | models.Q(
                    new_starts_on__isnull=False, new_ends_on__isnull=False, new_ends_on__gte=models.F("new_starts_on")
                ),
                name="postponement_has_its_dates",
                violation_error_message=_("Un report indique ses nouvelles dates, le dernier jour après le premier."),
            ),
        ]
        indexes = [models.Index(fields=["status", "proposed_at"], name="proposal_status_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.session}"


class IncidentReport(models.Model):
    """The certifier's report to a candidate about a dysfunction or an exam-day incident (seed §7: "un rapport est
    établi par la CNHBJO afin d'être remis au candidat"). The candidate reads it in their space."""

    place = models.ForeignKey(
        SessionCandidate, on_delete=models.PROTECT, related_name="incident_reports", verbose_name=_("candidat")
    )
    proposal = models.ForeignKey(
        Proposal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("annulation ou report concerné"),
    )
    incident = models.ForeignKey(
        Incident,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("incident signalé concerné"),
    )
    title = models.CharField(_("objet"), max_length=bounds.NAME_LENGTH, validators=[bounds.refuse_control_characters])
    body = models.TextField(
        _("rapport"), max_length=bounds.LONG_TEXT_LENGTH, validators=[bounds.refuse_control_characters]
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("rédigé par"), on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField(_("rédigé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("rapport d'incident")
        verbose_name_plural = _("rapports d'incident")
        ordering = ["-written_at", "pk"]

    def __str__(self) -> str:
        return f"{self.title} — {self.place.enrolment.candidate}"
