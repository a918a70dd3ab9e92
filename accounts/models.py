"""Users log in with their e-mail address and hold one or several roles."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cqp.lib.bounds import LONG_TEXT_LENGTH


class Role(models.TextChoices):
    CERTIFIER_ADMIN = "certifier_admin", _("Administrateur du certificateur")
    ORGANISATION_STAFF = "organisation_staff", _("Personnel d'organisme de formation")
    JURY_MEMBER = "jury_member", _("Membre de jury")
    CANDIDATE = "candidate", _("Candidat")


# The roles a flag of the user holds; organisation staff is held by belonging to an organisation.
ROLE_FLAGS: dict[Role, str] = {
    Role.CERTIFIER_ADMIN: "is_certifier_admin",
    Role.JURY_MEMBER: "is_jury_member",
    Role.CANDIDATE: "is_candidate",
}


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        if not email:
            raise ValueError("L'adresse e-mail est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("is_certifier_admin", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("adresse e-mail"), unique=True)
    first_name = models.CharField(_("prénom"), max_length=150, blank=True)
    last_name = models.CharField(_("nom"), max_length=150, blank=True)
    is_active = models.BooleanField(_("actif"), default=True)
    date_joined = models.DateTimeField(_("inscrit le"), default=timezone.now)

    # Roles: one person may hold several.
    is_certifier_admin = models.BooleanField(_("administrateur du certificateur"), default=False)
    organisation = models.ForeignKey(
        "cqp.TrainingOrganisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("organisme de formation"),
        help_text=_("Renseigné pour le personnel d'un organisme de formation."),
    )
    is_jury_member = models.BooleanField(_("membre de jury"), default=False)
    is_candidate = models.BooleanField(_("candidat"), default=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        ordering = ["last_name", "first_name", "email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email

    @property
    def is_staff(self) -> bool:
        """Only certifier admins enter the Django admin."""
        return self.is_active and self.is_certifier_admin

    @property
    def is_organisation_staff(self) -> bool:
        return self.organisation_id is not None

    @property
    def roles(self) -> list[Role]:
        return [
            role
            for role in Role
            if (self.is_organisation_staff if role == Role.ORGANISATION_STAFF else getattr(self, ROLE_FLAGS[role]))
        ]


class AuditAction(models.TextChoices):
    """What an audit event records, beyond a candidate's results (those live in `juries.AuditEntry`)."""

    ROLES_CHANGED = "roles_changed", _("Rôles modifiés")
    ORGANISATION_APPROVED = "organisation_approved", _("Habilitation de l'organisme accordée")
    ORGANISATION_WITHDRAWN = "organisation_withdrawn", _("Habilitation de l'organisme suspendue ou retirée")
    MEMBER_PROPOSED = "member_proposed", _("Membre de jury proposé")
    MEMBER_APPROVED = "member_approved", _("Habilitation du membre de jury accordée")
    MEMBER_CONFIRMED = "member_confirmed", _("Compte rattaché au membre de jury")
    MEMBER_WITHDRAWN = "member_withdrawn", _("Habilitation du membre de jury retirée")
    PRESIDENT_DESIGNATED = "president_designated", _("Président du jury désigné")
    PRESIDENT_VACATED = "president_vacated", _("Présidence du jury vacante")


class AuditEvent(models.Model):
    """One change to an object that matters (roles, an approval, a habilitation, a presidency): who, when,
    what it was before and after, and why. Written only by `accounts.services.audit_record`; never updated,
    never deleted (the rows are protected and the admin is read-only)."""

    # Empty when the application acted on its own (a command without a person behind it).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("auteur"),
    )
    at = models.DateTimeField(_("le"), default=timezone.now)
    action = models.CharField(_("action"), max_length=30, choices=AuditAction)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("type d'objet"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(verbose_name=_("identifiant de l'objet"))
    target = GenericForeignKey("content_type", "object_id")
    # The target as it was named at the time, so the trail reads even once the object is renamed.
    subject = models.CharField(_("objet"), max_length=255)
    before = models.JSONField(_("avant"), null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(_("après"), null=True, blank=True, encoder=DjangoJSONEncoder)
    reason = models.TextField(_("motif"), max_length=LONG_TEXT_LENGTH, blank=True)

    class Meta:
        verbose_name = _("événement d'audit")
        verbose_name_plural = _("journal d'audit")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"], name="audit_target_at")]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.at):%d/%m/%Y %H:%M} — {self.get_action_display()} — {self.subject}"

    @property
    def before_text(self) -> str:
        return _state_text(self.before)

    @property
    def after_text(self) -> str:
        return _state_text(self.after)


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _state_text(state: Any) -> str:
    """A recorded state in words: `{"rôles": ["a", "b"], "président": None, "le": "2026-03-05"}` reads
    "le : 05/03/2026 ; président : — ; rôles : a, b" (dates, recorded ISO, shown the French way)."""

    def value(v: Any) -> str:
        if v is None or v == "" or v == []:
            return "—"
        if isinstance(v, str) and _ISO_DATE.fullmatch(v):
            try:
                return dt.date.fromisoformat(v).strftime("%d/%m/%Y")
            except ValueError:
                return v
        if isinstance(v, list):
            return ", ".join(str(x) for x in v)
        return str(v)

    if state is None:
        return ""
    if isinstance(state, dict):
        # Keys in alphabetical order: PostgreSQL's jsonb does not keep the order they were written in.
        return " ; ".join(f"{k} : {value(state[k])}" for k in sorted(state))
    return value(state)
