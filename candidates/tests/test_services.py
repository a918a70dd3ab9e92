"""Writes about candidates: creation and duplicates, enrolment rules, fraud bans, accommodations."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import User
from candidates import rules
from candidates.models import (
    Accommodation,
    AccommodationKind,
    Candidate,
    Enrolment,
    EnrolmentStatus,
    FraudBan,
    PrerequisitesOutcome,
)
from candidates.services import (
    accommodation_add,
    candidate_create,
    candidate_enrol,
    candidate_update,
    fraud_ban_record,
)
from cqp.models import Block, CertificationVersion, TrainingOrganisation
from cqp.services import version_is_in_use
from tests.factories import BlockFactory, CandidateFactory, OrganisationFactory, VersionFactory

PARIS = ZoneInfo("Europe/Paris")
BORN = dt.date(1998, 5, 14)
INTERVIEW = dt.date(2025, 1, 6)


def identity(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "birth_name": "Le Goff",
        "first_name": "Élodie",
        "sex": "F",
        "birth_date": BORN,
        "birth_commune": "Brest",
        "birth_insee_code": "29019",
        "email": "elodie.legoff@example.org",
    }
    return fields | overrides


def make_candidate(organisation: TrainingOrganisation, **overrides: Any) -> Candidate:
    return candidate_create(organisation=organisation, created_by=None, **identity(**overrides))


def errors_of(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def at(day: dt.date) -> time_machine.travel:
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 10, tzinfo=PARIS), tick=False)


@pytest.fixture
def polishing(referential) -> CertificationVersion:
    return CertificationVersion.objects.get(rncp_code="RNCP26850")


@pytest.fixture
def candidate(organisation) -> Candidate:
    return make_candidate(organisation)


def enrol(candidate: Candidate, version: CertificationVersion, **overrides: Any) -> Enrolment:
    """Enrol with an interview held and passed, so that the call works whether the version has prerequisites."""
    arguments: dict[str, Any] = {
        "blocks": None,
        "access_route": "formation_continue",
        "created_by": None,
        "prerequisites_interview_on": INTERVIEW,
        "prerequisites_outcome": PrerequisitesOutcome.MET,
    }
    return candidate_enrol(candidate=candidate, version=version, **(arguments | overrides))


def version_with_blocks(count: int = 2, **fields: Any) -> CertificationVersion:
    version = VersionFactory(**fields)
    for order in range(1, count + 1):
        BlockFactory(version=version, order=order)
    return version


# Creation


@pytest.mark.django_db
def test_create_stores_normalised_values_and_the_identity_key(organisation, staff) -> None:
    created = candidate_create(
        organisation=organisation,
        created_by=staff,
        **identity(
            birth_name="  Le Goff ",
            first_name=" Élodie",
            birth_commune=" Ajaccio ",
            birth_insee_code=" 2a004 ",
            email=" Elodie.LeGoff@Example.ORG ",
            company_name=" Apple France ",
            company_siret=" 732 829 320 00074 ",
        ),
    )

    stored = Candidate.objects.get(pk=created.pk)
    assert (stored.birth_name, stored.first_name, stored.birth_commune) == ("Le Goff", "Élodie", "Ajaccio")
    assert stored.birth_insee_code == "2A004"
    assert stored.email == "elodie.legoff@example.org"
    assert (stored.company_name, stored.company_siret) == ("Apple France", "73282932000074")
    assert stored.identity_key == rules.identity_key(birth_name="le-goff", first_name="elodie", birth_date=BORN)
    assert stored.organisation == organisation
    assert stored.created_by == staff


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"birth_insee_code": "2C004"}, "birth_insee_code", "Code INSEE invalide"),
        ({"birth_insee_code": "7505"}, "birth_insee_code", "Code INSEE invalide"),
        ({"birth_insee_code": ""}, "birth_insee_code", "Pour une naissance en France, indiquez le code INSEE"),
        (
            {"birth_insee_code": "", "birth_country": " FRANCE "},
            "birth_insee_code",
            "Pour une naissance en France, indiquez le code INSEE",
        ),
        ({"company_siret": "73282932000075"}, "company_siret", "SIRET invalide"),
        ({"company_siret": "7328293200007"}, "company_siret", "SIRET invalide"),
        ({"birth_date": dt.date(2100, 1, 1)}, "birth_date", "Date de naissance invraisemblable"),
    ],
    ids=[
        "corsica-2C",
        "four-digits",
        "france-no-insee",
        "france-uppercase-no-insee",
        "siret-key",
        "siret-13",
        "future",
    ],
)
def test_create_refuses_a_wrong_identity_on_the_field(organisation, overrides, field, message) -> None:
    with pytest.raises(ValidationError) as excinfo:
        make_candidate(organisation, **overrides)

    assert any(message in text for text in errors_of(excinfo)[field])
    assert not Candidate.objects.exists()


@pytest.mark.django_db
def test_create_refuses_a_birth_date_of_today(organisation) -> None:
    with pytest.raises(ValidationError) as excinfo:
        make_candidate(organisation, birth_date=timezone.localdate())

    assert "birth_date" in errors_of(excinfo)


@pytest.mark.django_db
def test_create_reports_every_identity_error_at_once(organisation) -> None:
    with pytest.raises(ValidationError) as excinfo:
        make_candidate(organisation, birth_insee_code="ABCDE", company_siret="12345678901234")

    assert set(errors_of(excinfo)) == {"birth_insee_code", "company_siret"}


@pytest.mark.django_db
def test_create_accepts_no_insee_code_for_a_birth_abroad(organisation) -> None:
    created = make_candidate(organisation, birth_country="Maroc", birth_commune="Casablanca", birth_insee_code="")

    assert Candidate.objects.get(pk=created.pk).birth_insee_code == ""


@pytest.mark.django_db
def test_create_refuses_the_same_identity_in_the_same_organisation_naming_the_record(organisation) -> None:
    existing = make_candidate(organisation)

    with pytest.raises(ValidationError) as excinfo:
        make_candidate(organisation, birth_name="LE-GOFF", first_name="elodie", email="autre@example.org")

    message = " ".join(excinfo.value.messages)
    assert "Cette candidate existe déjà" in message
    assert "LE GOFF Élodie" in message
    assert "14 mai 1998" in message
    assert f"n° {existing.pk}" in message
    assert Candidate.objects.count() == 1


@pytest.mark.django_db
def test_create_refuses_an_identity_followed_elsewhere_without_naming_the_other_organisation(organisation) -> None:
    other = OrganisationFactory(name="Lycée Diderot Bijouterie")
    make_candidate(other)

    with pytest.raises(ValidationError) as excinfo:
        make_candidate(organisation)

    message = " ".join(excinfo.value.messages)
    assert "contactez le certificateur" in message
    assert "Diderot" not in message
    assert "LE GOFF" not in message
    assert Candidate.objects.filter(organisation=organisation).count() == 0


@pytest.mark.django_db
def test_create_accepts_a_namesake_born_another_day(organisation) -> None:
    make_candidate(organisation)
    make_candidate(organisation, birth_date=BORN + dt.timedelta(days=1), email="homonyme@example.org")

    assert Candidate.objects.count() == 2


@pytest.mark.django_db
def test_update_saves_the_same_candidate_without_calling_it_its_own_duplicate(candidate) -> None:
    updated = candidate_update(candidate=candidate, phone=" 06 12 34 56 78 ", email="ELODIE@EXAMPLE.ORG")

    stored = Candidate.objects.get(pk=candidate.pk)
    assert updated.pk == candidate.pk
    assert (stored.phone, stored.email) == ("06 12 34 56 78", "elodie@example.org")


@pytest.mark.django_db
def test_update_recomputes_the_identity_key(candidate) -> None:
    candidate_update(candidate=candidate, birth_name="Le Gall")

    assert Candidate.objects.get(pk=candidate.pk).identity_key == rules.identity_key(
        birth_name="Le Gall", first_name="Élodie", birth_date=BORN
    )


@pytest.mark.django_db
def test_update_refuses_to_turn_a_candidate_into_another_ones_duplicate(organisation, candidate) -> None:
    other = make_candidate(organisation, birth_name="Martin", first_name="Léa", email="lea@example.org")

    with pytest.raises(ValidationError, match="Cette candidate existe déjà"):
        candidate_update(candidate=other, birth_name="Le Goff", first_name="Élodie")

    assert Candidate.objects.get(pk=other.pk).birth_name == "Martin"


# Enrolment


@pytest.mark.django_db
def test_enrol_presents_every_block_when_none_are_chosen(candidate, polishing, staff) -> None:
    enrolment = enrol(candidate, polishing, created_by=staff)

    stored = Enrolment.objects.get(pk=enrolment.pk)
    assert sorted(stored.blocks.values_list("code", flat=True)) == ["BC1", "BC2"]
    assert stored.status == EnrolmentStatus.ACTIVE
    assert stored.access_route == "formation_continue"
    assert stored.created_by == staff


@pytest.mark.django_db
def test_enrol_presents_some_blocks_when_partial_award_is_allowed(candidate, polishing) -> None:
    bc2 = polishing.blocks.get(code="BC2")

    enrolment = enrol(candidate, polishing, blocks=[bc2])

    assert list(Enrolment.objects.get(pk=enrolment.pk).blocks.all()) == [bc2]


@pytest.mark.django_db
def test_enrol_refuses_blocks_of_another_certification(candidate, polishing) -> None:
    stranger = Block.objects.get(version__rncp_code="RNCP31313", code="BC3")

    with pytest.raises(ValidationError) as excinfo:
        enrol(candidate, polishing, blocks=[polishing.blocks.get(code="BC1"), stranger])

    assert errors_of(excinfo)["blocks"] == ["Blocs d'une autre certification : BC3."]
    assert not Enrolment.objects.exists()


@pytest.mark.django_db
def test_enrol_refuses_an_empty_block_list(candidate, polishing) -> None:
    with pytest.raises(ValidationError) as excinfo:
        enrol(candidate, polishing, blocks=[])

    assert errors_of(excinfo)["blocks"] == ["Choisissez au moins un bloc de compétences."]


@pytest.mark.django_db
def test_enrol_refuses_an_access_route_the_version_does_not_offer(candidate) -> None:
    version = version_with_blocks(access_routes=["vae"])

    with pytest.raises(ValidationError) as excinfo:
        enrol(candidate, version, access_route="formation_continue")

    assert "n'est pas ouverte" in errors_of(excinfo)["access_route"][0]
    assert enrol(candidate, version, access_route="vae").access_route == "vae"


@pytest.mark.django_db
def test_enrol_refuses_a_draft_version(candidate, referential) -> None:
    draft = CertificationVersion.objects.get(rncp_code="RNCP26849")

    with pytest.raises(ValidationError) as excinfo:
        enrol(candidate, draft)

    assert errors_of(excinfo)["version"] == [
        "On ne s'inscrit qu'à une certification en vigueur (RNCP 26849 est « En préparation »)."
    ]
    assert not version_is_in_use(draft)


@pytest.mark.django_db
def test_enrol_refuses_a_second_active_enrolment_and_leaves_no_row(candidate, polishing) -> None:
    first = enrol(candidate, polishing)

    with pytest.raises(ValidationError, match="déjà inscrit"):
        enrol(candidate, polishing, access_route="vae")

    assert list(Enrolment.objects.values_list("pk", flat=True)) == [first.pk]


@pytest.mark.django_db
def test_enrol_accepts_a_new_enrolment_once_the_previous_one_is_withdrawn(candidate, polishing) -> None:
    Enrolment.objects.filter(pk=enrol(candidate, polishing).pk).update(status=EnrolmentStatus.WITHDRAWN)

    assert enrol(candidate, polishing).status == EnrolmentStatus.ACTIVE
    assert Enrolment.objects.filter(candidate=candidate).count() == 2


@pytest.mark.django_db
def test_a_version_without_partial_award_refuses_a_subset_of_blocks(candidate) -> None:
    version = version_with_blocks(partial_award_allowed=False)

    with pytest.raises(ValidationError) as excinfo:
        enrol(candidate, version, blocks=version.blocks.all()[:1])

    assert "ne se présente pas par blocs" in errors_of(excinfo)["blocks"][0]
    assert enrol(candidate, version).blocks.count() == 2


@pytest.mark.django_db
def test_a_version_without_partial_award_refuses_a_repeated_block_in_place_of_all(candidate) -> None:
    version = version_with_blocks(partial_award_allowed=False)
    first = version.blocks.first()

    with pytest.raises(ValidationError):
        enrol(candidate, version, blocks=[first, first])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("interview_on", "outcome"),
    [(None, ""), (None, PrerequisitesOutcome.MET), (INTERVIEW, ""), (INTERVIEW, PrerequisitesOutcome.NOT_MET)],
    ids=["nothing", "no-date", "no-outcome", "not-met"],
)
def test_a_version_with_prerequisites_refuses_without_an_interview_passed(candidate, interview_on, outcome) -> None:
    version = version_with_blocks(
        prerequisites_required=True, prerequisites="Deux ans d'expérience en atelier de bijouterie."
    )

    with pytest.raises(ValidationError) as excinfo:
        enrol(candidate, version, prerequisites_interview_on=interview_on, prerequisites_outcome=outcome)

    assert "prérequis" in errors_of(excinfo)["prerequisites_outcome"][0]
    assert not Enrolment.objects.exists()


@pytest.mark.django_db
def test_a_version_with_prerequisites_records_the_interview(candidate) -> None:
    version = version_with_blocks(
        prerequisites_required=True, prerequisites="Deux ans d'expérience en atelier de bijouterie."
    )

    enrolment = enrol(candidate, version, prerequisites_notes="Trois ans chez un joaillier.")

    stored = Enrolment.objects.get(pk=enrolment.pk)
    assert stored.prerequisites_outcome == PrerequisitesOutcome.MET
    assert stored.prerequisites_interview_on == INTERVIEW
    assert stored.prerequisites_notes == "Trois ans chez un joaillier."


@pytest.mark.django_db
def test_a_version_without_prerequisites_needs_no_interview(candidate) -> None:
    version = version_with_blocks(prerequisites_required=False, prerequisites="Aucun prérequis.")

    enrolment = enrol(candidate, version, prerequisites_interview_on=None, prerequisites_outcome="")

    assert Enrolment.objects.get(pk=enrolment.pk).prerequisites_outcome == PrerequisitesOutcome.NOT_REQUIRED


@pytest.mark.django_db
def test_the_polishing_cqp_whose_text_says_no_prerequisites_needs_no_interview(candidate, polishing) -> None:
    enrolment = enrol(candidate, polishing, prerequisites_interview_on=None, prerequisites_outcome="")

    assert enrolment.prerequisites_outcome == PrerequisitesOutcome.NOT_REQUIRED


@pytest.mark.django_db
def test_an_enrolment_freezes_the_version(candidate, polishing) -> None:
    assert version_is_in_use(polishing) is False

    enrol(candidate, polishing)

    assert version_is_in_use(polishing) is True


# Fraud bans

DECIDED = dt.date(2024, 3, 10)
BAN_END = dt.date(2027, 3, 9)


@pytest.mark.django_db
def test_a_fraud_ban_lasts_three_years_less_a_day_and_withdraws_every_record_of_the_person(
    organisation, candidate, polishing, certifier_admin
) -> None:
    twin = CandidateFactory(birth_name="LE GOFF", first_name="Elodie", birth_date=BORN)
    stranger = CandidateFactory()
    mine, twins, strangers = enrol(candidate, polishing), enrol(twin, polishing), enrol(stranger, polishing)

    ban = fraud_ban_record(
        candidate=candidate, decided_on=DECIDED, reason="  Téléphone pendant l'épreuve. ", recorded_by=certifier_admin
    )

    stored = FraudBan.objects.get(pk=ban.pk)
    assert (stored.decided_on, stored.ends_on) == (DECIDED, BAN_END)
    assert stored.identity_key == candidate.identity_key == twin.identity_key
    assert stored.reason == "Téléphone pendant l'épreuve."
    assert stored.recorded_by == certifier_admin
    statuses = dict(Enrolment.objects.values_list("pk", "status"))
    assert statuses == {
        mine.pk: EnrolmentStatus.WITHDRAWN,
        twins.pk: EnrolmentStatus.WITHDRAWN,
        strangers.pk: EnrolmentStatus.ACTIVE,
    }


@pytest.mark.django_db
def test_a_fraud_ban_needs_a_reason(candidate, polishing, certifier_admin) -> None:
    enrolment = enrol(candidate, polishing)

    with pytest.raises(ValidationError) as excinfo:
        fraud_ban_record(candidate=candidate, decided_on=DECIDED, reason="   ", recorded_by=certifier_admin)

    assert errors_of(excinfo)["reason"] == ["Indiquez le motif de l'exclusion."]
    assert not FraudBan.objects.exists()
    assert Enrolment.objects.get(pk=enrolment.pk).status == EnrolmentStatus.ACTIVE


def _ban(candidate: Candidate, recorded_by: User) -> FraudBan:
    return fraud_ban_record(candidate=candidate, decided_on=DECIDED, reason="Fraude avérée.", recorded_by=recorded_by)


@pytest.mark.django_db
@pytest.mark.parametrize("day", [DECIDED, dt.date(2025, 6, 1), BAN_END], ids=["decision-day", "during", "last-day"])
def test_enrol_refuses_a_banned_candidate_until_the_last_day_inclusive(
    candidate, polishing, certifier_admin, day
) -> None:
    _ban(candidate, certifier_admin)

    with at(day), pytest.raises(ValidationError) as excinfo:
        enrol(candidate, polishing)

    message = excinfo.value.messages[0]
    assert "LE GOFF Élodie est exclue de la certification pour fraude" in message
    assert "jusqu'au 9 mars 2027 inclus" in message
    assert not Enrolment.objects.exists()


@pytest.mark.django_db
def test_enrol_accepts_the_candidate_again_the_day_after_the_ban_ends(candidate, polishing, certifier_admin) -> None:
    _ban(candidate, certifier_admin)

    with at(BAN_END + dt.timedelta(days=1)):
        enrolment = enrol(candidate, polishing)

    assert enrolment.status == EnrolmentStatus.ACTIVE


@pytest.mark.django_db
def test_a_ban_catches_a_new_record_of_the_same_person(candidate, polishing, certifier_admin) -> None:
    _ban(candidate, certifier_admin)
    new_record = CandidateFactory(birth_name="Le-Goff", first_name="ÉLODIE", birth_date=BORN)

    with at(dt.date(2025, 6, 1)), pytest.raises(ValidationError, match="exclue de la certification"):
        enrol(new_record, polishing)

    assert not Enrolment.objects.filter(candidate=new_record).exists()


@pytest.mark.django_db
def test_a_ban_does_not_touch_a_namesake_born_another_day(organisation, candidate, polishing, certifier_admin) -> None:
    _ban(candidate, certifier_admin)
    namesake = make_candidate(organisation, birth_date=BORN + dt.timedelta(days=1), email="homonyme@example.org")

    with at(dt.date(2025, 6, 1)):
        assert enrol(namesake, polishing).status == EnrolmentStatus.ACTIVE


# Accommodations


@pytest.fixture
def enrolment(candidate, polishing) -> Enrolment:
    return enrol(candidate, polishing)


@pytest.mark.django_db
def test_extra_time_is_stored_with_its_measure_and_referent(enrolment) -> None:
    accommodation = accommodation_add(
        enrolment=enrolment,
        kind=AccommodationKind.EXTRA_TIME,
        extra_minutes=20,
        measure=" Tiers-temps sur la soutenance ",
        referent=" Mme Hamon, référente handicap ",
        approved_on=dt.date(2025, 1, 10),
    )

    stored = Accommodation.objects.get(pk=accommodation.pk)
    assert (stored.kind, stored.extra_minutes) == (AccommodationKind.EXTRA_TIME, 20)
    assert stored.measure == "Tiers-temps sur la soutenance"
    assert stored.referent == "Mme Hamon, référente handicap"
    assert stored.approved_on == dt.date(2025, 1, 10)
    assert list(enrolment.accommodations.all()) == [stored]


@pytest.mark.django_db
def test_extra_time_of_zero_minutes_is_refused(enrolment) -> None:
    with pytest.raises(ValidationError) as excinfo:
        accommodation_add(
            enrolment=enrolment,
            kind=AccommodationKind.EXTRA_TIME,
            extra_minutes=0,
            measure="Temps supplémentaire",
            referent="Mme Hamon",
            approved_on=dt.date(2025, 1, 10),
        )

    assert "Un temps supplémentaire se compte en minutes (au moins 1)." in excinfo.value.messages
    assert not Accommodation.objects.exists()


@pytest.mark.django_db
def test_minutes_are_refused_for_a_technical_aid(enrolment) -> None:
    with pytest.raises(ValidationError) as excinfo:
        accommodation_add(
            enrolment=enrolment,
            kind=AccommodationKind.TECHNICAL_AID,
            extra_minutes=15,
            measure="Loupe éclairante",
            referent="Mme Hamon",
            approved_on=dt.date(2025, 1, 10),
        )

    assert "temps supplémentaire" in errors_of(excinfo)["extra_minutes"][0]
    assert not Accommodation.objects.exists()


@pytest.mark.django_db
def test_a_technical_aid_is_stored_without_minutes(enrolment) -> None:
    accommodation = accommodation_add(
        enrolment=enrolment,
        kind=AccommodationKind.TECHNICAL_AID,
        measure="Loupe éclairante",
        referent="Mme Hamon",
        approved_on=dt.date(2025, 1, 10),
    )

    stored = Accommodation.objects.get(pk=accommodation.pk)
    assert (stored.kind, stored.extra_minutes, stored.measure) == (
        AccommodationKind.TECHNICAL_AID,
        0,
        "Loupe éclairante",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("sex", "said"), [("F", "exclue jusqu'au"), ("M", "exclu jusqu'au")])
def test_a_fraud_ban_is_named_with_the_candidates_agreement(organisation, certifier_admin, sex, said) -> None:
    ban = _ban(make_candidate(organisation, sex=sex), certifier_admin)
    assert said in str(ban) and "(e)" not in str(ban)
