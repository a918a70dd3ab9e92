from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from candidates.models import Candidate, Enrolment
from cqp.models import CertificationVersion, TrainingOrganisation
from evaluations import services as session_services
from evaluations.models import EvaluationSession
from tests.factories import UserFactory, enrol, make_candidate
from tests.worlds import world  # noqa: F401 - a fixture
from vae import services
from vae.models import AdmissibilityFile

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name: str = "dossier.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@dataclass
class Vae:
    version: CertificationVersion
    organisation: TrainingOrganisation
    staff: User
    admin: User
    candidate: Candidate
    user: User
    enrolment: Enrolment

    def file(self, months: int = 30) -> AdmissibilityFile:
        return services.file_create(
            candidate=self.candidate,
            version=self.version,
            experience_months=months,
            experience="Horloger en atelier de réparation, Maison Lip, 2021-2023.",
            actor=self.user,
        )

    def submitted(self, months: int = 30) -> AdmissibilityFile:
        file = self.file(months)
        services.document_add(file=file, upload=pdf(), actor=self.user)
        return services.file_submit(file=file, actor=self.user)

    def admissible(self) -> AdmissibilityFile:
        return services.file_decide(file=self.submitted(), decision="admissible", decided_by=self.admin)

    def declared(self) -> AdmissibilityFile:
        file = self.admissible()
        services.declarative_add(file=file, kind="declarative", upload=pdf("livret 2.pdf"), actor=self.user)
        return services.declarative_submit(file=file, actor=self.user)

    def session(self) -> EvaluationSession:
        return session_services.session_schedule(
            version=self.version,
            organisation=self.organisation,
            starts_on=timezone.localdate() + dt.timedelta(days=30),
            ends_on=None,
            mode="on_site",
            address="58 rue du Louvre, Paris",
            slot_minutes=60,
            created_by=self.staff,
        )


@pytest.fixture
def vae(referential: None, staff: User, certifier_admin: User) -> Vae:
    organisation = staff.organisation
    organisation.approval_start = dt.date(2020, 1, 1)
    organisation.save()
    version = CertificationVersion.objects.get(rncp_code="RNCP31313")
    candidate = make_candidate(organisation, n=1, created_by=staff)
    user = UserFactory(email=candidate.email, is_candidate=True)
    candidate.user = user
    candidate.save()
    enrolment = enrol(candidate, version, access_route="vae", created_by=staff)
    return Vae(version, organisation, staff, certifier_admin, candidate, user, enrolment)
