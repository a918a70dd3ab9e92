"""Demo users, one per role (and one holding two), so a newcomer can log in at once, with the juries' registry,
a session to come with its evaluation jury, a session already graded and half decided, and a session whose
certification jury signed its procès-verbal, had its results validated by the CPNEFP and its parchments issued
(the scenarios: `demo/scenarios/`). Idempotent: existing demo users get their roles and password back, the rest is
created once. Refused when DEBUG is off unless --force."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts.models import User
from demo.scenarios.accounts import DEMO_PASSWORD, demo_users
from demo.scenarios.certified import demo_certified_session
from demo.scenarios.clockmaking import demo_clockmaking
from demo.scenarios.graded import demo_graded_session
from demo.scenarios.registry import demo_jury_members
from demo.scenarios.upcoming import demo_session
from demo.scenarios.vae import demo_vae_file


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
        with transaction.atomic():
            rows = demo_users()
            admin = User.objects.get(email="admin@cqp.test")
            staff = User.objects.get(email="formation@cqp.test")
            members = demo_jury_members(admin=admin)
            session_line = demo_session(staff=staff, admin=admin, members=members)
            graded_line = demo_graded_session(staff=staff, admin=admin, members=members)
            certified_line = demo_certified_session(staff=staff, admin=admin, members=members)
            vae_line = demo_vae_file(staff=staff)
            clockmaking_line = demo_clockmaking(
                staff=User.objects.get(email="ecole@cqp.test"), admin=admin, members=members
            )
        self.stdout.write("")
        self.stdout.write(session_line)
        self.stdout.write(graded_line)
        self.stdout.write(certified_line)
        self.stdout.write(vae_line)
        self.stdout.write(clockmaking_line)
        self.stdout.write(self.style.SUCCESS(f"Comptes de démonstration (mot de passe commun : {DEMO_PASSWORD})"))
        width = max(len(email) for email, _ in rows)
        for email, roles in rows:
            self.stdout.write(f"  {email.ljust(width)}  {roles}")
        self.stdout.write("")
