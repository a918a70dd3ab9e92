"""Candidates (identity as on civil records), their enrolments for a certification version,
accommodations for a disability, and fraud bans."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.files.storage import Storage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from candidates.documents import ACCEPTED_TYPES, part_letter
from cqp.lib import bounds
from cqp.lib import storage as lib_storage
from cqp.lib.agreement import agree
from cqp.models import AccessRoute, Block, BlockTest, CertificationVersion, TrainingOrganisation

# Every text typed by a person is free of control characters (NUL, escape...), checked by full_clean.
TEXT = [bounds.refuse_control_characters]


class Sex(models.TextChoices):
    FEMALE = "F", _("Femme")
    MALE = "M", _("Homme")


class Candidate(models.Model):
    organisation = models.ForeignKey(
        TrainingOrganisation, on_delete=models.PROTECT, related_name="candidates", verbose_name=_("organisme")
    )
    # Identity as on civil records (the CPF declaration to the Caisse des Dépôts needs it as is).
    birth_name = models.CharField(_("nom de naissance"), max_length=150, validators=TEXT)
    usage_name = models.CharField(_("nom d'usage"), max_length=150, blank=True, validators=TEXT)
    first_name = models.CharField(_("premier prénom"), max_length=100, validators=TEXT)
    second_first_name = models.CharField(_("deuxième prénom"), max_length=100, blank=True, validators=TEXT)
    third_first_name = models.CharField(_("troisième prénom"), max_length=100, blank=True, validators=TEXT)
    sex = models.CharField(_("sexe"), max_length=1, choices=Sex)
    birth_date = models.DateField(_("date de naissance"), validators=[bounds.birth_date])
    birth_commune = models.CharField(_("commune de naissance"), max_length=150, validators=TEXT)
    birth_insee_code = models.CharField(
        _("code INSEE de la commune de naissance"),
        max_length=5,
        blank=True,
        help_text=_("5 caractères (2A/2B pour la Corse) ; vide pour une naissance à l'étranger."),
    )
    birth_country = models.CharField(_("pays de naissance"), max_length=100, default="France", validators=TEXT)
    identity_key = models.CharField(verbose_name=_("clé d'identité"), max_length=400, db_index=True, editable=False)
    # Contact.
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("téléphone"), max_length=30, blank=True, validators=TEXT)
    # Employer: the parchment is sent there.
    company_name = models.CharField(_("entreprise"), max_length=200, blank=True, validators=TEXT)
    company_siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=TEXT)
    company_address = models.TextField(
        _("adresse de l'entreprise"), max_length=bounds.SHORT_TEXT_LENGTH, blank=True, validators=TEXT
    )

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="candidate",
        verbose_name=_("compte"),
    )
    created_at = models.DateTimeField(verbose_name=_("créé le"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("candidat")
        verbose_name_plural = _("candidats")
        ordering = ["birth_name", "first_name", "pk"]
        # The list's order, within an organisation (staff) and over all (certifier admins): a page is read from
        # the index instead of sorting the table.
        indexes = [
            models.Index(fields=["organisation", "birth_name", "first_name", "id"], name="candidate_org_list_order"),
            models.Index(fields=["birth_name", "first_name", "id"], name="candidate_list_order"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        name = self.usage_name or self.birth_name
        return f"{name.upper()} {self.first_name}"

    @property
    def first_names(self) -> list[str]:
        return [n for n in (self.first_name, self.second_first_name, self.third_first_name) if n]


class FraudBan(models.Model):
    """A candidate caught cheating is excluded from the certification for 3 years from the decision.
    Held on the identity key, so a new record for the same person is caught too."""

    candidate = models.ForeignKey(
        Candidate, verbose_name=_("candidat"), on_delete=models.PROTECT, related_name="fraud_bans"
    )
    identity_key = models.CharField(verbose_name=_("clé d'identité"), max_length=400, db_index=True)
    decided_on = models.DateField(_("date de la décision"), validators=[bounds.past_event_date])
    ends_on = models.DateField(_("exclu jusqu'au"))
    reason = models.TextField(_("motif"), max_length=bounds.LONG_TEXT_LENGTH, validators=TEXT)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("enregistrée par"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(verbose_name=_("enregistrée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("exclusion pour fraude")
        verbose_name_plural = _("exclusions pour fraude")

    def __str__(self) -> str:
        excluded = agree(
            self.candidate.sex,
            _("exclu jusqu'au %(date)s"),
            _("exclue jusqu'au %(date)s"),
            _("exclu(e) jusqu'au %(date)s"),  # a sex not recorded
        )
        return f"{self.candidate} — {excluded % {'date': f'{self.ends_on:%d/%m/%Y}'}}"


class PrerequisitesOutcome(models.TextChoices):
    NOT_REQUIRED = "not_required", _("Sans objet (aucun prérequis)")
    MET = "met", _("Prérequis satisfaits")
    NOT_MET = "not_met", _("Prérequis non satisfaits")


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", _("Inscrit")
    WITHDRAWN = "withdrawn", _("Désinscrit")


class Enrolment(models.Model):
    candidate = models.ForeignKey(
        Candidate, verbose_name=_("candidat"), on_delete=models.PROTECT, related_name="enrolments"
    )
    version = models.ForeignKey(
        CertificationVersion, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("certification")
    )
    blocks = models.ManyToManyField(Block, related_name="enrolments", verbose_name=_("blocs présentés"))
    access_route = models.CharField(_("voie d'accès"), max_length=30, choices=AccessRoute)
    status = models.CharField(_("statut"), max_length=12, choices=EnrolmentStatus, default=EnrolmentStatus.ACTIVE)
    prerequisites_interview_on = models.DateField(
        _("entretien de prérequis le"), null=True, blank=True, validators=[bounds.past_event_date]
    )
    prerequisites_outcome = models.CharField(
        _("résultat de l'entretien"), max_length=15, choices=PrerequisitesOutcome, blank=True
    )
    prerequisites_notes = models.TextField(
        _("notes de l'entretien"), max_length=bounds.LONG_TEXT_LENGTH, blank=True, validators=TEXT
    )
    created_at = models.DateTimeField(verbose_name=_("créée le"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        ordering = ["-created_at"]
        # The candidates list filtered by certification asks, per candidate, for an enrolment in that version.
        indexes = [models.Index(fields=["version", "candidate"], name="enrolment_version_candidate")]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "version"],
                condition=models.Q(status=EnrolmentStatus.ACTIVE),
                name="one_active_enrolment_per_version",
                violation_error_message=_("Ce candidat est déjà inscrit à cette certification."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.candidate} — {self.version}"


class AccommodationKind(models.TextChoices):
    EXTRA_TIME = "extra_time", _("Temps supplémentaire")
    TECHNICAL_AID = "technical_aid", _("Aide technique")
    HUMAN_AID = "human_aid", _("Aide humaine")


class Accommodation(models.Model):
    """The measure granted for a disability, approved by the CPNEFP's referent. Never medical evidence."""

    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("inscription"), on_delete=models.CASCADE, related_name="accommodations"
    )
    kind = models.CharField(_("type d'aménagement"), max_length=15, choices=AccommodationKind)
    extra_minutes = models.PositiveSmallIntegerField(
        _("minutes supplémentaires"),
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(bounds.EXTRA_MINUTES_MAX)],
    )
    measure = models.CharField(_("mesure accordée"), max_length=bounds.SHORT_TEXT_LENGTH, validators=TEXT)
    referent = models.CharField(_("référent handicap qui l'a validée"), max_length=bounds.NAME_LENGTH, validators=TEXT)
    approved_on = models.DateField(_("validée le"), validators=[bounds.past_event_date])

    class Meta:
        verbose_name = _("aménagement d'épreuve")
        verbose_name_plural = _("aménagements d'épreuve")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind=AccommodationKind.EXTRA_TIME) | models.Q(extra_minutes__gt=0),
                name="extra_time_has_minutes",
                violation_error_message=_("Un temps supplémentaire se compte en minutes (au moins 1)."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} : {self.measure}"


_private_storage = lib_storage.private_storage("private")


def private_storage() -> Storage:
    """The private storage (no URL): documents are served only through a view that checks access."""
    return _private_storage


def document_upload_path(instance: CandidateDocument, filename: str) -> str:
    """A random name, never the sender's: the original name is kept in a column, not on disk."""
    extension = next((t.extension for t in ACCEPTED_TYPES if t.content_type == instance.content_type), "")
    return f"candidate-documents/{uuid.uuid4().hex}{extension}"


class DocumentKind(models.TextChoices):
    # The document a test asks for (`cqp.models.BlockTest.document_required`): a part of the livret de réalisations
    # (26850), the professional activity report (31313 BC3)... The value is kept from when only livret parts existed.
    LIVRET_PART = "livret_part", _("Document d'une épreuve (partie du livret, rapport…)")
    IDENTITY_COPY = "identity_copy", _("Copie d'une pièce d'identité")
    FORMATIVE = "formative", _("Évaluations formatives")


class CandidateDocument(models.Model):
    """A file sent for a candidate: one part of the livret de réalisations per block of an enrolment,
    the formative evaluations of an enrolment (sent by the training organisation, read by the jury),
    or the copy of an identity document for a remote session (deleted once identity is checked).
    Stored in the private storage, which has no URL: files are only served through an access check."""

    candidate = models.ForeignKey(
        Candidate, verbose_name=_("candidat"), on_delete=models.PROTECT, related_name="documents"
    )
    enrolment = models.ForeignKey(
        Enrolment,
        verbose_name=_("inscription"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
    )
    block = models.ForeignKey(
        Block, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("bloc")
    )
    # The test the document is for (its block is `block`). Empty only for a livret part sent before tests were data
    # and not mapped onto one (candidates' migration 0005 maps them all).
    test = models.ForeignKey(
        BlockTest, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("épreuve")
    )
    kind = models.CharField(_("type de document"), max_length=15, choices=DocumentKind)
    file = models.FileField(_("fichier"), storage=private_storage, upload_to=document_upload_path, max_length=200)
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
        verbose_name = _("document du candidat")
        verbose_name_plural = _("documents des candidats")
        ordering = ["kind", "block__order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind=DocumentKind.LIVRET_PART, enrolment__isnull=False, block__isnull=False)
                    | models.Q(kind=DocumentKind.FORMATIVE, enrolment__isnull=False, block__isnull=True)
                    | models.Q(kind=DocumentKind.IDENTITY_COPY, enrolment__isnull=True, block__isnull=True)
                ),
                name="document_kind_matches_its_links",
                violation_error_message=_(
                    "Une partie du livret va avec une inscription et un bloc ; des évaluations formatives avec "
                    "une inscription seule ; une pièce d'identité avec aucun."
                ),
            ),
            models.UniqueConstraint(
                fields=["enrolment", "test"],
                condition=models.Q(kind=DocumentKind.LIVRET_PART, test__isnull=False),
                name="one_document_per_enrolment_and_test",
                violation_error_message=_("Le document de cette épreuve a déjà été déposé."),
            ),
            models.UniqueConstraint(
                fields=["enrolment", "block"],
                condition=models.Q(kind=DocumentKind.LIVRET_PART, test__isnull=True),
                name="one_livret_part_per_enrolment_and_block",
                violation_error_message=_("Cette partie du livret a déjà été déposée."),
            ),
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=models.Q(kind=DocumentKind.FORMATIVE),
                name="one_formative_per_enrolment",
                violation_error_message=_("Les évaluations formatives de cette inscription ont déjà été déposées."),
            ),
            models.UniqueConstraint(
                fields=["candidate"],
                condition=models.Q(kind=DocumentKind.IDENTITY_COPY),
                name="one_identity_copy_per_candidate",
                violation_error_message=_("La copie de la pièce d'identité a déjà été déposée."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidate} — {self.label}"

    @property
    def label(self) -> str:
        if self.kind == DocumentKind.LIVRET_PART and self.test is not None:
            return required_document_label(self.test)
        if self.kind == DocumentKind.LIVRET_PART and self.block is not None:
            return livret_part_label(self.block)
        return str(self.get_kind_display())


def livret_part_label(block: Block) -> str:
    """A livret part sent before tests were data and not mapped onto one: its letter follows the block order."""
    return gettext("Partie %(letter)s — %(code)s %(title)s") % {
        "letter": part_letter(block.order),
        "code": block.code,
        "title": block.title,
    }


def missing_document_label(test: BlockTest) -> str:
    """A document a test asks for, short, in the list of those not handed in: « Livret partie A (BC1) »."""
    return gettext("%(document)s (%(code)s)") % {"document": test.document_label, "code": test.block.code}


def required_document_label(test: BlockTest) -> str:
    """« Partie A — BC1 Préparer le travail de polissage… », « Rapport d'activité professionnelle — BC3 Réviser… »:
    the document a test asks for, then its block."""
    return gettext("%(document)s — %(code)s %(title)s") % {
        "document": test.document_label,
        "code": test.block.code,
        "title": test.block.title,
    }
