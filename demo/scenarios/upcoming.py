"""A session to come: three candidates of BJO Formation in RNCP 26850, 30 days ahead, convoked, with
its evaluation jury."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from accounts.models import User
from candidates import services as candidate_services
from candidates.models import AccommodationKind
from cqp.models import AccessRoute, CertificationVersion
from demo.scenarios.accounts import organisation_of
from demo.scenarios.registry import EVALUATION_PRESIDENT, demo_evaluation_jury
from demo.scenarios.sessions import DEMO_ADDRESS, DEMO_WHAT_TO_BRING, active_enrolment, demo_candidate, session_of
from evaluations import services as evaluation_services
from evaluations.models import SessionMode
from juries.models import JuryMember

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


def demo_session(*, staff: User, admin: User, members: dict[str, JuryMember]) -> str:
    """Three candidates of BJO Formation enrolled in RNCP 26850, in a session 30 days ahead, convoked, with its
    evaluation jury. Left as it is when it exists already (its jury is composed if it has none)."""
    organisation = organisation_of(staff)
    existing = session_of(organisation, DEMO_CANDIDATES[0]["email"])
    if existing is not None:
        demo_evaluation_jury(session=existing, admin=admin, members=members)
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
        mode=SessionMode.ON_SITE,
        address=DEMO_ADDRESS,
        what_to_bring=DEMO_WHAT_TO_BRING,
        created_by=staff,
    )
    for spec in DEMO_CANDIDATES:
        candidate = demo_candidate(organisation=organisation, staff=staff, spec=spec)
        if spec["email"] == "candidat@cqp.test":
            candidate.user = User.objects.get(email="candidat@cqp.test")
            candidate.save(update_fields=["user"])
        enrolment, created = active_enrolment(
            candidate, version, access_route=AccessRoute.FORMATION_CONTINUE, staff=staff
        )
        if created and spec["birth_name"] == "Kowalczyk":
            candidate_services.accommodation_add(
                enrolment=enrolment,
                kind=AccommodationKind.EXTRA_TIME,
                extra_minutes=15,
                measure="Tiers temps pour la soutenance",
                referent="Référent handicap de la CPNEFP HBJO",
                approved_on=timezone.localdate() - dt.timedelta(days=60),
            )
        evaluation_services.session_add_candidate(session=session, enrolment=enrolment)
    evaluation_services.convocations_send(session=session)
    jury = demo_evaluation_jury(session=session, admin=admin, members=members)
    president = jury.president or members[EVALUATION_PRESIDENT]
    return (
        f"Session de démonstration : RNCP 26850 le {session.starts_on:%d/%m/%Y}, 3 candidats convoqués "
        f"(BJO Formation), jury d'évaluation présidé par {president.name}."
    )
