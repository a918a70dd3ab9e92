"""The certifier's legal paper: the procès-verbal of a certification jury with its members' signatures, the
CPNEFP validation and the notification of results, and the numbered parchments (a certificate for the whole
certification, or a block certificate naming the blocks) with their rendered PDF versions."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.files.storage import Storage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cqp.lib import bounds
from cqp.lib.claims import Claim
from cqp.lib.storage import private_storage
from cqp.models import Block, Certifier
from evaluations.models import SessionCandidate
from juries.models import Decision, Jury, JuryMember

_document_storage = private_storage("certificates")


def document_storage() -> Storage:
    """Where PVs and parchments are stored: Django's storage API, so an object store can replace the disk; no
    URL, they are served by views that check access."""
    return _document_storage


class RenderStatus(models.TextChoices):
    PENDING = "pending", _("À produire")
    RENDERING = "rendering", _("En cours")
    DONE = "done", _("Produit")
    FAILED = "failed", _("Échec")


def render_unfinished(now: dt.datetime) -> models.Q:
    """A PV or parchment whose render did not end, and may be taken: waiting, failed, or claimed by a worker
    longer ago than `CERTIFICATES_RENDER_STALE_SECONDS` (a worker that died). The render task claims rows of
    this kind; `renders_resume` queues them again."""
    return RENDER_CLAIM.claimable(now)


RENDER_CLAIM = Claim(
    status="render_status",
    claimed_at="render_claimed_at",
    waiting=(RenderStatus.PENDING, RenderStatus.FAILED),
    taken=RenderStatus.RENDERING,
    stale_setting="CERTIFICATES_RENDER_STALE_SECONDS",
)


class PvStatus(models.TextChoices):
    SIGNING = "signing", _("En signature")
    SIGNED = "signed", _("Signé")


class ProcesVerbal(models.Model):
    """The PV of a certification jury. Its content (session, composition, recusals, incidents, decisions
    with reasons) is a snapshot whose SHA-256 each member signs; once every member has signed that same
    content, the PV and the decisions are locked."""

    jury = models.OneToOneField(Jury, on_delete=models.PROTECT, related_name="pv")
    status = models.CharField(_("statut"), max_length=10, choices=PvStatus, default=PvStatus.SIGNING)
    content = models.JSONField(_("contenu"))
    content_sha256 = models.CharField(_("empreinte SHA-256 du contenu"), max_length=64)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("ouvert par"), on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(verbose_name=_("ouvert le"), auto_now_add=True)
    signed_at = models.DateTimeField(_("signé par tous le"), null=True, blank=True)
    render_status = models.CharField(
        verbose_name=_("état du rendu"), max_length=10, choices=RenderStatus, default=RenderStatus.PENDING
    )
    render_claimed_at = models.DateTimeField(
        verbose_name=_("rendu pris en charge le"), null=True, blank=True, editable=False
    )
    render_error = models.TextField(verbose_name=_("erreur de rendu"), blank=True)
    pdf = models.FileField(
        verbose_name=_("fichier PDF"), storage=document_storage, upload_to="pv/", max_length=200, blank=True
    )
    pdf_sha256 = models.CharField(verbose_name=_("empreinte SHA-256 du PDF"), max_length=64, blank=True)
    rendered_at = models.DateTimeField(verbose_name=_("rendu le"), null=True, blank=True)

    class Meta:
        verbose_name = _("procès-verbal")
        verbose_name_plural = _("procès-verbaux")

    def __str__(self) -> str:
        return f"PV — {self.jury}"


class PvSignature(models.Model):
    pv = models.ForeignKey(
        ProcesVerbal, verbose_name=_("procès-verbal"), on_delete=models.CASCADE, related_name="signatures"
    )
    member = models.ForeignKey(JuryMember, verbose_name=_("membre de jury"), on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("compte"), on_delete=models.PROTECT, related_name="+"
    )
    content_sha256 = models.CharField(_("empreinte signée"), max_length=64)
    signed_at = models.DateTimeField(_("signé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("signature du procès-verbal")
        verbose_name_plural = _("signatures du procès-verbal")
        ordering = ["signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["pv", "member"],
                name="one_signature_per_member_and_pv",
                violation_error_message=_("Vous avez déjà signé ce procès-verbal."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.signed_at:%d/%m/%Y %H:%M}"


class CpnefpValidation(models.Model):
    """The CPNEFP validated the certification jury's results at a meeting; results are then notified."""

    jury = models.OneToOneField(Jury, on_delete=models.PROTECT, related_name="cpnefp_validation")
    meeting_on = models.DateField(_("date de la réunion de la CPNEFP"), validators=[bounds.past_event_date])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("enregistrée par"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(verbose_name=_("enregistrée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("validation par la CPNEFP")
        verbose_name_plural = _("validations par la CPNEFP")

    def __str__(self) -> str:
        return f"CPNEFP {self.meeting_on:%d/%m/%Y} — {self.jury}"


class NoticeStatus(models.TextChoices):
    QUEUED = "queued", _("À envoyer")
    SENDING = "sending", _("En cours d'envoi")
    SENT = "sent", _("Envoyée")
    FAILED = "failed", _("Échec d'envoi")


class ResultNotice(models.Model):
    """The notification of a candidate's result (e-mail and candidate space), after the CPNEFP validation."""

    decision = models.OneToOneField(
        Decision, verbose_name=_("décision"), on_delete=models.PROTECT, related_name="notice"
    )
    status = models.CharField(
        verbose_name=_("état de l'envoi"), max_length=10, choices=NoticeStatus, default=NoticeStatus.QUEUED
    )
    claimed_at = models.DateTimeField(verbose_name=_("envoi pris en charge le"), null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("notifié le"), null=True, blank=True)
    error = models.TextField(verbose_name=_("erreur"), blank=True)
    created_at = models.DateTimeField(verbose_name=_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("notification de résultat")
        verbose_name_plural = _("notifications de résultat")

    def __str__(self) -> str:
        return f"{self.decision} — {self.get_status_display()}"


# A parchment's number is printed on six digits (`display_number`); the series may go beyond, not without end.
MAX_NUMBER = 999_999_999


class NumberSeries(models.Model):
    """The certifier's series of parchment numbers: the row is locked while a number is taken, and the
    number and its parchment are written in the same short transaction, so the series has no gap."""

    certifier = models.OneToOneField(
        Certifier, verbose_name=_("certificateur"), on_delete=models.PROTECT, related_name="number_series"
    )
    prefix = models.CharField(_("préfixe"), max_length=12, blank=True)
    next_number = models.PositiveIntegerField(
        _("prochain numéro"), default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_NUMBER)]
    )

    class Meta:
        verbose_name = _("série de numéros de parchemins")
        verbose_name_plural = _("séries de numéros de parchemins")

    def __str__(self) -> str:
        return f"{self.certifier} — {self.prefix}{self.next_number}"


class ParchmentKind(models.TextChoices):
    FULL = "full", _("Certificat de qualification professionnelle")
    BLOCKS = "blocks", _("Certificat de blocs de compétences")


class ParchmentStatus(models.TextChoices):
    VALID = "valid", _("Valide")
    CANCELLED = "cancelled", _("Annulé")


class ParchmentBatch(models.Model):
    """The parchments of a certification jury generated together, to follow their rendering."""

    jury = models.ForeignKey(Jury, on_delete=models.PROTECT, related_name="parchment_batches")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("créé par"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(verbose_name=_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("lot de parchemins")
        verbose_name_plural = _("lots de parchemins")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Lot {self.pk} — {self.jury}"


class Parchment(models.Model):
    """A numbered parchment. Its mentions are copied at issue (what was certified does not move afterwards);
    a cancelled parchment keeps its number with the reason; a duplicate keeps the number with a new version."""

    certifier = models.ForeignKey(
        Certifier, verbose_name=_("certificateur"), on_delete=models.PROTECT, related_name="parchments"
    )
    number = models.PositiveIntegerField(_("numéro"))
    prefix = models.CharField(_("préfixe"), max_length=12, blank=True)
    kind = models.CharField(_("type"), max_length=10, choices=ParchmentKind)
    decision = models.ForeignKey(
        Decision, verbose_name=_("décision"), on_delete=models.PROTECT, related_name="parchments"
    )
    place = models.ForeignKey(
        SessionCandidate, verbose_name=_("candidat convoqué"), on_delete=models.PROTECT, related_name="parchments"
    )
    blocks = models.ManyToManyField(Block, blank=True, related_name="+", verbose_name=_("blocs certifiés"))
    batch = models.ForeignKey(
        ParchmentBatch,
        verbose_name=_("lot"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="parchments",
    )
    mentions = models.JSONField(_("mentions"))
    verification_code = models.CharField(_("code de vérification"), max_length=16, unique=True)
    status = models.CharField(_("statut"), max_length=10, choices=ParchmentStatus, default=ParchmentStatus.VALID)
    cancel_reason = models.TextField(_("motif de l'annulation"), max_length=bounds.SHORT_TEXT_LENGTH, blank=True)
    cancelled_at = models.DateTimeField(_("annulé le"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("annulé par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    # The duplicate asked for and not yet rendered: its reason and requester wait on the row (not in a task's
    # message), so whichever delivery renders it, or a resumed one, records them with the version.
    reissue_reason = models.TextField(_("motif du duplicata en cours"), max_length=bounds.SHORT_TEXT_LENGTH, blank=True)
    reissue_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("réédition demandée par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    render_status = models.CharField(
        verbose_name=_("état du rendu"), max_length=10, choices=RenderStatus, default=RenderStatus.PENDING
    )
    render_claimed_at = models.DateTimeField(
        verbose_name=_("rendu pris en charge le"), null=True, blank=True, editable=False
    )
    render_attempts = models.PositiveSmallIntegerField(verbose_name=_("tentatives de rendu"), default=0, editable=False)
    render_error = models.TextField(verbose_name=_("erreur de rendu"), blank=True)
    pdf = models.FileField(
        verbose_name=_("fichier PDF"), storage=document_storage, upload_to="parchments/", max_length=200, blank=True
    )
    pdf_sha256 = models.CharField(verbose_name=_("empreinte SHA-256 du PDF"), max_length=64, blank=True)
    rendered_at = models.DateTimeField(verbose_name=_("rendu le"), null=True, blank=True)
    sent_at = models.DateField(
        _("envoyé à l'entreprise le"), null=True, blank=True, validators=[bounds.past_event_date]
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("édité par"), on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("émis le"), auto_now_add=True)

    class Meta:
        verbose_name = _("parchemin")
        verbose_name_plural = _("parchemins")
        ordering = ["certifier", "number"]
        indexes = [
            # What `renders_to_resume` and the `resume_renders` command look for: the few renders not done.
            models.Index(
                fields=["render_status"],
                condition=~models.Q(render_status=RenderStatus.DONE),
                name="parchment_render_unfinished",
            ),
            # What the deadlines page asks of every decision: is its parchment sent? (A look-up in this index
            # instead of a scan of the parchments and their mentions.)
            models.Index(
                fields=["decision"],
                condition=models.Q(status=ParchmentStatus.VALID, sent_at__isnull=False),
                name="parchment_sent",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["certifier", "number"],
                name="parchment_number_unique_per_certifier",
                violation_error_message=_("Ce numéro de parchemin est déjà attribué."),
            ),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="parchment_number_positive"),
            models.UniqueConstraint(
                fields=["decision", "kind"],
                condition=models.Q(status=ParchmentStatus.VALID),
                name="one_valid_parchment_per_decision",
                violation_error_message=_("Un parchemin valide existe déjà pour cette décision."),
            ),
            models.CheckConstraint(
                condition=models.Q(status=ParchmentStatus.VALID) | ~models.Q(cancel_reason=""),
                name="cancelled_parchment_has_a_reason",
                violation_error_message=_("Un parchemin annulé garde le motif de son annulation."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_number} — {self.mentions.get('holder', {}).get('name', '')}"

    @property
    def display_number(self) -> str:
        return f"{self.prefix}{self.number:06d}"


class ParchmentVersion(models.Model):
    """Each rendered version of a parchment (the first issue, then duplicates): its file and fingerprint,
    so a PDF handed in years later is recognised whichever version it is."""

    parchment = models.ForeignKey(
        Parchment, verbose_name=_("parchemin"), on_delete=models.PROTECT, related_name="versions"
    )
    version = models.PositiveSmallIntegerField(_("version"))
    reason = models.TextField(_("motif"), max_length=bounds.SHORT_TEXT_LENGTH, blank=True)
    pdf = models.FileField(
        verbose_name=_("fichier PDF"), storage=document_storage, upload_to="parchments/", max_length=200
    )
    pdf_sha256 = models.CharField(verbose_name=_("empreinte SHA-256 du PDF"), max_length=64, db_index=True)
    rendered_at = models.DateTimeField(verbose_name=_("rendue le"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("demandée par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("version d'un parchemin")
        verbose_name_plural = _("versions des parchemins")
        ordering = ["parchment", "version"]
        constraints = [
            models.UniqueConstraint(fields=["parchment", "version"], name="one_row_per_parchment_version"),
        ]

    def __str__(self) -> str:
        return f"{self.parchment.display_number} v{self.version}"
