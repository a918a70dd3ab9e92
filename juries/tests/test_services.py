"""Writes about juries on the database: registry, composition, impartiality, grids, recommendations,
transmission, the certification jury's decisions, blocks acquired earlier and the audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import User
from candidates import services as candidate_services
from cqp.models import Block, Certification, CertificationVersion
from evaluations import services as evaluation_services
from evaluations.models import Attendance, SessionCandidate
from juries import selectors, services
from juries.models import (
    AuditAction,
    AuditEntry,
    Decision,
    Dispute,
    Grid,
    GridStatus,
    Jury,
    JuryMember,
    MemberStatus,
    Recommendation,
    Recusal,
    RecusalReason,
)
from juries.tests.conftest import World
from tests.factories import OrganisationFactory, UserFactory, enrol, make_candidate, past_session

pytestmark = pytest.mark.django_db

ALL_A: dict[str, str] = {}


# --- Helpers -------------------------------------------------------------------------------------------


@contextmanager
def refused(*fragments: str) -> Iterator[None]:
    """Expect a ValidationError whose French message contains every fragment (the rule it names)."""
    with pytest.raises(ValidationError) as excinfo:
        yield
    text = " ".join(excinfo.value.messages)
    for fragment in fragments:
        assert fragment in text, f"« {fragment} » absent de : {text}"


def register(
    world: World,
    email: str,
    college: str,
    *,
    approve: bool = True,
    certifications: Iterable[Certification] | None = None,
    **fields: Any,
) -> JuryMember:
    member = services.jury_member_register(
        email=email,
        first_name="Sam",
        last_name=email.split("@")[0].title(),
        college=college,
        certifications=[world.version.certification] if certifications is None else certifications,
        proposed_by=world.admin,
        **fields,
    )
    if approve:
        member = services.jury_member_approve(member=member, approved_by=world.admin)
    return member


def add_candidate(world: World, n: int, *, blocks: list[Block] | None = None, **fields: Any) -> SessionCandidate:
    """One more candidate in the world's session, present."""
    candidate = make_candidate(world.organisation, n, created_by=world.staff, **fields)
    enrolment = enrol(candidate, world.version, blocks=blocks, created_by=world.staff)
    place = evaluation_services.session_add_candidate(session=world.session, enrolment=enrolment)
    SessionCandidate.objects.filter(pk=place.pk).update(attendance=Attendance.PRESENT, signed_at=timezone.now())
    place.refresh_from_db()
    return place


def keeper_user(jury: Jury, place: SessionCandidate) -> User:
    keeper = selectors.keeper(jury, place)
    assert keeper is not None
    return keeper.user


def save(
    jury: Jury, place: SessionCandidate, block: Block, grades: dict[str, str], *, by: User, consensus: bool = True
) -> Grid:
    return services.grid_save(jury=jury, place=place, block=block, consensus=consensus, grades=grades, saved_by=by)


def full(block: Block, pattern: dict[str, str] | None = None) -> dict[str, str]:
    pattern = pattern or {}
    return {c.code: pattern.get(c.code, "A") for c in block.competencies.all()}


def recommend(
    world: World, jury: Jury, place: SessionCandidate, kind: str, blocks: Iterable[str] = (), comments: str = ""
) -> Recommendation:
    return services.recommendation_record(
        place=place,
        kind=kind,
        blocks=[world.blocks[code] for code in blocks],
        comments=comments,
        recorded_by=keeper_user(jury, place),
    )


def row(place: SessionCandidate, version: CertificationVersion) -> selectors.Row:
    return selectors.deliberation_rows([place], version)[0]


def recommend_as_computed(world: World, jury: Jury, place: SessionCandidate) -> Recommendation:
    outcome = row(place, world.version).outcome
    assert outcome is not None
    blocks = sorted(outcome.acquired_blocks) if outcome.kind == "partial" else []
    return recommend(world, jury, place, outcome.kind, blocks)


def ready(world: World, jury: Jury, patterns: dict[int, dict[str, str]] | None = None) -> None:
    """Every candidate graded (all A unless `patterns` says otherwise) and recommended as computed."""
    patterns = patterns or {}
    for n, place in enumerate(world.places):
        world.grade(jury, place, patterns.get(n, ALL_A))
        recommend_as_computed(world, jury, place)


def transmitted(world: World, patterns: dict[int, dict[str, str]] | None = None) -> tuple[Jury, Jury]:
    """The world's session graded, recommended and transmitted to a certification jury."""
    jury = world.evaluation_jury()
    ready(world, jury, patterns)
    certification = world.certification_jury()
    services.deliberation_transmit(jury=jury, certification_jury=certification, transmitted_by=jury.president.user)
    jury.refresh_from_db()
    return jury, certification


def decide(
    world: World, jury: Jury, place: SessionCandidate, kind: str, blocks: Iterable[str] = (), reason: str = ""
) -> Decision:
    return services.decision_record(
        jury=jury,
        place=place,
        kind=kind,
        blocks=[world.blocks[code] for code in blocks],
        reason=reason,
        decided_by=world.cert_president.user,
    )


def raise_dispute(world: World, jury: Jury, place: SessionCandidate, description: str) -> Dispute:
    return services.dispute_record(
        jury=jury, place=place, description=description, summon_evaluation_jury=False, recorded_by=world.admin
    )


def other_version(world: World) -> CertificationVersion:
    return CertificationVersion.objects.exclude(certification=world.version.certification).get(rncp_code="RNCP31313")


def audits(place: SessionCandidate, action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(place=place, action=action).order_by("pk"))


# --- Registry ------------------------------------------------------------------------------------------


def test_it_refuses_to_propose_a_member_without_a_certification(world: World) -> None:
    with refused("Indiquez au moins une certification"):
        register(world, "nouveau@example.org", "employees", certifications=[])
    assert not JuryMember.objects.filter(user__email="nouveau@example.org").exists()


def test_organisation_staff_propose_a_member_who_waits_for_approval(world: World) -> None:
    member = services.jury_member_register(
        email="propose@example.org",
        first_name="Lou",
        last_name="Perrin",
        college="trainer",
        certifications=[world.version.certification],
        proposed_by=world.staff,
    )
    assert member.status == MemberStatus.PROPOSED
    assert member.proposed_by == world.staff
    assert not member.user.is_jury_member


def test_it_refuses_a_member_already_in_the_registry(world: World) -> None:
    with refused("salarie@example.org est déjà dans le registre des membres de jury"):
        register(world, "Salarie@Example.org", "employers")
    assert JuryMember.objects.filter(user__email="salarie@example.org").count() == 1


def test_it_refuses_a_siret_that_is_not_14_digits(world: World) -> None:
    with refused("Le SIRET compte 14 chiffres"):
        register(world, "nouveau@example.org", "employees", company_siret="1234")


def test_only_a_certifier_admin_approves_a_member(world: World) -> None:
    member = register(world, "nouveau@example.org", "employees", approve=False)
    with refused("Seul un administrateur du certificateur peut habiliter un membre de jury"):
        services.jury_member_approve(member=member, approved_by=world.staff)
    member.refresh_from_db()
    assert member.status == MemberStatus.PROPOSED


def test_approval_makes_the_user_a_jury_member(world: World) -> None:
    member = register(world, "nouveau@example.org", "employees", approve=False)
    assert not member.user.is_jury_member
    services.jury_member_approve(member=member, approved_by=world.admin)
    member.refresh_from_db()
    member.user.refresh_from_db()
    assert member.status == MemberStatus.APPROVED
    assert member.approved_by == world.admin
    assert member.approved_at is not None
    assert member.user.is_jury_member


def test_it_refuses_to_approve_a_member_twice(world: World) -> None:
    with refused("est déjà habilité(e)"):
        services.jury_member_approve(member=world.employees, approved_by=world.admin)


def test_withdrawal_needs_a_reason(world: World) -> None:
    with refused("Indiquez le motif du retrait"):
        services.jury_member_withdraw(member=world.employees, withdrawn_by=world.admin, reason="   ")
    world.employees.refresh_from_db()
    assert world.employees.status == MemberStatus.APPROVED


def test_only_a_certifier_admin_withdraws_an_approval(world: World) -> None:
    with refused("Seul un administrateur du certificateur peut retirer une habilitation"):
        services.jury_member_withdraw(member=world.employees, withdrawn_by=world.staff, reason="Départ")


def test_withdrawal_records_its_reason(world: World) -> None:
    services.jury_member_withdraw(member=world.employees, withdrawn_by=world.admin, reason=" A quitté la branche ")
    world.employees.refresh_from_db()
    assert world.employees.status == MemberStatus.WITHDRAWN
    assert world.employees.status_reason == "A quitté la branche"


def test_a_withdrawn_member_cannot_be_assigned(world: World) -> None:
    services.jury_member_withdraw(member=world.employees, withdrawn_by=world.admin, reason="A quitté la branche")
    jury = services.evaluation_jury_create(session=world.session, created_by=world.admin)
    with refused(world.employees.name, "n'est pas habilité(e) par le certificateur"):
        services.jury_assign(jury=jury, member=world.employees, assigned_by=world.admin)
    assert not jury.seats.exists()


def test_an_unapproved_member_cannot_be_assigned(world: World) -> None:
    member = register(world, "nouveau@example.org", "employees", approve=False)
    jury = services.evaluation_jury_create(session=world.session, created_by=world.admin)
    with refused("n'est pas habilité(e) par le certificateur"):
        services.jury_assign(jury=jury, member=member, assigned_by=world.admin)


def test_a_member_not_approved_for_the_certification_cannot_be_assigned(world: World) -> None:
    member = register(world, "horloger@example.org", "employees", certifications=[other_version(world).certification])
    jury = services.evaluation_jury_create(session=world.session, created_by=world.admin)
    with refused(member.name, "n'est pas habilité(e) pour cette certification"):
        services.jury_assign(jury=jury, member=member, assigned_by=world.admin)


# --- Composition ---------------------------------------------------------------------------------------


def test_an_evaluation_jury_sits_with_one_member_of_each_college(world: World) -> None:
    jury = world.evaluation_jury()
    assert selectors.composition_problems(jury) == []
    assert sorted(jury.seats.values_list("college", flat=True)) == ["employees", "employers", "trainer"]
    assert jury.president == world.employers


def test_a_certification_jury_sits_with_both_representatives_and_the_certifier_president(world: World) -> None:
    jury = world.certification_jury()
    assert selectors.composition_problems(jury) == []
    assert sorted(jury.seats.values_list("college", flat=True)) == ["certifier_president", "employees", "employers"]
    assert jury.president == world.cert_president


def test_it_refuses_a_second_employees_representative(world: World) -> None:
    jury = world.evaluation_jury()
    with refused("Le jury a déjà son représentant des salariés", world.employees.name, "un seul par jury"):
        services.jury_assign(jury=jury, member=world.cert_employees, assigned_by=world.admin)
    assert jury.seats.count() == 3


def test_it_refuses_a_second_trainer(world: World) -> None:
    other = register(world, "formateur2@example.org", "trainer")
    jury = world.evaluation_jury()
    with refused("Le jury a déjà son formateur ou accompagnateur CQP"):
        services.jury_assign(jury=jury, member=other, assigned_by=world.admin)


def test_it_refuses_a_certifier_president_on_an_evaluation_jury(world: World) -> None:
    jury = services.evaluation_jury_create(session=world.session, created_by=world.admin)
    with refused("Un président de l'instance de certification ne siège pas"):
        services.jury_assign(jury=jury, member=world.cert_president, assigned_by=world.admin)


def test_it_refuses_a_trainer_on_a_certification_jury(world: World) -> None:
    jury = services.certification_jury_create(
        version=world.version, meets_on=world.session.starts_on, created_by=world.admin
    )
    with refused("Un formateur ou accompagnateur CQP ne siège pas dans un jury de certification"):
        services.jury_assign(jury=jury, member=world.trainer, assigned_by=world.admin)


def test_it_refuses_a_trainer_as_president_of_an_evaluation_jury(world: World) -> None:
    jury = world.evaluation_jury()
    with refused(world.trainer.name, "choisi parmi les représentants des salariés et des employeurs"):
        services.jury_president_designate(jury=jury, member=world.trainer, designated_by=world.admin)
    jury.refresh_from_db()
    assert jury.president == world.employers


def test_the_employees_representative_may_preside_the_evaluation_jury(world: World) -> None:
    jury = world.evaluation_jury(president=world.employees)
    assert jury.president == world.employees


def test_a_certification_jury_is_presided_by_the_certifier_president_only(world: World) -> None:
    jury = world.certification_jury()
    with refused("présidé par le président de l'instance de certification"):
        services.jury_president_designate(jury=jury, member=world.cert_employees, designated_by=world.admin)


def test_it_refuses_a_president_who_does_not_sit(world: World) -> None:
    jury = world.evaluation_jury()
    with refused(world.cert_employees.name, "ne siège pas dans ce jury"):
        services.jury_president_designate(jury=jury, member=world.cert_employees, designated_by=world.admin)


def test_it_refuses_a_trainer_who_trained_for_the_candidates_organisation(world: World) -> None:
    trainer = register(world, "ancien@example.org", "trainer", trained_organisations=[world.organisation])
    jury = services.evaluation_jury_create(session=world.session, created_by=world.admin)
    with refused(trainer.name, "a un lien avec la formation des candidats"):
        services.jury_assign(jury=jury, member=trainer, assigned_by=world.admin)


def test_it_refuses_a_trainer_who_trained_one_of_the_candidates(world: World) -> None:
    trainer = register(world, "tuteur@example.org", "trainer", trained_candidates=[world.places[2].enrolment.candidate])
    jury = services.evaluation_jury_create(session=world.session, created_by=world.admin)
    with refused("a un lien avec la formation des candidats"):
        services.jury_assign(jury=jury, member=trainer, assigned_by=world.admin)


def test_it_refuses_a_second_member_from_the_candidates_organisation(world: World) -> None:
    inside = register(world, "interne1@example.org", "employees", organisation=world.organisation)
    also_inside = register(world, "interne2@example.org", "employers", organisation=world.organisation)
    jury = services.evaluation_jury_create(session=world.session, created_by=world.admin)
    seat = services.jury_assign(jury=jury, member=inside, assigned_by=world.admin)
    assert seat.internal
    with refused(also_inside.name, "au moins la moitié du jury doit être extérieure à l'organisme"):
        services.jury_assign(jury=jury, member=also_inside, assigned_by=world.admin)
    assert jury.seats.count() == 1


def test_a_member_of_another_organisation_is_external(world: World) -> None:
    fougeres = OrganisationFactory(name="École d'horlogerie de Fougères")
    elsewhere = register(world, "ailleurs@example.org", "employees", organisation=fougeres)
    jury = services.evaluation_jury_create(session=world.session, created_by=world.admin)
    assert not services.jury_assign(jury=jury, member=elsewhere, assigned_by=world.admin).internal


def test_it_refuses_a_certification_jury_mostly_internal_to_the_transmitted_organisation(world: World) -> None:
    jury = world.evaluation_jury()
    ready(world, jury)
    inside = register(world, "interne1@example.org", "employees", organisation=world.organisation)
    also_inside = register(world, "interne2@example.org", "employers", organisation=world.organisation)
    certification = services.certification_jury_create(
        version=world.version, meets_on=world.session.starts_on, created_by=world.admin
    )
    # Composed before anything is transmitted to it: the organisation is not known yet.
    for member in (inside, also_inside, world.cert_president):
        services.jury_assign(jury=certification, member=member, assigned_by=world.admin)
    with refused(inside.name, also_inside.name, "au moins la moitié du jury de certification doit être extérieure"):
        services.deliberation_transmit(jury=jury, certification_jury=certification, transmitted_by=world.admin)
    jury.refresh_from_db()
    assert jury.transmitted_at is None


def test_a_certification_jury_with_one_member_from_the_transmitted_organisation_sits(world: World) -> None:
    jury = world.evaluation_jury()
    ready(world, jury)
    inside = register(world, "interne1@example.org", "employees", organisation=world.organisation)
    certification = services.certification_jury_create(
        version=world.version, meets_on=world.session.starts_on, created_by=world.admin
    )
    for member in (inside, world.cert_employers, world.cert_president):
        services.jury_assign(jury=certification, member=member, assigned_by=world.admin)
    services.jury_president_designate(jury=certification, member=world.cert_president, designated_by=world.admin)
    services.deliberation_transmit(jury=jury, certification_jury=certification, transmitted_by=world.admin)
    assert list(certification.seats.filter(internal=True).values_list("member", flat=True)) == [inside.pk]
    assert selectors.composition_problems(certification) == []
    # Once the organisation is known, a second internal member is refused at assignment too.
    services.jury_unassign(jury=certification, member=world.cert_employers, removed_by=world.admin)
    also_inside = register(world, "interne2@example.org", "employers", organisation=world.organisation)
    with refused("au moins la moitié du jury doit être extérieure"):
        services.jury_assign(jury=certification, member=also_inside, assigned_by=world.admin)


def test_the_composition_is_frozen_once_a_grid_is_submitted(world: World) -> None:
    jury = world.evaluation_jury()
    world.grade(jury, world.places[0], ALL_A)
    with refused("Le jury a commencé à statuer : sa composition ne change plus"):
        services.jury_unassign(jury=jury, member=world.trainer, removed_by=world.admin)
    with refused("sa composition ne change plus"):
        services.jury_president_designate(jury=jury, member=world.employees, designated_by=world.admin)
    assert jury.seats.count() == 3


def test_a_draft_grid_does_not_freeze_the_composition(world: World) -> None:
    jury = world.evaluation_jury()
    world.grade(jury, world.places[0], ALL_A, submit=False)
    services.jury_unassign(jury=jury, member=world.trainer, removed_by=world.admin)
    assert selectors.composition_problems(jury) == ["Il manque le formateur ou accompagnateur CQP."]


def test_unassigning_the_president_leaves_the_jury_without_one(world: World) -> None:
    jury = world.evaluation_jury()
    services.jury_unassign(jury=jury, member=world.employers, removed_by=world.admin)
    jury.refresh_from_db()
    assert jury.president is None
    assert "Le président du jury n'est pas désigné." in selectors.composition_problems(jury)


def test_only_a_certifier_admin_composes_a_jury(world: World) -> None:
    with refused("Seul un administrateur du certificateur peut constituer un jury"):
        services.evaluation_jury_create(session=world.session, created_by=world.staff)
    with refused("Seul un administrateur du certificateur peut constituer un jury"):
        services.certification_jury_create(
            version=world.version, meets_on=world.session.starts_on, created_by=world.staff
        )
    jury = services.evaluation_jury_create(session=world.session, created_by=world.admin)
    with refused("Seul un administrateur du certificateur peut composer un jury"):
        services.jury_assign(jury=jury, member=world.employees, assigned_by=world.staff)
    services.jury_assign(jury=jury, member=world.employees, assigned_by=world.admin)
    with refused("Seul un administrateur du certificateur peut composer un jury"):
        services.jury_unassign(jury=jury, member=world.employees, removed_by=world.employees.user)
    assert jury.seats.count() == 1


def test_a_session_has_one_evaluation_jury(world: World) -> None:
    world.evaluation_jury()
    with refused("Cette session a déjà son jury d'évaluation"):
        services.evaluation_jury_create(session=world.session, created_by=world.admin)


def test_an_outsider_cannot_designate_the_president(world: World) -> None:
    jury = world.evaluation_jury()
    with pytest.raises(PermissionDenied, match="Seuls les membres du jury et le certificateur désignent le président"):
        services.jury_president_designate(jury=jury, member=world.employees, designated_by=world.staff)


# --- Impartiality --------------------------------------------------------------------------------------


def test_a_member_from_the_candidates_company_is_recused_on_assignment(world: World) -> None:
    # The first candidate works at « Maison Verlaine ».
    colleague = register(world, "verlaine@example.org", "employees", company_name="MAISON VERLAINE SARL")
    jury = services.evaluation_jury_create(session=world.session, created_by=world.admin)
    services.jury_assign(jury=jury, member=colleague, assigned_by=world.admin)
    recusals = list(Recusal.objects.filter(jury=jury))
    assert [(r.member, r.place, r.reason) for r in recusals] == [
        (colleague, world.places[0], RecusalReason.SAME_COMPANY)
    ]


def test_a_member_from_the_candidates_firm_by_siren_is_recused_on_assignment(world: World) -> None:
    candidate = world.places[1].enrolment.candidate
    candidate_services.candidate_update(candidate=candidate, company_siret="73282932000132")
    colleague = register(
        world, "siege@example.org", "employers", company_name="Groupe du siège", company_siret="73282932000074"
    )
    jury = services.evaluation_jury_create(session=world.session, created_by=world.admin)
    services.jury_assign(jury=jury, member=colleague, assigned_by=world.admin)
    assert list(Recusal.objects.filter(jury=jury).values_list("member", "place", "reason")) == [
        (colleague.pk, world.places[1].pk, RecusalReason.SAME_COMPANY)
    ]


def test_a_jury_with_no_link_to_the_candidates_has_no_recusal(world: World) -> None:
    jury = world.evaluation_jury()
    assert not Recusal.objects.filter(jury=jury).exists()


def test_a_certification_jury_member_who_trained_a_candidate_is_recused_for_that_candidate(world: World) -> None:
    trained = world.places[2].enrolment.candidate
    tutor = register(world, "tuteur@example.org", "employees", trained_candidates=[trained])
    jury = world.evaluation_jury()
    ready(world, jury)
    certification = services.certification_jury_create(
        version=world.version, meets_on=world.session.starts_on, created_by=world.admin
    )
    for member in (tutor, world.cert_employers, world.cert_president):
        services.jury_assign(jury=certification, member=member, assigned_by=world.admin)
    services.jury_president_designate(jury=certification, member=world.cert_president, designated_by=world.admin)
    assert not certification.recusals.exists()  # nothing transmitted yet: no candidate to be recused for

    services.deliberation_transmit(jury=jury, certification_jury=certification, transmitted_by=world.admin)

    assert list(certification.recusals.values_list("member", "place", "reason")) == [
        (tutor.pk, world.places[2].pk, RecusalReason.TRAINED)
    ]


def test_declaring_a_conflict_records_a_declared_recusal_and_an_audit_entry(world: World) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    save(jury, place, world.blocks["BC1"], {"C1.1": "A"}, by=world.trainer.user, consensus=False)

    recusal = services.conflict_declare(
        jury=jury, place=place, member=world.trainer, note=" Voisin du candidat ", declared_by=world.trainer.user
    )

    assert recusal.reason == RecusalReason.DECLARED
    assert recusal.note == "Voisin du candidat"
    assert recusal.recorded_by == world.trainer.user
    # The draft the member had started no longer counts.
    assert not Grid.objects.filter(place=place, member=world.trainer).exists()
    [entry] = audits(place, AuditAction.RECUSAL)
    assert entry.actor == world.trainer.user
    assert entry.candidate == place.enrolment.candidate
    assert entry.after["membre"] == world.trainer.name
    assert entry.after["précisions"] == "Voisin du candidat"


def test_a_member_declares_only_their_own_conflicts(world: World) -> None:
    jury = world.evaluation_jury()
    with refused("Un membre déclare ses propres liens avec un candidat"):
        services.conflict_declare(
            jury=jury, place=world.places[0], member=world.trainer, note="", declared_by=world.employees.user
        )


def test_a_conflict_is_declared_once(world: World) -> None:
    jury = world.evaluation_jury()
    services.conflict_declare(jury=jury, place=world.places[0], member=world.trainer, note="", declared_by=world.admin)
    with refused("Ce lien est déjà déclaré"):
        services.conflict_declare(
            jury=jury, place=world.places[0], member=world.trainer, note="", declared_by=world.admin
        )


def test_a_recused_member_cannot_save_their_grid_for_that_candidate(world: World) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    services.conflict_declare(jury=jury, place=place, member=world.trainer, note="", declared_by=world.trainer.user)
    with refused("Vous êtes déporté(e) pour", place.enrolment.candidate.display_name):
        save(jury, place, world.blocks["BC1"], {"C1.1": "A"}, by=world.trainer.user, consensus=False)
    # Other candidates are not concerned.
    save(jury, world.places[1], world.blocks["BC1"], {"C1.1": "A"}, by=world.trainer.user, consensus=False)


def test_an_automatically_recused_member_cannot_save_their_grid(world: World) -> None:
    colleague = register(world, "verlaine@example.org", "employees", company_name="Maison Verlaine")
    jury = services.evaluation_jury_create(session=world.session, created_by=world.admin)
    for member in (colleague, world.employers, world.trainer):
        services.jury_assign(jury=jury, member=member, assigned_by=world.admin)
    services.jury_president_designate(jury=jury, member=world.employers, designated_by=world.admin)
    with refused("Vous êtes déporté(e)"):
        save(jury, world.places[0], world.blocks["BC1"], {"C1.1": "A"}, by=colleague.user, consensus=False)


def test_a_member_recused_after_starting_their_grid_cannot_submit_it(world: World) -> None:
    jury = world.evaluation_jury()
    place, bc1 = world.places[0], world.blocks["BC1"]
    own = save(jury, place, bc1, full(bc1), by=world.trainer.user, consensus=False)
    # The candidate's record now names the trainer's employer: the next refresh finds the link.
    candidate_services.candidate_update(
        candidate=place.enrolment.candidate, company_name="Centre de formation de Saumur"
    )
    assert services.recusals_refresh(jury=jury, actor=world.admin) == 1
    with refused("Vous êtes déporté(e) pour", place.enrolment.candidate.display_name):
        services.grids_submit(grids=[own], submitted_by=world.trainer.user)
    own.refresh_from_db()
    assert own.status == GridStatus.DRAFT


def test_when_the_president_is_recused_the_other_representative_enters_the_consensus(world: World) -> None:
    jury = world.evaluation_jury(president=world.employers)
    place = world.places[0]
    bc1 = world.blocks["BC1"]
    services.conflict_declare(jury=jury, place=place, member=world.employers, note="", declared_by=world.admin)

    assert selectors.keeper(jury, place) == world.employees
    with refused("Le président est déporté pour ce candidat", f"c'est {world.employees.name} qui saisit"):
        save(jury, place, bc1, full(bc1), by=world.employers.user)
    with refused(f"c'est {world.employees.name} qui saisit"):
        save(jury, place, bc1, full(bc1), by=world.trainer.user)

    keeper = world.employees.user
    grids = [save(jury, place, block, full(block), by=keeper) for block in selectors.blocks_sat(place)]
    services.grids_submit(grids=grids, submitted_by=keeper)
    with refused(f"c'est {world.employees.name} qui saisit"):
        services.recommendation_record(
            place=place, kind="total", blocks=[], comments="", recorded_by=world.employers.user
        )
    recommendation = recommend(world, jury, place, "total")
    assert recommendation.recorded_by == world.employees.user
    # The president still keeps the other candidates.
    assert selectors.keeper(jury, world.places[1]) == world.employers


def test_nobody_enters_the_consensus_when_both_representatives_are_recused(world: World) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    for member in (world.employers, world.employees):
        services.conflict_declare(jury=jury, place=place, member=member, note="", declared_by=world.admin)
    assert selectors.keeper(jury, place) is None
    with refused("le certificateur doit compléter le jury"):
        save(jury, place, world.blocks["BC1"], {"C1.1": "A"}, by=world.employers.user)


# --- Grids ---------------------------------------------------------------------------------------------


def test_it_refuses_a_grid_before_the_exam_day(world: World) -> None:
    jury = world.evaluation_jury()
    with (
        time_machine.travel(timezone.now() - dt.timedelta(days=1), tick=False),
        refused("Les grilles se remplissent à partir du jour des épreuves"),
    ):
        save(jury, world.places[0], world.blocks["BC1"], {"C1.1": "A"}, by=world.employers.user)
    assert not Grid.objects.exists()


@pytest.mark.parametrize(("attendance", "shown"), [(Attendance.ABSENT, "absent"), (Attendance.EXPECTED, "attendu")])
def test_it_refuses_a_grid_for_a_candidate_not_present(world: World, attendance: str, shown: str) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    SessionCandidate.objects.filter(pk=place.pk).update(attendance=attendance)
    with refused(place.enrolment.candidate.display_name, "n'est pas noté(e) présent(e)", shown):
        save(jury, place, world.blocks["BC1"], {"C1.1": "A"}, by=world.employers.user)


def test_it_refuses_a_grid_for_a_block_the_candidate_does_not_sit(world: World) -> None:
    place = add_candidate(world, 7, blocks=[world.blocks["BC1"]])
    jury = world.evaluation_jury()
    assert selectors.blocks_sat(place) == [world.blocks["BC1"]]
    with refused(place.enrolment.candidate.display_name, "ne présente pas le bloc BC2"):
        save(jury, place, world.blocks["BC2"], {"C2.1": "A"}, by=world.employers.user)


def test_a_candidate_enrolled_for_one_block_is_graded_and_computed_on_it(world: World) -> None:
    place = add_candidate(world, 7, blocks=[world.blocks["BC1"]])
    jury = world.evaluation_jury()
    world.grade(jury, place, ALL_A)
    outcome = row(place, world.version).outcome
    assert outcome is not None
    assert (outcome.kind, sorted(outcome.acquired_blocks)) == ("partial", ["BC1"])


def test_it_refuses_a_grid_from_someone_who_does_not_sit(world: World) -> None:
    jury = world.evaluation_jury()
    with refused("Vous ne siégez pas dans ce jury"):
        save(jury, world.places[0], world.blocks["BC1"], {"C1.1": "A"}, by=world.cert_president.user, consensus=False)


def test_it_refuses_a_consensus_grid_from_a_member_who_does_not_preside(world: World) -> None:
    jury = world.evaluation_jury()
    for user in (world.trainer.user, world.employees.user, world.admin):
        with refused("Seul le président du jury saisit la grille de consensus"):
            save(jury, world.places[0], world.blocks["BC1"], {"C1.1": "A"}, by=user)
    assert not Grid.objects.exists()


def test_it_refuses_grids_until_the_jury_is_complete(world: World) -> None:
    jury = world.evaluation_jury()
    services.jury_unassign(jury=jury, member=world.trainer, removed_by=world.admin)
    with refused("Le jury n'est pas au complet", "Il manque le formateur ou accompagnateur CQP"):
        save(jury, world.places[0], world.blocks["BC1"], {"C1.1": "A"}, by=world.employers.user)


def test_a_draft_may_be_partial_and_grades_may_be_taken_back(world: World) -> None:
    jury = world.evaluation_jury()
    bc1 = world.blocks["BC1"]
    grid = save(jury, world.places[0], bc1, {"C1.1": "A", "C1.4": "NA"}, by=world.employers.user)
    assert grid.status == GridStatus.DRAFT
    assert grid.is_consensus
    assert dict(grid.grades.values_list("competency__code", "value")) == {"C1.1": "A", "C1.4": "NA"}

    grid = save(jury, world.places[0], bc1, {"C1.1": "A", "C1.4": ""}, by=world.employers.user)
    assert dict(grid.grades.values_list("competency__code", "value")) == {"C1.1": "A"}


def test_each_member_keeps_their_own_grid_besides_the_consensus(world: World) -> None:
    jury = world.evaluation_jury()
    place, bc1 = world.places[0], world.blocks["BC1"]
    own = save(jury, place, bc1, {"C1.1": "NA"}, by=world.employers.user, consensus=False)
    consensus = save(jury, place, bc1, {"C1.1": "A"}, by=world.employers.user)
    assert own.pk != consensus.pk
    assert own.member == world.employers
    assert consensus.member is None


@pytest.mark.parametrize("value", ["X", "a", "ABS", "N/A"])
def test_it_refuses_a_grade_other_than_a_or_na(world: World, value: str) -> None:
    jury = world.evaluation_jury()
    with refused("note autre que A ou NA pour C1.2"):
        save(jury, world.places[0], world.blocks["BC1"], {"C1.1": "A", "C1.2": value}, by=world.employers.user)
    assert not Grid.objects.exists()


def test_it_refuses_a_competency_of_another_block(world: World) -> None:
    jury = world.evaluation_jury()
    with refused("compétences inconnues du bloc : C2.1"):
        save(jury, world.places[0], world.blocks["BC1"], {"C2.1": "A"}, by=world.employers.user)


def test_it_refuses_to_submit_an_incomplete_grid_naming_what_is_missing_and_locks_nothing(world: World) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    president = world.employers.user
    bc1, bc2 = world.blocks["BC1"], world.blocks["BC2"]
    complete = save(jury, place, bc1, full(bc1), by=president)
    incomplete = save(jury, place, bc2, {k: v for k, v in full(bc2).items() if k != "C2.5"}, by=president)

    with refused("BC2", "C2.5"):
        services.grids_submit(grids=[complete, incomplete], submitted_by=president)

    assert set(Grid.objects.values_list("status", flat=True)) == {GridStatus.DRAFT}
    assert not audits(place, AuditAction.GRID_SUBMITTED)


def test_it_names_every_competency_missing_in_every_grid(world: World) -> None:
    jury = world.evaluation_jury()
    place, president = world.places[0], world.employers.user
    first = save(jury, place, world.blocks["BC1"], {"C1.1": "A"}, by=president)
    second = save(jury, place, world.blocks["BC2"], {"C2.1": "A"}, by=president)
    with refused("BC1", "C1.2", "C1.5", "BC2", "C2.2", "C2.6"):
        services.grids_submit(grids=[first, second], submitted_by=president)


def test_a_submitted_grid_is_locked(world: World) -> None:
    jury = world.evaluation_jury()
    place, bc1 = world.places[0], world.blocks["BC1"]
    grid = save(jury, place, bc1, full(bc1), by=world.employers.user)
    [submitted] = services.grids_submit(grids=[grid], submitted_by=world.employers.user)
    assert submitted.status == GridStatus.SUBMITTED
    assert submitted.submitted_by == world.employers.user
    with refused("La grille BC1 est validée et verrouillée", "seul le certificateur peut la rouvrir"):
        save(jury, place, bc1, full(bc1, {"C1.4": "NA"}), by=world.employers.user)
    with refused("La grille BC1 est déjà validée"):
        services.grids_submit(grids=[grid], submitted_by=world.employers.user)
    assert dict(grid.grades.values_list("competency__code", "value"))["C1.4"] == "A"


def test_a_member_submits_only_their_own_grid(world: World) -> None:
    jury = world.evaluation_jury()
    bc1 = world.blocks["BC1"]
    own = save(jury, world.places[0], bc1, full(bc1), by=world.trainer.user, consensus=False)
    with refused("Chacun valide sa propre grille"):
        services.grids_submit(grids=[own], submitted_by=world.employers.user)
    services.grids_submit(grids=[own], submitted_by=world.trainer.user)


def test_only_the_keeper_submits_a_consensus_grid(world: World) -> None:
    jury = world.evaluation_jury()
    bc1 = world.blocks["BC1"]
    grid = save(jury, world.places[0], bc1, full(bc1), by=world.employers.user)
    with refused("Seul le président du jury saisit"):
        services.grids_submit(grids=[grid], submitted_by=world.employees.user)


def test_only_a_certifier_admin_reopens_a_grid(world: World) -> None:
    jury = world.evaluation_jury()
    world.grade(jury, world.places[0], ALL_A)
    grid = Grid.objects.get(place=world.places[0], block=world.blocks["BC1"], member=None)
    for user in (world.staff, world.employers.user):
        with refused("Seul un administrateur du certificateur peut rouvrir une grille validée"):
            services.grid_reopen(grid=grid, reopened_by=user, reason="Erreur de saisie")
    grid.refresh_from_db()
    assert grid.status == GridStatus.SUBMITTED


def test_reopening_a_grid_needs_a_reason(world: World) -> None:
    jury = world.evaluation_jury()
    world.grade(jury, world.places[0], ALL_A)
    grid = Grid.objects.get(place=world.places[0], block=world.blocks["BC1"], member=None)
    with refused("Indiquez le motif de la réouverture"):
        services.grid_reopen(grid=grid, reopened_by=world.admin, reason=" ")
    grid.refresh_from_db()
    assert grid.status == GridStatus.SUBMITTED


def test_a_reopened_grid_is_audited_and_may_be_corrected(world: World) -> None:
    jury = world.evaluation_jury()
    place, bc1 = world.places[0], world.blocks["BC1"]
    world.grade(jury, place, ALL_A)
    grid = Grid.objects.get(place=place, block=bc1, member=None)

    services.grid_reopen(grid=grid, reopened_by=world.admin, reason="C1.4 mal reportée")

    grid.refresh_from_db()
    assert grid.status == GridStatus.DRAFT
    assert grid.submitted_at is None
    [entry] = audits(place, AuditAction.GRID_REOPENED)
    assert entry.actor == world.admin
    assert entry.reason == "C1.4 mal reportée"
    assert entry.before["statut"] == GridStatus.SUBMITTED
    assert entry.after["statut"] == GridStatus.DRAFT
    assert entry.before["notes"] == entry.after["notes"] == full(bc1)
    save(jury, place, bc1, full(bc1, {"C1.4": "NA"}), by=world.employers.user)


def test_a_grid_that_is_not_submitted_is_not_reopened(world: World) -> None:
    jury = world.evaluation_jury()
    grid = save(jury, world.places[0], world.blocks["BC1"], {"C1.1": "A"}, by=world.employers.user)
    with refused("Cette grille n'est pas validée"):
        services.grid_reopen(grid=grid, reopened_by=world.admin, reason="Pour voir")


def test_a_grid_is_not_reopened_once_the_certification_jury_has_decided(world: World) -> None:
    _jury, certification = transmitted(world)
    place = world.places[0]
    decide(world, certification, place, "total")
    grid = Grid.objects.get(place=place, block=world.blocks["BC1"], member=None)
    with refused("Le jury de certification a déjà statué sur ce candidat"):
        services.grid_reopen(grid=grid, reopened_by=world.admin, reason="Erreur")


def test_a_grid_reopened_after_transmission_holds_the_decision_until_validated_again(world: World) -> None:
    jury, certification = transmitted(world)
    place = world.places[1]
    grid = Grid.objects.get(place=place, block=world.blocks["BC2"], member=None)
    services.grid_reopen(grid=grid, reopened_by=world.admin, reason="Erreur de report sur C2.1")
    jury.refresh_from_db()
    assert jury.transmitted_at is not None  # the other candidates stay before the certification jury
    with refused("ne sont pas toutes validées"):
        decide(world, certification, place, "partial", ["BC1"])
    # Only the reopened grid may change; the others stay locked.
    with refused("ont été transmis au jury de certification"):
        save(jury, place, world.blocks["BC1"], full(world.blocks["BC1"]), by=world.employers.user)
    corrected = save(jury, place, world.blocks["BC2"], full(world.blocks["BC2"]), by=world.employers.user)
    services.grids_submit(grids=[corrected], submitted_by=world.employers.user)
    recommend(world, jury, place, "total")
    decision = decide(world, certification, place, "total")
    assert decision.kind == "total"
    # A candidate whose grid was not reopened keeps their recommendation.
    with refused("ont été transmis au jury de certification"):
        recommend(world, jury, world.places[0], "none")


# --- Recommendation ------------------------------------------------------------------------------------


def test_it_refuses_a_recommendation_before_every_consensus_grid_is_submitted(world: World) -> None:
    jury = world.evaluation_jury()
    place, president = world.places[0], world.employers.user
    world.grade(jury, place, ALL_A, submit=False)
    with refused("Validez d'abord toutes les grilles de consensus de ce candidat"):
        recommend(world, jury, place, "total")
    # One block submitted out of two is not enough either.
    services.grids_submit(grids=[Grid.objects.get(place=place, block=world.blocks["BC1"])], submitted_by=president)
    with refused("Validez d'abord toutes les grilles de consensus"):
        recommend(world, jury, place, "total")
    assert not Recommendation.objects.exists()


def test_a_partial_recommendation_names_its_blocks(world: World) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    world.grade(jury, place, {"C2.1": "NA"})
    with refused("Une attribution partielle nomme les blocs attribués"):
        recommend(world, jury, place, "partial")
    with refused("Tous les blocs : c'est une attribution totale"):
        recommend(world, jury, place, "partial", ["BC1", "BC2"])


def test_it_refuses_blocks_of_another_certification(world: World) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    world.grade(jury, place, {"C2.1": "NA"})
    stray = other_version(world).blocks.first()
    with refused("Ces blocs n'appartiennent pas à la certification"):
        services.recommendation_record(
            place=place, kind="partial", blocks=[stray], comments="", recorded_by=world.employers.user
        )


def test_it_refuses_an_unknown_kind_of_recommendation(world: World) -> None:
    jury = world.evaluation_jury()
    world.grade(jury, world.places[0], ALL_A)
    with refused("attribution totale, partielle ou non-attribution"):
        recommend(world, jury, world.places[0], "maybe")


def test_a_partial_recommendation_records_its_blocks_and_comments(world: World) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    world.grade(jury, place, {"C2.1": "NA"})
    recommendation = recommend(world, jury, place, "partial", ["BC1"], comments=" Polissage à reprendre ")
    recommendation.refresh_from_db()
    assert recommendation.kind == "partial"
    assert [b.code for b in recommendation.blocks.all()] == ["BC1"]
    assert recommendation.comments == "Polissage à reprendre"
    assert recommendation.recorded_by == world.employers.user


def test_a_total_recommendation_records_no_block(world: World) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    world.grade(jury, place, ALL_A)
    recommendation = recommend(world, jury, place, "total", ["BC1"])
    assert not recommendation.blocks.exists()


def test_only_the_president_records_the_recommendation(world: World) -> None:
    jury = world.evaluation_jury()
    world.grade(jury, world.places[0], ALL_A)
    with refused("Seul le président du jury saisit la grille de consensus et les conclusions du jury"):
        services.recommendation_record(
            place=world.places[0], kind="total", blocks=[], comments="", recorded_by=world.trainer.user
        )


def test_a_changed_recommendation_is_audited_with_before_and_after(world: World) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    world.grade(jury, place, {"C2.1": "NA"})
    recommend(world, jury, place, "partial", ["BC1"], comments="Bien")
    recommend(world, jury, place, "partial", ["BC1"], comments="Bien")  # unchanged: no entry
    recommend(world, jury, place, "none", comments="Dossier insuffisant")

    first, second = audits(place, AuditAction.RECOMMENDATION)
    assert first.before is None
    assert first.after == {"issue": "partial", "blocs": ["BC1"], "commentaires": "Bien"}
    assert second.before == first.after
    assert second.after == {"issue": "none", "blocs": [], "commentaires": "Dossier insuffisant"}
    assert {first.actor, second.actor} == {world.employers.user}
    assert Recommendation.objects.get(place=place).kind == "none"


# --- Transmission --------------------------------------------------------------------------------------


def test_it_refuses_to_transmit_while_a_candidate_is_ungraded(world: World) -> None:
    jury = world.evaluation_jury()
    for place in world.places[:2]:
        world.grade(jury, place, ALL_A)
        recommend_as_computed(world, jury, place)
    world.grade(jury, world.places[2], ALL_A, submit=False)
    certification = world.certification_jury()
    with refused("Grilles de consensus à valider pour", world.places[2].enrolment.candidate.display_name):
        services.deliberation_transmit(jury=jury, certification_jury=certification, transmitted_by=world.admin)
    jury.refresh_from_db()
    assert jury.transmitted_at is None


def test_it_refuses_to_transmit_while_a_candidate_has_no_recommendation(world: World) -> None:
    jury = world.evaluation_jury()
    for place in world.places:
        world.grade(jury, place, ALL_A)
    for place in world.places[:2]:
        recommend_as_computed(world, jury, place)
    certification = world.certification_jury()
    with refused("Préconisation à saisir pour", world.places[2].enrolment.candidate.display_name):
        services.deliberation_transmit(jury=jury, certification_jury=certification, transmitted_by=world.admin)


def test_absent_candidates_are_not_waited_for(world: World) -> None:
    SessionCandidate.objects.filter(pk=world.places[2].pk).update(attendance=Attendance.ABSENT)
    jury = world.evaluation_jury()
    for place in world.places[:2]:
        world.grade(jury, place, ALL_A)
        recommend_as_computed(world, jury, place)
    certification = world.certification_jury()
    services.deliberation_transmit(jury=jury, certification_jury=certification, transmitted_by=world.admin)
    assert list(selectors.transmitted_places(certification)) == world.places[:2]


def test_it_refuses_to_transmit_while_the_attendance_sheet_is_incomplete(world: World) -> None:
    # Transmitted on the exam day while a candidate's slot is still to come, they would reach the
    # certification jury once signed in, with no grid at all.
    late = world.places[2]
    SessionCandidate.objects.filter(pk=late.pk).update(attendance=Attendance.EXPECTED, signed_at=None)
    jury = world.evaluation_jury()
    for place in world.places[:2]:
        world.grade(jury, place, ALL_A)
        recommend_as_computed(world, jury, place)
    certification = world.certification_jury()
    with refused("feuille d'émargement", late.enrolment.candidate.display_name):
        services.deliberation_transmit(jury=jury, certification_jury=certification, transmitted_by=world.admin)
    jury.refresh_from_db()
    assert jury.transmitted_at is None


def test_it_refuses_to_transmit_to_a_certification_jury_of_another_version(world: World) -> None:
    jury = world.evaluation_jury()
    ready(world, jury)
    elsewhere = services.certification_jury_create(
        version=other_version(world), meets_on=world.session.starts_on, created_by=world.admin
    )
    with refused("Choisissez un jury de certification de la même certification"):
        services.deliberation_transmit(jury=jury, certification_jury=elsewhere, transmitted_by=world.admin)


def test_it_refuses_to_transmit_to_an_evaluation_jury(world: World) -> None:
    jury = world.evaluation_jury()
    ready(world, jury)
    with refused("Choisissez un jury de certification"):
        services.deliberation_transmit(jury=jury, certification_jury=jury, transmitted_by=world.admin)


def test_only_the_president_or_the_certifier_transmits(world: World) -> None:
    jury = world.evaluation_jury()
    ready(world, jury)
    certification = world.certification_jury()
    with refused("Le président du jury d'évaluation transmet la grille de délibération"):
        services.deliberation_transmit(jury=jury, certification_jury=certification, transmitted_by=world.trainer.user)


def test_a_transmission_is_recorded_and_audited_once(world: World) -> None:
    jury, certification = transmitted(world)
    assert jury.certification_jury == certification
    assert jury.transmitted_by == world.employers.user
    for place in world.places:
        [entry] = audits(place, AuditAction.TRANSMITTED)
        assert entry.actor == world.employers.user
    with refused("Les résultats de cette session sont déjà transmis"):
        services.deliberation_transmit(jury=jury, certification_jury=certification, transmitted_by=world.admin)


def test_after_transmission_grids_and_recommendations_no_longer_change(world: World) -> None:
    jury, _certification = transmitted(world)
    place, bc1 = world.places[0], world.blocks["BC1"]
    with refused("Les résultats de cette session ont été transmis au jury de certification"):
        save(jury, place, bc1, {"C1.1": "NA"}, by=world.trainer.user, consensus=False)
    with refused("ont été transmis au jury de certification"):
        save(jury, place, bc1, full(bc1), by=world.employers.user)
    with refused("ont été transmis au jury de certification"):
        recommend(world, jury, place, "none")


def test_after_transmission_the_evaluation_jury_composition_is_frozen(world: World) -> None:
    jury, _certification = transmitted(world)
    with refused("sa composition ne change plus"):
        services.jury_unassign(jury=jury, member=world.trainer, removed_by=world.admin)


# --- Certification jury --------------------------------------------------------------------------------


def test_it_refuses_a_decision_on_a_candidate_not_transmitted(world: World) -> None:
    jury = world.evaluation_jury()
    ready(world, jury)
    certification = world.certification_jury()
    with refused("Les résultats de ce candidat n'ont pas été transmis à ce jury"):
        decide(world, certification, world.places[0], "total")
    assert not Decision.objects.exists()


def test_only_the_certification_jury_decides(world: World) -> None:
    jury, _certification = transmitted(world)
    with refused("Seul le jury de certification décide"):
        services.decision_record(
            jury=jury, place=world.places[0], kind="total", blocks=[], reason="", decided_by=world.employers.user
        )


def test_only_the_president_records_a_decision(world: World) -> None:
    _jury, certification = transmitted(world)
    with refused("Seul le président du jury saisit"):
        services.decision_record(
            jury=certification,
            place=world.places[0],
            kind="total",
            blocks=[],
            reason="",
            decided_by=world.cert_employees.user,
        )


def test_it_refuses_a_decision_while_a_dispute_is_open_and_allows_it_once_resolved(world: World) -> None:
    _jury, certification = transmitted(world)
    place = world.places[0]
    dispute = services.dispute_record(
        jury=certification,
        place=place,
        description="Grille BC2 illisible",
        summon_evaluation_jury=True,
        recorded_by=world.cert_employees.user,
    )
    with refused("Un litige est ouvert sur ce candidat"):
        decide(world, certification, place, "total")
    # Other candidates are not held up.
    decide(world, certification, world.places[1], "total")

    services.dispute_resolve(dispute=dispute, resolution="Grille relue avec le jury", resolved_by=world.admin)

    assert decide(world, certification, place, "total").kind == "total"
    assert [e.action for e in AuditEntry.objects.filter(place=place).order_by("pk")][-3:] == [
        AuditAction.DISPUTE,
        AuditAction.DISPUTE_RESOLVED,
        AuditAction.DECISION,
    ]


def test_a_dispute_needs_a_description_and_a_resolution(world: World) -> None:
    _jury, certification = transmitted(world)
    with refused("Décrivez l'objet du litige"):
        raise_dispute(world, certification, world.places[0], " ")
    dispute = raise_dispute(world, certification, world.places[0], "Doute")
    with refused("Indiquez l'issue du litige"):
        services.dispute_resolve(dispute=dispute, resolution="", resolved_by=world.admin)
    services.dispute_resolve(dispute=dispute, resolution="Levé", resolved_by=world.admin)
    with refused("Ce litige est déjà clos"):
        services.dispute_resolve(dispute=dispute, resolution="Encore", resolved_by=world.admin)


def test_no_dispute_once_the_jury_has_decided(world: World) -> None:
    _jury, certification = transmitted(world)
    decide(world, certification, world.places[0], "total")
    with refused("Le jury a déjà statué sur ce candidat"):
        raise_dispute(world, certification, world.places[0], "Doute")


def test_a_decision_equal_to_the_computed_result_and_the_recommendation_needs_no_reason(world: World) -> None:
    _jury, certification = transmitted(world)
    decision = decide(world, certification, world.places[0], "total")
    assert decision.kind == "total"
    assert decision.reason == ""
    assert decision.jury == certification
    assert decision.decided_by == world.cert_president.user


def test_it_refuses_to_depart_from_both_without_a_reason_and_names_them(world: World) -> None:
    _jury, certification = transmitted(world)
    place = world.places[0]
    with refused(
        "Cette décision s'écarte",
        "du résultat calculé par les règles (attribution totale)",
        "de la préconisation du jury d'évaluation (attribution totale)",
        "motivez-la par écrit",
    ):
        decide(world, certification, place, "none", reason="  ")
    assert not Decision.objects.exists()

    decision = decide(world, certification, place, "none", reason="Fraude constatée après l'épreuve")
    assert decision.kind == "none"
    assert decision.reason == "Fraude constatée après l'épreuve"


def test_it_names_only_the_recommendation_when_the_decision_follows_the_rules(world: World) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    ready(world, jury, {0: {"C2.1": "NA"}})
    recommend(world, jury, place, "total")  # the evaluation jury departs from the rules itself
    certification = world.certification_jury()
    services.deliberation_transmit(jury=jury, certification_jury=certification, transmitted_by=world.admin)

    with pytest.raises(ValidationError) as excinfo:
        decide(world, certification, place, "partial", ["BC1"])
    text = " ".join(excinfo.value.messages)
    assert "de la préconisation du jury d'évaluation (attribution totale)" in text
    assert "résultat calculé" not in text


def test_it_names_only_the_computed_result_when_the_decision_follows_the_recommendation(world: World) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    ready(world, jury, {0: {"C2.1": "NA"}})
    recommend(world, jury, place, "total")
    certification = world.certification_jury()
    services.deliberation_transmit(jury=jury, certification_jury=certification, transmitted_by=world.admin)

    with pytest.raises(ValidationError) as excinfo:
        decide(world, certification, place, "total")
    text = " ".join(excinfo.value.messages)
    assert "du résultat calculé par les règles (attribution partielle : BC1)" in text
    assert "préconisation" not in text

    assert decide(world, certification, place, "total", reason="Le jury d'évaluation a été entendu").kind == "total"


def test_a_partial_award_on_other_blocks_departs(world: World) -> None:
    _jury, certification = transmitted(world, {0: {"C2.1": "NA"}})
    with refused("du résultat calculé par les règles (attribution partielle : BC1)"):
        decide(world, certification, world.places[0], "partial", ["BC2"])


def test_a_partial_award_records_its_blocks(world: World) -> None:
    _jury, certification = transmitted(world, {0: {"C2.1": "NA"}})
    decision = decide(world, certification, world.places[0], "partial", ["BC1"])
    decision.refresh_from_db()
    assert decision.kind == "partial"
    assert [b.code for b in decision.blocks.all()] == ["BC1"]
    assert decision.reason == ""


def test_it_refuses_a_decision_while_the_certification_jury_is_incomplete(world: World) -> None:
    _jury, certification = transmitted(world)
    services.jury_unassign(jury=certification, member=world.cert_employees, removed_by=world.admin)
    with refused("Le jury n'est pas au complet", "Il manque le représentant des salariés"):
        decide(world, certification, world.places[0], "total")


def test_a_changed_decision_is_audited_with_actor_before_and_after(world: World) -> None:
    _jury, certification = transmitted(world, {0: {"C2.1": "NA"}})
    place = world.places[0]
    decide(world, certification, place, "partial", ["BC1"])
    decide(world, certification, place, "partial", ["BC1"])  # unchanged: no entry
    decide(world, certification, place, "none", reason="Livret incomplet")

    first, second = audits(place, AuditAction.DECISION)
    assert first.before is None
    assert first.after == {"issue": "partial", "blocs": ["BC1"], "motif": ""}
    assert second.before == first.after
    assert second.after == {"issue": "none", "blocs": [], "motif": "Livret incomplet"}
    assert second.reason == "Livret incomplet"
    assert {first.actor, second.actor} == {world.cert_president.user}
    assert second.candidate == place.enrolment.candidate
    decision = Decision.objects.get(place=place)
    assert (decision.kind, list(decision.blocks.all())) == ("none", [])


def test_once_the_jury_has_decided_its_composition_is_frozen(world: World) -> None:
    _jury, certification = transmitted(world)
    decide(world, certification, world.places[0], "total")
    with refused("sa composition ne change plus"):
        services.jury_unassign(jury=certification, member=world.cert_employees, removed_by=world.admin)


# --- Blocks acquired earlier ---------------------------------------------------------------------------


def earlier_partial_bc1(world: World, *, days_ago: int = 800) -> tuple[SessionCandidate, Decision]:
    """A candidate who was awarded BC1 alone by a certification jury in an earlier session of the version,
    and now sits in the world's session with the same enrolment."""
    candidate = make_candidate(world.organisation, 9, created_by=world.staff, company_name="Dorure Parisienne")
    earlier = past_session(world.staff, world.version, [candidate], days_ago=days_ago)
    earlier_place = earlier.candidates.get()
    jury = services.evaluation_jury_create(session=earlier, created_by=world.admin)
    for member in (world.employees, world.employers, world.trainer):
        services.jury_assign(jury=jury, member=member, assigned_by=world.admin)
    services.jury_president_designate(jury=jury, member=world.employers, designated_by=world.admin)
    jury.refresh_from_db()
    world.grade(jury, earlier_place, {"C2.1": "NA"})
    recommend(world, jury, earlier_place, "partial", ["BC1"])
    certification = services.certification_jury_create(
        version=world.version, meets_on=earlier.starts_on + dt.timedelta(days=7), created_by=world.admin
    )
    for member in (world.cert_employees, world.cert_employers, world.cert_president):
        services.jury_assign(jury=certification, member=member, assigned_by=world.admin)
    services.jury_president_designate(jury=certification, member=world.cert_president, designated_by=world.admin)
    services.deliberation_transmit(jury=jury, certification_jury=certification, transmitted_by=world.admin)
    decision = decide(world, certification, earlier_place, "partial", ["BC1"])

    place = evaluation_services.session_add_candidate(session=world.session, enrolment=earlier_place.enrolment)
    SessionCandidate.objects.filter(pk=place.pk).update(attendance=Attendance.PRESENT, signed_at=timezone.now())
    place.refresh_from_db()
    return place, decision


def test_a_candidate_sits_only_the_blocks_not_acquired_earlier(world: World) -> None:
    place, _decision = earlier_partial_bc1(world)
    assert selectors.blocks_sat(place) == [world.blocks["BC2"]]
    jury = world.evaluation_jury()
    with refused("ne présente pas le bloc BC1"):
        save(jury, place, world.blocks["BC1"], full(world.blocks["BC1"]), by=world.employers.user)


def test_the_deliberation_counts_a_block_acquired_earlier(world: World) -> None:
    place, decision = earlier_partial_bc1(world)
    jury = world.evaluation_jury()
    assert row(place, world.version).outcome is None  # BC2 still to grade
    world.grade(jury, place, ALL_A)

    result = row(place, world.version)
    bc1, bc2 = result.cells
    assert (bc1.block.code, bc1.sat, bc1.earlier) == ("BC1", False, decision.jury.meets_on)
    assert bc1.acquired
    assert (bc2.block.code, bc2.sat, bc2.earlier) == ("BC2", True, None)
    assert result.outcome is not None
    assert (result.outcome.kind, sorted(result.outcome.acquired_blocks)) == ("total", ["BC1", "BC2"])


def test_a_block_acquired_earlier_stays_acquired_when_the_other_fails_again(world: World) -> None:
    place, _decision = earlier_partial_bc1(world)
    jury = world.evaluation_jury()
    world.grade(jury, place, {"C2.2": "NA"})
    outcome = row(place, world.version).outcome
    assert outcome is not None
    assert (outcome.kind, sorted(outcome.acquired_blocks)) == ("partial", ["BC1"])


@pytest.mark.parametrize(("years", "counted"), [(None, True), (3, True), (1, False)])
def test_a_block_acquired_earlier_counts_while_its_validity_lasts(
    world: World, years: int | None, counted: bool
) -> None:
    place, _decision = earlier_partial_bc1(world, days_ago=800)  # about two years and two months ago
    CertificationVersion.objects.filter(pk=world.version.pk).update(block_validity_years=years)
    world.version.refresh_from_db()
    place = SessionCandidate.objects.get(pk=place.pk)

    expected = ["BC2"] if counted else ["BC1", "BC2"]
    assert [b.code for b in selectors.blocks_sat(place)] == expected
    jury = world.evaluation_jury()
    world.grade(jury, place, ALL_A)
    result = row(place, world.version)
    assert (result.cells[0].earlier is not None) is counted
    assert result.cells[0].sat is not counted
    assert result.outcome is not None
    assert result.outcome.kind == "total"


def test_an_expired_block_must_be_validated_again(world: World) -> None:
    place, _decision = earlier_partial_bc1(world, days_ago=800)
    CertificationVersion.objects.filter(pk=world.version.pk).update(block_validity_years=1)
    world.version.refresh_from_db()
    place = SessionCandidate.objects.get(pk=place.pk)
    jury = world.evaluation_jury()
    world.grade(jury, place, {"C1.1": "NA"})
    outcome = row(place, world.version).outcome
    assert outcome is not None
    assert (outcome.kind, sorted(outcome.acquired_blocks)) == ("partial", ["BC2"])


def test_the_certification_jury_decides_on_the_blocks_acquired_earlier_too(world: World) -> None:
    place, _decision = earlier_partial_bc1(world)
    jury = world.evaluation_jury()
    world.grade(jury, place, ALL_A)
    recommend_as_computed(world, jury, place)
    for other in world.places:
        world.grade(jury, other, ALL_A)
        recommend_as_computed(world, jury, other)
    certification = world.certification_jury()
    services.deliberation_transmit(jury=jury, certification_jury=certification, transmitted_by=world.admin)
    assert decide(world, certification, place, "total").reason == ""


# --- Audit ---------------------------------------------------------------------------------------------


def test_every_change_to_a_result_leaves_an_audit_entry_with_actor_before_and_after(world: World) -> None:
    jury = world.evaluation_jury()
    place, bc1, bc2 = world.places[0], world.blocks["BC1"], world.blocks["BC2"]
    president = world.employers.user

    first = save(jury, place, bc1, {"C1.1": "A"}, by=president)
    save(jury, place, bc1, {"C1.1": "A"}, by=president)  # unchanged: no entry
    save(jury, place, bc1, full(bc1), by=president)
    second = save(jury, place, bc2, full(bc2), by=president)
    services.grids_submit(grids=[first, second], submitted_by=president)
    services.grid_reopen(grid=first, reopened_by=world.admin, reason="Relecture")
    save(jury, place, bc1, full(bc1, {"C1.5": "NA"}), by=president)
    services.grids_submit(grids=[first], submitted_by=president)
    recommend(world, jury, place, "total")
    for other in world.places[1:]:
        world.grade(jury, other, ALL_A)
        recommend_as_computed(world, jury, other)
    certification = world.certification_jury()
    services.deliberation_transmit(jury=jury, certification_jury=certification, transmitted_by=president)
    decide(world, certification, place, "total")

    entries = list(AuditEntry.objects.filter(place=place).order_by("pk"))
    assert [(e.action, e.actor) for e in entries] == [
        (AuditAction.GRID_SAVED, president),
        (AuditAction.GRID_SAVED, president),
        (AuditAction.GRID_SAVED, president),
        (AuditAction.GRID_SUBMITTED, president),
        (AuditAction.GRID_SUBMITTED, president),
        (AuditAction.GRID_REOPENED, world.admin),
        (AuditAction.GRID_SAVED, president),
        (AuditAction.GRID_SUBMITTED, president),
        (AuditAction.RECOMMENDATION, president),
        (AuditAction.TRANSMITTED, president),
        (AuditAction.DECISION, world.cert_president.user),
    ]
    saved, completed, _bc2, submitted, _bc2_submitted, reopened, corrected, resubmitted, recommended, _, decided = (
        entries
    )
    assert saved.before == {"statut": "draft", "notes": {}, "commentaires": {}, "commentaire": ""}
    assert saved.after["notes"] == {"C1.1": "A"}
    assert completed.before["notes"] == {"C1.1": "A"}
    assert completed.after["notes"] == full(bc1)
    assert (submitted.before["statut"], submitted.after["statut"]) == ("draft", "submitted")
    assert (reopened.before["statut"], reopened.after["statut"]) == ("submitted", "draft")
    assert corrected.before["notes"]["C1.5"] == "A"
    assert corrected.after["notes"]["C1.5"] == "NA"
    assert resubmitted.after["notes"]["C1.5"] == "NA"
    assert "BC1" in saved.subject
    assert "consensus" in saved.subject
    assert (recommended.before, recommended.after["issue"]) == (None, "total")
    assert (decided.before, decided.after["issue"]) == (None, "total")
    assert all(e.candidate == place.enrolment.candidate for e in entries)


def test_a_members_own_grid_is_audited_under_their_name(world: World) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    save(jury, place, world.blocks["BC1"], {"C1.1": "NA"}, by=world.trainer.user, consensus=False)
    [entry] = audits(place, AuditAction.GRID_SAVED)
    assert entry.actor == world.trainer.user
    assert world.trainer.name in entry.subject
    assert entry.after["notes"] == {"C1.1": "NA"}


def test_a_stranger_is_not_a_jury_member(world: World) -> None:
    stranger = UserFactory(email="inconnu@example.org")
    jury = world.evaluation_jury()
    with refused("Vous ne siégez pas dans ce jury"):
        save(jury, world.places[0], world.blocks["BC1"], {"C1.1": "A"}, by=stranger, consensus=False)


# --- Review follow-ups -----------------------------------------------------------------------------------


def test_a_trainer_employed_by_the_candidates_organisation_is_linked_to_their_training(world: World) -> None:
    inside = jury_member_for(world, "formatrice-bjo@example.org", "trainer", organisation=world.organisation)
    jury = services.evaluation_jury_create(session=world.session, created_by=world.admin)
    with refused("a un lien avec la formation des candidats"):
        services.jury_assign(jury=jury, member=inside, assigned_by=world.admin)


def test_a_withdrawn_member_stops_the_jury_until_replaced(world: World) -> None:
    jury = world.evaluation_jury()
    services.jury_member_withdraw(member=world.trainer, withdrawn_by=world.admin, reason="Départ à la retraite")
    assert any("n'est plus habilité" in problem for problem in selectors.composition_problems(jury))
    with refused("Le jury n'est pas au complet", "n'est plus habilité"):
        save(jury, world.places[0], world.blocks["BC1"], ALL_A, by=world.employers.user)


def test_a_president_who_declares_a_conflict_leaves_no_consensus_behind(world: World) -> None:
    jury = world.evaluation_jury()
    place, bc1 = world.places[0], world.blocks["BC1"]
    save(jury, place, bc1, {"C1.1": "A"}, by=world.employers.user)
    services.conflict_declare(jury=jury, place=place, member=world.employers, note="voisin", declared_by=world.admin)
    assert not Grid.objects.filter(place=place, member__isnull=True).exists()
    assert selectors.keeper(jury, place) == world.employees


def test_a_president_cannot_step_aside_after_validating_the_consensus(world: World) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    world.grade(jury, place, ALL_A)
    with refused("Vous avez déjà validé la grille de consensus de ce candidat"):
        services.conflict_declare(jury=jury, place=place, member=world.employers, note="", declared_by=world.admin)
    assert not Recusal.objects.filter(place=place).exists()


def test_a_recusal_found_by_the_rules_is_in_the_candidates_history(world: World) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    candidate_services.candidate_update(candidate=place.enrolment.candidate, company_name="Joaillerie Moreau")
    assert services.recusals_refresh(jury=jury, actor=world.admin) == 1
    entry = AuditEntry.objects.get(place=place, action="recusal")
    assert entry.actor == world.admin
    assert "déporté(e) d'office" in entry.subject
    assert entry.after["motif"] == "Travaille dans l'entreprise du candidat"


def jury_member_for(world: World, email: str, college: str, **fields: Any) -> JuryMember:
    from tests.factories import jury_member

    return jury_member(email, college, certifications=[world.version.certification], approved_by=world.admin, **fields)
