"""Demo users, one per role (and one holding two), so a newcomer can log in at once. Idempotent:
existing demo users get their roles and password back. Refused when DEBUG is off unless --force."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

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
            session_line = demo_session(staff=User.objects.get(email="formation@cqp.test"))
        self.stdout.write("")
        self.stdout.write(session_line)
        self.stdout.write(self.style.SUCCESS(f"Comptes de démonstration (mot de passe commun : {DEMO_PASSWORD})"))
        width = max(len(email) for email, _ in rows)
        for email, roles in rows:
            self.stdout.write(f"  {email.ljust(width)}  {roles}")
        self.stdout.write("")


DEMO_CANDIDATES: list[dict[str, Any]] = [
    {
        "birth_name": "Dubois",
        "first_name": "Léa",
        "sex": "F",
        "birth_date": dt.date(2001, 3, 14),
        "birth_commune": "Lyon",
        "birth_insee_code": "69123",
        "email": "candidat@cqp.test",
        "company_name": "Maison Verlaine Joaillerie",
        "company_siret": "73282932000074",
        "company_address": "12 place Vendôme\n75001 Paris",
    },
    {
        "birth_name": "Nguyễn",
        "usage_name": "Martin",
        "first_name": "Thảo",
        "second_first_name": "Marie",
        "sex": "F",
        "birth_date": dt.date(1996, 11, 2),
        "birth_commune": "Hô Chi Minh-Ville",
        "birth_country": "Viêt Nam",
        "email": "thao.martin@example.org",
        "company_name": "Atelier Saint-Honoré",
    },
    {
        "birth_name": "Kowalczyk",
        "first_name": "Paweł",
        "sex": "M",
        "birth_date": dt.date(1990, 6, 30),
        "birth_commune": "Besançon",
        "birth_insee_code": "25056",
        "email": "pawel.kowalczyk@example.org",
        "company_name": "Polissage Franc-Comtois",
    },
]


def demo_session(*, staff: User) -> str:
    """Three candidates of BJO Formation enrolled in RNCP 26850, in a session 30 days ahead, convoked.
    Left as it is when it exists already."""
    from candidates import services as candidate_services
    from candidates.models import Candidate
    from cqp.models import CertificationVersion
    from evaluations import services as evaluation_services
    from evaluations.models import EvaluationSession

    organisation = staff.organisation
    if EvaluationSession.objects.filter(organisation=organisation, created_by=staff).exists():
        return "Session de démonstration : déjà présente."
    if organisation.approval_start is None:
        # Demo only: the real approval dates of the organisation are entered by the certifier.
        organisation.approval_start = timezone.localdate() - dt.timedelta(days=365)
        organisation.exam_manager_name = "Sophie Bernard"
        organisation.exam_manager_email = staff.email
        organisation.save()
    version = CertificationVersion.objects.get(rncp_code="RNCP26850")
    session = evaluation_services.session_schedule(
        version=version,
        organisation=organisation,
        starts_on=timezone.localdate() + dt.timedelta(days=30),
        ends_on=None,
        mode="on_site",
        address="BJO Formation\n58 rue du Louvre\n75002 Paris",
        what_to_bring="la pièce de bijouterie polie et votre livret de réalisations (parties A et B)",
        created_by=staff,
    )
    for spec in DEMO_CANDIDATES:
        candidate = Candidate.objects.filter(organisation=organisation, email=spec["email"]).first()
        if candidate is None:
            candidate = candidate_services.candidate_create(organisation=organisation, created_by=staff, **spec)
        if spec["email"] == "candidat@cqp.test":
            candidate.user = User.objects.get(email="candidat@cqp.test")
            candidate.save(update_fields=["user"])
        enrolment = candidate.enrolments.filter(version=version, status="active").first()
        if enrolment is None:
            enrolment = candidate_services.candidate_enrol(
                candidate=candidate, version=version, blocks=None, access_route="formation_continue", created_by=staff
            )
            if spec["birth_name"] == "Kowalczyk":
                candidate_services.accommodation_add(
                    enrolment=enrolment,
                    kind="extra_time",
                    extra_minutes=15,
                    measure="Tiers temps pour la soutenance",
                    referent="Référent handicap de la CPNEFP HBJO",
                    approved_on=timezone.localdate() - dt.timedelta(days=60),
                )
        evaluation_services.session_add_candidate(session=session, enrolment=enrolment)
    evaluation_services.convocations_send(session=session)
    return (
        f"Session de démonstration : RNCP 26850 le {session.starts_on:%d/%m/%Y}, 3 candidats convoqués (BJO Formation)."
    )
