"""Writes about juries and results: the member registry, composition, recusals, grids, recommendations,
transmission, disputes and decisions. Every change to a result leaves an audit entry (who, when, before,
after). Each refusal is a ValidationError in French that names the rule broken."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts import services as account_services
from accounts.models import User
from candidates.models import Candidate
from cqp.models import Block, Certification, CertificationVersion, TrainingOrganisation
from evaluations.models import Attendance, EvaluationSession, SessionCandidate
from juries import rules, selectors
from juries.models import (
    AuditAction,
    AuditEntry,
    College,
    Decision,
    Dispute,
    Grade,
    Grid,
    GridStatus,
    Jury,
    JuryKind,
    JuryMember,
    JurySeat,
    MemberStatus,
    OutcomeKind,
    Recommendation,
    Recusal,
    RecusalReason,
)

# --- Audit ---------------------------------------------------------------------------------------------


def audit(
    *,
    place: SessionCandidate,
    action: str,
    subject: str,
    actor: User | None,
    before: Any = None,
    after: Any = None,
    reason: str = "",
) -> AuditEntry:
    return AuditEntry.objects.create(
        candidate_id=place.enrolment.candidate_id,
        place=place,
        action=action,
        subject=subject[:255],
        before=before,
        after=after,
        reason=reason,
        actor=actor,
    )


def _require_admin(user: User, what: str) -> None:
    if not user.is_certifier_admin:
        raise ValidationError(_("Seul un administrateur du certificateur peut %(what)s.") % {"what": what})


# --- Registry ------------------------------------------------------------------------------------------


@transaction.atomic
def jury_member_register(
    *,
    email: str,
    first_name: str,
    last_name: str,
    college: str,
    certifications: Iterable[Certification],
    proposed_by: User,
    company_name: str = "",
    company_siret: str = "",
    organisation: TrainingOrganisation | None = None,
    trained_organisations: Iterable[TrainingOrganisation] = (),
    trained_candidates: Iterable[Candidate] = (),
) -> JuryMember:
    """Propose a person for the juries (organisation staff or the certifier); the certifier approves them.
    Their account is created without a password (they set one by e-mail) or an existing one is linked."""
    if not (proposed_by.is_certifier_admin or proposed_by.is_organisation_staff):
        raise ValidationError(_("Seuls le certificateur et les organismes de formation proposent des membres de jury."))
    certifications = list(certifications)
    errors: dict[str, str] = {}
    if not certifications:
        errors["certifications"] = _("Indiquez au moins une certification que cette personne peut évaluer.")
    if college not in College.values:
        errors["college"] = _("Choisissez le collège de la personne.")
    siret = company_siret.replace(" ", "")
    if siret and (not siret.isdigit() or len(siret) != 14):
        errors["company_siret"] = _("Le SIRET compte 14 chiffres.")
    email = User.objects.normalize_email(email).strip().lower()
    user = User.objects.filter(email=email).first()
    if user is not None and JuryMember.objects.filter(user=user).exists():
        errors["email"] = _("%(email)s est déjà dans le registre des membres de jury.") % {"email": email}
    if errors:
        raise ValidationError(errors)
    if user is None:
        user = account_services.user_create(
            email=email, password=None, first_name=first_name.strip(), last_name=last_name.strip()
        )
    member = JuryMember(
        user=user,
        college=college,
        company_name=company_name.strip(),
        company_siret=siret,
        organisation=organisation,
        proposed_by=proposed_by,
    )
    member.full_clean()
    member.save()
    member.certifications.set(certifications)
    member.trained_organisations.set(trained_organisations)
    member.trained_candidates.set(trained_candidates)
    return member


@transaction.atomic
def jury_member_approve(*, member: JuryMember, approved_by: User) -> JuryMember:
    _require_admin(approved_by, _("habiliter un membre de jury"))
    moved = JuryMember.objects.filter(pk=member.pk, status__in=[MemberStatus.PROPOSED, MemberStatus.WITHDRAWN]).update(
        status=MemberStatus.APPROVED, approved_at=timezone.now(), approved_by=approved_by, status_reason=""
    )
    if moved != 1:
        raise ValidationError(_("%(name)s est déjà habilité(e).") % {"name": member.name})
    User.objects.filter(pk=member.user_id).update(is_jury_member=True)
    member.refresh_from_db()
    return member


@transaction.atomic
def jury_member_withdraw(*, member: JuryMember, withdrawn_by: User, reason: str) -> JuryMember:
    _require_admin(withdrawn_by, _("retirer une habilitation"))
    if not reason.strip():
        raise ValidationError({"reason": _("Indiquez le motif du retrait.")})
    moved = JuryMember.objects.filter(pk=member.pk, status=MemberStatus.APPROVED).update(
        status=MemberStatus.WITHDRAWN, status_reason=reason.strip()
    )
    if moved != 1:
        raise ValidationError(_("%(name)s n'est pas habilité(e).") % {"name": member.name})
    member.refresh_from_db()
    return member


# --- Juries and composition ----------------------------------------------------------------------------


@transaction.atomic
def evaluation_jury_create(*, session: EvaluationSession, created_by: User) -> Jury:
    """The evaluation jury of a session (designated by the certifier for the CPNEF)."""
    _require_admin(created_by, _("constituer un jury"))
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
    _require_admin(created_by, _("constituer un jury"))
    jury = Jury(kind=JuryKind.CERTIFICATION, version=version, meets_on=meets_on, created_by=created_by)
    jury.full_clean()
    jury.save()
    return jury


def _organisations_of(jury: Jury) -> set[int]:
    """The training organisations whose candidates the jury assesses."""
    if jury.kind == JuryKind.EVALUATION:
        return {jury.session.organisation_id}
    return set(
        EvaluationSession.objects.filter(jury__certification_jury=jury).values_list("organisation_id", flat=True)
    )


def _seat_view(member: JuryMember, *, college: str, organisations: set[int], candidate_ids: set[int]) -> rules.Seat:
    trained_orgs = {o.pk for o in member.trained_organisations.all()}
    trained = {c.pk for c in member.trained_candidates.all()}
    return rules.Seat(
        member_id=member.pk,
        name=member.name,
        college=college,
        internal=member.organisation_id in organisations,
        # Employed by the candidates' training organisation, or trained its candidates or some of these.
        linked_to_training=bool(
            member.organisation_id in organisations or trained_orgs & organisations or trained & candidate_ids
        ),
    )


def _seats(jury: Jury) -> list[rules.Seat]:
    return [
        rules.Seat(member_id=s.member_id, name=s.member.name, college=s.college, internal=s.internal)
        for s in jury.seats.select_related("member__user")
    ]


def _candidate_ids(jury: Jury) -> set[int]:
    if jury.kind == JuryKind.EVALUATION:
        places = SessionCandidate.objects.filter(session_id=jury.session_id)
    else:
        places = SessionCandidate.objects.filter(session__jury__certification_jury=jury)
    return set(places.values_list("enrolment__candidate_id", flat=True))


@transaction.atomic
def jury_assign(*, jury: Jury, member: JuryMember, assigned_by: User) -> JurySeat:
    """Seat a member on a jury in their college. Refused, naming the rule, when the member is not approved
    for this certification, their college is taken or not part of this jury, a trainer is linked to the
    candidates' training, or the jury would be more than half internal to the training organisation."""
    _require_admin(assigned_by, _("composer un jury"))
    jury = Jury.objects.select_for_update(of=("self",)).select_related("session").get(pk=jury.pk)
    _refuse_if_started(jury)
    organisations = _organisations_of(jury)
    newcomer = _seat_view(
        member, college=member.college, organisations=organisations, candidate_ids=_candidate_ids(jury)
    )
    refusal = rules.assignment_refusal(
        kind=jury.kind,
        seats=_seats(jury),
        newcomer=newcomer,
        approved=member.status == MemberStatus.APPROVED,
        may_assess=member.certifications.filter(pk=jury.version.certification_id).exists(),
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
    _require_admin(removed_by, _("composer un jury"))
    _refuse_if_started(jury)
    if jury.president_id == member.pk:
        Jury.objects.filter(pk=jury.pk).update(president=None)
    Recusal.objects.filter(jury=jury, member=member).exclude(reason=RecusalReason.DECLARED).delete()
    jury.seats.filter(member=member).delete()


@transaction.atomic
def jury_president_designate(*, jury: Jury, member: JuryMember, designated_by: User) -> Jury:
    """The evaluation jury's members choose their president among the two representatives; the certification
    jury is presided by the president of the certifying body."""
    seated = jury.seats.filter(member=member).select_related("member__user").first()
    if not (designated_by.is_certifier_admin or jury.seats.filter(member__user=designated_by).exists()):
        raise ValidationError(_("Seuls les membres du jury et le certificateur désignent le président."))
    if seated is None:
        raise ValidationError(_("%(name)s ne siège pas dans ce jury.") % {"name": member.name})
    refusal = rules.presidency_refusal(
        kind=jury.kind, seat=rules.Seat(member_id=member.pk, name=member.name, college=seated.college, internal=False)
    )
    if refusal:
        raise ValidationError(refusal)
    _refuse_if_started(jury)
    jury.president = member
    jury.save(update_fields=["president"])
    return jury


def composition_problems(jury: Jury) -> list[str]:
    problems = rules.composition_problems(kind=jury.kind, seats=_seats(jury), president_id=jury.president_id)
    for seat in jury.seats.select_related("member__user").exclude(member__status=MemberStatus.APPROVED):
        problems.append(
            _("%(name)s n'est plus habilité(e) : le certificateur doit le remplacer ou l'habiliter à nouveau.")
            % {"name": seat.member.name}
        )
    return problems


def _require_complete(jury: Jury) -> None:
    problems = composition_problems(jury)
    if problems:
        raise ValidationError(_("Le jury n'est pas au complet : %(problems)s") % {"problems": " ".join(problems)})


# --- Impartiality --------------------------------------------------------------------------------------


def _jury_places(jury: Jury) -> list[SessionCandidate]:
    if jury.kind == JuryKind.EVALUATION:
        places = SessionCandidate.objects.filter(session_id=jury.session_id)
    else:
        places = SessionCandidate.objects.filter(session__jury__certification_jury=jury)
    return list(places.select_related("enrolment__candidate"))


@transaction.atomic
def recusals_refresh(*, jury: Jury, actor: User | None) -> int:
    """Record the recusals the rules find (a member who trained the candidate, or works in their company)
    for every seat and candidate of the jury, each with an audit entry in the name of `actor` (whose action
    revealed it; None when the application found it on its own); returns how many were added. Declared ones
    are kept."""
    seats = list(jury.seats.select_related("member").prefetch_related("member__trained_candidates"))
    existing = set(jury.recusals.values_list("member_id", "place_id", "reason"))
    added = 0
    for place in _jury_places(jury):
        candidate = place.enrolment.candidate
        for seat in seats:
            member = seat.member
            found = rules.conflicts(
                trained_candidate=any(c.pk == candidate.pk for c in member.trained_candidates.all()),
                member_company=member.company_name,
                member_siret=member.company_siret,
                candidate_company=candidate.company_name,
                candidate_siret=candidate.company_siret,
                declared=False,
            )
            for reason in found:
                if (member.pk, place.pk, reason) not in existing:
                    recusal = Recusal.objects.create(jury=jury, member=member, place=place, reason=reason)
                    existing.add((member.pk, place.pk, reason))
                    added += 1
                    audit(
                        place=place,
                        action=AuditAction.RECUSAL,
                        subject=_("%(name)s est déporté(e) d'office (%(jury)s)")
                        % {"name": member.name, "jury": jury.get_kind_display()},
                        actor=actor,
                        after={"membre": member.name, "motif": str(recusal.get_reason_display())},
                    )
    return added


@transaction.atomic
def conflict_declare(
    *, jury: Jury, place: SessionCandidate, member: JuryMember, note: str, declared_by: User
) -> Recusal:
    """A member declares knowing a candidate: they take no part in that candidate's grid or deliberation."""
    if not (declared_by.is_certifier_admin or member.user_id == declared_by.pk):
        raise ValidationError(_("Un membre déclare ses propres liens avec un candidat."))
    if not jury.seats.filter(member=member).exists():
        raise ValidationError(_("%(name)s ne siège pas dans ce jury.") % {"name": member.name})
    if place not in _jury_places(jury):
        raise ValidationError(_("Ce candidat n'est pas évalué par ce jury."))
    if Grid.objects.filter(place=place, member=member, status=GridStatus.SUBMITTED).exists():
        raise ValidationError(
            _("Votre grille de ce candidat est déjà validée : demandez au certificateur de la rouvrir.")
        )
    entering = jury.is_evaluation and (who := keeper(jury, place)) is not None and who.pk == member.pk
    if entering and Grid.objects.filter(place=place, member__isnull=True, status=GridStatus.SUBMITTED).exists():
        raise ValidationError(
            _(
                "Vous avez déjà validé la grille de consensus de ce candidat : demandez au certificateur de la "
                "rouvrir avant de vous déporter."
            )
        )
    recusal, created = Recusal.objects.get_or_create(
        jury=jury,
        member=member,
        place=place,
        reason=RecusalReason.DECLARED,
        defaults={"note": note.strip(), "recorded_by": declared_by},
    )
    if not created:
        raise ValidationError(_("Ce lien est déjà déclaré."))
    # The member's own draft grid for this candidate no longer counts, nor the consensus they were entering.
    Grid.objects.filter(place=place, member=member, status=GridStatus.DRAFT).delete()
    if entering:
        Grid.objects.filter(place=place, member__isnull=True, status=GridStatus.DRAFT).delete()
    audit(
        place=place,
        action=AuditAction.RECUSAL,
        subject=_("%(name)s se déporte (%(jury)s)") % {"name": member.name, "jury": jury.get_kind_display()},
        actor=declared_by,
        after={"membre": member.name, "motif": str(recusal.get_reason_display()), "précisions": recusal.note},
    )
    return recusal


def recused_member_ids(jury: Jury, place: SessionCandidate) -> set[int]:
    return set(jury.recusals.filter(place=place).values_list("member_id", flat=True))


def keeper(jury: Jury, place: SessionCandidate) -> JuryMember | None:
    """Who enters the consensus grid and the jury's conclusions for a candidate: the president, or when the
    president is recused the other representative who is not (evaluation jury), else nobody."""
    recused = recused_member_ids(jury, place)
    if jury.president_id and jury.president_id not in recused:
        return jury.president
    colleges = (
        rules.PRESIDING_COLLEGES[rules.EVALUATION]
        if jury.is_evaluation
        else (
            College.EMPLOYEES,
            College.EMPLOYERS,
        )
    )
    for seat in jury.seats.select_related("member__user").filter(college__in=colleges).order_by("college"):
        if seat.member_id not in recused:
            return seat.member
    return None


def _require_keeper(jury: Jury, place: SessionCandidate, user: User) -> JuryMember:
    who = keeper(jury, place)
    if who is None:
        raise ValidationError(
            _(
                "Aucun membre habilité à présider n'est sans lien avec ce candidat : "
                "le certificateur doit compléter le jury."
            )
        )
    if who.user_id != user.pk:
        if jury.president_id and who.pk != jury.president_id:
            raise ValidationError(
                _("Le président est déporté pour ce candidat : c'est %(name)s qui saisit pour le jury.")
                % {"name": who.name}
            )
        raise ValidationError(_("Seul le président du jury saisit la grille de consensus et les conclusions du jury."))
    return who


# --- Grids ---------------------------------------------------------------------------------------------


def _member_of(jury: Jury, user: User) -> JuryMember:
    seat = jury.seats.select_related("member__user").filter(member__user=user).first()
    if seat is None:
        raise ValidationError(_("Vous ne siégez pas dans ce jury."))
    return seat.member


def blocks_sat(place: SessionCandidate) -> list[Block]:
    """The blocks a candidate is graded on in this session: those enrolled, less those acquired earlier."""
    version = place.session.version
    blocks = selectors.version_blocks(version)
    earlier = selectors.earlier_acquisitions([place], version, blocks).get(place.pk, {})
    enrolled = set(place.enrolment.blocks.values_list("pk", flat=True))
    return [b for b in blocks if b.pk in enrolled and b.pk not in earlier]


def _check_gradable(jury: Jury, place: SessionCandidate) -> None:
    if not jury.is_evaluation or place.session_id != jury.session_id:
        raise ValidationError(_("Ce candidat n'est pas évalué par ce jury."))
    if timezone.localdate() < place.session.starts_on:
        raise ValidationError(
            _("Les grilles se remplissent à partir du jour des épreuves (le %(date)s).")
            % {"date": date_format(place.session.starts_on)}
        )
    if place.attendance != Attendance.PRESENT:
        raise ValidationError(
            _("%(name)s n'est pas noté(e) présent(e) sur la feuille d'émargement (%(state)s) : pas de grille.")
            % {"name": place.enrolment.candidate.display_name, "state": place.get_attendance_display().lower()}
        )


def _refuse_if_transmitted(jury: Jury, place: SessionCandidate, *, reopened: bool) -> None:
    """After transmission only a grid the certifier reopened may change, and only before any decision."""
    if jury.transmitted_at is None:
        return
    if not reopened:
        raise ValidationError(_("Les résultats de cette session ont été transmis au jury de certification."))
    if Decision.objects.filter(place=place).exists():
        raise ValidationError(_("Le jury de certification a déjà statué sur ce candidat."))


@transaction.atomic
def grid_save(
    *,
    jury: Jury,
    place: SessionCandidate,
    block: Block,
    consensus: bool,
    grades: Mapping[str, str],
    saved_by: User,
    comments: Mapping[str, str] | None = None,
    comment: str = "",
) -> Grid:
    """Save a block's grid as a draft (grades may be missing). `consensus`: the president's grid for the jury;
    otherwise the member's own grid. Refused on a locked (submitted) grid or for a recused member."""
    jury = Jury.objects.select_related("session", "president__user").get(pk=jury.pk)
    place = SessionCandidate.objects.select_related("session__version", "enrolment__candidate").get(pk=place.pk)
    _check_gradable(jury, place)
    _require_complete(jury)
    if consensus:
        _require_keeper(jury, place, saved_by)
        member = None
    else:
        member = _member_of(jury, saved_by)
        if member.pk in recused_member_ids(jury, place):
            raise ValidationError(
                _("Vous êtes déporté(e) pour %(name)s : vous ne prenez part ni à sa grille ni à sa délibération.")
                % {"name": place.enrolment.candidate.display_name}
            )
    if block.pk not in {b.pk for b in blocks_sat(place)}:
        raise ValidationError(
            _("%(name)s ne présente pas le bloc %(code)s dans cette session.")
            % {
                "name": place.enrolment.candidate.display_name,
                "code": block.code,
            }
        )
    competencies = {c.code: c for c in block.competencies.all()}
    unknown = sorted(set(grades) - set(competencies))
    invalid = sorted(code for code, value in grades.items() if value not in ("", rules.ACQUIRED, rules.NOT_ACQUIRED))
    if unknown or invalid:
        raise ValidationError(
            _("Grille refusée : %(problems)s.")
            % {
                "problems": "; ".join(
                    ([_("compétences inconnues du bloc : %s") % ", ".join(unknown)] if unknown else [])
                    + ([_("note autre que A ou NA pour %s") % ", ".join(invalid)] if invalid else [])
                )
            }
        )
    _refuse_if_transmitted(
        jury,
        place,
        reopened=Grid.objects.filter(place=place, block=block, member=member, status=GridStatus.DRAFT).exists(),
    )
    grid, _created = Grid.objects.select_for_update(of=("self",)).get_or_create(
        place=place, block=block, member=member, defaults={"jury": jury}
    )
    if grid.status == GridStatus.SUBMITTED:
        raise ValidationError(
            _("La grille %(code)s est validée et verrouillée : seul le certificateur peut la rouvrir, avec un motif.")
            % {"code": block.code}
        )
    comments = comments or {}
    before = _grid_snapshot(grid)
    existing = {g.competency.code: g for g in grid.grades.select_related("competency")}
    for code, competency in competencies.items():
        value = grades.get(code, "")
        note = (comments.get(code) or "").strip()
        current = existing.get(code)
        if not value:
            if current is not None:
                current.delete()
            continue
        if current is None:
            Grade.objects.create(grid=grid, competency=competency, value=value, comment=note)
        elif current.value != value or current.comment != note:
            current.value, current.comment = value, note
            current.save(update_fields=["value", "comment"])
    grid.comment = comment.strip()
    grid.save(update_fields=["comment", "updated_at"])
    after = _grid_snapshot(grid)
    if after != before:
        audit(
            place=place,
            action=AuditAction.GRID_SAVED,
            subject=_grid_subject(grid),
            actor=saved_by,
            before=before,
            after=after,
        )
    return grid


def _grid_subject(grid: Grid) -> str:
    who = grid.member.name if grid.member_id else _("consensus")
    return _("Grille %(code)s (%(who)s)") % {"code": grid.block.code, "who": who}


def _grid_snapshot(grid: Grid) -> dict[str, Any]:
    grades = {
        g.competency.code: g.value for g in grid.grades.select_related("competency").order_by("competency__order")
    }
    comments = {g.competency.code: g.comment for g in grid.grades.select_related("competency") if g.comment}
    return {"statut": grid.status, "notes": grades, "commentaires": comments, "commentaire": grid.comment}


@transaction.atomic
def grids_submit(*, grids: Collection[Grid], submitted_by: User) -> list[Grid]:
    """Validate and lock grids, all or none. An incomplete grid is refused, naming its block and the
    competencies with no grade."""
    problems = []
    locked: list[Grid] = []
    for grid in grids:
        grid = (
            Grid.objects.select_for_update(of=("self",))
            .select_related("block", "place__session", "place__enrolment__candidate", "jury", "member")
            .get(pk=grid.pk)
        )
        if grid.status == GridStatus.SUBMITTED:
            problems.append(_("La grille %(code)s est déjà validée.") % {"code": grid.block.code})
            continue
        _refuse_if_transmitted(grid.jury, grid.place, reopened=True)
        if grid.is_consensus:
            _require_keeper(grid.jury, grid.place, submitted_by)
        elif grid.member.user_id != submitted_by.pk:
            raise ValidationError(_("Chacun valide sa propre grille."))
        elif grid.member_id in recused_member_ids(grid.jury, grid.place):
            # A recusal found after the draft was started (grid_save refuses it from then on).
            raise ValidationError(
                _("Vous êtes déporté(e) pour %(name)s : vous ne prenez part ni à sa grille ni à sa délibération.")
                % {"name": grid.place.enrolment.candidate.display_name}
            )
        codes = [c.code for c in grid.block.competencies.order_by("order", "code")]
        mandatory = [c.code for c in grid.block.competencies.filter(is_mandatory=True)]
        grades = dict(grid.grades.values_list("competency__code", "value"))
        refusal = rules.submission_refusal(grid.block.code, grades, codes, mandatory, grid.block.threshold_percent)
        if refusal:
            problems.append(refusal)
        locked.append(grid)
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    for grid in locked:
        before = _grid_snapshot(grid)
        moved = Grid.objects.filter(pk=grid.pk, status=GridStatus.DRAFT).update(
            status=GridStatus.SUBMITTED, submitted_at=now, submitted_by=submitted_by
        )
        if moved != 1:
            raise ValidationError(
                _("La grille %(code)s vient d'être validée par ailleurs.") % {"code": grid.block.code}
            )
        grid.refresh_from_db()
        audit(
            place=grid.place,
            action=AuditAction.GRID_SUBMITTED,
            subject=_grid_subject(grid),
            actor=submitted_by,
            before=before,
            after=_grid_snapshot(grid),
        )
    return locked


@transaction.atomic
def grid_reopen(*, grid: Grid, reopened_by: User, reason: str) -> Grid:
    """Unlock a submitted grid: a certifier admin only, with a reason, before the certification jury decides.
    After transmission the session stays transmitted: the evaluation jury corrects this grid (and then its
    recommendation), and the certification jury cannot decide on the candidate until it is validated again."""
    _require_admin(reopened_by, _("rouvrir une grille validée"))
    if not reason.strip():
        raise ValidationError({"reason": _("Indiquez le motif de la réouverture.")})
    grid = Grid.objects.select_related("place__enrolment", "block", "member__user", "jury").get(pk=grid.pk)
    if Decision.objects.filter(place_id=grid.place_id).exists():
        raise ValidationError(
            _("Le jury de certification a déjà statué sur ce candidat : la grille ne se rouvre plus.")
        )
    before = _grid_snapshot(grid)
    moved = Grid.objects.filter(pk=grid.pk, status=GridStatus.SUBMITTED).update(
        status=GridStatus.DRAFT, submitted_at=None, submitted_by=None, reopened_at=timezone.now()
    )
    if moved != 1:
        raise ValidationError(_("Cette grille n'est pas validée : elle se modifie déjà."))
    grid.refresh_from_db()
    audit(
        place=grid.place,
        action=AuditAction.GRID_REOPENED,
        subject=_grid_subject(grid),
        actor=reopened_by,
        before=before,
        after=_grid_snapshot(grid),
        reason=reason.strip(),
    )
    return grid


# --- Recommendation, transmission ----------------------------------------------------------------------


def _row(place: SessionCandidate) -> selectors.Row:
    return selectors.deliberation_rows([place], place.session.version)[0]


def _validate_outcome(*, version: CertificationVersion, kind: str, blocks: Collection[Block], field: str) -> list[str]:
    if kind not in OutcomeKind.values:
        raise ValidationError({"kind": _("Choisissez : attribution totale, partielle ou non-attribution.")})
    codes = sorted({b.code for b in blocks if b.version_id == version.pk})
    if any(b.version_id != version.pk for b in blocks):
        raise ValidationError({field: _("Ces blocs n'appartiennent pas à la certification.")})
    if kind == OutcomeKind.PARTIAL:
        if not version.partial_award_allowed:
            raise ValidationError({"kind": _("Cette certification ne s'attribue pas partiellement par blocs.")})
        if not codes:
            raise ValidationError({field: _("Une attribution partielle nomme les blocs attribués.")})
        if len(codes) == version.blocks.count():
            raise ValidationError({field: _("Tous les blocs : c'est une attribution totale.")})
    return codes if kind == OutcomeKind.PARTIAL else []


@transaction.atomic
def recommendation_record(
    *, place: SessionCandidate, kind: str, blocks: Collection[Block], comments: str, recorded_by: User
) -> Recommendation:
    """The evaluation jury's recommendation for a candidate, once the consensus grids are all validated."""
    place = SessionCandidate.objects.select_related("session__version", "enrolment__candidate").get(pk=place.pk)
    jury = Jury.objects.select_related("session", "president__user").get(session=place.session)
    _check_gradable(jury, place)
    _refuse_if_transmitted(
        jury,
        place,
        # After transmission the recommendation follows a consensus grid the certifier reopened since.
        reopened=jury.transmitted_at is not None
        and Grid.objects.filter(place=place, member__isnull=True, reopened_at__gt=jury.transmitted_at).exists(),
    )
    _require_keeper(jury, place, recorded_by)
    row = _row(place)
    if not row.graded:
        raise ValidationError(_("Validez d'abord toutes les grilles de consensus de ce candidat."))
    codes = _validate_outcome(version=place.session.version, kind=kind, blocks=blocks, field="blocks")
    existing = Recommendation.objects.filter(place=place).prefetch_related("blocks").first()
    before = _outcome_snapshot(existing) if existing else None
    recommendation = existing or Recommendation(place=place)
    recommendation.kind = kind
    recommendation.comments = comments.strip()
    recommendation.recorded_by = recorded_by
    recommendation.full_clean()
    recommendation.save()
    recommendation.blocks.set([b for b in blocks if b.code in codes])
    after = _outcome_snapshot(recommendation)
    if after != before:
        audit(
            place=place,
            action=AuditAction.RECOMMENDATION,
            subject=_("Préconisation du jury d'évaluation"),
            actor=recorded_by,
            before=before,
            after=after,
        )
    return recommendation


def _outcome_snapshot(obj: Recommendation | Decision) -> dict[str, Any]:
    snapshot: dict[str, Any] = {"issue": obj.kind, "blocs": sorted(b.code for b in obj.blocks.all())}
    if isinstance(obj, Recommendation):
        snapshot["commentaires"] = obj.comments
    else:
        snapshot["motif"] = obj.reason
    return snapshot


def _refuse_internal_majority(certification_jury: Jury, *, organisations: set[int]) -> None:
    """A certification jury is usually composed before any session is transmitted to it, when `jury_assign`
    cannot know whose candidates it will assess: check "at least half external" again against the
    organisations it receives, and mark the seats that turn out internal."""
    organisations = organisations | _organisations_of(certification_jury)
    seats = list(certification_jury.seats.select_related("member__user"))
    internal = [seat.member.name for seat in seats if seat.member.organisation_id in organisations]
    if len(internal) * 2 > max(len(seats), len(rules.SEATS[certification_jury.kind])):
        raise ValidationError(
            _(
                "%(names)s appartiennent à l'organisme de formation des candidats : au moins la moitié du jury "
                "de certification doit être extérieure à l'organisme."
            )
            % {"names": ", ".join(internal)}
        )
    JurySeat.objects.filter(pk__in=[s.pk for s in seats if s.member.organisation_id in organisations]).update(
        internal=True
    )


@transaction.atomic
def deliberation_transmit(*, jury: Jury, certification_jury: Jury, transmitted_by: User) -> Jury:
    """The evaluation jury hands its grids, livrets and deliberation grid to a certification jury: every
    candidate present has validated consensus grids and a recommendation."""
    jury = Jury.objects.select_for_update(of=("self",)).select_related("session", "president__user").get(pk=jury.pk)
    if not jury.is_evaluation:
        raise ValidationError(_("Seul un jury d'évaluation transmet ses résultats."))
    if not (transmitted_by.is_certifier_admin or (jury.president and jury.president.user_id == transmitted_by.pk)):
        raise ValidationError(_("Le président du jury d'évaluation transmet la grille de délibération."))
    if jury.transmitted_at is not None:
        raise ValidationError(_("Les résultats de cette session sont déjà transmis."))
    if certification_jury.kind != JuryKind.CERTIFICATION or certification_jury.version_id != jury.version_id:
        raise ValidationError(_("Choisissez un jury de certification de la même certification."))
    # Locked as its members sign: a session cannot reach a jury whose PV is being locked.
    certification_jury = Jury.objects.select_for_update(of=("self",)).get(pk=certification_jury.pk)
    if Jury.objects.filter(pk=certification_jury.pk, pv__status="signed").exists():
        raise ValidationError(
            _(
                "Le procès-verbal de ce jury de certification est signé : il ne statue plus. Transmettez à un "
                "autre jury de certification."
            )
        )
    _refuse_internal_majority(certification_jury, organisations={jury.session.organisation_id})
    # A candidate still "expected" would reach the certification jury ungraded once signed in.
    unrecorded = [
        place.enrolment.candidate.display_name
        for place in SessionCandidate.objects.filter(
            session_id=jury.session_id, attendance=Attendance.EXPECTED
        ).select_related("enrolment__candidate")
    ]
    if unrecorded:
        raise ValidationError(
            _("Présence à noter sur la feuille d'émargement pour : %(names)s.") % {"names": ", ".join(unrecorded)}
        )
    rows = selectors.deliberation_rows(selectors.session_places(jury), jury.version)
    if not rows:
        raise ValidationError(_("Aucun candidat présent : rien à transmettre."))
    missing = [r.candidate.display_name for r in rows if not r.graded]
    if missing:
        raise ValidationError(_("Grilles de consensus à valider pour : %(names)s.") % {"names": ", ".join(missing)})
    unrecommended = [r.candidate.display_name for r in rows if r.recommendation is None]
    if unrecommended:
        raise ValidationError(_("Préconisation à saisir pour : %(names)s.") % {"names": ", ".join(unrecommended)})
    jury.certification_jury = certification_jury
    jury.transmitted_at = timezone.now()
    jury.transmitted_by = transmitted_by
    jury.save(update_fields=["certification_jury", "transmitted_at", "transmitted_by"])
    for row in rows:
        audit(
            place=row.place,
            action=AuditAction.TRANSMITTED,
            subject=str(certification_jury),
            actor=transmitted_by,
        )
    recusals_refresh(jury=certification_jury, actor=transmitted_by)
    return jury


# --- Certification jury --------------------------------------------------------------------------------


def _refuse_if_pv_signed(jury: Jury) -> None:
    # The PV (certificates app) is reached through its reverse relation: juries do not depend on it.
    if Jury.objects.filter(pk=jury.pk, pv__status="signed").exists():
        raise ValidationError(_("Le procès-verbal est signé par tous les membres : les décisions ne changent plus."))


def _certification_place(jury: Jury, place: SessionCandidate) -> SessionCandidate:
    if jury.kind != JuryKind.CERTIFICATION:
        raise ValidationError(_("Seul le jury de certification décide."))
    found = selectors.transmitted_places(jury).filter(pk=place.pk).select_related("session__version").first()
    if found is None:
        raise ValidationError(_("Les résultats de ce candidat n'ont pas été transmis à ce jury."))
    return found


@transaction.atomic
def dispute_record(
    *, jury: Jury, place: SessionCandidate, description: str, summon_evaluation_jury: bool, recorded_by: User
) -> Dispute:
    place = _certification_place(jury, place)
    if not (recorded_by.is_certifier_admin or jury.seats.filter(member__user=recorded_by).exists()):
        raise ValidationError(_("Seuls les membres du jury de certification enregistrent un litige."))
    _refuse_if_pv_signed(jury)
    if Decision.objects.filter(place=place).exists():
        raise ValidationError(_("Le jury a déjà statué sur ce candidat."))
    if not description.strip():
        raise ValidationError({"description": _("Décrivez l'objet du litige.")})
    dispute = Dispute(
        jury=jury,
        place=place,
        description=description.strip(),
        summon_evaluation_jury=summon_evaluation_jury,
        recorded_by=recorded_by,
    )
    dispute.full_clean()
    dispute.save()
    audit(
        place=place,
        action=AuditAction.DISPUTE,
        subject=_("Litige (jury d'évaluation convoqué)") if summon_evaluation_jury else _("Litige"),
        actor=recorded_by,
        after={"objet": dispute.description},
    )
    return dispute


@transaction.atomic
def dispute_resolve(*, dispute: Dispute, resolution: str, resolved_by: User) -> Dispute:
    if not (resolved_by.is_certifier_admin or dispute.jury.seats.filter(member__user=resolved_by).exists()):
        raise ValidationError(_("Seuls les membres du jury de certification closent un litige."))
    if not resolution.strip():
        raise ValidationError({"resolution": _("Indiquez l'issue du litige.")})
    moved = Dispute.objects.filter(pk=dispute.pk, resolved_at__isnull=True).update(
        resolution=resolution.strip(), resolved_at=timezone.now(), resolved_by=resolved_by
    )
    if moved != 1:
        raise ValidationError(_("Ce litige est déjà clos."))
    dispute.refresh_from_db()
    audit(
        place=dispute.place,
        action=AuditAction.DISPUTE_RESOLVED,
        subject=_("Litige clos"),
        actor=resolved_by,
        before={"objet": dispute.description},
        after={"issue": dispute.resolution},
    )
    return dispute


@transaction.atomic
def decision_record(
    *, jury: Jury, place: SessionCandidate, kind: str, blocks: Collection[Block], reason: str, decided_by: User
) -> Decision:
    """The certification jury decides: total, partial (which blocks) or none. A decision that departs from
    the evaluation jury's recommendation or from the result computed by the rules needs a written reason."""
    jury = Jury.objects.select_for_update(of=("self",)).select_related("president__user", "version").get(pk=jury.pk)
    place = _certification_place(jury, place)
    _require_complete(jury)
    _require_keeper(jury, place, decided_by)
    _refuse_if_pv_signed(jury)
    if Dispute.objects.filter(place=place, jury=jury, resolved_at__isnull=True).exists():
        raise ValidationError(_("Un litige est ouvert sur ce candidat : closez-le avant de statuer."))
    codes = _validate_outcome(version=jury.version, kind=kind, blocks=blocks, field="blocks")
    row = _row(place)
    if row.outcome is None:
        raise ValidationError(
            _(
                "Les grilles de consensus de ce candidat ne sont pas toutes validées : "
                "le jury d'évaluation doit les reprendre."
            )
        )
    departures = []
    computed = row.outcome
    if computed is not None and rules.departs(
        kind=kind, blocks=codes, reference_kind=computed.kind, reference_blocks=computed.acquired_blocks
    ):
        departures.append(
            _("du résultat calculé par les règles (%(kind)s)")
            % {"kind": _outcome_words(computed.kind, computed.acquired_blocks)}
        )
    recommendation = row.recommendation
    if recommendation is not None:
        recommended = [b.code for b in recommendation.blocks.all()]
        if rules.departs(kind=kind, blocks=codes, reference_kind=recommendation.kind, reference_blocks=recommended):
            departures.append(
                _("de la préconisation du jury d'évaluation (%(kind)s)")
                % {"kind": _outcome_words(recommendation.kind, recommended)}
            )
    if departures and not reason.strip():
        raise ValidationError(
            {
                "reason": _("Cette décision s'écarte %(what)s : motivez-la par écrit.")
                % {"what": " et ".join(departures)}
            }
        )
    existing = Decision.objects.filter(place=place).prefetch_related("blocks").first()
    before = _outcome_snapshot(existing) if existing else None
    decision = existing or Decision(place=place, jury=jury)
    decision.kind = kind
    decision.reason = reason.strip()
    decision.decided_by = decided_by
    decision.full_clean()
    decision.save()
    decision.blocks.set([b for b in blocks if b.code in codes])
    after = _outcome_snapshot(decision)
    if after != before:
        audit(
            place=place,
            action=AuditAction.DECISION,
            subject=str(jury),
            actor=decided_by,
            before=before,
            after=after,
            reason=decision.reason,
        )
    return decision


def _outcome_words(kind: str, blocks: Collection[str]) -> str:
    label = str(OutcomeKind(kind).label).lower()
    if kind == OutcomeKind.PARTIAL:
        return f"{label} : {', '.join(sorted(blocks))}"
    return label
