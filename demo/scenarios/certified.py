"""A session taken to the end: held 75 days ago, decided by a certification jury 70 days ago, its PV signed
by the three members, the results validated by the CPNEFP 40 days ago and the parchments issued (the
full certificate marked as sent); its holder's account sees her result and her parchment."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from candidates.models import Candidate
from certificates import rules
from certificates import services as certificate_services
from certificates.models import CpnefpValidation, Parchment, ParchmentKind, ProcesVerbal, PvSignature
from cqp import services as referential_services
from cqp.models import AccessRoute, CertificationVersion
from demo.scenarios.accounts import organisation_of
from demo.scenarios.registry import (
    CERTIFICATION_JURY,
    demo_certification_jury,
    demo_evaluation_jury,
    president_of,
    user_of,
)
from demo.scenarios.sessions import decide_as_recommended, grade_and_recommend, held_session, outcome_line, session_of
from juries import selectors as jury_selectors
from juries import services as jury_services
from juries.models import AuditAction, AuditEntry, Decision, Grid, Jury, JuryMember, Recommendation

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
        "access_route": AccessRoute.FORMATION_CONTINUE,
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
        "access_route": AccessRoute.CONTRAT_PRO,
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
        "access_route": AccessRoute.APPRENTISSAGE,
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
HOLDER_ACCOUNT = "titulaire@cqp.test"


def demo_certified_session(*, staff: User, admin: User, members: dict[str, JuryMember]) -> str:
    """Three more candidates of BJO Formation, examined 75 days ago, graded and recommended by the session's
    evaluation jury (one total, one partial BC1, one none), decided by a certification jury that met 70 days
    ago; its three members signed the PV, the CPNEFP validated the results 40 days ago, and the parchments are
    issued (the full certificate marked as sent). Left as it is when it exists already."""
    organisation = organisation_of(staff)
    existing = session_of(organisation, DEMO_CERTIFIED_CANDIDATES[0]["identity"]["email"])
    if existing is not None:
        _link_holder_account()
        certification_jury = Jury.objects.get(session=existing).certification_jury
        return "Session certifiée de démonstration : déjà présente." + _verification_lines(certification_jury)
    # First, the mentions the parchments will need: the juries below then read the completed version.
    version = demo_mentions(CertificationVersion.objects.get(rncp_code="RNCP26850"))
    session = held_session(
        staff=staff,
        version=version,
        specs=DEMO_CERTIFIED_CANDIDATES,
        days_ago=CERTIFIED_DAYS_AGO,
        admin=admin,
        members=members,
    )
    _link_holder_account()
    jury = demo_evaluation_jury(session=session, admin=admin, members=members)
    specs = {spec["identity"]["email"]: spec for spec in DEMO_CERTIFIED_CANDIDATES}
    grade_and_recommend(jury=jury, version=version, specs=specs)
    today = timezone.localdate()
    certification_jury = demo_certification_jury(
        version=version, meets_on=today - dt.timedelta(days=CERTIFIED_JURY_DAYS_AGO), admin=admin, members=members
    )
    jury_services.deliberation_transmit(
        jury=jury, certification_jury=certification_jury, transmitted_by=president_of(jury)
    )
    decide_as_recommended(jury=jury, certification_jury=certification_jury, specs=specs, members=members)
    for email in CERTIFICATION_JURY:
        certificate_services.pv_sign(jury=certification_jury, user=user_of(members[email]))
    # Signed on the jury's day before the CPNEFP's meeting is recorded: it may not be earlier than the last signature.
    _date_the_pv(certification_jury)
    validation = certificate_services.cpnefp_validation_record(
        jury=certification_jury, meeting_on=today - dt.timedelta(days=CPNEFP_DAYS_AGO), recorded_by=admin
    )
    _date_the_results(evaluation_jury=jury, certification_jury=certification_jury, validation=validation)
    batch = certificate_services.parchments_issue_for_jury(jury=certification_jury, issued_by=admin)
    full = batch.parchments.get(kind=ParchmentKind.FULL)
    certificate_services.parchment_mark_sent(parchment=full, sent_on=today, recorded_by=admin)
    rows = jury_selectors.deliberation_rows(jury_selectors.session_places(jury), version)
    outcomes = ", ".join(outcome_line(row) for row in rows)
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


def _verification_lines(certification_jury: Jury | None) -> str:
    """One line per parchment of the jury: its number, holder and public verification address."""
    lines: list[str] = []
    if certification_jury is None:
        return ""
    for parchment in Parchment.objects.filter(decision__jury=certification_jury).order_by("number"):
        url = settings.SITE_URL + reverse("verify:code", args=[parchment.verification_code])
        lines.append(
            f"\n  Parchemin n° {parchment.display_number} ({parchment.mentions['holder']['name']}, "
            f"{parchment.get_kind_display().lower()}) : {url} (code {rules.display_code(parchment.verification_code)})"
        )
    return "".join(lines)


def _link_holder_account() -> None:
    """The certified session's full holder gets the demo account titulaire@cqp.test: her space shows her result
    and her parchment. A record already linked to an account keeps it."""
    holder = DEMO_CERTIFIED_CANDIDATES[0]["identity"]["email"]
    Candidate.objects.filter(email=holder, user__isnull=True).update(user=User.objects.get(email=HOLDER_ACCOUNT))


def _date_the_results(*, evaluation_jury: Jury, certification_jury: Jury, validation: CpnefpValidation) -> None:
    """Give the certified session's results the days they would have had: the evaluation jury graded,
    recommended and transmitted on the exam day, the certification jury decided on its own day (its PV's
    signatures are dated by `_date_the_pv`), and the CPNEFP validation was recorded on its meeting day. Written
    straight in the tables, like the session's history, since the services stamp everything now; the PV's
    fingerprint covers its content, not these times."""
    exam_day = evaluation_jury.meets_on
    jury_day = certification_jury.meets_on
    graded_at, transmitted_at = _at(exam_day, 17), _at(exam_day, 18)
    decided_at = _at(jury_day, 10)
    places = list(jury_selectors.session_places(evaluation_jury).values_list("pk", flat=True))
    Grid.objects.filter(jury=evaluation_jury).update(submitted_at=graded_at)
    Recommendation.objects.filter(place__in=places).update(recorded_at=graded_at)
    Jury.objects.filter(pk=evaluation_jury.pk).update(transmitted_at=transmitted_at)
    Decision.objects.filter(jury=certification_jury).update(decided_at=decided_at)
    AuditEntry.objects.filter(place__in=places).exclude(action=AuditAction.DECISION).update(at=graded_at)
    AuditEntry.objects.filter(place__in=places, action=AuditAction.TRANSMITTED).update(at=transmitted_at)
    AuditEntry.objects.filter(place__in=places, action=AuditAction.DECISION).update(at=decided_at)
    CpnefpValidation.objects.filter(pk=validation.pk).update(recorded_at=_at(validation.meeting_on, 16))


def _date_the_pv(certification_jury: Jury) -> None:
    """The PV signed on the certification jury's day, its members five minutes apart in the order they signed."""
    signed_at = _at(certification_jury.meets_on, 11)
    pv = ProcesVerbal.objects.get(jury=certification_jury)
    signatures = list(pv.signatures.order_by("signed_at", "pk"))
    for index, signature in enumerate(signatures):
        PvSignature.objects.filter(pk=signature.pk).update(signed_at=signed_at + dt.timedelta(minutes=5 * index))
    ProcesVerbal.objects.filter(pk=pv.pk).update(
        opened_at=signed_at, signed_at=signed_at + dt.timedelta(minutes=5 * (len(signatures) - 1))
    )


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
