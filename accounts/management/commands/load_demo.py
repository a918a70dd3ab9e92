"""Demo users, one per role (and one holding two), so a newcomer can log in at once. Idempotent:
existing demo users get their roles and password back. Refused when DEBUG is off unless --force."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts import services
from accounts.models import User
from cqp.models import TrainingOrganisation

DEMO_PASSWORD = "demo-cqp-2026"

DEMO_USERS: list[dict[str, Any]] = [
    {"email": "admin@cqp.test", "first_name": "Laurence", "last_name": "Martin", "is_certifier_admin": True},
    {"email": "formation@cqp.test", "first_name": "Sophie", "last_name": "Bernard", "organisation": "BJO Formation"},
    {"email": "jury@cqp.test", "first_name": "Marc", "last_name": "Petit", "is_jury_member": True},
    {"email": "candidat@cqp.test", "first_name": "Léa", "last_name": "Dubois", "is_candidate": True},
    {
        "email": "formateur-jury@cqp.test",
        "first_name": "Paul",
        "last_name": "Leroy",
        "organisation": "École d'horlogerie Charles Edouard Guillaume",
        "is_jury_member": True,
    },
]


class Command(BaseCommand):
    help = "Crée les comptes de démonstration (un par rôle) et affiche leurs identifiants."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Autoriser même quand DEBUG est désactivé.")

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "Comptes de démonstration refusés quand DEBUG est désactivé (mot de passe connu de tous). "
                "Ajoutez --force si c'est bien une instance de démonstration."
            )
        rows = []
        with transaction.atomic():
            for spec in DEMO_USERS:
                spec = dict(spec)
                org_name = spec.pop("organisation", None)
                organisation = None
                if org_name:
                    organisation = TrainingOrganisation.objects.filter(name=org_name).first()
                    if organisation is None:
                        raise CommandError(
                            f"Organisme « {org_name} » introuvable : "
                            "lancez d'abord « python manage.py load_referential »."
                        )
                roles = {
                    "is_certifier_admin": spec.pop("is_certifier_admin", False),
                    "organisation": organisation,
                    "is_jury_member": spec.pop("is_jury_member", False),
                    "is_candidate": spec.pop("is_candidate", False),
                }
                user = User.objects.filter(email=spec["email"]).first()
                if user is None:
                    user = services.user_create(password=DEMO_PASSWORD, **spec, **roles)
                else:
                    services.user_set_roles(user=user, **roles)
                    user.set_password(DEMO_PASSWORD)
                    user.save(update_fields=["password"])
                rows.append((user.email, ", ".join(str(r.label) for r in user.roles)))
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Comptes de démonstration (mot de passe commun : {DEMO_PASSWORD})"))
        width = max(len(email) for email, _ in rows)
        for email, roles in rows:
            self.stdout.write(f"  {email.ljust(width)}  {roles}")
        self.stdout.write("")
