"""The home page's to-do list, per role: what waits for the user, each item a link to the page where it is done,
with its deadline, the overdue first.

Each count is an aggregate query (or read from what the home page computed already: the jury member's open juries,
the candidate's space), so the page reads the same number of queries whatever the data size. The deadlines are the
pages' own rules (`certificates.rules` through `certificates.selectors.deadlines_sheet`, the 15-day convocation
rule of `evaluations.rules`): the to-do says what the page it links to says.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from candidates.models import Candidate, CandidateDocument, DocumentKind, EnrolmentStatus
from certificates.models import PvSignature, PvStatus
from certificates.selectors import deadlines_sheet
from cqp.lib.agreement import lower_first
from cqp.models import ApprovalStatus, BlockTest, TrainingOrganisation
from dysfunctions.models import Proposal, ProposalStatus
from dysfunctions.selectors import session_cancelled
from evaluations import rules as evaluation_rules
from evaluations.models import Attendance, ConvocationStatus, EvaluationSession, SessionCandidate
from juries import selectors as jury_selectors
from juries.models import (
    CarryOverFlag,
    Decision,
    Dispute,
    Jury,
    JuryKind,
    JuryMember,
    JuryRuleSet,
    JurySeat,
    MemberStatus,
)
from results.models import OPEN_STATUSES, Appeal
from vae.models import AdmissibilityFile, AdmissibilityStatus

APPROVAL_NOTICE = 92  # days: an organisation's approval ending within three months is said ahead


@dataclass(frozen=True)
class TodoItem:
    label: str
    count: int
    url: str
    due: dt.date | None = None
    overdue: bool = False


def ordered(items: Iterable[TodoItem]) -> list[TodoItem]:
    """The items with something to do: the overdue first, then by deadline (the nearest first), those without a
    deadline last."""
    return sorted(
        (item for item in items if item.count > 0),
        key=lambda item: (not item.overdue, item.due is None, item.due or dt.date.max),
    )


def _one_or_list(count: int, one_pk: int | None, detail: str, listing: str, *, query: str = "") -> str:
    """The page of the one object concerned, or the list where they all are."""
    if count == 1 and one_pk is not None:
        return reverse(detail, args=[one_pk])
    return reverse(listing) + query


def _by_session(places: QuerySet[SessionCandidate]) -> dict[str, Any]:
    """One aggregate: how many places, in how many sessions, one of them, and the earliest and latest days."""
    return places.aggregate(
        n=Count("pk"),
        sessions=Count("session", distinct=True),
        one=Min("session_id"),
        first=Min("session__starts_on"),
        first_end=Min("session__ends_on"),
    )


def _pv_signed(jury: Any) -> bool:
    pv = getattr(jury, "pv", None)  # read with the jury (select_related); absent before the first signature
    return pv is not None and pv.status == PvStatus.SIGNED


# --- Certifier admin -----------------------------------------------------------------------------------


def certifier_admin_todo(today: dt.date) -> list[TodoItem]:
    deadlines = reverse("certificates:deadlines")
    items: list[TodoItem] = []
    # The certification juries' deadlines: the deadlines page's one query and its rules.
    sheet = deadlines_sheet(today)
    to_notify = [row for row in sheet.open if row.results.pending]
    items.append(
        TodoItem(
            _("Résultats à notifier (dans le mois qui suit le jury)"),
            sum(row.results.pending for row in to_notify),
            deadlines,
            min((row.results.due for row in to_notify), default=None),
            any(row.results_overdue for row in to_notify),
        )
    )
    awaiting = [row for row in sheet.open if row.parchments is None and _pv_signed(row.jury)]
    items.append(
        TodoItem(
            _("Procès-verbaux signés en attente de la validation de la CPNEFP"),
            len(awaiting),
            reverse("certificates:pv", args=[awaiting[0].jury.pk]) if len(awaiting) == 1 else deadlines,
        )
    )
    to_send = [row for row in sheet.open if row.parchments is not None and row.parchments.pending]
    items.append(
        TodoItem(
            _("Parchemins à éditer ou à envoyer (dans les deux mois qui suivent la validation)"),
            sum(row.parchments.pending for row in to_send if row.parchments is not None),
            reverse("certificates:jury_parchments", args=[to_send[0].jury.pk]) if len(to_send) == 1 else deadlines,
            min((row.parchments.due for row in to_send if row.parchments is not None), default=None),
            any(row.parchments_overdue for row in to_send),
        )
    )
    members = JuryMember.objects.filter(status=MemberStatus.PROPOSED).count()
    items.append(TodoItem(_("Membres de jury proposés, à habiliter"), members, reverse("juries:members")))
    # Active approvals that do not cover today: the organisations page says « ne couvre pas aujourd'hui »
    # (`candidates.rules.approval_is_valid`); and those ending within the next three months.
    active = TrainingOrganisation.objects.filter(approval_status=ApprovalStatus.ACTIVE)
    uncovered = active.filter(
        Q(approval_start__isnull=True) | Q(approval_start__gt=today) | Q(approval_end__lt=today)
    ).aggregate(n=Count("pk"), one=Min("pk"))
    items.append(
        TodoItem(
            _("Organismes dont l'habilitation ne couvre pas aujourd'hui (dates à renseigner)"),
            uncovered["n"],
            _one_or_list(uncovered["n"], uncovered["one"], "organisations:detail", "organisations:list"),
        )
    )
    ending = active.filter(
        approval_start__lte=today, approval_end__gte=today, approval_end__lte=today + dt.timedelta(days=APPROVAL_NOTICE)
    ).aggregate(n=Count("pk"), one=Min("pk"), first=Min("approval_end"))
    items.append(
        TodoItem(
            _("Habilitations d'organismes qui prennent fin dans les trois mois"),
            ending["n"],
            _one_or_list(ending["n"], ending["one"], "organisations:detail", "organisations:list"),
            ending["first"],
        )
    )
    # Sessions still to come or under way, not cancelled, whose evaluation jury is missing, has no president or
    # fewer members than its version's rules ask (`JuryRuleSet.min_members`; each seat's college is checked on the
    # jury's page, at each assignment).
    seated = (
        JurySeat.objects.filter(jury__session=OuterRef("pk"))
        .order_by()
        .values("jury__session")
        .annotate(n=Count("pk"))
        .values("n")
    )
    needed = JuryRuleSet.objects.filter(version=OuterRef("version"), kind=JuryKind.EVALUATION).values("min_members")
    sessions = (
        EvaluationSession.objects.filter(ends_on__gte=today)
        .exclude(session_cancelled())
        .annotate(seated=Coalesce(Subquery(seated), 0), needed=Coalesce(Subquery(needed[:1]), 0))
        .filter(Q(jury__isnull=True) | Q(jury__president__isnull=True) | Q(seated__lt=F("needed")))
        .aggregate(n=Count("pk"), one=Min("pk"), first=Min("starts_on"))
    )
    items.append(
        TodoItem(
            _("Sessions sans jury d'évaluation complet (jury, membres ou président à désigner)"),
            sessions["n"],
            _one_or_list(sessions["n"], sessions["one"], "evaluations:detail", "evaluations:list"),
            sessions["first"],
            sessions["first"] is not None and sessions["first"] <= today,
        )
    )
    # Convocations late: a session to come whose 15-day deadline has passed (evaluations.rules.convocation_deadline)
    # with candidates not convoked, and no derogation yet: only the certifier can let them leave now.
    late = (
        EvaluationSession.objects.filter(
            starts_on__gt=today,
            starts_on__lt=today + dt.timedelta(days=evaluation_rules.CONVOCATION_MIN_DAYS),
            override__isnull=True,
        )
        .exclude(session_cancelled())
        .filter(
            Exists(
                SessionCandidate.objects.filter(
                    session=OuterRef("pk"), convocation_status=ConvocationStatus.NOT_SENT
                ).exclude(attendance=Attendance.CANCELLED)
            )
        )
        .aggregate(n=Count("pk"), one=Min("pk"), first=Min("starts_on"))
    )
    items.append(
        TodoItem(
            _("Sessions à moins de 15 jours avec des candidats non convoqués (dérogation à décider)"),
            late["n"],
            _one_or_list(late["n"], late["one"], "evaluations:detail", "evaluations:list"),
            late["first"],
            late["n"] > 0,
        )
    )
    proposals = Proposal.objects.filter(status=ProposalStatus.PENDING).aggregate(n=Count("pk"), one=Min("pk"))
    items.append(
        TodoItem(
            _("Propositions d'annulation ou de report de session à décider"),
            proposals["n"],
            _one_or_list(proposals["n"], proposals["one"], "dysfunctions:detail", "dysfunctions:list"),
        )
    )
    disputes = Dispute.objects.filter(resolved_at__isnull=True).aggregate(n=Count("pk"), one=Min("jury_id"))
    items.append(
        TodoItem(
            _("Litiges ouverts"),
            disputes["n"],
            _one_or_list(disputes["n"], disputes["one"], "juries:detail", "juries:list"),
        )
    )
    appeals = Appeal.objects.filter(status__in=OPEN_STATUSES).aggregate(n=Count("pk"), one=Min("pk"))
    items.append(
        TodoItem(
            _("Recours à examiner ou en réexamen"),
            appeals["n"],
            _one_or_list(appeals["n"], appeals["one"], "results:appeal", "results:appeals"),
        )
    )
    flags = CarryOverFlag.objects.filter(resolved_at__isnull=True).count()
    items.append(TodoItem(_("Reports d'acquis à revoir"), flags, deadlines))
    vae = AdmissibilityFile.objects.filter(status=AdmissibilityStatus.SUBMITTED).aggregate(n=Count("pk"), one=Min("pk"))
    items.append(
        TodoItem(
            _("Dossiers de recevabilité VAE à décider"),
            vae["n"],
            _one_or_list(vae["n"], vae["one"], "vae:detail", "vae:list"),
        )
    )
    return ordered(items)


# --- Organisation staff --------------------------------------------------------------------------------


def organisation_staff_todo(user: User, today: dt.date) -> list[TodoItem]:
    organisation_id = user.organisation_id
    places = SessionCandidate.objects.filter(session__organisation_id=organisation_id).exclude(
        attendance=Attendance.CANCELLED
    )
    items: list[TodoItem] = []
    to_enrol = Candidate.objects.filter(organisation_id=organisation_id, enrolments__isnull=True).count()
    items.append(TodoItem(_("Candidats sans inscription"), to_enrol, reverse("candidates:list")))
    # Convocations leave at the latest 15 days before the tests (evaluations.rules.convocation_deadline).
    to_convoke = _by_session(places.filter(session__starts_on__gt=today, convocation_status=ConvocationStatus.NOT_SENT))
    due = evaluation_rules.convocation_deadline(to_convoke["first"]) if to_convoke["first"] else None
    items.append(
        TodoItem(
            _("Candidats à convoquer (au moins 15 jours avant les épreuves)"),
            to_convoke["n"],
            _one_or_list(to_convoke["sessions"], to_convoke["one"], "evaluations:detail", "evaluations:list"),
            due,
            due is not None and today > due,
        )
    )
    failed = _by_session(places.filter(convocation_status=ConvocationStatus.FAILED))
    items.append(
        TodoItem(
            _("Convocations en échec d'envoi"),
            failed["n"],
            _one_or_list(failed["sessions"], failed["one"], "evaluations:detail", "evaluations:list"),
            failed["first"],
            failed["n"] > 0,
        )
    )
    # The documents the tests ask for (`candidates.selectors.document_board`: a test's `document_required`, sent
    # as a livret part for that test) still missing for candidates expected at a session to come.
    missing_document = BlockTest.objects.filter(
        document_required=True, block__enrolments=OuterRef("enrolment_id")
    ).exclude(
        Exists(
            CandidateDocument.objects.filter(
                enrolment_id=OuterRef(OuterRef("enrolment_id")), test=OuterRef("pk"), kind=DocumentKind.LIVRET_PART
            )
        )
    )
    without = places.filter(
        session__starts_on__gte=today, attendance=Attendance.EXPECTED, enrolment__status=EnrolmentStatus.ACTIVE
    ).filter(Exists(missing_document))
    documents = without.aggregate(
        n=Count("enrolment__candidate", distinct=True),
        one=Min("enrolment__candidate_id"),
        first=Min("session__starts_on"),
    )
    items.append(
        TodoItem(
            _("Candidats attendus en session dont un document d'épreuve manque (livret, rapport…)"),
            documents["n"],
            _one_or_list(documents["n"], documents["one"], "candidates:detail", "candidates:list"),
            documents["first"],
        )
    )
    # Grids to collect: the open evaluation juries of the organisation's sessions begun, their candidates present
    # with a block still without a validated consensus grid (`juries.selectors.juries_progress`, as the jury's
    # page counts them; two queries whatever the number of juries).
    begun = list(
        jury_selectors.juries_open(
            Jury.objects.filter(
                kind=JuryKind.EVALUATION, session__organisation_id=organisation_id, session__starts_on__lte=today
            )
        ).order_by("meets_on", "pk")
    )
    progress = jury_selectors.juries_progress(begun, member=None)
    grading = [jury for jury in begun if progress[jury.pk].to_grade]
    items.append(
        TodoItem(
            _("Grilles d'évaluation à recueillir auprès des jurys"),
            sum(progress[jury.pk].to_grade for jury in grading),
            reverse("juries:detail", args=[grading[0].pk]) if len(grading) == 1 else reverse("juries:list"),
            grading[0].meets_on if grading else None,
        )
    )
    # The attendance sheet of a session begun: candidates still « attendu ».
    unmarked = _by_session(places.filter(session__starts_on__lte=today, attendance=Attendance.EXPECTED))
    items.append(
        TodoItem(
            _("Émargement à compléter"),
            unmarked["n"],
            _one_or_list(unmarked["sessions"], unmarked["one"], "evaluations:attendance", "evaluations:list"),
            unmarked["first_end"],
            unmarked["first_end"] is not None and unmarked["first_end"] < today,
        )
    )
    return ordered(items)


# --- Jury member (from `juries.views.jury_home`: no query of its own) -----------------------------------


def jury_member_todo(user: User, my_juries: Sequence[Mapping[str, Any]], today: dt.date) -> list[TodoItem]:
    """The open juries' counts as the jury's block shows them; a certification jury that decided on every candidate
    transmitted has its PV to sign, unless the member signed it already (one query, only then: a signature given
    to an earlier content, which the PV's page asks to renew, is not told apart here)."""
    items: list[TodoItem] = []
    decided = [item["jury"].pk for item in my_juries if _pv_to_sign(item)]
    # {jury: whether the member's signature is to renew}: given to a content another member has since replaced,
    # or older than a decision of the jury (a decision changed after it: the PV's page asks to sign again).
    signatures = (
        dict(
            PvSignature.objects.filter(user=user, pv__jury_id__in=decided)
            .annotate(
                stale=Q(content_sha256__lt=F("pv__content_sha256"))
                | Q(content_sha256__gt=F("pv__content_sha256"))
                | Exists(Decision.objects.filter(jury_id=OuterRef("pv__jury_id"), decided_at__gt=OuterRef("signed_at")))
            )
            .values_list("pv__jury_id", "stale")
        )
        if decided
        else {}
    )
    for item in my_juries:
        jury = item["jury"]
        url = reverse("juries:detail", args=[jury.pk])
        when = _("jury du %(d)s") % {"d": jury.meets_on.strftime("%d/%m/%Y")}
        if jury.kind == JuryKind.EVALUATION:
            if item["upcoming"]:
                continue
            items.append(
                TodoItem(_("Grilles à saisir — %(when)s") % {"when": when}, item["to_grade"], url, jury.meets_on)
            )
            items.append(
                TodoItem(
                    _("Préconisations à saisir — %(when)s") % {"when": when}, item["to_recommend"], url, jury.meets_on
                )
            )
        elif item["to_decide"]:
            items.append(
                TodoItem(_("Décisions à prendre — %(when)s") % {"when": when}, item["to_decide"], url, jury.meets_on)
            )
        elif _pv_to_sign(item) and signatures.get(jury.pk, True):
            label = (
                _("Procès-verbal à signer de nouveau (une décision a changé) — %(when)s")
                if jury.pk in signatures
                else _("Procès-verbal à signer — %(when)s")
            )
            items.append(TodoItem(label % {"when": when}, 1, reverse("certificates:pv", args=[jury.pk]), jury.meets_on))
    return ordered(items)


def _pv_to_sign(item: Mapping[str, Any]) -> bool:
    """A certification jury with candidates transmitted, every one decided (the jury's block: « le procès-verbal
    attend ses signatures »)."""
    return item["jury"].kind == JuryKind.CERTIFICATION and item["candidates"] > 0 and not item["to_decide"]


# --- Candidate (from the candidate's space: no query of its own) ---------------------------------------


def candidate_todo(context: Mapping[str, Any], today: dt.date) -> list[TodoItem]:
    items: list[TodoItem] = []
    places = [p for p in context.get("candidate_places", []) if p.starts_at.date() >= today]
    next_place = places[0] if places else None
    board = context.get("candidate_documents")
    missing = [part for part in board.parts if part.document is None] if board is not None else []
    due = next_place.session.starts_on if next_place is not None else None
    items.append(TodoItem(_("Documents à déposer avant les épreuves"), len(missing), "#mes-documents", due))
    if board is not None and board.identity_expected and board.identity_copy is None:
        items.append(TodoItem(_("Copie de pièce d'identité à déposer"), 1, "#mes-documents", due))
    if next_place is not None:
        items.append(
            TodoItem(
                _("Prochaine convocation : %(d)s") % {"d": next_place.starts_at.strftime("%d/%m/%Y")},
                1,
                reverse("evaluations:calendar", args=[next_place.pk]),
                next_place.starts_at.date(),
            )
        )
    # Each result notified, in the words of the enrolment's true state (`results.standing.enrolment_states`, read by
    # the candidate's space) and with its state: « Résultat RNCP 26850 : Certifiée (définitif) ».
    for state in context.get("candidate_enrolment_states", []):
        if state.decision is None:
            continue
        label = _("Résultat %(rncp)s : %(state)s") % {"rncp": state.enrolment.version.rncp_number, "state": state.label}
        if state.result is not None:
            label = f"{label} ({lower_first(state.result.label)})"
        items.append(TodoItem(label, 1, "#mes-resultats"))
    return ordered(items)


def home_todo(user: User, context: Mapping[str, Any], today: dt.date) -> list[tuple[str, list[TodoItem]]]:
    """The to-do lists of the roles the user holds, with the role's name."""
    lists: list[tuple[str, list[TodoItem]]] = []
    if user.is_certifier_admin:
        lists.append((_("Certificateur"), certifier_admin_todo(today)))
    if user.is_organisation_staff:
        lists.append((_("Organisme de formation"), organisation_staff_todo(user, today)))
    if user.is_jury_member:
        lists.append((_("Membre de jury"), jury_member_todo(user, context.get("my_juries", []), today)))
    if user.is_candidate:
        lists.append((_("Candidat"), candidate_todo(context, today)))
    return lists
