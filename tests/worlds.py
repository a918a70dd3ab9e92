"""A session of RNCP 26850 held today at BJO Formation with three candidates present, the members of an
evaluation jury and of a certification jury, approved; and helpers to grade through the services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from accounts.models import User
from cqp.models import Block, CertificationVersion, TrainingOrganisation
from evaluations.models import EvaluationSession, SessionCandidate
from juries import services
from juries.models import Jury, JuryMember
from tests.factories import UserFactory, jury_member, make_candidate, past_session


@dataclass
class World:
    admin: User
    staff: User
    organisation: TrainingOrganisation
    version: CertificationVersion
    session: EvaluationSession
    places: list[SessionCandidate]
    employees: JuryMember
    employers: JuryMember
    trainer: JuryMember
    cert_president: JuryMember
    cert_employees: JuryMember
    cert_employers: JuryMember
    blocks: dict[str, Block]

    def evaluation_jury(self, *, president: JuryMember | None = None) -> Jury:
        jury = services.evaluation_jury_create(session=self.session, created_by=self.admin)
        for member in (self.employees, self.employers, self.trainer):
            services.jury_assign(jury=jury, member=member, assigned_by=self.admin)
        services.jury_president_designate(jury=jury, member=president or self.employers, designated_by=self.admin)
        jury.refresh_from_db()
        return jury

    def certification_jury(self) -> Jury:
        jury = services.certification_jury_create(
            version=self.version, meets_on=self.session.starts_on, created_by=self.admin
        )
        for member in (self.cert_employees, self.cert_employers, self.cert_president):
            services.jury_assign(jury=jury, member=member, assigned_by=self.admin)
        services.jury_president_designate(jury=jury, member=self.cert_president, designated_by=self.admin)
        jury.refresh_from_db()
        return jury

    def grade(self, jury: Jury, place: SessionCandidate, pattern: dict[str, str], *, submit: bool = True) -> None:
        """Consensus grids of every block the candidate sits. `pattern` maps a competency code to "NA";
        every other competency is "A"."""
        president = jury.president.user
        grids = []
        for block in services.blocks_sat(place):
            grades = {c.code: pattern.get(c.code, "A") for c in block.competencies.all()}
            grids.append(
                services.grid_save(
                    jury=jury, place=place, block=block, consensus=True, grades=grades, saved_by=president
                )
            )
        if submit:
            services.grids_submit(grids=grids, submitted_by=president)


def build_world() -> World:
    """The world, built on a loaded referential (tests use the `world` fixture; the benchmark calls this)."""
    admin = UserFactory(email="certificateur@example.org", is_certifier_admin=True)
    organisation = TrainingOrganisation.objects.get(name="BJO Formation")
    staff = UserFactory(email="of@example.org", organisation=organisation)
    version = CertificationVersion.objects.get(rncp_code="RNCP26850")
    candidates = [
        make_candidate(organisation, n, created_by=staff, company_name=company)
        for n, company in enumerate(["Maison Verlaine", "Atelier Saint-Honoré", "Polissage Franc-Comtois"])
    ]
    session = past_session(staff, version, candidates)
    certification = [version.certification]

    def member(email: str, college: str, **fields: Any) -> JuryMember:
        return jury_member(email, college, certifications=certification, approved_by=admin, **fields)

    return World(
        admin=admin,
        staff=staff,
        organisation=organisation,
        version=version,
        session=session,
        places=list(session.candidates.order_by("starts_at")),
        employees=member("salarie@example.org", "employees", company_name="Bijouterie Lumière"),
        employers=member("employeur@example.org", "employers", company_name="Joaillerie Moreau"),
        trainer=member("formateur@example.org", "trainer", company_name="Centre de formation de Saumur"),
        cert_president=member("president@example.org", "certifier_president", company_name="CNHBJO"),
        cert_employees=member("salarie2@example.org", "employees", company_name="Orfèvrerie du Marais"),
        cert_employers=member("employeur2@example.org", "employers", company_name="Horlogerie Vendôme"),
        blocks={b.code: b for b in version.blocks.all()},
    )


@pytest.fixture
def world(referential: Any) -> World:
    return build_world()
