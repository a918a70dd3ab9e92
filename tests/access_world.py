"""The world of the access matrix (`tests/test_access_matrix.py`): one object for every URL keyword and one
user for every actor, built once per module through the services.

A session of BJO Formation held today, graded by its evaluation jury and transmitted to a certification jury
that decided on its three candidates (one total, one partial, one failed), the PV signed, the CPNEFP validation
recorded and the parchments issued; a dispute on the first candidate recorded and closed before the decision;
a second session with its own evaluation jury (the "other jury"). On each jury, the non-president representative
of the employees is recused for the first candidate and the one of the other college has their habilitation
withdrawn after everything was done. Then appeals: the first candidate's sent back by the CPNEF to the certification
jury (re-examination on the existing grids), the second candidate's received, with its letter."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from candidates import services as candidate_services
from candidates.models import Candidate, CandidateDocument, DocumentKind, Enrolment
from certificates.models import Parchment, ParchmentBatch, ProcesVerbal
from cqp.models import Block, CertificationVersion, Competency
from dysfunctions.models import IncidentReport, Proposal
from evaluations.models import EvaluationSession, SessionCandidate
from juries import selectors, services
from juries.models import CarryOverFlag, Decision, Dispute, Grid, Jury, JuryMember, PriorAcquisition
from juries.services.prior import prior_acquisition_record
from results.models import Appeal, AppealDocument
from tests.factories import OrganisationFactory, UserFactory, jury_member, make_candidate, past_session
from tests.worlds import World, build_world
from vae import services as vae_services
from vae.models import AdmissibilityFile, VaeDocument

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PATTERNS = [{}, {"C2.1": "NA"}, {"C1.1": "NA", "C2.1": "NA"}]  # total, partial (BC1), none

# Every actor of the matrix. The jury actors depend on the jury the URL is about ("evaluation" or
# "certification"); the others are the same whatever the URL.
ACTORS = (
    "anonymous",
    "admin",
    "staff",
    "other_staff",
    "seated",
    "recused",
    "withdrawn",
    "other_jury",
    "candidate",
    "other_candidate",
)
JURY_ACTORS = ("seated", "recused", "withdrawn")


@dataclass
class AccessWorld:
    base: World
    users: dict[str, User | None]
    jury_users: dict[str, dict[str, User]]  # jury kind -> jury actor -> user
    evaluation: Jury
    certification: Jury
    other_evaluation: Jury
    session: EvaluationSession
    place: SessionCandidate  # the first candidate's place: the one recused for, the parchment's holder
    candidate: Candidate
    enrolment: Enrolment
    document: CandidateDocument
    grid: Grid  # the first candidate's consensus grid of BC1
    dispute: Dispute
    pv: ProcesVerbal
    parchment: Parchment
    batch: ParchmentBatch
    proposed: JuryMember  # proposed by the organisation, waiting for its habilitation
    approved: JuryMember  # approved, sitting on the other jury
    version: CertificationVersion
    block: Block
    competency: Competency
    proposal: Proposal  # the organisation's proposal to cancel the session, waiting for the certifier
    report: IncidentReport  # the certifier's incident report to the first candidate
    appeal: Appeal  # the first candidate's: re-examination on the existing grids ordered by the CPNEF
    appeal_received: Appeal  # the third candidate's, waiting for the CPNEF, with a document
    appeal_document: AppealDocument
    prior: PriorAcquisition  # the first candidate's, of a block of another certification, with a scanned PV
    resit_decision: Decision  # the second candidate's partial final result: a resit may start from it
    flag: CarryOverFlag  # on the second candidate's decision, to review
    # The third candidate's decision revised on the existing grids after its appeal (`appeal_received`, examined at
    # the end of the build): the revision (total) awaits its PV addendum.
    revised: Decision
    # The first candidate's VAE admissibility file, sent with one piece, waiting for the certifier's decision.
    vae_file: AdmissibilityFile
    vae_document: VaeDocument

    def user(self, actor: str, jury_kind: str = "evaluation") -> User | None:
        if actor in JURY_ACTORS:
            return self.jury_users[jury_kind][actor]
        return self.users[actor]

    def jury(self, kind: str) -> Jury:
        return self.evaluation if kind == "evaluation" else self.certification


Commit = Callable[[], AbstractContextManager[Any]]


def build_access_world(commit: Commit, discard: Commit) -> AccessWorld:
    """Build the world on a loaded referential. `commit()` is a context in which what waits for the commit
    (inline Celery tasks: e-mails) runs at its end, `discard()` one in which it is dropped: the PV and the
    parchments are not rendered (seconds of WeasyPrint), a stand-in PDF is stored as their rendering."""
    from certificates import services as certificate_services
    from certificates.tests.conftest import complete_mentions

    world = build_world()
    admin, staff = world.admin, world.staff
    other_staff = UserFactory(email="of-autre@example.org", organisation=OrganisationFactory(name="Autre Formation"))
    first, second = (place.enrolment.candidate for place in world.places[:2])
    with commit():
        for candidate in (first, second):
            candidate_services.candidate_invite(candidate=candidate, site_url="http://testserver")
    first.refresh_from_db()
    second.refresh_from_db()
    place = world.places[0]
    document = candidate_services.document_upload(
        candidate=first,
        uploaded_by=staff,
        kind=DocumentKind.LIVRET_PART,
        file=SimpleUploadedFile("livret partie A.pdf", PDF, content_type="application/pdf"),
        enrolment=place.enrolment,
        block=world.blocks["BC1"],
    )
    # The convocation reached the candidate (its calendar file is theirs to download).
    SessionCandidate.objects.filter(pk=place.pk).update(convocation_status="sent")

    # Evaluation jury: the employers' representative presides, the trainer is recused for the first candidate,
    # the employees' representative will be withdrawn.
    complete_mentions(world)
    evaluation = world.evaluation_jury()
    services.conflict_declare(
        jury=evaluation, place=place, member=world.trainer, note="Ancien collègue", declared_by=world.trainer.user
    )
    for each, pattern in zip(world.places, PATTERNS, strict=True):
        world.grade(evaluation, each, pattern)
    for row in selectors.deliberation_rows(selectors.session_places(evaluation), world.version):
        services.recommendation_record(
            place=row.place,
            kind=row.outcome.kind,
            blocks=[cell.block for cell in row.cells if cell.acquired],
            comments="",
            recorded_by=evaluation.president.user,
        )
    certification = world.certification_jury()
    services.deliberation_transmit(
        jury=evaluation, certification_jury=certification, transmitted_by=evaluation.president.user
    )
    # Certification jury: its president presides, the employees' representative is recused for the first
    # candidate, the employers' representative will be withdrawn.
    services.conflict_declare(
        jury=certification,
        place=place,
        member=world.cert_employees,
        note="Voisin",
        declared_by=world.cert_employees.user,
    )
    dispute = services.dispute_record(
        jury=certification,
        place=place,
        description="Le candidat conteste la note de C1.1.",
        summon_evaluation_jury=False,
        recorded_by=admin,
    )
    services.dispute_resolve(dispute=dispute, resolution="Note confirmée.", resolved_by=admin)
    for row in selectors.deliberation_rows(selectors.transmitted_places(certification), world.version):
        services.decision_record(
            jury=certification,
            place=row.place,
            kind=row.outcome.kind,
            blocks=[cell.block for cell in row.cells if cell.acquired] if row.outcome.kind == "partial" else [],
            reason="",
            decided_by=certification.president.user,
        )
    with discard():
        for seat in certification.seats.select_related("member__user"):
            certificate_services.pv_sign(jury=certification, user=seat.member.user)
    with commit():
        certificate_services.cpnefp_validation_record(
            jury=certification, meeting_on=timezone.localdate(), recorded_by=admin
        )
    with discard():
        batch = certificate_services.parchments_issue_for_jury(jury=certification, issued_by=admin)
    renders: list[Parchment | ProcesVerbal] = [
        *Parchment.objects.filter(decision__jury=certification),
        ProcesVerbal.objects.get(jury=certification),
    ]
    for rendered in renders:
        rendered.pdf.save(f"{type(rendered).__name__.lower()}-{rendered.pk}.pdf", ContentFile(PDF), save=False)
        type(rendered).objects.filter(pk=rendered.pk).update(pdf=rendered.pdf.name, render_status="done")

    # Another session of the organisation, with its own evaluation jury (not yet graded).
    certifications = [world.version.certification]

    def member(email: str, college: str) -> JuryMember:
        return jury_member(email, college, certifications=certifications, approved_by=admin, company_name="Ailleurs")

    later = make_candidate(world.organisation, 7, created_by=staff, company_name="Maison Ailleurs")
    other_session = past_session(staff, world.version, [later], days_ago=2, jury_by=admin)
    other_evaluation = other_session.jury
    other_members = [
        member("autre-salarie@example.org", "employees"),
        member("autre-employeur@example.org", "employers"),
        member("autre-formateur@example.org", "trainer"),
    ]
    for other_member in other_members:
        services.jury_assign(jury=other_evaluation, member=other_member, assigned_by=admin)
    services.jury_president_designate(jury=other_evaluation, member=other_members[1], designated_by=admin)

    proposed = services.jury_member_register(
        email="propose@example.org",
        first_name="Dominique",
        last_name="Proposé",
        college="employees",
        certifications=certifications,
        proposed_by=staff,
    )
    # Habilitations withdrawn after sitting (the juries have done their work).
    for withdrawn in (world.employees, world.cert_employers):
        services.jury_member_withdraw(member=withdrawn, withdrawn_by=admin, reason="Départ de la profession")

    # A dysfunction: the organisation proposes to cancel the session; the certifier reports to the first candidate.
    from dysfunctions import services as dysfunction_services

    with discard():
        proposal = dysfunction_services.proposal_submit(
            session=world.session, kind="cancel", reason_kind="other", description="Local inondé", proposed_by=staff
        )
        report = dysfunction_services.incident_report_write(
            place=place, proposal=proposal, title="Rapport", body="Incident de la session.", written_by=admin
        )
    # Appeals: the first candidate's sent back by the CPNEF to the certification jury, the third's received.
    from results.services import appeals

    appeal = appeals.appeal_record(
        decision=place.decision, received_on=timezone.localdate(), grounds="Contestation de C1.1", recorded_by=admin
    )
    appeal = appeals.appeal_examine(
        appeal=appeal,
        meeting_on=timezone.localdate(),
        outcome="reexamination",
        reason="Grilles à revoir",
        mode="same_grids",
        scope="BC1",
        examined_by=admin,
    )
    appeal_received = appeals.appeal_record(
        decision=world.places[2].decision,  # places[1]: the partial final result a resit starts from
        received_on=timezone.localdate(),
        grounds="Contestation de BC2",
        documents=[SimpleUploadedFile("lettre.pdf", PDF)],
        recorded_by=admin,
    )

    block = world.blocks["BC1"]
    # A block of another certification: carried nowhere in this world's sessions.
    prior = prior_acquisition_record(
        candidate=first,
        block=CertificationVersion.objects.get(rncp_code="RNCP31313").blocks.order_by("order").first(),
        acquired_on=datetime.date(2019, 6, 15),
        source="paper_pv",
        reference="PV 2019-014",
        recorded_by=admin,
        scan=SimpleUploadedFile("pv.pdf", PDF, content_type="application/pdf"),
    )
    # A carry-over flag on the third candidate's result (the second's is the resit's starting point).
    decisions = list(Decision.objects.filter(jury=certification).order_by("place__starts_at"))
    flag = CarryOverFlag.objects.create(
        decision=decisions[2], source_decision=decisions[0], reason="Résultat révisé après recours"
    )
    revised = _revised_on_appeal(appeal_received, examined_by=admin)
    vae_file = vae_services.file_create(
        candidate=first, version=world.version, experience_months=24, experience="Polisseuse, 2 ans", actor=first.user
    )
    vae_document = vae_services.document_add(
        file=vae_file, upload=SimpleUploadedFile("recevabilite.pdf", PDF), actor=first.user
    )
    vae_file = vae_services.file_submit(file=vae_file, actor=first.user)
    return AccessWorld(
        base=world,
        users={
            "anonymous": None,
            "admin": admin,
            "staff": staff,
            "other_staff": other_staff,
            "other_jury": other_members[0].user,
            "candidate": first.user,
            "other_candidate": second.user,
        },
        jury_users={
            "evaluation": {
                "seated": world.employers.user,
                "recused": world.trainer.user,
                "withdrawn": world.employees.user,
            },
            "certification": {
                "seated": world.cert_president.user,
                "recused": world.cert_employees.user,
                "withdrawn": world.cert_employers.user,
            },
        },
        evaluation=evaluation,
        certification=certification,
        other_evaluation=other_evaluation,
        session=world.session,
        place=place,
        candidate=first,
        enrolment=place.enrolment,
        document=document,
        grid=Grid.objects.get(jury=evaluation, place=place, block=block, member__isnull=True),
        dispute=dispute,
        pv=ProcesVerbal.objects.get(jury=certification),
        parchment=Parchment.objects.get(decision__jury=certification, place=place),
        batch=batch,
        proposed=proposed,
        approved=other_members[2],
        version=world.version,
        block=block,
        competency=block.competencies.order_by("order").first(),
        proposal=proposal,
        report=report,
        appeal=appeal,
        appeal_received=appeal_received,
        appeal_document=appeal_received.documents.get(),
        prior=prior,
        resit_decision=Decision.objects.get(place=world.places[1]),
        flag=flag,
        revised=revised,
        vae_file=vae_file,
        vae_document=vae_document,
    )


def _revised_on_appeal(appeal: Appeal, *, examined_by: User) -> Decision:
    """The CPNEF orders a re-examination on the existing grids; the certification jury's president decides again
    (total): the revision awaits its PV addendum."""
    from results.services import appeals

    appeal = appeals.appeal_examine(
        appeal=appeal,
        meeting_on=timezone.localdate(),
        outcome="reexamination",
        reason="La grille de BC2 mérite d'être relue.",
        mode="same_grids",
        scope="Bloc BC2",
        examined_by=examined_by,
    )
    president = appeal.decision.jury.president
    assert president is not None and president.user is not None
    return services.revision_record(
        decision=appeal.decision, kind="total", blocks=[], reason="Grille de BC2 relue.", decided_by=president.user
    )
