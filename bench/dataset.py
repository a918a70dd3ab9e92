"""Ten years of a certifier's data, built for the load benchmark (`bench/load.py`), at a scale factor.

At scale 1.0 (`TEN_YEARS`): 10,000 candidates in 300 sessions over ten years, 300 evaluation juries and 79
certification juries, ~33,000 consensus grids holding ~272,000 grades, ~9,600 decisions and ~8,900 parchments. The
last sessions are still open (graded, not transmitted), the next ones are to come (candidates placed, jury
composed), the last certification juries are deciding or waiting for their parchments.

Written through the services where the rules are (accounts, organisation approvals, the juries' registry, session
scheduling, jury composition and presidents, the candidate's account), in bulk where the volume is (candidates,
enrolments, places, grids and grades, recommendations, transmissions, decisions, PVs, validations, parchments):
every bulk row goes through `bounds.check_instance`, as the `pre_save` check would. Needs a migrated database with
the referential loaded; meant for a throwaway database only.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils import timezone

from accounts import services as account_services
from accounts.models import User
from candidates import rules as candidate_rules
from candidates import services as candidate_services
from candidates.models import Candidate, Enrolment
from certificates.models import (
    CpnefpValidation,
    NoticeStatus,
    NumberSeries,
    Parchment,
    ParchmentBatch,
    ParchmentKind,
    ProcesVerbal,
    PvStatus,
    RenderStatus,
    ResultNotice,
)
from cqp import services as referential_services
from cqp.lib.bounds import check_instance
from cqp.models import AccessRoute, Block, CertificationVersion, TrainingOrganisation, VersionStatus
from demo.builders import jury_member
from evaluations import services as evaluation_services
from evaluations.models import Attendance, EvaluationSession, SessionCandidate, SessionMode
from juries import services as jury_services
from juries.models import (
    College,
    Decision,
    Grade,
    Grid,
    GridStatus,
    Jury,
    JuryKind,
    JuryMember,
    OutcomeKind,
    Recommendation,
)
from juries.rule_sets import rules_for
from juries.rules import JuryRules

# The figures of the ten years; everything else follows from them.
TEN_YEARS = {"candidates": 10_000, "sessions": 300, "certification_juries": 79}
OPEN_SESSIONS = 0.01  # graded, not transmitted yet
UPCOMING_SESSIONS = 0.03  # to come: candidates placed, jury composed
JURIES_PER_EVALUATION_PRESIDENT = 29
JURIES_PER_CERTIFICATION_PRESIDENT = 41
BIG_ORGANISATION_SHARE = 0.45  # BJO Formation: the organisation whose staff the benchmark logs in as
BATCH = 5_000
VERSION = 2  # of this builder: a database built by another version is built again
SLOT = 30  # minutes a candidate sits, when the certification does not say

SURNAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "García",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Lefebvre",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martínez",
    "Wiśniewska",
    "Ødegård",
    "Nguyen",
    "Weiß",
    "Dvořák",
    "Łukaszewicz",
    "Müller",
    "Čapek",
    "Nuñez",
    "Faure",
]
FIRST_NAMES = [
    "Julie",
    "Lucas",
    "Emma",
    "Hugo",
    "Léa",
    "Louis",
    "Chloé",
    "Gabriel",
    "Manon",
    "Arthur",
    "Inès",
    "Jules",
    "Zoë",
    "Søren",
    "Agnieszka",
    "Jiří",
    "Gaëlle",
    "Björn",
    "Élodie",
    "Ștefan",
]
COMPANIES = [
    "Maison Verlaine",
    "Atelier Saint-Honoré",
    "Polissage Franc-Comtois",
    "Bijoux Rivoli",
    "Orfèvrerie Cadet",
    "Horlogerie du Doubs",
    "Joaillerie Opéra",
    "Atelier Lumière d'Or",
    "Sertissage Morteau",
    "",
]

M = TypeVar("M", bound=models.Model)


@dataclass
class Actors:
    """Whom the benchmark logs in as, and the objects whose pages it asks for."""

    admin: User
    staff: User
    evaluation_president: User
    certification_president: User
    candidate: User
    candidate_pk: int
    open_evaluation_jury: int  # graded, not transmitted: its president's jury page and deliberation
    decided_evaluation_jury: int
    deciding_certification_jury: int  # transmitted, deciding: its president's jury page
    busiest_certification_jury: int  # the most candidates: admin's jury page
    parchments_jury: int
    upcoming_session: int  # BJO Formation's next session: the "add a candidate" list
    past_session: int
    version: int


def lawful_seats(jury_rules: JuryRules, start: int, pools: dict[str, list[JuryMember]]) -> list[JuryMember]:
    """Members for a jury that satisfies `jury_rules`: each college's minimum from its pool (from `start` on, in
    turn), then more from the colleges without a maximum until the jury has its minimum of members."""
    chosen: list[JuryMember] = []
    for seat in jury_rules.seats:
        pool = pools[seat.college]
        chosen += [pool[(start + j) % len(pool)] for j in range(seat.minimum)]
    open_colleges = [seat for seat in jury_rules.seats if seat.maximum is None]
    n = 0
    while len(chosen) < jury_rules.min_members and open_colleges:
        seat = open_colleges[n % len(open_colleges)]
        spare = [m for m in pools[seat.college] if m not in chosen]
        if not spare:
            break
        chosen.append(spare[0])
        n += 1
    return chosen


def scaled(value: int, scale: float, minimum: int) -> int:
    return max(minimum, round(value * scale))


def chunks(rows: Sequence[M], size: int = BATCH) -> Iterator[Sequence[M]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def bulk(model: type[M], rows: list[M], *, check: bool = True) -> list[M]:
    """`bulk_create` in batches, each row checked first as the `pre_save` signal would check it."""
    if check:
        for row in rows:
            check_instance(row)
    created: list[M] = []
    for part in chunks(rows):
        created.extend(model._default_manager.bulk_create(part))
    return created


def spread(total: int, parts: int) -> list[int]:
    """`total` split in `parts` sizes that differ by one at most."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def president_of(jury: Jury) -> User:
    """The account of the jury's president (every benchmark jury has one, designated through the service)."""
    if jury.president is None or jury.president.user is None:
        raise ValueError(f"{jury} has no president with an account")
    return jury.president.user


def build(scale: float, *, log: Any = print) -> Actors:
    """Build the data set at `scale` (1.0: ten years) in the configured (empty, migrated) database."""
    today = timezone.localdate()
    now = timezone.now()
    n_candidates = scaled(TEN_YEARS["candidates"], scale, 40)
    n_sessions = scaled(TEN_YEARS["sessions"], scale, 6)
    n_upcoming = max(1, round(n_sessions * UPCOMING_SESSIONS))
    n_open = max(1, round(n_sessions * OPEN_SESSIONS))
    n_past = n_sessions - n_upcoming  # held: graded; all but the open ones transmitted
    n_transmitted = n_past - n_open
    n_certification = min(n_transmitted, scaled(TEN_YEARS["certification_juries"], scale, 2))

    with transaction.atomic():
        admin = account_services.user_create(
            email="certificateur@bench.test",
            password=None,
            first_name="Claire",
            last_name="Admin",
            is_certifier_admin=True,
        )
        versions = list(
            CertificationVersion.objects.filter(status=VersionStatus.PUBLISHED)
            .select_related("certification", "certifier")
            .order_by("rncp_code")
        )
        organisations = list(TrainingOrganisation.objects.order_by("name"))
        organisations = [
            referential_services.organisation_approve(
                organisation=organisation,
                actor=admin,
                start=today - dt.timedelta(days=3700),
                end=None,
                reason="Habilitation du banc d'essai",
            )
            for organisation in organisations
        ]
        big = next(o for o in organisations if o.name == "BJO Formation")
        staff = account_services.user_create(
            email="of@bench.test", password=None, first_name="Olivier", last_name="Formation", organisation=big
        )
        certifications = [v.certification for v in versions]

        def members(college: str, count: int, prefix: str) -> list[JuryMember]:
            return [
                jury_member(
                    f"{prefix}{i}@bench.test",
                    college,
                    certifications=certifications,
                    approved_by=admin,
                    first_name=FIRST_NAMES[i % len(FIRST_NAMES)],
                    last_name=f"{prefix.title()} {i}",
                    company_name=f"Entreprise {prefix} {i}",
                )
                for i in range(count)
            ]

        n_presidents = max(1, math.ceil((n_past + n_upcoming) / JURIES_PER_EVALUATION_PRESIDENT))
        employers = members(College.EMPLOYERS, n_presidents, "employeur")
        employees = members(College.EMPLOYEES, max(2, n_presidents - 2), "salarie")
        trainers = members(College.TRAINER, max(2, n_presidents - 2), "formateur")
        n_cert_presidents = max(1, math.ceil(n_certification / JURIES_PER_CERTIFICATION_PRESIDENT))
        cert_presidents = members(College.CERTIFIER_PRESIDENT, n_cert_presidents, "president")
        cert_employees = members(College.EMPLOYEES, 4, "salarie-certification")
        cert_employers = members(College.EMPLOYERS, 4, "employeur-certification")
        # RNCP 31313's test jury also seats two professionals (`juries.rule_sets.RULES_31313`).
        professionals = members(College.PROFESSIONAL, max(2, n_presidents - 2), "professionnel")
    log(f"  accounts, organisations and {JuryMember.objects.count()} jury members through the services")

    # Sessions through the service (scheduled ahead, as always), then moved to their day over ten years.
    first_day = today - dt.timedelta(days=3650)
    days: list[dt.date] = [first_day + dt.timedelta(days=round(i * 3630 / max(1, n_past - 1))) for i in range(n_past)]
    days += [today + dt.timedelta(days=20 + 7 * i) for i in range(n_upcoming)]
    sizes = spread(n_candidates, n_sessions)
    session_rows: list[tuple[EvaluationSession, Jury, int]] = []
    with transaction.atomic():
        for i, day in enumerate(days):
            version = versions[i % len(versions)]
            # BJO Formation holds its share of the sessions, always its last upcoming one.
            upcoming_last = i == n_sessions - 1
            organisation = (
                big
                if upcoming_last or (i * BIG_ORGANISATION_SHARE) % 1 < BIG_ORGANISATION_SHARE
                else (organisations[i % len(organisations)])
            )
            session = evaluation_services.session_schedule(
                version=version,
                organisation=organisation,
                starts_on=today + dt.timedelta(days=30),
                ends_on=None,
                mode=SessionMode.ON_SITE,
                address="58 rue du Louvre, 75002 Paris",
                slot_minutes=SLOT,
                created_by=staff if organisation == big else admin,
            )
            # Its jury constituted ahead, as it must be (none is for a session whose tests are over), then both
            # moved to the session's day.
            jury = jury_services.evaluation_jury_create(session=session, created_by=admin)
            ends = day + dt.timedelta(days=1)
            EvaluationSession.objects.filter(pk=session.pk).update(starts_on=day, ends_on=ends)
            Jury.objects.filter(pk=jury.pk).update(meets_on=day)
            session.starts_on, session.ends_on, jury.meets_on = day, ends, day
            president = employers[(i * len(employers)) // n_sessions]
            # The seats the version's rules ask for (26850: one each; 31313: the fiche's test jury).
            pools: dict[str, list[JuryMember]] = {
                College.EMPLOYERS: [president],
                College.EMPLOYEES: employees,
                College.TRAINER: trainers,
                College.PROFESSIONAL: professionals,
            }
            for member in lawful_seats(rules_for(version, JuryKind.EVALUATION), i, pools):
                jury_services.jury_assign(jury=jury, member=member, assigned_by=admin)
            jury = jury_services.jury_president_designate(jury=jury, member=president, designated_by=admin)
            session_rows.append((session, jury, sizes[i]))
    log(f"  {n_sessions} sessions and their evaluation juries through the services")

    # Certification juries through the services, each taking the transmitted sessions of its version in turn.
    cert_juries: list[Jury] = []
    groups: list[list[int]] = [[] for _ in range(n_certification)]
    for k, part in enumerate(spread(n_transmitted, n_certification)):
        start = sum(spread(n_transmitted, n_certification)[:k])
        groups[k] = list(range(start, start + part))
    with transaction.atomic():
        for k, group in enumerate(groups):
            meets_on = days[group[-1]] + dt.timedelta(days=14)
            version = versions[k % len(versions)]
            jury = jury_services.certification_jury_create(version=version, meets_on=meets_on, created_by=admin)
            jury_rules = rules_for(version, JuryKind.CERTIFICATION)
            president = (
                cert_presidents[(k * len(cert_presidents)) // n_certification]
                if College.CERTIFIER_PRESIDENT in jury_rules.presiding
                else cert_employers[k % 4]
            )
            pools = {
                College.EMPLOYEES: cert_employees[k % 4 :] + cert_employees[: k % 4],
                College.EMPLOYERS: cert_employers[k % 4 :] + cert_employers[: k % 4],
                College.CERTIFIER_PRESIDENT: [president],
            }
            for member in lawful_seats(jury_rules, 0, pools):
                jury_services.jury_assign(jury=jury, member=member, assigned_by=admin)
            cert_juries.append(jury_services.jury_president_designate(jury=jury, member=president, designated_by=admin))
    log(f"  {n_certification} certification juries through the services")

    blocks_of = {v.pk: list(v.blocks.order_by("order").prefetch_related("competencies")) for v in versions}
    competencies_of = {b.pk: [c.pk for c in b.competencies.all()] for bs in blocks_of.values() for b in bs}

    # Candidates, enrolments and places in bulk.
    with transaction.atomic():
        people: list[Candidate] = []
        owners: list[TrainingOrganisation] = []
        for session, _jury, size in session_rows:
            owners += [session.organisation] * size
        for n, organisation in enumerate(owners):
            last = f"{SURNAMES[n % len(SURNAMES)]}{'' if n < len(SURNAMES) else n // len(SURNAMES)}"
            first = FIRST_NAMES[(n // 7) % len(FIRST_NAMES)]
            birth = dt.date(1970, 1, 1) + dt.timedelta(days=(n * 37) % 12_000)
            people.append(
                Candidate(
                    organisation=organisation,
                    birth_name=last,
                    first_name=first,
                    sex="F" if n % 2 else "M",
                    birth_date=birth,
                    birth_commune="Besançon",
                    birth_insee_code="25056",
                    email=f"candidat{n}@bench.test",
                    company_name=COMPANIES[n % len(COMPANIES)],
                    identity_key=candidate_rules.identity_key(birth_name=last, first_name=first, birth_date=birth),
                    created_by=staff if organisation == big else admin,
                )
            )
        people = bulk(Candidate, people)
        enrolments: list[Enrolment] = []
        cursor = 0
        for session, _jury, size in session_rows:
            enrolments += [
                Enrolment(
                    candidate=c,
                    version_id=session.version_id,
                    access_route=AccessRoute.VAE,
                    created_by=staff if session.organisation == big else admin,
                )
                for c in people[cursor : cursor + size]
            ]
            cursor += size
        enrolments = bulk(Enrolment, enrolments)
        Through = Enrolment.blocks.through
        bulk(
            Through,
            [Through(enrolment_id=e.pk, block_id=b.pk) for e in enrolments for b in blocks_of[e.version_id]],
            check=False,
        )
        places: list[SessionCandidate] = []
        cursor = 0
        tz = timezone.get_current_timezone()
        for i, (session, _jury, size) in enumerate(session_rows):
            held = i < n_past
            for j, enrolment in enumerate(enrolments[cursor : cursor + size]):
                day = session.starts_on + dt.timedelta(days=j % 2)
                starts = dt.datetime.combine(day, dt.time(8, 0), tz) + dt.timedelta(minutes=SLOT * (j // 2))
                places.append(
                    SessionCandidate(
                        session=session,
                        enrolment=enrolment,
                        starts_at=starts,
                        ends_at=starts + dt.timedelta(minutes=session.slot_minutes),
                        attendance=Attendance.PRESENT if held else Attendance.EXPECTED,
                        signed_at=starts if held else None,
                    )
                )
            cursor += size
        places = bulk(SessionCandidate, places)
    log(f"  {len(people)} candidates, their enrolments and places in bulk")

    # Outcomes: one in twenty none, one in five partial (the first block only), the others total.
    def outcome(n: int) -> str:
        return OutcomeKind.NONE if n % 20 == 7 else OutcomeKind.PARTIAL if n % 5 == 1 else OutcomeKind.TOTAL

    index_of_session = {s.pk: i for i, (s, _j, _n) in enumerate(session_rows)}
    place_session = {p.pk: index_of_session[p.session_id] for p in places}
    juries_of_session = [jury for _s, jury, _n in session_rows]
    presidents_of_session = {jury.pk: president_of(jury) for jury in juries_of_session}

    # Consensus grids of every block, submitted, with their grades; recommendations.
    with transaction.atomic():
        grids: list[Grid] = []
        values: list[str] = []
        for n, place in enumerate(places):
            i = place_session[place.pk]
            if i >= n_past:
                continue
            jury = juries_of_session[i]
            kind = outcome(n)
            for b, block in enumerate(blocks_of[place.session.version_id]):
                acquired = kind == OutcomeKind.TOTAL or (kind == OutcomeKind.PARTIAL and b == 0)
                # The consensus grid, and for one candidate in seven the president's own grid too.
                for grader in (None, jury.president) if n % 7 == 0 else (None,):
                    grids.append(
                        Grid(
                            jury=jury,
                            place=place,
                            block=block,
                            member=grader,
                            status=GridStatus.SUBMITTED,
                            submitted_at=now,
                            submitted_by=presidents_of_session[jury.pk],
                        )
                    )
                    values.append("A" if acquired else "NA")
        grids = bulk(Grid, grids)
        grades = [
            Grade(grid=grid, competency_id=competency, value=value)
            for grid, value in zip(grids, values, strict=True)
            for competency in competencies_of[grid.block_id]
        ]
        bulk(Grade, grades, check=False)  # no text: the check has nothing to look at
        recommendations = [
            Recommendation(place=place, kind=outcome(n), recorded_by=presidents_of_session[juries_of_session[i].pk])
            for n, place in enumerate(places)
            if (i := place_session[place.pk]) < n_past
        ]
        recommendations = bulk(Recommendation, recommendations)
        first_block = {v: bs[0].pk for v, bs in blocks_of.items()}
        version_of = {p.pk: p.session.version_id for p in places}
        RecoBlocks = Recommendation.blocks.through
        bulk(
            RecoBlocks,
            [
                RecoBlocks(recommendation_id=r.pk, block_id=first_block[version_of[r.place_id]])
                for r in recommendations
                if r.kind == OutcomeKind.PARTIAL
            ],
            check=False,
        )
    log(f"  {len(grids)} grids, {len(grades)} grades, {len(recommendations)} recommendations in bulk")

    # Transmissions, decisions, PVs, validations, notices, parchments.
    with transaction.atomic():
        decisions: list[Decision] = []
        place_index = {p.pk: n for n, p in enumerate(places)}
        by_session: dict[int, list[SessionCandidate]] = {}
        for place in places:
            by_session.setdefault(place_session[place.pk], []).append(place)
        deciding = cert_juries[-1]
        for k, group in enumerate(groups):
            cert = cert_juries[k]
            president_user = president_of(cert)
            for i in group:
                jury = juries_of_session[i]
                Jury.objects.filter(pk=jury.pk).update(
                    certification_jury=cert, transmitted_at=now, transmitted_by=presidents_of_session[jury.pk]
                )
                session_places = by_session[i]
                if cert == deciding:  # the last jury is deciding: half its candidates so far
                    session_places = session_places[: len(session_places) // 2]
                decisions += [
                    Decision(
                        place=p, examined_place=p, jury=cert, kind=outcome(place_index[p.pk]), decided_by=president_user
                    )
                    for p in session_places
                ]
        decisions = bulk(Decision, decisions)
        DecisionBlocks = Decision.blocks.through
        bulk(
            DecisionBlocks,
            [
                DecisionBlocks(decision_id=d.pk, block_id=first_block[version_of[d.examined_place_id]])
                for d in decisions
                if d.kind == OutcomeKind.PARTIAL
            ],
            check=False,
        )
        signed = cert_juries[:-1]  # every PV signed but the deciding jury's
        validated = cert_juries[:-2] if len(cert_juries) > 2 else cert_juries[:1]
        bulk(
            ProcesVerbal,
            [
                ProcesVerbal(
                    jury=j,
                    status=PvStatus.SIGNED,
                    content={"benchmark": True},
                    content_sha256="0" * 64,
                    opened_by=admin,
                    signed_at=now,
                    render_status=RenderStatus.DONE,
                )
                for j in signed
            ],
        )
        bulk(
            CpnefpValidation,
            [
                CpnefpValidation(jury=j, meeting_on=j.meets_on + dt.timedelta(days=7), recorded_by=admin)
                for j in validated
            ],
        )
        validated_ids = {j.pk for j in validated}
        bulk(
            ResultNotice,
            [
                ResultNotice(decision=d, status=NoticeStatus.SENT, sent_at=now)
                for d in decisions
                if d.jury_id in validated_ids
            ],
        )
        parchment_count = _parchments(
            juries=validated[:-1] if len(validated) > 1 else validated,
            decisions=decisions,
            places=places,
            versions={v.pk: v for v in versions},
            first_block=first_block,
            admin=admin,
        )
    log(f"  {len(decisions)} decisions, {len(signed)} PVs, {len(validated)} validations, {parchment_count} parchments")

    # The candidate who logs in: a holder whose parchment is issued, linked to an account through the service.
    holder_decision = (
        Decision.objects.filter(parchments__isnull=False).select_related("place__enrolment__candidate").first()
    )
    assert holder_decision is not None
    holder = holder_decision.examined_place.enrolment.candidate
    candidate_user = account_services.user_create(
        email=holder.email,
        password=None,
        first_name=holder.first_name,
        last_name=holder.birth_name,
        is_candidate=True,
    )
    candidate_services.candidate_invitation_accept(candidate=holder, user=candidate_user)

    busiest = max(cert_juries[:-1] or cert_juries, key=lambda j: j.decisions.count())
    upcoming = [s for s, _j, _n in session_rows[n_past:] if s.organisation_id == big.pk]
    open_juries = juries_of_session[n_transmitted:n_past]
    return Actors(
        admin=admin,
        staff=staff,
        evaluation_president=president_of(open_juries[-1]),
        certification_president=president_of(deciding),
        candidate=candidate_user,
        candidate_pk=holder.pk,
        open_evaluation_jury=open_juries[-1].pk,
        decided_evaluation_jury=juries_of_session[0].pk,
        deciding_certification_jury=deciding.pk,
        busiest_certification_jury=busiest.pk,
        parchments_jury=validated[0].pk,
        upcoming_session=upcoming[-1].pk,
        past_session=session_rows[0][0].pk,
        version=versions[0].pk,
    )


def _parchments(
    *,
    juries: list[Jury],
    decisions: list[Decision],
    places: list[SessionCandidate],
    versions: dict[int, CertificationVersion],
    first_block: dict[int, int],
    admin: User,
) -> int:
    """The parchments of the holders decided by `juries`, numbered in each certifier's series, rendered."""
    ids = {j.pk for j in juries}
    place_of = {p.pk: p for p in places}
    candidates = Candidate.objects.in_bulk([p.enrolment.candidate_id for p in places])
    blocks = Block.objects.in_bulk(list(first_block.values()))
    series: dict[int, NumberSeries] = {}
    batches = {j.pk: ParchmentBatch(jury=j, created_by=admin) for j in juries}
    bulk(ParchmentBatch, list(batches.values()))
    now = timezone.now()
    rows: list[Parchment] = []
    for decision in decisions:
        if decision.jury_id not in ids or decision.kind == OutcomeKind.NONE:
            continue
        place = place_of[decision.examined_place_id]
        version = versions[place.session.version_id]
        certifier = version.certifier
        if certifier.pk not in series:
            series[certifier.pk], _ = NumberSeries.objects.get_or_create(certifier=certifier)
        numbering = series[certifier.pk]
        candidate = candidates[place.enrolment.candidate_id]
        full = decision.kind == OutcomeKind.TOTAL
        block = blocks[first_block[version.pk]]
        mentions = {
            "kind": ParchmentKind.FULL if full else ParchmentKind.BLOCKS,
            "certification": {"rncp_code": version.rncp_code, "title": version.title, "level": version.level},
            "certifier": {"legal_name": certifier.legal_name, "signatory_name": certifier.signatory_name},
            "holder": {
                "name": f"{candidate.first_name} {candidate.birth_name.upper()}",
                "birth_date": candidate.birth_date.isoformat(),
                "birth_place": candidate.birth_commune,
            },
            "blocks": [] if full else [{"code": block.code, "rncp_code": block.rncp_code, "title": block.title}],
            "jury_date": decision.jury.meets_on.isoformat() if decision.jury else "",
            "issued_on": now.date().isoformat(),
            "issued_at": certifier.city,
        }
        rows.append(
            Parchment(
                certifier=certifier,
                number=numbering.next_number,
                prefix=numbering.prefix,
                kind=ParchmentKind.FULL if full else ParchmentKind.BLOCKS,
                decision=decision,
                place=place,
                batch=batches[decision.jury_id],
                mentions=mentions,
                verification_code=secrets.token_hex(6).upper(),
                render_status=RenderStatus.DONE,
                pdf_sha256="0" * 64,
                rendered_at=now,
                issued_by=admin,
            )
        )
        numbering.next_number += 1
    rows = bulk(Parchment, rows)
    Through = Parchment.blocks.through
    bulk(
        Through,
        [
            Through(parchment_id=p.pk, block_id=first_block[versions[p.place.session.version_id].pk])
            for p in rows
            if p.kind == ParchmentKind.BLOCKS
        ],
        check=False,
    )
    for numbering in series.values():
        numbering.save(update_fields=["next_number"])
    return len(rows)


def counts() -> dict[str, int]:
    """The volumes of the data set, to print beside the issue's."""
    return {
        "candidates": Candidate.objects.count(),
        "sessions": EvaluationSession.objects.count(),
        "juries": Jury.objects.count(),
        "grids": Grid.objects.count(),
        "grades": Grade.objects.count(),
        "decisions": Decision.objects.count(),
        "parchments": Parchment.objects.count(),
    }
