"""Demo users, one per role (and one holding two), so a newcomer can log in at once, with the juries' registry,
a session to come with its evaluation jury, a session already graded and half decided, and a session whose
certification jury signed its procès-verbal, had its results validated by the CPNEFP and its parchments issued.
Idempotent: existing demo users get their roles and password back, the rest is created once. Refused when DEBUG
is off unless --force."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import User
from candidates import services as candidate_services
from candidates.models import Candidate, Enrolment
from certificates import rules
from certificates import services as certificate_services
from certificates.models import CpnefpValidation, Parchment, ParchmentKind, ProcesVerbal, PvSignature
from cqp import services as referential_services
from cqp.models import Certification, CertificationVersion, TrainingOrganisation
from cqp.rules import ACQUIRED, NOT_ACQUIRED
from evaluations import services as evaluation_services
from evaluations.models import Attendance, ConvocationStatus, EvaluationSession, IdentityDocument, SessionCandidate
from juries import selectors as jury_selectors
from juries import services as jury_services
from juries.models import (
    AuditAction,
    AuditEntry,
    Decision,
    Grid,
    Jury,
    JuryMember,
    MemberStatus,
    OutcomeKind,
    Recommendation,
)

DEMO_PASSWORD = "demo-cqp-2026"

DEMO_USERS: list[dict[str, Any]] = [
    {"email": "admin@cqp.test", "first_name": "Laurence", "last_name": "Martin", "is_certifier_admin": True},
    {"email": "formation@cqp.test", "first_name": "Sophie", "last_name": "Bernard", "organisation": "BJO Formation"},
    {
        "email": "jury@cqp.test",
        "first_name": "Marc",
        "last_name": "Petit",
        "is_jury_member": True,
        "note": "représentant des employeurs, président des jurys d'évaluation des trois sessions",
    },
    {"email": "candidat@cqp.test", "first_name": "Léa", "last_name": "Dubois", "is_candidate": True},
    {
        "email": "titulaire@cqp.test",
        "first_name": "Małgorzata",
        "last_name": "Wiśniewska",
        "is_candidate": True,
        "note": "titulaire du CQP (session certifiée) : son résultat et son parchemin dans son espace",
    },
    {
        "email": "formateur-jury@cqp.test",
        "first_name": "Paul",
        "last_name": "Leroy",
        "organisation": "École d'horlogerie Charles Edouard Guillaume",
        "is_jury_member": True,
        "note": "formateur habilité pour le CQP Horloger qualifié, ne siège pas",
    },
    {
        "email": "salarie@cqp.test",
        "first_name": "Hélène",
        "last_name": "Garnier",
        "is_jury_member": True,
        "note": "représentante des salariés, jurys d'évaluation",
    },
    {
        "email": "formateur@cqp.test",
        "first_name": "Jérôme",
        "last_name": "Faure",
        "is_jury_member": True,
        "note": "formateur, jurys d'évaluation",
    },
    {
        "email": "president@cqp.test",
        "first_name": "Françoise",
        "last_name": "Aubert",
        "is_jury_member": True,
        "note": "présidente de la CPNEFP HBJO, préside les jurys de certification",
    },
    {
        "email": "salarie2@cqp.test",
        "first_name": "Karim",
        "last_name": "Haddad",
        "is_jury_member": True,
        "note": "représentant des salariés, jurys de certification",
    },
    {
        "email": "employeur@cqp.test",
        "first_name": "Olivier",
        "last_name": "Chevalier",
        "is_jury_member": True,
        "note": "représentant des employeurs, jurys de certification",
    },
]

POLISHING = "operateur-polissage"  # RNCP 26850

# The juries' registry: every demo jury member, approved by the certifier's admin.
DEMO_JURY_MEMBERS: list[dict[str, Any]] = [
    {"email": "jury@cqp.test", "college": "employers", "company_name": "Joaillerie Petit et Fils"},
    {"email": "salarie@cqp.test", "college": "employees", "company_name": "Bijouterie Lumière"},
    {"email": "formateur@cqp.test", "college": "trainer", "company_name": "Atelier-école de Saumur"},
    {"email": "president@cqp.test", "college": "certifier_president", "company_name": "CPNEFP HBJO"},
    {"email": "salarie2@cqp.test", "college": "employees", "company_name": "Orfèvrerie du Marais"},
    {"email": "employeur@cqp.test", "college": "employers", "company_name": "Horlogerie-Joaillerie Vendôme"},
    {
        "email": "formateur-jury@cqp.test",
        "college": "trainer",
        "company_name": "École d'horlogerie Charles Edouard Guillaume",
        "organisation": "École d'horlogerie Charles Edouard Guillaume",
        "certification": "horloger-qualifie",
    },
]
EVALUATION_JURY = ("salarie@cqp.test", "jury@cqp.test", "formateur@cqp.test")
EVALUATION_PRESIDENT = "jury@cqp.test"
CERTIFICATION_JURY = ("salarie2@cqp.test", "employeur@cqp.test", "president@cqp.test")
CERTIFICATION_PRESIDENT = "president@cqp.test"


class Command(BaseCommand):
    help = "Crée les comptes de démonstration (un par rôle) et affiche leurs identifiants."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Autoriser même quand DEBUG est désactivé.")

    def handle(self, *args: Any, force: bool = False, **options: Any) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "Comptes de démonstration refusés quand DEBUG est désactivé (mot de passe connu de tous). "
                "Ajoutez --force si c'est bien une instance de démonstration."
            )
        rows = []
        with transaction.atomic():
            for spec in DEMO_USERS:
                spec = dict(spec)
                note = spec.pop("note", "")
                organisation = _organisation(spec.pop("organisation", None))
                roles = {
                    "is_certifier_admin": spec.pop("is_certifier_admin", False),
                    "organisation": organisation,
                    "is_jury_member": spec.pop("is_jury_member", False),
                    "is_candidate": spec.pop("is_candidate", False),
                }
                user = User.objects.filter(email=spec["email"]).first()
                if user is None:
                    user = services.user_create(password=DEMO_PASSWORD, **spec, **roles)
                else:
                    services.user_set_roles(user=user, **roles)
                    user.set_password(DEMO_PASSWORD)
                    user.save(update_fields=["password"])
                roles_text = ", ".join(str(r.label) for r in user.roles)
                rows.append((user.email, f"{roles_text} — {note}" if note else roles_text))
            admin = User.objects.get(email="admin@cqp.test")
            staff = User.objects.get(email="formation@cqp.test")
            members = demo_jury_members(admin=admin)
            session_line = demo_session(staff=staff, admin=admin, members=members)
            graded_line = demo_graded_session(staff=staff, admin=admin, members=members)
            certified_line = demo_certified_session(staff=staff, admin=admin, members=members)
        self.stdout.write("")
        self.stdout.write(session_line)
        self.stdout.write(graded_line)
        self.stdout.write(certified_line)
        self.stdout.write(self.style.SUCCESS(f"Comptes de démonstration (mot de passe commun : {DEMO_PASSWORD})"))
        width = max(len(email) for email, _ in rows)
        for email, roles in rows:
            self.stdout.write(f"  {email.ljust(width)}  {roles}")
        self.stdout.write("")


def _organisation(name: str | None) -> TrainingOrganisation | None:
    if not name:
        return None
    organisation = TrainingOrganisation.objects.filter(name=name).first()
    if organisation is None:
        raise CommandError(f"Organisme « {name} » introuvable : lancez d'abord « python manage.py load_referential ».")
    return organisation


def demo_jury_members(*, admin: User) -> dict[str, JuryMember]:
    """The demo jury members in the registry, approved, by e-mail. A member found withdrawn is approved again,
    as a demo user gets their roles back."""
    members = {}
    for spec in DEMO_JURY_MEMBERS:
        user = User.objects.get(email=spec["email"])
        member = JuryMember.objects.filter(user=user).first()
        if member is None:
            member = jury_services.jury_member_register(
                email=user.email,
                first_name=user.first_name,
                last_name=user.last_name,
                college=spec["college"],
                certifications=[Certification.objects.get(slug=spec.get("certification", POLISHING))],
                proposed_by=admin,
                company_name=spec["company_name"],
                organisation=_organisation(spec.get("organisation")),
            )
            # The demo account already exists: its owner confirms, as they would from the e-mailed link.
            member = jury_services.jury_member_confirm(member=member, user=user)
        if member.status != MemberStatus.APPROVED:
            member = jury_services.jury_member_approve(member=member, approved_by=admin)
        members[user.email] = member
    return members


def demo_evaluation_jury(*, session: EvaluationSession, admin: User, members: dict[str, JuryMember]) -> Jury:
    """The session's evaluation jury, composed and presided by Marc Petit; left as it is when it exists."""
    jury = Jury.objects.filter(session=session).select_related("president__user").first()
    if jury is not None:
        return jury
    jury = jury_services.evaluation_jury_create(session=session, created_by=admin)
    for email in EVALUATION_JURY:
        jury_services.jury_assign(jury=jury, member=members[email], assigned_by=admin)
    return jury_services.jury_president_designate(jury=jury, member=members[EVALUATION_PRESIDENT], designated_by=admin)


def _session_of(organisation: TrainingOrganisation, candidate_email: str) -> EvaluationSession | None:
    """A demo session is known by its first candidate."""
    return (
        EvaluationSession.objects.filter(
            organisation=organisation, candidates__enrolment__candidate__email=candidate_email
        )
        .order_by("starts_on", "pk")
        .first()
    )


def _demo_candidate(*, organisation: TrainingOrganisation, staff: User, spec: dict[str, Any]) -> Candidate:
    candidate = Candidate.objects.filter(organisation=organisation, email=spec["email"]).first()
    if candidate is None:
        candidate = candidate_services.candidate_create(organisation=organisation, created_by=staff, **spec)
    return candidate


def _active_enrolment(
    candidate: Candidate, version: CertificationVersion, *, access_route: str, staff: User
) -> tuple[Enrolment, bool]:
    enrolment = candidate.enrolments.filter(version=version, status="active").first()
    if enrolment is not None:
        return enrolment, False
    enrolment = candidate_services.candidate_enrol(
        candidate=candidate, version=version, blocks=None, access_route=access_route, created_by=staff
    )
    return enrolment, True


DEMO_ADDRESS = "BJO Formation\n58 rue du Louvre\n75002 Paris"
DEMO_WHAT_TO_BRING = "la pièce de bijouterie polie et votre livret de réalisations (parties A et B)"

DEMO_CANDIDATES: list[dict[str, Any]] = [
    {
        "birth_name": "Dubois",
        "first_name": "Léa",
        "sex": "F",
        "birth_date": dt.date(2001, 3, 14),
        "birth_commune": "Lyon",
        "birth_insee_code": "69123",
        "email": "candidat@cqp.test",
        "company_name": "Maison Verlaine Joaillerie",
        "company_siret": "73282932000074",
        "company_address": "12 place Vendôme\n75001 Paris",
    },
    {
        "birth_name": "Nguyễn",
        "usage_name": "Martin",
        "first_name": "Thảo",
        "second_first_name": "Marie",
        "sex": "F",
        "birth_date": dt.date(1996, 11, 2),
        "birth_commune": "Hô Chi Minh-Ville",
        "birth_country": "Viêt Nam",
        "email": "thao.martin@example.org",
        "company_name": "Atelier Saint-Honoré",
    },
    {
        "birth_name": "Kowalczyk",
        "first_name": "Paweł",
        "sex": "M",
        "birth_date": dt.date(1990, 6, 30),
        "birth_commune": "Besançon",
        "birth_insee_code": "25056",
        "email": "pawel.kowalczyk@example.org",
        "company_name": "Polissage Franc-Comtois",
    },
]


def demo_session(*, staff: User, admin: User, members: dict[str, JuryMember]) -> str:
    """Three candidates of BJO Formation enrolled in RNCP 26850, in a session 30 days ahead, convoked, with its
    evaluation jury. Left as it is when it exists already (its jury is composed if it has none)."""
    organisation = staff.organisation
    existing = _session_of(organisation, DEMO_CANDIDATES[0]["email"])
    if existing is not None:
        demo_evaluation_jury(session=existing, admin=admin, members=members)
        return "Session de démonstration : déjà présente."
    if organisation.approval_start is None:
        # Demo only: the real approval dates of the organisation are entered by the certifier.
        organisation.approval_start = timezone.localdate() - dt.timedelta(days=365)
        organisation.exam_manager_name = "Sophie Bernard"
        organisation.exam_manager_email = staff.email
        organisation.save()
    version = CertificationVersion.objects.get(rncp_code="RNCP26850")
    session = evaluation_services.session_schedule(
        version=version,
        organisation=organisation,
        starts_on=timezone.localdate() + dt.timedelta(days=30),
        ends_on=None,
        mode="on_site",
        address=DEMO_ADDRESS,
        what_to_bring=DEMO_WHAT_TO_BRING,
        created_by=staff,
    )
    for spec in DEMO_CANDIDATES:
        candidate = _demo_candidate(organisation=organisation, staff=staff, spec=spec)
        if spec["email"] == "candidat@cqp.test":
            candidate.user = User.objects.get(email="candidat@cqp.test")
            candidate.save(update_fields=["user"])
        enrolment, created = _active_enrolment(candidate, version, access_route="formation_continue", staff=staff)
        if created and spec["birth_name"] == "Kowalczyk":
            candidate_services.accommodation_add(
                enrolment=enrolment,
                kind="extra_time",
                extra_minutes=15,
                measure="Tiers temps pour la soutenance",
                referent="Référent handicap de la CPNEFP HBJO",
                approved_on=timezone.localdate() - dt.timedelta(days=60),
            )
        evaluation_services.session_add_candidate(session=session, enrolment=enrolment)
    evaluation_services.convocations_send(session=session)
    jury = demo_evaluation_jury(session=session, admin=admin, members=members)
    return (
        f"Session de démonstration : RNCP 26850 le {session.starts_on:%d/%m/%Y}, 3 candidats convoqués "
        f"(BJO Formation), jury d'évaluation présidé par {jury.president.name}."
    )


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
        "access_route": "contrat_pro",
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
        "access_route": "apprentissage",
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
        "access_route": "formation_continue",
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
    organisation = staff.organisation
    if _session_of(organisation, DEMO_GRADED_CANDIDATES[0]["identity"]["email"]) is not None:
        return "Session jugée de démonstration : déjà présente."
    version = CertificationVersion.objects.get(rncp_code="RNCP26850")
    session = _held_session(staff=staff, version=version, specs=DEMO_GRADED_CANDIDATES, days_ago=GRADED_DAYS_AGO)
    jury = demo_evaluation_jury(session=session, admin=admin, members=members)
    specs = {spec["identity"]["email"]: spec for spec in DEMO_GRADED_CANDIDATES}
    _grade_and_recommend(jury=jury, version=version, specs=specs)
    certification_jury = _certification_jury(
        version=version, meets_on=timezone.localdate(), admin=admin, members=members
    )
    jury_services.deliberation_transmit(
        jury=jury, certification_jury=certification_jury, transmitted_by=jury.president.user
    )
    _decide(jury=jury, certification_jury=certification_jury, specs=specs, members=members)
    rows = jury_selectors.deliberation_rows(jury_selectors.session_places(jury), version)
    outcomes = ", ".join(_outcome_words(row) for row in rows)
    pending = ", ".join(row.candidate.display_name for row in rows if row.decision is None)
    return (
        f"Session jugée : RNCP 26850 le {session.starts_on:%d/%m/%Y} (BJO Formation), 3 candidats notés par le "
        f"jury d'évaluation ({outcomes}) et transmis au jury de certification du "
        f"{certification_jury.meets_on:%d/%m/%Y} ; décision à prendre pour {pending} ({CERTIFICATION_PRESIDENT})."
    )


# The certified session: its candidates' names test the PDFs' fonts (ø, æ, ł, ś, ğ, ı, ç).
DEMO_CERTIFIED_CANDIDATES: list[dict[str, Any]] = [
    {
        "identity": {
            "birth_name": "Wiśniewska",
            "first_name": "Małgorzata",
            "second_first_name": "Zofia",
            "sex": "F",
            "birth_date": dt.date(1994, 4, 12),
            "birth_commune": "Kraków",
            "birth_country": "Pologne",
            "email": "malgorzata.wisniewska@example.org",
            "company_name": "Joaillerie Lévêque & Fils",
        },
        "access_route": "formation_continue",
        "not_acquired": {},
        "comments": "Livret soigné, polissage miroir sans défaut : les deux blocs sont acquis.",
        "decided": True,
    },
    {
        "identity": {
            "birth_name": "Kjærgaard",
            "first_name": "Søren",
            "sex": "M",
            "birth_date": dt.date(2000, 10, 3),
            "birth_commune": "Aarhus",
            "birth_country": "Danemark",
            "email": "soren.kjaergaard@example.org",
            "company_name": "Atelier Nørrebro Bijoux",
        },
        "access_route": "contrat_pro",
        "not_acquired": {"C2.1": "Émerisage inégal sur les arêtes de la bague."},
        "comments": "Préparation maîtrisée (BC1) ; l'émerisage (C2.1, obligatoire) est à reprendre pour le BC2.",
        "decided": True,
    },
    {
        "identity": {
            "birth_name": "Yıldırım",
            "first_name": "Çağla",
            "sex": "F",
            "birth_date": dt.date(1997, 1, 28),
            "birth_commune": "Strasbourg",
            "birth_insee_code": "67482",
            "email": "cagla.yildirim@example.org",
            "company_name": "Orfèvrerie Kléber",
        },
        "access_route": "apprentissage",
        "not_acquired": {
            "C1.1": "Lecture du dossier de production incomplète.",
            "C2.1": "Émerisage non terminé dans le temps imparti.",
        },
        "comments": "C1.1 et C2.1, obligatoires, non acquises : aucun bloc validé, à représenter.",
        "decided": True,
    },
]
CERTIFIED_DAYS_AGO = 75
CERTIFIED_JURY_DAYS_AGO = 70
CPNEFP_DAYS_AGO = 40
DEMO_MENTIONS_NOTE = (
    "Démo : niveau, code NSF et date de décision saisis pour la démonstration, à vérifier sur la fiche RNCP."
)
DEMO_SIGNATORY = "Signataire de démonstration"


def demo_certified_session(*, staff: User, admin: User, members: dict[str, JuryMember]) -> str:
    """Three more candidates of BJO Formation, examined 75 days ago, graded and recommended by the session's
    evaluation jury (one total, one partial BC1, one none), decided by a certification jury that met 70 days
    ago; its three members signed the PV, the CPNEFP validated the results 40 days ago, and the parchments are
    issued (the full certificate marked as sent). Left as it is when it exists already."""
    organisation = staff.organisation
    existing = _session_of(organisation, DEMO_CERTIFIED_CANDIDATES[0]["identity"]["email"])
    if existing is not None:
        _link_holder_account()
        certification_jury = Jury.objects.get(session=existing).certification_jury
        return "Session certifiée de démonstration : déjà présente." + _verification_lines(certification_jury)
    # First, the mentions the parchments will need: the juries below then read the completed version.
    version = demo_mentions(CertificationVersion.objects.get(rncp_code="RNCP26850"))
    session = _held_session(staff=staff, version=version, specs=DEMO_CERTIFIED_CANDIDATES, days_ago=CERTIFIED_DAYS_AGO)
    _link_holder_account()
    jury = demo_evaluation_jury(session=session, admin=admin, members=members)
    specs = {spec["identity"]["email"]: spec for spec in DEMO_CERTIFIED_CANDIDATES}
    _grade_and_recommend(jury=jury, version=version, specs=specs)
    today = timezone.localdate()
    certification_jury = _certification_jury(
        version=version, meets_on=today - dt.timedelta(days=CERTIFIED_JURY_DAYS_AGO), admin=admin, members=members
    )
    jury_services.deliberation_transmit(
        jury=jury, certification_jury=certification_jury, transmitted_by=jury.president.user
    )
    _decide(jury=jury, certification_jury=certification_jury, specs=specs, members=members)
    for email in CERTIFICATION_JURY:
        certificate_services.pv_sign(jury=certification_jury, user=members[email].user)
    validation = certificate_services.cpnefp_validation_record(
        jury=certification_jury, meeting_on=today - dt.timedelta(days=CPNEFP_DAYS_AGO), recorded_by=admin
    )
    _date_the_results(evaluation_jury=jury, certification_jury=certification_jury, validation=validation)
    batch = certificate_services.parchments_issue_for_jury(jury=certification_jury, issued_by=admin)
    full = batch.parchments.get(kind=ParchmentKind.FULL)
    certificate_services.parchment_mark_sent(parchment=full, sent_on=today, recorded_by=admin)
    rows = jury_selectors.deliberation_rows(jury_selectors.session_places(jury), version)
    outcomes = ", ".join(_outcome_words(row) for row in rows)
    return (
        f"Session certifiée : RNCP 26850 le {session.starts_on:%d/%m/%Y} (BJO Formation), 3 candidats ({outcomes}) ; "
        f"jury de certification du {certification_jury.meets_on:%d/%m/%Y}, procès-verbal signé par ses 3 membres, "
        f"résultats validés par la CPNEFP le {validation.meeting_on:%d/%m/%Y}, {batch.parchments.count()} "
        f"parchemins édités (le certificat complet marqué envoyé)." + _verification_lines(certification_jury)
    )


def demo_mentions(version: CertificationVersion) -> CertificationVersion:
    """Demo only: the mentions a parchment needs that RNCP 26850's seed does not give (level, NSF code, date of
    the registration decision), filled with values marked as such in the version's `to_verify`, and a
    signatory's name for the certifier. What the certifier entered already is kept."""
    missing: dict[str, Any] = {}
    if version.level is None:
        missing["level"] = 3
    if version.eu_level is None:
        missing["eu_level"] = 3
    if not version.nsf_codes:
        missing["nsf_codes"] = ["223"]
    if version.decision_date is None:
        missing["decision_date"] = dt.date(2016, 12, 15)
    if missing:
        if DEMO_MENTIONS_NOTE not in version.to_verify:
            missing["to_verify"] = f"{version.to_verify}\n{DEMO_MENTIONS_NOTE}".strip()
        version = referential_services.version_update(version=version, **missing)
    certifier = version.certifier
    if not certifier.signatory_name:
        # No service edits a certifier yet (the seed's command creates it, the Django admin edits it).
        certifier.signatory_name = DEMO_SIGNATORY
        certifier.full_clean()
        certifier.save(update_fields=["signatory_name"])
    return version


def _verification_lines(certification_jury: Jury) -> str:
    """One line per parchment of the jury: its number, holder and public verification address."""
    lines = []
    for parchment in Parchment.objects.filter(decision__jury=certification_jury).order_by("number"):
        url = settings.SITE_URL + reverse("verify:code", args=[parchment.verification_code])
        lines.append(
            f"\n  Parchemin n° {parchment.display_number} ({parchment.mentions['holder']['name']}, "
            f"{parchment.get_kind_display().lower()}) : {url} (code {rules.display_code(parchment.verification_code)})"
        )
    return "".join(lines)


def _held_session(
    *, staff: User, version: CertificationVersion, specs: list[dict[str, Any]], days_ago: int
) -> EvaluationSession:
    """A session of BJO Formation held `days_ago` days ago, every candidate of `specs` present.

    A session is only scheduled ahead: schedule it and fill it through the services as the pages would, then
    move it to its exam day and write its history (convocations sent, identities checked, signatures) straight
    in the table, as `tests.factories.past_session` does. The jury's work goes through its services."""
    session = evaluation_services.session_schedule(
        version=version,
        organisation=staff.organisation,
        starts_on=timezone.localdate() + dt.timedelta(days=30),
        ends_on=None,
        mode="on_site",
        address=DEMO_ADDRESS,
        what_to_bring=DEMO_WHAT_TO_BRING,
        created_by=staff,
    )
    for spec in specs:
        candidate = _demo_candidate(organisation=staff.organisation, staff=staff, spec=spec["identity"])
        enrolment, _created = _active_enrolment(candidate, version, access_route=spec["access_route"], staff=staff)
        evaluation_services.session_add_candidate(session=session, enrolment=enrolment)
    _move_to_the_past(session, days_ago=days_ago, staff=staff)
    return session


def _link_holder_account() -> None:
    """The certified session's full holder gets the demo account titulaire@cqp.test: her space shows her result
    and her parchment. A record already linked to an account keeps it."""
    holder = DEMO_CERTIFIED_CANDIDATES[0]["identity"]["email"]
    Candidate.objects.filter(email=holder, user__isnull=True).update(user=User.objects.get(email=HOLDER_ACCOUNT))


HOLDER_ACCOUNT = "titulaire@cqp.test"


def _grade_and_recommend(*, jury: Jury, version: CertificationVersion, specs: dict[str, dict[str, Any]]) -> None:
    """The president enters the consensus grids (the competencies of `not_acquired` not acquired, with its
    remarks) and records the recommendation the rules compute, with the spec's comments."""
    president = jury.president.user
    for place in jury_selectors.session_places(jury):
        spec = specs[place.enrolment.candidate.email]
        entries = {}
        for block in jury_selectors.blocks_sat(place):
            codes = [c.code for c in block.competencies.all()]
            entries[block.pk] = (
                {code: NOT_ACQUIRED if code in spec["not_acquired"] else ACQUIRED for code in codes},
                {code: text for code, text in spec["not_acquired"].items() if code in codes},
                "",
            )
        jury_services.grids_enter(
            jury=jury, place=place, consensus=True, entries=entries, submit=True, entered_by=president
        )
    blocks = {b.code: b for b in version.blocks.all()}
    for row in jury_selectors.deliberation_rows(jury_selectors.session_places(jury), version):
        # The evaluation jury follows the rules' result.
        jury_services.recommendation_record(
            place=row.place,
            kind=row.outcome.kind,
            blocks=[blocks[code] for code in sorted(row.outcome.acquired_blocks)],
            comments=specs[row.candidate.email]["comments"],
            recorded_by=president,
        )


def _certification_jury(
    *, version: CertificationVersion, meets_on: dt.date, admin: User, members: dict[str, JuryMember]
) -> Jury:
    jury = jury_services.certification_jury_create(version=version, meets_on=meets_on, created_by=admin)
    for email in CERTIFICATION_JURY:
        jury_services.jury_assign(jury=jury, member=members[email], assigned_by=admin)
    return jury_services.jury_president_designate(
        jury=jury, member=members[CERTIFICATION_PRESIDENT], designated_by=admin
    )


def _decide(
    *, jury: Jury, certification_jury: Jury, specs: dict[str, dict[str, Any]], members: dict[str, JuryMember]
) -> None:
    """The certification jury's president follows the recommendation for every candidate marked `decided`."""
    for row in jury_selectors.deliberation_rows(jury_selectors.session_places(jury), jury.version):
        if specs[row.candidate.email]["decided"]:
            jury_services.decision_record(
                jury=certification_jury,
                place=row.place,
                kind=row.recommendation.kind,
                blocks=list(row.recommendation.blocks.all()),
                reason="",
                decided_by=members[CERTIFICATION_PRESIDENT].user,
            )


def _date_the_results(*, evaluation_jury: Jury, certification_jury: Jury, validation: CpnefpValidation) -> None:
    """Give the certified session's results the days they would have had: the evaluation jury graded,
    recommended and transmitted on the exam day, the certification jury decided and signed its PV on its own
    day, and the CPNEFP validation was recorded on its meeting day. Written straight in the tables, like the
    session's history, since the services stamp everything now; the PV's fingerprint covers its content, not
    these times."""
    exam_day = evaluation_jury.meets_on
    jury_day = certification_jury.meets_on
    graded_at, transmitted_at = _at(exam_day, 17), _at(exam_day, 18)
    decided_at, signed_at = _at(jury_day, 10), _at(jury_day, 11)
    places = list(jury_selectors.session_places(evaluation_jury).values_list("pk", flat=True))
    Grid.objects.filter(jury=evaluation_jury).update(submitted_at=graded_at)
    Recommendation.objects.filter(place__in=places).update(recorded_at=graded_at)
    Jury.objects.filter(pk=evaluation_jury.pk).update(transmitted_at=transmitted_at)
    Decision.objects.filter(jury=certification_jury).update(decided_at=decided_at)
    AuditEntry.objects.filter(place__in=places).exclude(action=AuditAction.DECISION).update(at=graded_at)
    AuditEntry.objects.filter(place__in=places, action=AuditAction.TRANSMITTED).update(at=transmitted_at)
    AuditEntry.objects.filter(place__in=places, action=AuditAction.DECISION).update(at=decided_at)
    pv = ProcesVerbal.objects.get(jury=certification_jury)
    signatures = list(pv.signatures.order_by("signed_at", "pk"))
    for index, signature in enumerate(signatures):  # five minutes apart, in the order they signed
        PvSignature.objects.filter(pk=signature.pk).update(signed_at=signed_at + dt.timedelta(minutes=5 * index))
    ProcesVerbal.objects.filter(pk=pv.pk).update(
        opened_at=signed_at, signed_at=signed_at + dt.timedelta(minutes=5 * (len(signatures) - 1))
    )
    CpnefpValidation.objects.filter(pk=validation.pk).update(recorded_at=_at(validation.meeting_on, 16))


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _outcome_words(row: jury_selectors.Row) -> str:
    kind = OutcomeKind(row.outcome.kind)
    words = str(kind.label).lower()
    if kind == OutcomeKind.PARTIAL:
        words = f"{words} {', '.join(sorted(row.outcome.acquired_blocks))}"
    return f"{row.candidate.display_name} : {words}"


def _move_to_the_past(session: EvaluationSession, *, days_ago: int, staff: User) -> None:
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    shift = session.starts_on - day
    EvaluationSession.objects.filter(pk=session.pk).update(
        starts_on=day, ends_on=day, created_at=timezone.now() - shift - dt.timedelta(days=15)
    )
    for place in session.candidates.all():
        # Shifted on the local clock, so that a slot at 9 h stays at 9 h across a change of time.
        starts_at = timezone.make_aware(timezone.make_naive(place.starts_at) - shift)
        SessionCandidate.objects.filter(pk=place.pk).update(
            starts_at=starts_at,
            ends_at=starts_at + (place.ends_at - place.starts_at),
            convocation_status=ConvocationStatus.SENT,
            convocation_sent_at=starts_at - dt.timedelta(days=30),
            convocation_sends=1,
            identity_document=IdentityDocument.ID_CARD,
            identity_checked_at=starts_at - dt.timedelta(minutes=10),
            identity_checked_by=staff,
            attendance=Attendance.PRESENT,
            signed_at=starts_at - dt.timedelta(minutes=5),
            attendance_recorded_by=staff,
        )
    session.refresh_from_db()
