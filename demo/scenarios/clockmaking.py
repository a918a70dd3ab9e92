"""The second certification run end to end (issue 13): RNCP 31313 "CQP Horloger qualifié" at the École d'horlogerie.

The certifier's admins first made a version 2 of 31313 in which they marked the mandatory competencies (the fiche
names none: demo values, said so in the version's `to_verify`), published it; a session of the school held 12 days
ago on it, with its test jury as the fiche composes it (two professionals, the school's two trainers, a CPNEFP
member of each college sitting ex officio, presided by the employers' one) grading the four blocks; the final joint
jury (four CPNEFP members, both colleges) met today and decided on two of the three candidates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandError
from django.utils import timezone

from accounts.models import User
from cqp import services as referential_services
from cqp.models import AccessRoute, CertificationVersion, VersionStatus
from demo.scenarios.registry import compose, user_of
from demo.scenarios.sessions import (
    active_enrolment,
    decide_as_recommended,
    demo_candidate,
    grade_and_recommend,
    move_to_the_past,
    outcome_line,
    session_of,
)
from evaluations import services as evaluation_services
from evaluations.models import EvaluationSession, SessionMode
from juries import selectors as jury_selectors
from juries import services as jury_services
from juries.models import Jury, JuryMember

SCHOOL_ADDRESS = "École d'horlogerie Charles Edouard Guillaume\n4 rue de la Forge\n35300 Fougères"
SCHOOL_WHAT_TO_BRING = "votre rapport d'activité professionnelle (bloc 3) et votre trousse d'horloger"
# The mandatory competencies the admins marked in version 2 (the fiche is silent: demo values, to verify).
MANDATORY_31313 = {
    "BC1": ("C1.2", "C1.7"),
    "BC2": ("C2.6", "C2.7"),
    "BC3": ("C3.4", "C3.10"),
    "BC4": ("C4.3",),
}
MANDATORY_NOTE = (
    "Démo : compétences obligatoires marquées par les administrateurs pour la démonstration (la fiche n'en nomme "
    "pas), à vérifier."
)
# The test jury (jury d'épreuve) and the final joint jury (jury paritaire final), by account.
TEST_JURY = (
    "pro-lemaire@cqp.test",
    "pro-vasseur@cqp.test",
    "formateur-jury@cqp.test",
    "formatrice-jury@cqp.test",
    "salarie2@cqp.test",
    "employeur@cqp.test",
)
TEST_JURY_PRESIDENT = "employeur@cqp.test"
FINAL_JURY = ("salarie@cqp.test", "jury@cqp.test", "salarie2@cqp.test", "employeur@cqp.test")
FINAL_JURY_PRESIDENT = "jury@cqp.test"
CLOCKMAKING_DAYS_AGO = 12

DEMO_CLOCKMAKING_CANDIDATES: list[dict[str, Any]] = [
    {
        "identity": {
            "birth_name": "Le Bihan",
            "first_name": "Maëlys",
            "sex": "F",
            "birth_date": dt.date(2001, 3, 14),
            "birth_commune": "Rennes",
            "birth_insee_code": "35238",
            "email": "maelys.lebihan@example.org",
            "company_name": "Horlogerie Saint-Malo",
        },
        "access_route": AccessRoute.CONTRAT_PRO,
        "not_acquired": {},
        "comments": "Diagnostic rigoureux, réparation et réglage de la complication réussis : les quatre blocs.",
        "decided": True,
    },
    {
        "identity": {
            "birth_name": "Kerjean",
            "first_name": "Erwan",
            "sex": "M",
            "birth_date": dt.date(1996, 11, 2),
            "birth_commune": "Brest",
            "birth_insee_code": "29019",
            "email": "erwan.kerjean@example.org",
            "company_name": "Montres et Merveilles",
        },
        "access_route": AccessRoute.APPRENTISSAGE,
        "not_acquired": {
            "C3.4": "Le défaut du quantième n'est pas corrigé à la fin de l'épreuve.",
            "C3.8": "Réglage de l'ensemble non terminé.",
        },
        "comments": "Relation client, diagnostic et organisation acquis ; la réparation (C3.4, obligatoire) est à "
        "reprendre pour le BC3.",
        "decided": False,
    },
    {
        "identity": {
            "birth_name": "Nguyen",
            "first_name": "Thảo",
            "sex": "F",
            "birth_date": dt.date(1990, 7, 30),
            "birth_commune": "Nantes",
            "birth_insee_code": "44109",
            "email": "thao.nguyen@example.org",
            "company_name": "Atelier du Temps",
        },
        "access_route": AccessRoute.FORMATION_CONTINUE,
        "not_acquired": {"C1.12": "Dialogue en anglais hésitant."},
        "comments": "Les quatre blocs sont acquis ; le dialogue en langue étrangère reste à travailler.",
        "decided": True,
    },
]


def demo_clockmaking(*, staff: User, admin: User, members: dict[str, JuryMember]) -> str:
    """Created once: a second run finds the session by its first candidate and adds nothing."""
    organisation = staff.organisation
    if organisation is None:
        raise CommandError(f"{staff.email} n'est rattaché à aucun organisme.")
    existing = session_of(organisation, DEMO_CLOCKMAKING_CANDIDATES[0]["identity"]["email"])
    if existing is not None:
        return "Session de démonstration du CQP Horloger qualifié : déjà présente."
    if organisation.approval_start is None:
        referential_services.organisation_approve(
            organisation=organisation,
            actor=admin,
            start=timezone.localdate() - dt.timedelta(days=365),
            end=None,
            reason="Démo : habilitation de l'École d'horlogerie pour le CQP Horloger qualifié.",
        )
        organisation.refresh_from_db()
    version = _version_with_mandatory_competencies()
    # A day of tests per candidate: four blocks, some three hours long.
    length = dt.timedelta(days=len(DEMO_CLOCKMAKING_CANDIDATES) - 1)
    starts_on = timezone.localdate() + dt.timedelta(days=30)
    session = evaluation_services.session_schedule(
        version=version,
        organisation=organisation,
        starts_on=starts_on,
        ends_on=starts_on + length,
        mode=SessionMode.ON_SITE,
        address=SCHOOL_ADDRESS,
        what_to_bring=SCHOOL_WHAT_TO_BRING,
        created_by=staff,
    )
    for spec in DEMO_CLOCKMAKING_CANDIDATES:
        candidate = demo_candidate(organisation=organisation, staff=staff, spec=spec["identity"])
        enrolment, _created = active_enrolment(candidate, version, access_route=spec["access_route"], staff=staff)
        evaluation_services.session_add_candidate(session=session, enrolment=enrolment)
    test_jury = compose(
        jury_services.evaluation_jury_create(session=session, created_by=admin),
        TEST_JURY,
        TEST_JURY_PRESIDENT,
        admin=admin,
        members=members,
    )
    move_to_the_past(session, days_ago=CLOCKMAKING_DAYS_AGO, staff=staff)
    EvaluationSession.objects.filter(pk=session.pk).update(ends_on=session.starts_on + length)
    session.refresh_from_db()
    test_jury.refresh_from_db()
    specs = {spec["identity"]["email"]: spec for spec in DEMO_CLOCKMAKING_CANDIDATES}
    grade_and_recommend(jury=test_jury, version=version, specs=specs)
    final_jury = compose(
        jury_services.certification_jury_create(version=version, meets_on=timezone.localdate(), created_by=admin),
        FINAL_JURY,
        FINAL_JURY_PRESIDENT,
        admin=admin,
        members=members,
    )
    jury_services.deliberation_transmit(
        jury=test_jury, certification_jury=final_jury, transmitted_by=user_of(test_jury.president)
    )
    decide_as_recommended(
        jury=test_jury, certification_jury=final_jury, specs=specs, members=members, president=FINAL_JURY_PRESIDENT
    )
    return _line(session, test_jury, final_jury, version)


def _version_with_mandatory_competencies() -> CertificationVersion:
    """Version 2 of 31313, a copy of version 1 in which the admins marked the mandatory competencies; published."""
    first = CertificationVersion.objects.get(rncp_code="RNCP31313", number=1)
    second = CertificationVersion.objects.filter(previous=first).first()
    if second is None:
        second = referential_services.version_new(previous=first)
    if second.status == VersionStatus.DRAFT:
        for block in second.blocks.all():
            referential_services.block_set_mandatory(block=block, codes=MANDATORY_31313.get(block.code, ()))
        if MANDATORY_NOTE not in second.to_verify:
            second = referential_services.version_update(
                version=second, to_verify=f"{second.to_verify}\n{MANDATORY_NOTE}".strip()
            )
        second = referential_services.version_publish(version=second)
    return second


def _line(session: EvaluationSession, test_jury: Jury, final_jury: Jury, version: CertificationVersion) -> str:
    rows = jury_selectors.deliberation_rows(jury_selectors.session_places(test_jury), version)
    outcomes = ", ".join(outcome_line(row) for row in rows)
    pending = ", ".join(row.candidate.display_name for row in rows if row.decision is None)
    return (
        f"Session du CQP Horloger qualifié : RNCP 31313 v{version.number} le {session.starts_on:%d/%m/%Y} "
        f"(École d'horlogerie), jury d'épreuve de {test_jury.seats.count()} membres ({outcomes}), jury paritaire "
        f"final de {final_jury.seats.count()} membres du {final_jury.meets_on:%d/%m/%Y} ; décision à prendre pour "
        f"{pending} ({FINAL_JURY_PRESIDENT})."
    )
