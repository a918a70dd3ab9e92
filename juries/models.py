"""Juries: the registry of approved members, the evaluation jury of a session and the certification jury,
their recusals, the A/NA grids, the evaluation jury's recommendations, the certification jury's disputes and
decisions, and the audit trail of every change to a result."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from candidates.models import Candidate, private_storage
from cqp import rules as cqp_rules
from cqp.lib import bounds
from cqp.models import Block, Certification, CertificationVersion, Competency, TrainingOrganisation
from evaluations.models import EvaluationSession, SessionCandidate
from juries import rules


class College(models.TextChoices):
    EMPLOYEES = rules.EMPLOYEES, _("Représentant des salariés")
    EMPLOYERS = rules.EMPLOYERS, _("Représentant des employeurs")
    TRAINER = rules.TRAINER, _("Formateur ou accompagnateur CQP")
    CERTIFIER_PRESIDENT = rules.CERTIFIER_PRESIDENT, _("Président de l'instance de certification")
    PROFESSIONAL = rules.PROFESSIONAL, _("Professionnel du métier")


class MemberStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposé, à habiliter")
    APPROVED = "approved", _("Habilité")
    WITHDRAWN = "withdrawn", _("Habilitation retirée")


class JuryMember(models.Model):
    """A person who may sit on juries once the certifier has approved them.

    The names and the address are those the proposer typed: the registry shows them, never those of an account
    it did not create. `user` is the account the registry created for a new address, or an existing account
    linked once its owner confirmed from the e-mailed invitation (empty until then: no seat without it)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="jury_member",
        verbose_name=_("compte"),
    )
    first_name = models.CharField(_("prénom"), max_length=150, blank=True)
    last_name = models.CharField(_("nom"), max_length=150, blank=True)
    email = models.EmailField(_("adresse e-mail"), blank=True)
    college = models.CharField(_("collège"), max_length=20, choices=College)
    company_name = models.CharField(_("entreprise ou organisme"), max_length=200, blank=True)
    company_siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    organisation = models.ForeignKey(
        TrainingOrganisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="jury_members",
        verbose_name=_("organisme de formation employeur"),
        help_text=_("Renseigné si la personne travaille pour un organisme de formation."),
    )
    certifications = models.ManyToManyField(
        Certification, related_name="jury_members", verbose_name=_("certifications qu'il peut évaluer")
    )
    trained_organisations = models.ManyToManyField(
        TrainingOrganisation,
        blank=True,
        related_name="+",
        verbose_name=_("organismes pour lesquels il a formé des candidats"),
    )
    trained_candidates = models.ManyToManyField(
        Candidate, blank=True, related_name="trainers", verbose_name=_("candidats qu'il a formés")
    )
    status = models.CharField(_("statut"), max_length=10, choices=MemberStatus, default=MemberStatus.PROPOSED)
    status_reason = models.TextField(_("motif du retrait"), max_length=bounds.LONG_TEXT_LENGTH, blank=True)
    approved_at = models.DateTimeField(_("habilité le"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("habilité par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(verbose_name=_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("membre de jury")
        verbose_name_plural = _("membres de jury")
        ordering = ["last_name", "first_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["email"],
                condition=~models.Q(email=""),
                name="one_member_per_email",
                violation_error_message=_("Cette adresse est déjà dans le registre des membres de jury."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        typed = f"{self.first_name} {self.last_name}".strip()
        if typed:
            return typed
        if self.user is not None:
            return self.user.get_full_name() or self.user.email
        return self.email

    @property
    def awaits_confirmation(self) -> bool:
        """Proposed with the address of an existing account whose owner has not confirmed yet."""
        return self.user_id is None

    @property
    def awaits_activation(self) -> bool:
        """Their account exists but has no password its owner chose yet (the registry created it): they are
        e-mailed the link to choose one, and an admin may send it again."""
        return self.user is not None and not self.user.has_usable_password()


class JuryKind(models.TextChoices):
    EVALUATION = rules.EVALUATION, _("Jury d'évaluation")
    CERTIFICATION = rules.CERTIFICATION, _("Jury de certification")


class Jury(models.Model):
    """An evaluation jury (one per session) or a certification jury (a meeting that decides on the sessions
    the evaluation juries transmitted to it)."""

    kind = models.CharField(_("type de jury"), max_length=15, choices=JuryKind)
    version = models.ForeignKey(
        CertificationVersion, on_delete=models.PROTECT, related_name="juries", verbose_name=_("certification")
    )
    session = models.OneToOneField(
        EvaluationSession,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="jury",
        verbose_name=_("session"),
    )
    meets_on = models.DateField(_("date du jury"), validators=[bounds.event_date])
    president = models.ForeignKey(
        JuryMember, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("président")
    )
    certification_jury = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evaluation_juries",
        verbose_name=_("transmis au jury de certification"),
    )
    transmitted_at = models.DateTimeField(_("transmis le"), null=True, blank=True)
    transmitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("transmis par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("créé par"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(verbose_name=_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("jury")
        verbose_name_plural = _("jurys")
        ordering = ["-meets_on", "pk"]
        indexes = [
            # The jury lists' order, and the open juries (evaluation juries not transmitted) read first.
            models.Index(fields=["-meets_on", "id"], name="jury_meets_on_idx"),
            models.Index(fields=["kind", "transmitted_at"], name="jury_kind_transmitted_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind=JuryKind.EVALUATION, session__isnull=False)
                | models.Q(kind=JuryKind.CERTIFICATION, session__isnull=True, certification_jury__isnull=True),
                name="jury_kind_matches_its_links",
                violation_error_message=_(
                    "Un jury d'évaluation va avec une session ; un jury de certification avec aucune."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.version.short_title} — {self.meets_on:%d/%m/%Y}"

    @property
    def is_evaluation(self) -> bool:
        return self.kind == JuryKind.EVALUATION

    @property
    def evaluated_session(self) -> EvaluationSession:
        """The session an evaluation jury assesses (the constraint above gives every evaluation jury one)."""
        if self.session is None:
            raise ValueError(f"Jury {self.pk}: a certification jury assesses no session of its own.")
        return self.session


class JuryRuleSet(models.Model):
    """The composition rules of one kind of jury for one certification version, edited by certifier admins
    and frozen with the version (`juries.rule_sets`); `juries.rules.JuryRules` is the value the rules read."""

    version = models.ForeignKey(
        CertificationVersion, on_delete=models.CASCADE, related_name="jury_rules", verbose_name=_("version")
    )
    kind = models.CharField(_("type de jury"), max_length=15, choices=JuryKind)
    name = models.CharField(
        _("nom du jury dans la fiche"),
        max_length=80,
        help_text=_("Tel que la fiche le nomme, en minuscules : « jury d'épreuve », « jury paritaire final »."),
    )
    min_members = models.PositiveSmallIntegerField(
        _("membres au minimum"), default=0, validators=[MaxValueValidator(rules.MAX_SEATS)]
    )
    max_members = models.PositiveSmallIntegerField(
        _("membres au maximum"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(rules.MAX_SEATS)],
        help_text=_("Laisser vide : pas de maximum."),
    )
    presiding = models.JSONField(_("président choisi parmi"), default=list)
    trainers_linked_allowed = models.BooleanField(
        _("les formateurs de l'organisme des candidats peuvent siéger"), default=False
    )
    external_percent = models.PositiveSmallIntegerField(
        _("part du jury extérieure à l'organisme de formation (%)"),
        default=50,
        validators=[MaxValueValidator(100)],
    )
    source = models.CharField(_("source de la règle"), max_length=200, blank=True)
    updated_at = models.DateTimeField(verbose_name=_("modifiées le"), auto_now=True)

    class Meta:
        verbose_name = _("règles de composition d'un jury")
        verbose_name_plural = _("règles de composition des jurys")
        ordering = ["version", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "kind"],
                name="one_rule_set_per_version_and_kind",
                violation_error_message=_("Cette version a déjà ses règles pour ce type de jury."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.version} — {self.name}"


class SeatRuleRow(models.Model):
    """One college of a jury's composition: how many of its members sit, in the version's words."""

    rule_set = models.ForeignKey(
        JuryRuleSet, verbose_name=_("règles de composition"), on_delete=models.CASCADE, related_name="seat_rules"
    )
    college = models.CharField(_("collège"), max_length=20, choices=College)
    label = models.CharField(_("intitulé dans la fiche"), max_length=120)
    minimum = models.PositiveSmallIntegerField(_("minimum"), default=1, validators=[MaxValueValidator(rules.MAX_SEATS)])
    maximum = models.PositiveSmallIntegerField(
        _("maximum"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(rules.MAX_SEATS)],
        help_text=_("Laisser vide : pas de maximum."),
    )
    ex_officio = models.BooleanField(
        _("siège de droit"),
        default=False,
        help_text=_("Ses membres siègent de droit : l'habilitation en vigueur suffit, sans liste de certifications."),
    )
    order = models.PositiveSmallIntegerField(_("ordre"), default=1, validators=[MaxValueValidator(99)])

    class Meta:
        verbose_name = _("collège d'un jury")
        verbose_name_plural = _("collèges d'un jury")
        ordering = ["rule_set", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule_set", "college"],
                name="one_seat_rule_per_college",
                violation_error_message=_("Ce collège figure déjà dans la composition de ce jury."),
            )
        ]

    def __str__(self) -> str:
        return self.label


class JurySeat(models.Model):
    """A member sitting on a jury, in their college; `internal` says they work for the training organisation
    whose candidates the jury assesses (at most half of the jury may)."""

    jury = models.ForeignKey(Jury, on_delete=models.CASCADE, related_name="seats")
    member = models.ForeignKey(
        JuryMember, verbose_name=_("membre de jury"), on_delete=models.PROTECT, related_name="seats"
    )
    college = models.CharField(_("collège"), max_length=20, choices=College)
    internal = models.BooleanField(_("interne à l'organisme"), default=False)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("attribué par"), on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(verbose_name=_("attribué le"), auto_now_add=True)

    class Meta:
        verbose_name = _("siège de jury")
        verbose_name_plural = _("sièges de jury")
        ordering = ["jury", "college"]
        constraints = [
            models.UniqueConstraint(
                fields=["jury", "member"],
                name="one_seat_per_member_and_jury",
                violation_error_message=_("Déjà membre."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.get_college_display()}"


class RecusalReason(models.TextChoices):
    TRAINED = rules.TRAINED, _("A formé le candidat")
    SAME_COMPANY = rules.SAME_COMPANY, _("Travaille dans l'entreprise du candidat")
    DECLARED = rules.DECLARED, _("A déclaré connaître le candidat")


class Recusal(models.Model):
    """A member takes no part in one candidate's grid and deliberation. Found by the rules (trained,
    same company) or declared by the member; recorded either way, shown in the deliberation and the PV."""

    jury = models.ForeignKey(Jury, on_delete=models.CASCADE, related_name="recusals")
    member = models.ForeignKey(
        JuryMember, verbose_name=_("membre de jury"), on_delete=models.PROTECT, related_name="recusals"
    )
    place = models.ForeignKey(
        SessionCandidate, verbose_name=_("candidat convoqué"), on_delete=models.PROTECT, related_name="recusals"
    )
    reason = models.CharField(_("motif"), max_length=15, choices=RecusalReason)
    note = models.TextField(_("précisions"), max_length=bounds.SHORT_TEXT_LENGTH, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enregistré par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(verbose_name=_("enregistré le"), auto_now_add=True)

    class Meta:
        verbose_name = _("déport")
        verbose_name_plural = _("déports")
        ordering = ["place", "member", "reason"]
        constraints = [
            models.UniqueConstraint(
                fields=["jury", "member", "place", "reason"],
                name="one_recusal_per_reason",
                violation_error_message=_("Ce déport est déjà enregistré."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.place.enrolment.candidate} — {self.get_reason_display()}"


class GridStatus(models.TextChoices):
    DRAFT = "draft", _("En cours de saisie")
    SUBMITTED = "submitted", _("Validée")


class Grid(models.Model):
    """The A/NA grid of one candidate for one block: a member's own grid, or the consensus grid entered by
    the president (member is null). Locked once submitted; reopened only by a certifier admin."""

    jury = models.ForeignKey(Jury, on_delete=models.PROTECT, related_name="grids")
    place = models.ForeignKey(
        SessionCandidate, verbose_name=_("candidat convoqué"), on_delete=models.PROTECT, related_name="grids"
    )
    block = models.ForeignKey(Block, verbose_name=_("bloc de compétences"), on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(
        JuryMember, on_delete=models.PROTECT, null=True, blank=True, related_name="grids", verbose_name=_("membre")
    )
    status = models.CharField(_("statut"), max_length=10, choices=GridStatus, default=GridStatus.DRAFT)
    comment = models.TextField(_("commentaire"), max_length=bounds.LONG_TEXT_LENGTH, blank=True)
    submitted_at = models.DateTimeField(_("validée le"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saisie par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reopened_at = models.DateTimeField(_("rouverte le"), null=True, blank=True)
    updated_at = models.DateTimeField(verbose_name=_("modifiée le"), auto_now=True)

    class Meta:
        verbose_name = _("grille d'évaluation")
        verbose_name_plural = _("grilles d'évaluation")
        ordering = ["place", "block__order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["place", "block", "member"],
                name="one_member_grid_per_block",
                violation_error_message=_("Ce membre a déjà une grille pour ce bloc."),
            ),
            models.UniqueConstraint(
                fields=["place", "block"],
                condition=models.Q(member__isnull=True),
                name="one_consensus_grid_per_block",
                violation_error_message=_("La grille de consensus de ce bloc existe déjà."),
            ),
        ]

    def __str__(self) -> str:
        who = self.member or _("consensus")
        return f"{self.place.enrolment.candidate} — {self.block.code} — {who}"

    @property
    def is_consensus(self) -> bool:
        return self.member_id is None


class GradeValue(models.TextChoices):
    ACQUIRED = cqp_rules.ACQUIRED, _("A — acquis")
    NOT_ACQUIRED = cqp_rules.NOT_ACQUIRED, _("NA — non acquis")


class Grade(models.Model):
    grid = models.ForeignKey(
        Grid, verbose_name=_("grille d'évaluation"), on_delete=models.CASCADE, related_name="grades"
    )
    competency = models.ForeignKey(Competency, verbose_name=_("compétence"), on_delete=models.PROTECT, related_name="+")
    value = models.CharField(_("note"), max_length=2, choices=GradeValue)
    comment = models.TextField(_("commentaire"), max_length=bounds.LONG_TEXT_LENGTH, blank=True)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        constraints = [
            models.UniqueConstraint(fields=["grid", "competency"], name="one_grade_per_competency_and_grid"),
        ]

    def __str__(self) -> str:
        return f"{self.competency.code} : {self.value}"


class OutcomeKind(models.TextChoices):
    TOTAL = "total", _("Attribution totale")
    PARTIAL = "partial", _("Attribution partielle")
    NONE = "none", _("Non-attribution")


class Recommendation(models.Model):
    """The evaluation jury's recommendation for a candidate (préconisation), with its comments."""

    place = models.OneToOneField(
        SessionCandidate, verbose_name=_("candidat convoqué"), on_delete=models.PROTECT, related_name="recommendation"
    )
    kind = models.CharField(_("préconisation"), max_length=10, choices=OutcomeKind)
    blocks = models.ManyToManyField(Block, blank=True, related_name="+", verbose_name=_("blocs préconisés"))
    comments = models.TextField(_("commentaires et annotations"), max_length=bounds.LONG_TEXT_LENGTH, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("saisie par"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(verbose_name=_("saisie le"), auto_now=True)

    class Meta:
        verbose_name = _("préconisation du jury d'évaluation")
        verbose_name_plural = _("préconisations du jury d'évaluation")

    def __str__(self) -> str:
        return f"{self.place.enrolment.candidate} — {self.get_kind_display()}"


class Dispute(models.Model):
    """A dispute raised by the certification jury on a candidate's results; it may summon the evaluation
    jury. No decision is taken on the candidate while it is open."""

    jury = models.ForeignKey(Jury, on_delete=models.PROTECT, related_name="disputes")
    place = models.ForeignKey(
        SessionCandidate, verbose_name=_("candidat convoqué"), on_delete=models.PROTECT, related_name="disputes"
    )
    description = models.TextField(_("objet du litige"), max_length=bounds.LONG_TEXT_LENGTH)
    summon_evaluation_jury = models.BooleanField(_("convoquer le jury d'évaluation"), default=False)
    resolution = models.TextField(_("issue du litige"), max_length=bounds.LONG_TEXT_LENGTH, blank=True)
    resolved_at = models.DateTimeField(_("clos le"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("résolu par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("enregistré par"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(verbose_name=_("enregistré le"), auto_now_add=True)

    class Meta:
        verbose_name = _("litige")
        verbose_name_plural = _("litiges")
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.place.enrolment.candidate} — {self.description[:40]}"


class Decision(models.Model):
    """The certification jury's decision on a candidate: total, partial (which blocks) or none.

    Its state (provisional, final, under appeal, revised, revoked) is not stored: `juries.result_state` reads it
    from the PV, the CPNEFP validation, the appeals, the revision and the revocation (rule: `juries.lifecycle`).
    `place` points at the place's *current* decision; a decision replaced after re-examination keeps its
    `examined_place` and loses its `place`, and the revised decision `revises` it."""

    place = models.OneToOneField(
        SessionCandidate,
        verbose_name=_("candidat convoqué"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decision",
    )
    examined_place = models.ForeignKey(
        SessionCandidate, on_delete=models.PROTECT, related_name="decisions_ever", verbose_name=_("candidat examiné")
    )
    jury = models.ForeignKey(Jury, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(_("décision"), max_length=10, choices=OutcomeKind)
    blocks = models.ManyToManyField(Block, blank=True, related_name="+", verbose_name=_("blocs attribués"))
    reason = models.TextField(_("motif"), max_length=bounds.LONG_TEXT_LENGTH, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("prise par"), on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(verbose_name=_("prise le"), auto_now=True)
    # Re-examination after an appeal: the decision this one replaces (kept, never edited).
    revises = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="revision", verbose_name=_("révise")
    )
    # A revision decided on the existing grids is made final by its own PV addendum, signed like a PV.
    needs_addendum = models.BooleanField(_("avenant au procès-verbal requis"), default=False)
    revoked_at = models.DateTimeField(_("retirée le"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("retirée par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revocation_reason = models.TextField(_("motif du retrait"), max_length=bounds.LONG_TEXT_LENGTH, blank=True)
    revocation_reference = models.CharField(_("référence de la décision de retrait"), max_length=100, blank=True)
    revocation_fraud = models.BooleanField(_("retrait pour fraude"), default=False)
    # The CDC declaration (later issue) must be sent again: the result changed after being declared.
    declaration_to_resend = models.BooleanField(_("déclaration à renvoyer"), default=False)
    # What the decision carried over: earlier final decisions and prior acquisitions it relied on.
    relied_on = models.ManyToManyField(
        "self",
        verbose_name=_("décisions antérieures reprises"),
        symmetrical=False,
        blank=True,
        related_name="relied_on_by",
    )
    relied_on_prior: models.ManyToManyField[PriorAcquisition, Any] = models.ManyToManyField(
        "PriorAcquisition", verbose_name=_("acquis antérieurs repris"), blank=True, related_name="relied_on_by"
    )

    class Meta:
        verbose_name = _("décision du jury de certification")
        verbose_name_plural = _("décisions du jury de certification")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True) | ~models.Q(revocation_reason=""),
                name="revoked_decision_has_a_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.examined_place.enrolment.candidate} — {self.get_kind_display()}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.examined_place_id and self.place_id:
            self.examined_place_id = self.place_id
        super().save(*args, **kwargs)  # type: ignore[arg-type]


def prior_scan_path(instance: PriorAcquisition, filename: str) -> str:
    return f"prior-acquisitions/{uuid.uuid4().hex}.pdf"


class PriorSource(models.TextChoices):
    PAPER_PV = "paper_pv", _("Procès-verbal papier")
    EARLIER_SOFTWARE = "earlier_software", _("Logiciel antérieur")
    OTHER_CERTIFIER = "other_certifier", _("Autre certificateur")


class PriorAcquisition(models.Model):
    """A block a candidate acquired before the application was in use (paper PV, earlier software, another
    certifier), recorded by a certifier admin: it is carried over like a final result, within the block's
    validity. Withdrawn, never deleted."""

    candidate = models.ForeignKey(
        Candidate, verbose_name=_("candidat"), on_delete=models.PROTECT, related_name="prior_acquisitions"
    )
    block = models.ForeignKey(Block, on_delete=models.PROTECT, related_name="+", verbose_name=_("bloc"))
    acquired_on = models.DateField(_("acquis le"), validators=[bounds.past_event_date])
    source = models.CharField(_("source"), max_length=20, choices=PriorSource)
    reference = models.CharField(_("référence"), max_length=bounds.NAME_LENGTH)
    scan = models.FileField(
        _("PV numérisé"), storage=private_storage, upload_to=prior_scan_path, max_length=200, blank=True
    )
    scan_name = models.CharField(_("nom du fichier envoyé"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("enregistré par"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("enregistré le"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("retiré le"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("retiré par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawal_reason = models.TextField(_("motif du retrait"), max_length=bounds.SHORT_TEXT_LENGTH, blank=True)

    class Meta:
        verbose_name = _("acquis antérieur")
        verbose_name_plural = _("acquis antérieurs")
        ordering = ["candidate_id", "block__order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "block"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="one_prior_acquisition_per_block",
                violation_error_message=_("Ce bloc est déjà enregistré comme acquis antérieur pour ce candidat."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.candidate} — {self.block.code} ({self.get_source_display()})"


class CarryOverFlag(models.Model):
    """A later decision relied on a result that stopped being final (appeal upheld, revocation, prior
    acquisition withdrawn): nothing more is issued from it until a certifier admin resolves the flag."""

    decision = models.ForeignKey(
        Decision, verbose_name=_("décision"), on_delete=models.PROTECT, related_name="carry_flags"
    )
    source_decision = models.ForeignKey(
        Decision,
        verbose_name=_("décision d'origine"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    source_prior = models.ForeignKey(
        PriorAcquisition,
        verbose_name=_("acquis antérieur d'origine"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(_("motif"), max_length=bounds.SHORT_TEXT_LENGTH)
    raised_at = models.DateTimeField(_("signalé le"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("résolu le"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("résolu par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resolution = models.TextField(_("résolution"), max_length=bounds.LONG_TEXT_LENGTH, blank=True)

    class Meta:
        verbose_name = _("report d'acquis à revoir")
        verbose_name_plural = _("reports d'acquis à revoir")
        ordering = ["raised_at", "pk"]

    def __str__(self) -> str:
        return f"{self.decision} — {self.reason[:40]}"


class AuditAction(models.TextChoices):
    GRID_SAVED = "grid_saved", _("Grille enregistrée")
    GRID_SUBMITTED = "grid_submitted", _("Grille validée")
    GRID_REOPENED = "grid_reopened", _("Grille rouverte")
    RECUSAL = "recusal", _("Déport")
    RECOMMENDATION = "recommendation", _("Préconisation")
    TRANSMITTED = "transmitted", _("Transmission au jury de certification")
    DISPUTE = "dispute", _("Litige")
    DISPUTE_RESOLVED = "dispute_resolved", _("Litige clos")
    DECISION = "decision", _("Décision du jury de certification")
    APPEAL = "appeal", _("Recours")
    REVISION = "revision", _("Décision révisée")
    REVOCATION = "revocation", _("Retrait de la certification")
    PRIOR_ACQUISITION = "prior_acquisition", _("Acquis antérieur")
    CARRY_FLAG = "carry_flag", _("Report d'acquis à revoir")


class AuditEntry(models.Model):
    """One change to a candidate's results: who, when, what it was before and after. Never updated."""

    candidate = models.ForeignKey(
        Candidate, verbose_name=_("candidat"), on_delete=models.PROTECT, related_name="result_history"
    )
    place = models.ForeignKey(
        SessionCandidate,
        verbose_name=_("candidat convoqué"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=20, choices=AuditAction)
    subject = models.CharField(_("objet"), max_length=255)
    before = models.JSONField(_("avant"), null=True, blank=True)
    after = models.JSONField(_("après"), null=True, blank=True)
    reason = models.TextField(_("motif"), max_length=bounds.LONG_TEXT_LENGTH, blank=True)
    # Empty when the application recorded it on its own (a recusal found by the rules when a candidate joins).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("le"), auto_now_add=True)

    class Meta:
        verbose_name = _("historique des résultats")
        verbose_name_plural = _("historique des résultats")
        ordering = ["at", "pk"]
        # A candidate's history, newest first.
        indexes = [models.Index(fields=["candidate", "-at"], name="auditentry_candidate_at_idx")]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} — {self.get_action_display()} — {self.subject}"
