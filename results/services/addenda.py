"""The PV addendum of a result revised after an appeal, and the consequences of a revision once it is final.

A revision decided on the existing grids (`juries.services.revision_record`, `decision.needs_addendum`) is made
final by its own addendum to the PV, signed like a PV: a snapshot of what changed (the appealed decision, the
revised one and its reason, the appeal, the jury), its SHA-256 fingerprint, and a signature of each seated,
approved member of the certification jury given to that fingerprint. The last signature makes the revised
result final, and its consequences follow in the same transaction (`revision_consequences`): the appealed
decision's parchments cancelled, a parchment issued for the revised one when it awards something, the candidate
notified, the CDC declaration marked to resend. A revision through a new evaluation is made final by its own
jury's PV and CPNEFP validation, which calls the same `revision_consequences`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from certificates import rules as certificate_rules
from certificates import services as certificate_services
from certificates.models import NoticeStatus, Parchment, ParchmentStatus, ResultNotice
from juries import carry, lifecycle, result_state
from juries import rules as jury_rules
from juries.models import Decision, Jury, JurySeat, OutcomeKind
from juries.rule_sets import college_titles
from results.models import AddendumStatus, Appeal, AppealStatus, PvAddendum, PvAddendumSignature


def revision_reason() -> str:
    """The reason written on the appealed decision's cancelled parchments."""
    return _("Décision révisée après recours")


# --- The content -----------------------------------------------------------------------------------------


def seats(decision: Decision) -> list[JurySeat]:
    """The seats whose members sign the addendum: the certification jury's members still approved (a member
    whose habilitation was withdrawn since signs nothing more)."""
    return list(
        decision.jury.seats.filter(member__status=jury_rules.APPROVED)
        .select_related("member__user", "member__organisation")
        .order_by("college", "pk")
    )


def answered_appeal(decision: Decision) -> Appeal | None:
    """The appeal the revision answers: the one closed by it, else the re-examination ordered on the appealed
    decision (most recent first)."""
    if decision.revises_id is None:
        return None
    return (
        Appeal.objects.filter(
            Q(revised_decision=decision) | Q(decision_id=decision.revises_id, status=AppealStatus.REEXAMINATION)
        )
        .order_by("-received_on", "-pk")
        .first()
    )


def _outcome(decision: Decision) -> dict[str, Any]:
    return {
        "id": decision.pk,
        "kind": decision.kind,
        "blocks": sorted((b.code for b in decision.blocks.all()), key=lambda code: (len(code), code)),
        "reason": decision.reason,
    }


def addendum_sheet(decision: Decision, jury_seats: list[JurySeat] | None = None) -> dict[str, Any]:
    """What the addendum says, as plain data (its fingerprint is what members sign)."""
    jury = decision.jury
    version = jury.version
    old = decision.revises
    if old is None:
        raise ValidationError(_("Cette décision ne révise aucune décision : elle n'a pas d'avenant."))
    candidate = decision.examined_place.enrolment.candidate
    appeal = answered_appeal(decision)
    jury_seats = seats(decision) if jury_seats is None else jury_seats
    titles = college_titles(version, jury.kind)
    return {
        "certification": {"rncp": version.rncp_number, "title": version.title, "version": version.number},
        "certifier": version.certifier.legal_name,
        "jury": {
            "id": jury.pk,
            "date": jury.meets_on.isoformat(),
            "president": jury.president.name if jury.president else None,
            "members": [{"name": s.member.name, "college": titles[s.college]} for s in jury_seats],
        },
        "candidate": {"name": candidate.display_name, "birth_date": candidate.birth_date.isoformat()},
        "appeal": (
            {
                "id": appeal.pk,
                "received_on": appeal.received_on.isoformat(),
                "cpnef_meeting_on": appeal.cpnef_meeting_on.isoformat() if appeal.cpnef_meeting_on else None,
                "outcome_reason": appeal.outcome_reason,
                "scope": appeal.reexamination_scope,
            }
            if appeal is not None
            else None
        ),
        "appealed": _outcome(old),
        "revised": _outcome(decision),
    }


def _decision_for_addendum(pk: int) -> Decision:
    return Decision.objects.select_related(
        "jury__version__certifier",
        "jury__president__user",
        "examined_place__enrolment__candidate",
        "revises",
    ).get(pk=pk)


@dataclass(frozen=True)
class SeatSignature:
    seat: JurySeat
    signature: PvAddendumSignature | None
    valid: bool  # given to the content in force


@dataclass(frozen=True)
class AddendumState:
    """An addendum as its page shows it: the content in force (the signed snapshot once signed by all, what it
    says now before) and its fingerprint, and each member's signature."""

    decision: Decision
    addendum: PvAddendum | None
    content: dict[str, Any]
    digest: str
    signatures: list[SeatSignature] = field(default_factory=list)

    @property
    def signed(self) -> bool:
        return self.addendum is not None and self.addendum.status == AddendumStatus.SIGNED

    def seat_of(self, user: User) -> SeatSignature | None:
        return next((s for s in self.signatures if s.seat.member.user_id == user.pk), None)


def addendum_state(decision: Decision) -> AddendumState:
    decision = _decision_for_addendum(decision.pk)
    addendum = PvAddendum.objects.filter(decision=decision).first()
    jury_seats = seats(decision)
    if addendum is not None and addendum.status == AddendumStatus.SIGNED:
        content, digest = addendum.content, addendum.content_sha256
    else:
        content = addendum_sheet(decision, jury_seats)
        digest = certificate_rules.fingerprint(content)
    signatures = {s.member_id: s for s in addendum.signatures.all()} if addendum is not None else {}
    return AddendumState(
        decision=decision,
        addendum=addendum,
        content=content,
        digest=digest,
        signatures=[
            SeatSignature(
                seat=seat,
                signature=signatures.get(seat.member_id),
                valid=seat.member_id in signatures and signatures[seat.member_id].content_sha256 == digest,
            )
            for seat in jury_seats
        ],
    )


# --- Signing ---------------------------------------------------------------------------------------------


def pv_awaited(jury: Jury) -> str | None:
    """Why the addendum of a revision decided by `jury` cannot be signed yet, or None: an addendum amends the
    PV, so it follows the PV signed by all and the CPNEFP's validation of the results (an appeal may come, and be
    re-examined, before either)."""
    from certificates.models import CpnefpValidation, ProcesVerbal, PvStatus

    if not ProcesVerbal.objects.filter(jury=jury, status=PvStatus.SIGNED).exists():
        return _(
            "Le procès-verbal du jury n'est pas encore signé par tous : l'avenant, qui le modifie, se signe après lui."
        )
    if not CpnefpValidation.objects.filter(jury=jury).exists():
        return _(
            "La validation des résultats par la CPNEFP n'est pas encore enregistrée : l'avenant se signe une fois "
            "le procès-verbal validé."
        )
    return None


@dataclass
class Consequences:
    """What followed a revised result made final, for the page to say."""

    cancelled: list[Parchment] = field(default_factory=list)
    issued: Parchment | None = None
    not_issued: str = ""  # why no parchment was issued for an award (a flag, mentions missing), for the page
    notified: bool = False


@transaction.atomic
def addendum_sign(*, decision: Decision, user: User, expected_sha256: str | None = None) -> PvAddendumSignature:
    """A seated, approved member of the certification jury signs the addendum of a revised decision as it
    stands now, bound to the SHA-256 of its content; `expected_sha256`, the fingerprint of the content the member
    read (the page sends it): an addendum changed since is refused. The first signature opens the addendum; when
    every member has signed the same content, it is signed, the revised result is final and its consequences
    follow (`revision_consequences`)."""
    decision = Decision.objects.select_for_update(of=("self",)).get(pk=decision.pk)
    decision = _decision_for_addendum(decision.pk)
    jury_seats = seats(decision)
    seat = next((s for s in jury_seats if s.member.user_id == user.pk), None)
    if seat is None:
        raise PermissionDenied(_("Seuls les membres du jury de certification signent l'avenant à son procès-verbal."))
    if not decision.needs_addendum:
        raise ValidationError(_("Cette décision n'appelle pas d'avenant : elle suit le procès-verbal de son jury."))
    addendum = PvAddendum.objects.select_for_update().filter(decision=decision).first()
    if addendum is not None and addendum.status == AddendumStatus.SIGNED:
        raise ValidationError(_("L'avenant est signé par tous : il ne change plus."))
    awaited = pv_awaited(decision.jury)
    if awaited is not None:
        raise ValidationError(awaited)
    result_state.refuse(decision, lifecycle.RATIFY)
    content = addendum_sheet(decision, jury_seats)
    digest = certificate_rules.fingerprint(content)
    if expected_sha256 is not None and expected_sha256 != digest:
        raise ValidationError(
            _("L'avenant a changé depuis que vous l'avez ouvert : relisez-le, puis signez à nouveau.")
        )
    if addendum is None:
        addendum = PvAddendum(decision=decision, content=content, content_sha256=digest, opened_by=user)
        addendum.full_clean()
        addendum.save()
    elif addendum.content_sha256 != digest:
        addendum.content, addendum.content_sha256 = content, digest
        addendum.save(update_fields=["content", "content_sha256"])
    signature, _created = PvAddendumSignature.objects.update_or_create(
        addendum=addendum,
        member=seat.member,
        defaults={"user": user, "content_sha256": digest, "signed_at": timezone.now()},
    )
    members = {s.member_id for s in jury_seats}
    signed = set(addendum.signatures.filter(content_sha256=digest).values_list("member_id", flat=True))
    if members and members <= signed:
        addendum.status = AddendumStatus.SIGNED
        addendum.signed_at = timezone.now()
        addendum.save(update_fields=["status", "signed_at"])
        revision_consequences(new_decision=decision, actor=user)
    return signature


# --- Consequences ----------------------------------------------------------------------------------------


def revision_consequences(*, new_decision: Decision, actor: User) -> Consequences:
    """A revised result has just become final (its addendum signed by all, or its jury's CPNEFP validation
    recorded): the appealed decision's valid parchments are cancelled, a parchment is issued for the revised
    decision when it awards something and nothing forbids it (`juries.carry.issue_refusal`, the mandatory
    mentions), the candidate is notified and the CDC declaration is to be sent again. Called inside the
    transaction that made the result final; harmless when nothing is left to do."""
    done = Consequences()
    old = new_decision.revises
    if old is None:
        return done
    for parchment in Parchment.objects.filter(decision=old, status=ParchmentStatus.VALID).order_by("pk"):
        done.cancelled.append(
            certificate_services.parchment_cancel(
                parchment=parchment, reason=revision_reason(), cancelled_by=actor, by_rule=True
            )
        )
    Decision.objects.filter(pk=new_decision.pk).update(declaration_to_resend=True)
    if new_decision.kind in (OutcomeKind.TOTAL, OutcomeKind.PARTIAL):
        done.issued, done.not_issued = _issue(new_decision, actor)
    notice, created = ResultNotice.objects.get_or_create(decision=new_decision)
    if created and notice.status == NoticeStatus.QUEUED:
        from certificates import tasks

        transaction.on_commit(lambda: tasks.result_notify.delay(notice_id=notice.pk))
    done.notified = True
    return done


def jury_validated(*, jury: Jury, actor: User) -> list[Consequences]:
    """The CPNEFP validated `jury`'s results (called by `certificates.services.cpnefp_validation_record`, inside
    its transaction): each revision this jury decided after a new evaluation is final now, and its consequences
    follow."""
    revised = result_state.final_decisions(
        Decision.objects.filter(jury=jury, revises__isnull=False, needs_addendum=False)
    ).select_related("revises", "jury__version__certifier")
    return [revision_consequences(new_decision=decision, actor=actor) for decision in revised]


def _issue(decision: Decision, actor: User) -> tuple[Parchment | None, str]:
    if Parchment.objects.filter(decision=decision, status=ParchmentStatus.VALID).exists():
        return None, ""
    refusal = carry.issue_refusal(decision)
    if refusal is not None:
        return None, refusal
    missing = certificate_services._mention_problems(decision.jury, decision.jury.version.certifier)
    if missing:
        return None, _(
            "Mentions obligatoires manquantes : %(what)s. Le parchemin s'éditera depuis la page du jury."
        ) % {"what": " ; ".join(missing)}
    try:
        with transaction.atomic():
            return certificate_services.parchment_issue(decision=decision, issued_by=actor), ""
    except ValidationError as error:
        return None, " ".join(error.messages)
