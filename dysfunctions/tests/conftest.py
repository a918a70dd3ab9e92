from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.models import User
from cqp.models import CertificationVersion, TrainingOrganisation
from evaluations import services as session_services
from evaluations.models import EvaluationSession, SessionCandidate, SessionMode
from tests.factories import enrol, make_candidate

PARIS = ZoneInfo("Europe/Paris")
TODAY = dt.date(2026, 3, 2)
SESSION_DAY = dt.date(2026, 4, 1)  # 30 days ahead


@pytest.fixture(autouse=True)
def _today() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=PARIS), tick=False) as traveller:
        yield traveller


@pytest.fixture
def approved(organisation: TrainingOrganisation) -> TrainingOrganisation:
    organisation.approval_start = dt.date(2025, 1, 1)
    organisation.approval_end = dt.date(2027, 12, 31)
    organisation.save()
    return organisation


@pytest.fixture
def session(referential: None, approved: TrainingOrganisation, staff: User) -> EvaluationSession:
    return session_services.session_schedule(
        version=CertificationVersion.objects.get(rncp_code="RNCP26850"),
        organisation=approved,
        starts_on=SESSION_DAY,
        ends_on=None,
        mode=SessionMode.ON_SITE,
        address="12 rue de Turbigo\n75003 Paris",
        created_by=staff,
    )


def place_for(session: EvaluationSession, n: int = 0, **overrides: Any) -> SessionCandidate:
    enrolment = enrol(make_candidate(session.organisation, n=n, **overrides), session.version)
    return session_services.session_add_candidate(session=session, enrolment=enrolment)


@pytest.fixture
def places(session: EvaluationSession) -> list[SessionCandidate]:
    return [place_for(session, n=0), place_for(session, n=1)]
