"""A/NA grids: members' own grids and the consensus grid, saved as drafts, submitted (locked) and
reopened by the certifier."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import check_certifier_admin
from accounts.models import User
from cqp.lib.agreement import agree, attendance_label
from cqp.models import Block
from evaluations import rules as session_rules
from evaluations.models import Attendance, SessionCandidate
from juries import access, rules, selectors
from juries.models import (
    AuditAction,
    Decision,
    Grade,
    GradeValue,
    Grid,
    GridStatus,
    Jury,
    JuryMember,
)
from juries.services.audit import audit
from juries.services.composition import _require_complete
from juries.services.impartiality import _require_keeper


def _check_gradable(jury: Jury, place: SessionCandidate) -> None:
    if not jury.is_evaluation or place.session_id != jury.session_id:
        raise ValidationError(_("Ce candidat n'est pas évalué par ce jury."))
    _refuse_before_the_tests(place)
    if place.attendance != Attendance.PRESENT:
        raise ValidationError(
            agree(
                place.enrolment.candidate.sex,
                _("%(name)s n'est pas noté présent sur la feuille d'émargement (%(state)s) : pas de grille."),
                _("%(name)s n'est pas notée présente sur la feuille d'émargement (%(state)s) : pas de grille."),
                _("%(name)s n'est pas noté(e) présent(e) sur la feuille d'émargement (%(state)s) : pas de grille."),
            )
            % {
                "name": place.enrolment.candidate.display_name,
                "state": attendance_label(
                    place.attendance, place.get_attendance_display(), place.enrolment.candidate.sex
                ).lower(),
            }
        )


def _refuse_before_the_tests(place: SessionCandidate) -> None:
    """A grid is entered from the session's first exam day on (`evaluations.rules.grids_refusal`)."""
    refusal = session_rules.grids_refusal(today=timezone.localdate(), first_day=place.session.starts_on)
    if refusal is not None:
        raise ValidationError(refusal)


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
    # Who acts first (403), then the state of the jury and the candidate.
    if consensus:
        _require_keeper(jury, place, saved_by)
        member = None
    else:
        member = access.check_grid_member(saved_by, jury, place)
    _check_gradable(jury, place)
    _require_complete(jury)
    if block.pk not in {b.pk for b in selectors.blocks_sat(place)}:
        raise ValidationError(
            _("%(name)s ne présente pas le bloc %(code)s dans cette session.")
            % {
                "name": place.enrolment.candidate.display_name,
                "code": block.code,
            }
        )
    competencies = {c.code: c for c in block.competencies.all()}
    unknown = sorted(set(grades) - set(competencies))
    invalid = sorted(code for code, value in grades.items() if value not in ("", *GradeValue.values))
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
    who = grid.member.name if grid.member is not None else _("consensus")
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
        # Who acts first (403), then the grid's state.
        if grid.is_consensus:
            _require_keeper(grid.jury, grid.place, submitted_by)
        else:
            # Their own grid, and no recusal found since the draft was started (grid_save refuses it from then).
            access.check_own_grid(submitted_by, grid)
        if grid.status == GridStatus.SUBMITTED:
            problems.append(_("La grille %(code)s est déjà validée.") % {"code": grid.block.code})
            continue
        _refuse_before_the_tests(grid.place)
        _refuse_if_transmitted(grid.jury, grid.place, reopened=True)
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
def grids_enter(
    *,
    jury: Jury,
    place: SessionCandidate,
    consensus: bool,
    entries: Mapping[int, selectors.BlockEntry],
    submit: bool,
    entered_by: User,
) -> list[Grid]:
    """Enter a candidate's grids for every block they sit, all or none: `entries` maps a block's pk to its
    grades, comments and block comment. Grids already submitted are left as they are; the others are saved
    (`grid_save`) and, when `submit`, validated and locked (`grids_submit`). `consensus`: the jury's grids
    (the keeper enters them), else `entered_by`'s own. Refused before the session's first exam day (`grid_save`,
    `grids_submit`). Returns the grids saved."""
    member_id = None if consensus else JuryMember.objects.filter(user=entered_by).values_list("pk", flat=True).first()
    submitted = set(
        Grid.objects.filter(place=place, member_id=member_id, status=GridStatus.SUBMITTED).values_list(
            "block_id", flat=True
        )
    )
    grids = []
    for block in selectors.blocks_sat(place):
        if block.pk in submitted or block.pk not in entries:
            continue
        grades, comments, comment = entries[block.pk]
        grids.append(
            grid_save(
                jury=jury,
                place=place,
                block=block,
                consensus=consensus,
                grades=grades,
                comments=comments,
                comment=comment,
                saved_by=entered_by,
            )
        )
    if submit:
        grids_submit(grids=grids, submitted_by=entered_by)
    return grids


@transaction.atomic
def grid_reopen(*, grid: Grid, reopened_by: User, reason: str) -> Grid:
    """Unlock a submitted grid: a certifier admin only, with a reason, before the certification jury decides.
    After transmission the session stays transmitted: the evaluation jury corrects this grid (and then its
    recommendation), and the certification jury cannot decide on the candidate until it is validated again."""
    check_certifier_admin(reopened_by, _("Seul un administrateur du certificateur peut rouvrir une grille validée."))
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
