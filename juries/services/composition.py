"""Juries and their composition: creation, seats, the president, and the checks that a jury is complete
and has not started to rule."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import check_certifier_admin
from accounts.models import AuditAction, User
from accounts.services import audit_record
from cqp.models import CertificationVersion
from dysfunctions.services import session_is_cancelled
from evaluations import rules as session_rules
from evaluations.models import EvaluationSession, SessionCandidate
from juries import access, rules, selectors
from juries.models import (
    Decision,
    Grid,
    GridStatus,
    Jury,
    JuryKind,
    JuryMember,
    JurySeat,
    MemberStatus,
    Recusal,
    RecusalReason,
)
from juries.rule_sets import rules_for
from juries.services.impartiality import recusals_refresh


@transaction.atomic
def evaluation_jury_create(*, session: EvaluationSession, created_by: User) -> Jury:
    """The evaluation jury of a session (designated by the certifier for the CPNEF); refused once the session's
    tests are over or its cancellation accepted (`evaluations.rules.jury_refusal`)."""
    check_certifier_admin(created_by, _("Seul un administrateur du certificateur peut constituer un jury."))
    late = session_rules.jury_refusal(
        today=timezone.localdate(), last_day=session.ends_on, cancelled=session_is_cancelled(session)
    )
    if late is not None:
        raise ValidationError(late)
    if Jury.objects.filter(session=session).exists():
        raise ValidationError(_("Cette session a déjà son jury d'évaluation."))
    jury = Jury(
        kind=JuryKind.EVALUATION,
        version=session.version,
        session=session,
        meets_on=session.starts_on,
        created_by=created_by,
    )
    jury.full_clean()
    jury.save()
    return jury


@transaction.atomic
def certification_jury_create(*, version: CertificationVersion, meets_on: dt.date, created_by: User) -> Jury:
    check_certifier_admin(created_by, _("Seul un administrateur du certificateur peut constituer un jury."))
    jury = Jury(kind=JuryKind.CERTIFICATION, version=version, meets_on=meets_on, created_by=created_by)
    jury.full_clean()
    jury.save()
    return jury


def _organisations_of(jury: Jury) -> set[int]:
    """The training organisations whose candidates the jury assesses."""
    if jury.kind == JuryKind.EVALUATION:
        return {jury.evaluated_session.organisation_id}
    return set(
        EvaluationSession.objects.filter(jury__certification_jury=jury).values_list("organisation_id", flat=True)
    )


def _seat_view(member: JuryMember, *, college: str, organisations: set[int], candidate_ids: set[int]) -> rules.Seat:
    trained_orgs = {o.pk: o.name for o in member.trained_organisations.all()}
    trained = {c.pk: c.display_name for c in member.trained_candidates.all()}
    # Employed by the candidates' training organisation, or trained its candidates or some of these: said by name.
    links = []
    if member.organisation_id in organisations and member.organisation is not None:
        links.append(_("travaille pour %(organisation)s") % {"organisation": member.organisation.name})
    links += [
        _("a formé des candidats de %(organisation)s") % {"organisation": name}
        for pk, name in sorted(trained_orgs.items())
        if pk in organisations
    ]
    links += [
        _("a formé %(candidate)s") % {"candidate": name} for pk, name in sorted(trained.items()) if pk in candidate_ids
    ]
    return rules.Seat(
        member_id=member.pk,
        name=member.name,
        college=college,
        internal=member.organisation_id in organisations,
        linked_to_training=bool(links),
        link="; ".join(links),
    )


def _candidate_ids(jury: Jury) -> set[int]:
    return set(SessionCandidate.objects.of_jury(jury).values_list("enrolment__candidate_id", flat=True))


@transaction.atomic
def jury_assign(*, jury: Jury, member: JuryMember, assigned_by: User) -> JurySeat:
    """Seat a member on a jury in their college. Refused, naming the rule, when the member is not approved
    for this certification, their college is taken or not part of this jury, a trainer is linked to the
    candidates' training, or the jury would be more than half internal to the training organisation."""
    check_certifier_admin(assigned_by, _("Seul un administrateur du certificateur peut composer un jury."))
    jury = Jury.objects.select_for_update(of=("self",)).select_related("session").get(pk=jury.pk)
    _refuse_if_started(jury)
    organisations = _organisations_of(jury)
    newcomer = _seat_view(
        member, college=member.college, organisations=organisations, candidate_ids=_candidate_ids(jury)
    )
    if member.user_id is None:
        raise ValidationError(
            _("%(name)s n'a pas encore confirmé sa proposition depuis son compte : il ne siège pas avant.")
            % {"name": member.name}
        )
    refusal = rules.assignment_refusal(
        kind=jury.kind,
        seats=selectors.seats_for_rules(jury),
        newcomer=newcomer,
        approved=member.status == MemberStatus.APPROVED,
        may_assess=member.certifications.filter(pk=jury.version.certification_id).exists(),
        rules=rules_for(jury.version_id, jury.kind),
    )
    if refusal:
        raise ValidationError(refusal)
    seat = JurySeat(
        jury=jury, member=member, college=member.college, internal=newcomer.internal, assigned_by=assigned_by
    )
    seat.full_clean()
    seat.save()
    recusals_refresh(jury=jury, actor=assigned_by)
    return seat


def _refuse_if_started(jury: Jury) -> None:
    if jury.transmitted_at is not None or Grid.objects.filter(jury=jury, status=GridStatus.SUBMITTED).exists():
        raise ValidationError(_("Le jury a commencé à statuer : sa composition ne change plus."))
    if Decision.objects.filter(jury=jury).exists():
        raise ValidationError(_("Le jury a commencé à statuer : sa composition ne change plus."))


@transaction.atomic
def jury_unassign(*, jury: Jury, member: JuryMember, removed_by: User) -> None:
    check_certifier_admin(removed_by, _("Seul un administrateur du certificateur peut composer un jury."))
    _refuse_if_started(jury)
    if jury.president_id == member.pk:
        Jury.objects.filter(pk=jury.pk).update(president=None)
        jury.president = None
        audit_record(
            actor=removed_by,
            target=jury,
            action=AuditAction.PRESIDENT_VACATED,
            before={_("président"): member.name},
            after={_("président"): None},
            reason=_("%(name)s ne siège plus au jury.") % {"name": member.name},
        )
    Recusal.objects.filter(jury=jury, member=member).exclude(reason=RecusalReason.DECLARED).delete()
    jury.seats.filter(member=member).delete()


@transaction.atomic
def jury_president_designate(*, jury: Jury, member: JuryMember, designated_by: User) -> Jury:
    """The evaluation jury's members choose their president among the two representatives; the certification
    jury is presided by the president of the certifying body."""
    # The row locked first, so that two designations at once read the president one after the other.
    locked = Jury.objects.select_for_update(of=("self",)).select_related("president__user").get(pk=jury.pk)
    previous = locked.president
    # Who designates (the certifier; a sitting member once, never for themselves), on the stored president: 403.
    access.check_president_designation(designated_by, locked, member)
    seated = locked.seats.filter(member=member).select_related("member__user").first()
    if seated is None:
        raise ValidationError(_("%(name)s ne siège pas dans ce jury.") % {"name": member.name})
    if not rules.sits(seated=True, member_status=seated.member.status):
        raise ValidationError(
            _("%(name)s n'est plus habilité(e) : il ou elle ne préside pas ce jury.") % {"name": member.name}
        )
    refusal = rules.presidency_refusal(
        kind=locked.kind,
        seat=rules.Seat(member_id=member.pk, name=member.name, college=seated.college, internal=False),
        rules=rules_for(locked.version_id, locked.kind),
    )
    if refusal:
        raise ValidationError(refusal)
    _refuse_if_started(locked)
    locked.president = member
    locked.save(update_fields=["president"])
    jury.president = member
    if previous != member:
        audit_record(
            actor=designated_by,
            target=locked,
            action=AuditAction.PRESIDENT_DESIGNATED,
            before={_("président"): previous.name if previous is not None else None},
            after={_("président"): member.name},
        )
    return jury


def _require_complete(jury: Jury) -> None:
    problems = selectors.composition_problems(jury)
    if problems:
        raise ValidationError(_("Le jury n'est pas au complet : %(problems)s") % {"problems": " ".join(problems)})
