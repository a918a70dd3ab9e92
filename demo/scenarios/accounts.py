"""The demo accounts, one per role (and one holding two), with the password they share: created, or given
their roles and password back when they exist."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError

from accounts import services
from accounts.models import User
from cqp.models import TrainingOrganisation

DEMO_PASSWORD = "demo-cqp-2026"
DEMO_USERS: list[dict[str, Any]] = [
    {"email": "admin@cqp.test", "first_name": "Laurence", "last_name": "Martin", "is_certifier_admin": True},
    {"email": "formation@cqp.test", "first_name": "Sophie", "last_name": "Bernard", "organisation": "BJO Formation"},
    {
        "email": "jury@cqp.test",
        "first_name": "Marc",
        "last_name": "Petit",
        "is_jury_member": True,
        "note": "représentant des employeurs, président des jurys d'évaluation des trois sessions",
    },
    {"email": "candidat@cqp.test", "first_name": "Léa", "last_name": "Dubois", "is_candidate": True},
    {
        "email": "titulaire@cqp.test",
        "first_name": "Małgorzata",
        "last_name": "Wiśniewska",
        "is_candidate": True,
        "note": "titulaire du CQP (session certifiée) : son résultat et son parchemin dans son espace",
    },
    {
        "email": "vae@cqp.test",
        "first_name": "Inès",
        "last_name": "Girard",
        "is_candidate": True,
        "note": "candidate à la VAE (RNCP 31313) : son dossier de recevabilité attend la décision du certificateur",
    },
    {
        "email": "formateur-jury@cqp.test",
        "first_name": "Paul",
        "last_name": "Leroy",
        "organisation": "École d'horlogerie Charles Edouard Guillaume",
        "is_jury_member": True,
        "note": "formateur de l'École d'horlogerie, jury d'épreuve du CQP Horloger qualifié",
    },
    {
        "email": "ecole@cqp.test",
        "first_name": "Yann",
        "last_name": "Le Gall",
        "organisation": "École d'horlogerie Charles Edouard Guillaume",
        "note": "responsable des épreuves de l'École d'horlogerie (session du CQP Horloger qualifié)",
    },
    {
        "email": "formatrice-jury@cqp.test",
        "first_name": "Anne",
        "last_name": "Guillou",
        "organisation": "École d'horlogerie Charles Edouard Guillaume",
        "is_jury_member": True,
        "note": "formatrice de l'École d'horlogerie, jury d'épreuve du CQP Horloger qualifié",
    },
    {
        "email": "pro-lemaire@cqp.test",
        "first_name": "Jacques",
        "last_name": "Lemaire",
        "is_jury_member": True,
        "note": "horloger professionnel, jury d'épreuve du CQP Horloger qualifié",
    },
    {
        "email": "pro-vasseur@cqp.test",
        "first_name": "Claire",
        "last_name": "Vasseur",
        "is_jury_member": True,
        "note": "horlogère professionnelle, jury d'épreuve du CQP Horloger qualifié",
    },
    {
        "email": "salarie@cqp.test",
        "first_name": "Hélène",
        "last_name": "Garnier",
        "is_jury_member": True,
        "note": "représentante des salariés, jurys d'évaluation",
    },
    {
        "email": "formateur@cqp.test",
        "first_name": "Jérôme",
        "last_name": "Faure",
        "is_jury_member": True,
        "note": "formateur, jurys d'évaluation",
    },
    {
        "email": "president@cqp.test",
        "first_name": "Françoise",
        "last_name": "Aubert",
        "is_jury_member": True,
        "note": "présidente de la CPNEFP HBJO, préside les jurys de certification",
    },
    {
        "email": "salarie2@cqp.test",
        "first_name": "Karim",
        "last_name": "Haddad",
        "is_jury_member": True,
        "note": "représentant des salariés, jurys de certification",
    },
    {
        "email": "employeur@cqp.test",
        "first_name": "Olivier",
        "last_name": "Chevalier",
        "is_jury_member": True,
        "note": "représentant des employeurs, jurys de certification",
    },
]


def demo_users() -> list[tuple[str, str]]:
    """Every demo account with its roles, created or restored: (e-mail, roles and note) to print."""
    rows = []
    for spec in DEMO_USERS:
        spec = dict(spec)
        note = spec.pop("note", "")
        organisation = organisation_named(spec.pop("organisation", None))
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
        roles_text = ", ".join(str(r.label) for r in user.roles)
        rows.append((user.email, f"{roles_text} — {note}" if note else roles_text))
    return rows


def organisation_of(staff: User) -> TrainingOrganisation:
    """The organisation of a demo staff account (formation@cqp.test works at BJO Formation)."""
    if staff.organisation is None:
        raise CommandError(f"{staff.email} n'est rattaché à aucun organisme.")
    return staff.organisation


def organisation_named(name: str | None) -> TrainingOrganisation | None:
    if not name:
        return None
    organisation = TrainingOrganisation.objects.filter(name=name).first()
    if organisation is None:
        raise CommandError(f"Organisme « {name} » introuvable : lancez d'abord « python manage.py load_referential ».")
    return organisation
