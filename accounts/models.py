"""Users log in with their e-mail address and hold one or several roles."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CERTIFIER_ADMIN = "certifier_admin", _("Administrateur du certificateur")
    ORGANISATION_STAFF = "organisation_staff", _("Personnel d'organisme de formation")
    JURY_MEMBER = "jury_member", _("Membre de jury")
    CANDIDATE = "candidate", _("Candidat")


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
    REQUIRED_FIELDS: list[str] = []

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
        held = [
            (self.is_certifier_admin, Role.CERTIFIER_ADMIN),
            (self.is_organisation_staff, Role.ORGANISATION_STAFF),
            (self.is_jury_member, Role.JURY_MEMBER),
            (self.is_candidate, Role.CANDIDATE),
        ]
        return [role for has, role in held if has]
