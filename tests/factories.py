"""factory_boy factories for the whole project."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, TypeVar

import factory
from django.db.models import Model

from accounts.models import User
from candidates import rules as candidate_rules
from candidates.models import Candidate
from cqp.models import (
    Block,
    Certification,
    CertificationVersion,
    Certifier,
    Competency,
    TrainingOrganisation,
    VersionStatus,
)

# Built through the services with no test tooling, they live with the benchmark's world: demo/builders.py.
from demo.builders import enrol as enrol
from demo.builders import jury_member as jury_member
from demo.builders import make_candidate as make_candidate
from demo.builders import past_session as past_session

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
    def _save(user: User, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            user.save()


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
