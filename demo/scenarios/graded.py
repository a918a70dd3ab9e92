"""A session graded by its jury: held 10 days ago, one total, one partial and one none, transmitted to a
certification jury meeting today that has decided on two of them (the partial award is left to decide)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from accounts.models import User
from cqp.models import AccessRoute, CertificationVersion
from demo.scenarios.accounts import organisation_of
from demo.scenarios.registry import CERTIFICATION_PRESIDENT, demo_certification_jury, demo_evaluation_jury, president_of
from demo.scenarios.sessions import decide_as_recommended, grade_and_recommend, held_session, outcome_line, session_of
from juries import selectors as jury_selectors
from juries import services as jury_services
from juries.models import JuryMember

# The graded session: who sat it, the competencies the jury found not acquired (with its remark), the
# recommendation's comment, and whether the certification jury has decided yet (the partial award is left for
# the newcomer to decide).
DEMO_GRADED_CANDIDATES: list[dict[str, Any]] = [
    {
        "identity": {
            "birth_name": "Lefèvre",
            "first_name": "Éloïse",
            "sex": "F",
            "birth_date": dt.date(1999, 5, 21),
            "birth_commune": "Limoges",
            "birth_insee_code": "87085",
            "email": "eloise.lefevre@example.org",
            "company_name": "Bijouterie Carrère",
        },
        "access_route": AccessRoute.CONTRAT_PRO,
        "not_acquired": {},
        "comments": "Livret complet, soutenance claire : les deux blocs sont acquis.",
        "decided": True,
    },
    {
        "identity": {
            "birth_name": "Gauthier-Rivière",
            "first_name": "Mathéo",
            "sex": "M",
            "birth_date": dt.date(2003, 9, 8),
            "birth_commune": "Saint-Étienne",
            "birth_insee_code": "42218",
            "email": "matheo.gauthier@example.org",
            "company_name": "Joaillerie des Cévennes",
        },
        "access_route": AccessRoute.APPRENTISSAGE,
        "not_acquired": {"C2.1": "Émerisage irrégulier : rayures encore visibles à la loupe."},
        "comments": "Préparation maîtrisée (BC1). L'émerisage (C2.1, obligatoire) reste à reprendre pour le BC2.",
        "decided": False,
    },
    {
        "identity": {
            "birth_name": "Benhaddou",
            "first_name": "Inès",
            "sex": "F",
            "birth_date": dt.date(1988, 2, 17),
            "birth_commune": "Marseille",
            "birth_insee_code": "13055",
            "email": "ines.benhaddou@example.org",
            "company_name": "Atelier Mézières Orfèvrerie",
        },
        "access_route": AccessRoute.FORMATION_CONTINUE,
        "not_acquired": {
            "C1.1": "Dossier de production lu trop vite : étapes de polissage non justifiées.",
            "C2.1": "Émerisage incomplet.",
        },
        "comments": "Analyse du dossier (C1.1) et émerisage (C2.1) non acquis, tous deux obligatoires : "
        "aucun bloc validé, à représenter.",
        "decided": True,
    },
]
GRADED_DAYS_AGO = 10


def demo_graded_session(*, staff: User, admin: User, members: dict[str, JuryMember]) -> str:
    """Three more candidates of BJO Formation, examined 10 days ago and all present, graded by the session's
    evaluation jury (one total, one partial, one none), transmitted to a certification jury meeting today
    whose president has decided on two of them. Left as it is when it exists already."""
    organisation = organisation_of(staff)
    if session_of(organisation, DEMO_GRADED_CANDIDATES[0]["identity"]["email"]) is not None:
        return "Session jugée de démonstration : déjà présente."
    version = CertificationVersion.objects.get(rncp_code="RNCP26850")
    session = held_session(
        staff=staff,
        version=version,
        specs=DEMO_GRADED_CANDIDATES,
        days_ago=GRADED_DAYS_AGO,
        admin=admin,
        members=members,
    )
    jury = demo_evaluation_jury(session=session, admin=admin, members=members)
    specs = {spec["identity"]["email"]: spec for spec in DEMO_GRADED_CANDIDATES}
    grade_and_recommend(jury=jury, version=version, specs=specs)
    certification_jury = demo_certification_jury(
        version=version, meets_on=timezone.localdate(), admin=admin, members=members
    )
    jury_services.deliberation_transmit(
        jury=jury, certification_jury=certification_jury, transmitted_by=president_of(jury)
    )
    decide_as_recommended(jury=jury, certification_jury=certification_jury, specs=specs, members=members)
    rows = jury_selectors.deliberation_rows(jury_selectors.session_places(jury), version)
    outcomes = ", ".join(outcome_line(row) for row in rows)
    pending = ", ".join(row.candidate.display_name for row in rows if row.decision is None)
    return (
        f"Session jugée : RNCP 26850 le {session.starts_on:%d/%m/%Y} (BJO Formation), 3 candidats notés par le "
        f"jury d'évaluation ({outcomes}) et transmis au jury de certification du "
        f"{certification_jury.meets_on:%d/%m/%Y} ; décision à prendre pour {pending} ({CERTIFICATION_PRESIDENT})."
    )
