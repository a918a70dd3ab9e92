"""factory_boy factories for the whole project."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, TypeVar

import factory
from django.db.models import Model

from accounts.models import User
from candidates import rules as candidate_rules
from candidates import services as candidate_services
from candidates.models import Candidate, Enrolment
from cqp.models import (
    Block,
    Certification,
    CertificationVersion,
    Certifier,
    Competency,
    TrainingOrganisation,
    VersionStatus,
)

PASSWORD = "motdepasse-de-test-2026"

M = TypeVar("M", bound=Model)


class ModelFactory(factory.django.DjangoModelFactory[M]):
    """A factory whose call is typed as the model it makes (factory_boy leaves `Factory()` untyped)."""

    class Meta:
        abstract = True

    if TYPE_CHECKING:
        # A factory call returns a model, not a factory: what the checker cannot take from a __new__.
        def __new__(cls, *args: Any, **kwargs: Any) -> M: ...  # type: ignore[misc]


class CertifierFactory(ModelFactory[Certifier]):
    class Meta:
        model = Certifier
        django_get_or_create = ("name",)

    name = "CPNEFP HBJO"
    legal_name = "Commission paritaire nationale de l'emploi et de la formation professionnelle HBJO"
    delegate_name = "CNHBJO"
    address = "58 rue du Louvre\n75002 Paris"
    signatory_title = "Président"


class OrganisationFactory(ModelFactory[TrainingOrganisation]):
    class Meta:
        model = TrainingOrganisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Organisme {n}")
    city = "Paris"
    department = "75"


class UserFactory(ModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@example.org")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Durand{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


class CertificationFactory(ModelFactory[Certification]):
    class Meta:
        model = Certification

    slug = factory.Sequence(lambda n: f"certification-{n}")
    name = factory.Sequence(lambda n: f"CQP numéro {n}")


class VersionFactory(ModelFactory[CertificationVersion]):
    class Meta:
        model = CertificationVersion

    certification = factory.SubFactory(CertificationFactory)
    number = 1
    status = VersionStatus.PUBLISHED
    rncp_code = factory.Sequence(lambda n: f"RNCP{90000 + n}")
    title = factory.LazyAttribute(lambda o: o.certification.name)
    short_title = factory.LazyAttribute(lambda o: o.certification.name)
    certifier = factory.SubFactory(CertifierFactory)
    nsf_codes = factory.LazyFunction(lambda: ["251"])
    access_routes = factory.LazyFunction(lambda: ["formation_continue", "vae"])


class BlockFactory(ModelFactory[Block]):
    class Meta:
        model = Block

    version = factory.SubFactory(VersionFactory)
    # Codes have at most two digits: keep sequences in range however many tests ran before.
    order = factory.Sequence(lambda n: n % 90 + 1)
    code = factory.LazyAttribute(lambda o: f"BC{o.order}")
    rncp_code = factory.LazyAttribute(lambda o: f"{o.version.rncp_code}BC{o.order:02d}")
    title = factory.Sequence(lambda n: f"Bloc {n}")
    threshold_percent = 60


class CompetencyFactory(ModelFactory[Competency]):
    class Meta:
        model = Competency

    block = factory.SubFactory(BlockFactory)
    order = factory.Sequence(lambda n: n % 90 + 1)
    code = factory.LazyAttribute(lambda o: f"C{o.block.code.removeprefix('BC')}.{o.order}")
    label = factory.Sequence(lambda n: f"Compétence {n}")
    is_mandatory = False


class CandidateFactory(ModelFactory[Candidate]):
    """A record written straight to the table, bypassing duplicate detection (as an old import would)."""

    class Meta:
        model = Candidate

    organisation = factory.SubFactory(OrganisationFactory)
    birth_name = factory.Sequence(lambda n: f"Nom{n}")
    first_name = "Camille"
    sex = "F"
    birth_date = dt.date(1990, 1, 1)
    birth_commune = "Paris"
    birth_insee_code = "75056"
    email = factory.Sequence(lambda n: f"candidat{n}@example.org")
    identity_key = factory.LazyAttribute(
        lambda o: candidate_rules.identity_key(
            birth_name=o.birth_name, first_name=o.first_name, birth_date=o.birth_date
        )
    )


def make_candidate(
    organisation: TrainingOrganisation, n: int = 0, *, created_by: User | None = None, **overrides: Any
) -> Candidate:
    """Julie Martin{n}, created through `candidate_create` as the pages create her (normalised, checked)."""
    fields: dict[str, Any] = {
        "birth_name": f"Martin{n}",
        "first_name": "Julie",
        "sex": "F",
        "birth_date": dt.date(1995, 1, 1) + dt.timedelta(days=n),
        "birth_commune": "Besançon",
        "birth_insee_code": "25056",
        "email": f"julie{n}@example.org",
    }
    fields.update(overrides)
    return candidate_services.candidate_create(organisation=organisation, created_by=created_by, **fields)


def enrol(
    candidate: Candidate,
    version: CertificationVersion,
    *,
    blocks: Any = None,
    access_route: str = "vae",
    created_by: User | None = None,
    **kwargs: Any,
) -> Enrolment:
    """Enrol through `candidate_enrol`: all the version's blocks, by VAE, unless told otherwise."""
    return candidate_services.candidate_enrol(
        candidate=candidate, version=version, blocks=blocks, access_route=access_route, created_by=created_by, **kwargs
    )


def jury_member(
    email: str,
    college: str,
    *,
    certifications: Any,
    first_name: str = "Alex",
    last_name: str | None = None,
    approved_by: User | None = None,
    **fields: Any,
) -> Any:
    """A jury member registered and approved through the services (approved by a fresh certifier admin
    unless one is given)."""
    from juries import services as jury_services

    admin = approved_by or UserFactory(email="habilitation@example.org", is_certifier_admin=True)
    member = jury_services.jury_member_register(
        email=email,
        first_name=first_name,
        last_name=last_name or email.split("@")[0].title(),
        college=college,
        certifications=certifications,
        proposed_by=admin,
        **fields,
    )
    return jury_services.jury_member_approve(member=member, approved_by=admin)


def past_session(staff: User, version: CertificationVersion, candidates: list[Candidate], *, days_ago: int = 0) -> Any:
    """A session of `staff`'s organisation held `days_ago` days ago, every candidate present.

    Scheduled and filled through the services (a session is only scheduled ahead), then moved to its exam
    day and the attendance sheet filled straight in the table: these tests are about what follows the exam.
    """
    from django.db.models import F
    from django.utils import timezone

    from evaluations import services as evaluation_services
    from evaluations.models import Attendance, EvaluationSession, SessionCandidate

    organisation = staff.organisation
    if organisation.approval_start is None:
        organisation.approval_start = timezone.localdate() - dt.timedelta(days=3650)
        organisation.save(update_fields=["approval_start"])
    session = evaluation_services.session_schedule(
        version=version,
        organisation=organisation,
        starts_on=timezone.localdate() + dt.timedelta(days=30),
        ends_on=None,
        mode="on_site",
        address="58 rue du Louvre, 75002 Paris",
        created_by=staff,
    )
    for candidate in candidates:
        enrolment = candidate.enrolments.filter(version=version, status="active").first() or enrol(candidate, version)
        evaluation_services.session_add_candidate(session=session, enrolment=enrolment)
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    shift = day - session.starts_on
    EvaluationSession.objects.filter(pk=session.pk).update(starts_on=day, ends_on=day)
    SessionCandidate.objects.filter(session=session).update(
        starts_at=F("starts_at") + shift,
        ends_at=F("ends_at") + shift,
        attendance=Attendance.PRESENT,
        signed_at=timezone.now(),
    )
    session.refresh_from_db()
    return session
