"""Pure rules of the juries: composition, impartiality, grid status, departures from the computed result.

No database (Django only for gettext): plain values in, plain values out, so every rule is testable on its own.
The block and certification rules themselves live in `cqp.rules`; this module only feeds them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cqp.lib.siret import siren
from cqp.lib.text import words
from cqp.rules import ACQUIRED, NOT_ACQUIRED, BlockDecision, IncompleteGrid, validate_block

EMPLOYEES = "employees"
EMPLOYERS = "employers"
TRAINER = "trainer"
CERTIFIER_PRESIDENT = "certifier_president"

EVALUATION = "evaluation"
CERTIFICATION = "certification"

# The colleges each kind of jury needs, one seat each (seed 004, § 1).
SEATS: dict[str, tuple[str, ...]] = {
    EVALUATION: (EMPLOYEES, EMPLOYERS, TRAINER),
    CERTIFICATION: (EMPLOYEES, EMPLOYERS, CERTIFIER_PRESIDENT),
}
# Who may preside: the evaluation jury chooses among the two representatives; the certification jury is
# presided by the president of the certifying body.
PRESIDING_COLLEGES: dict[str, tuple[str, ...]] = {
    EVALUATION: (EMPLOYEES, EMPLOYERS),
    CERTIFICATION: (CERTIFIER_PRESIDENT,),
}

JURY_NAMES = {EVALUATION: gettext_lazy("d'évaluation"), CERTIFICATION: gettext_lazy("de certification")}

COLLEGE_LABELS = {
    EMPLOYEES: gettext_lazy("représentant des salariés"),
    EMPLOYERS: gettext_lazy("représentant des employeurs"),
    TRAINER: gettext_lazy("formateur ou accompagnateur CQP"),
    CERTIFIER_PRESIDENT: gettext_lazy("président de l'instance de certification"),
}


@dataclass(frozen=True, slots=True)
class Seat:
    """A member as the composition rules see them."""

    member_id: int
    name: str
    college: str
    internal: bool  # works for a training organisation whose candidates the jury assesses
    linked_to_training: bool = False  # trained these candidates or for their organisation


def assignment_refusal(
    *, kind: str, seats: Collection[Seat], newcomer: Seat, approved: bool, may_assess: bool
) -> str | None:
    """Why `newcomer` cannot join a jury of `kind` that already has `seats`, or None when they can.

    The message names the rule that is broken. "At least half of the jury external to the training
    organisation" is checked against the full jury (3 seats), so it refuses the seat that would make it
    impossible rather than waiting for the last one.
    """
    if not approved:
        return _(
            "%(name)s n'est pas habilité(e) par le certificateur : un membre doit être habilité avant de siéger."
        ) % {"name": newcomer.name}
    if not may_assess:
        return _("%(name)s n'est pas habilité(e) pour cette certification.") % {"name": newcomer.name}
    if any(seat.member_id == newcomer.member_id for seat in seats):
        return _("%(name)s siège déjà dans ce jury.") % {"name": newcomer.name}
    wanted = SEATS[kind]
    if newcomer.college not in wanted:
        allowed = ", ".join(str(COLLEGE_LABELS[c]) for c in wanted)
        return _("Un %(college)s ne siège pas dans un jury %(jury)s (composition : %(allowed)s).") % {
            "college": COLLEGE_LABELS[newcomer.college],
            "jury": JURY_NAMES[kind],
            "allowed": allowed,
        }
    taken = next((seat for seat in seats if seat.college == newcomer.college), None)
    if taken is not None:
        return _("Le jury a déjà son %(college)s (%(name)s) : un seul par jury.") % {
            "college": COLLEGE_LABELS[newcomer.college],
            "name": taken.name,
        }
    if kind == EVALUATION and newcomer.college == TRAINER and newcomer.linked_to_training:
        return _(
            "%(name)s a un lien avec la formation des candidats : le formateur du jury d'évaluation doit être sans "
            "lien avec leur parcours."
        ) % {"name": newcomer.name}
    internal = sum(1 for seat in seats if seat.internal) + (1 if newcomer.internal else 0)
    if internal * 2 > len(wanted):
        return _(
            "%(name)s appartient à l'organisme de formation des candidats : au moins la moitié du jury doit être "
            "extérieure à l'organisme."
        ) % {"name": newcomer.name}
    return None


def composition_problems(*, kind: str, seats: Collection[Seat], president_id: int | None) -> list[str]:
    """What is still missing or wrong for the jury to sit; empty when it is complete."""
    problems = []
    present = {seat.college for seat in seats}
    for college in SEATS[kind]:
        if college not in present:
            problems.append(_("Il manque le %(college)s.") % {"college": COLLEGE_LABELS[college]})
    internal = sum(1 for seat in seats if seat.internal)
    if internal * 2 > max(len(seats), len(SEATS[kind])):
        problems.append(_("Au moins la moitié du jury doit être extérieure à l'organisme de formation."))
    if president_id is None:
        problems.append(_("Le président du jury n'est pas désigné."))
    return problems


def presidency_refusal(*, kind: str, seat: Seat) -> str | None:
    if seat.college not in PRESIDING_COLLEGES[kind]:
        if kind == EVALUATION:
            return _(
                "%(name)s ne peut pas présider : le président du jury d'évaluation est choisi parmi les "
                "représentants des salariés et des employeurs."
            ) % {"name": seat.name}
        return _(
            "%(name)s ne peut pas présider : le jury de certification est présidé par le président de l'instance "
            "de certification."
        ) % {"name": seat.name}
    return None


# --- Impartiality --------------------------------------------------------------------------------------

TRAINED = "trained"
SAME_COMPANY = "same_company"
DECLARED = "declared"

CONFLICT_LABELS = {
    TRAINED: gettext_lazy("a formé le candidat"),
    SAME_COMPANY: gettext_lazy("travaille dans l'entreprise du candidat"),
    DECLARED: gettext_lazy("a déclaré connaître le candidat"),
}


def fold(text: str) -> str:
    """A company name folded for comparison: no accents, case, punctuation or legal form."""
    legal_forms = {"sa", "sas", "sasu", "sarl", "eurl", "sci", "snc", "et", "cie", "la", "le", "les", "l", "de", "du"}
    return " ".join(word for word in words(text) if word not in legal_forms)


def same_company(*, member_company: str, member_siret: str, candidate_company: str, candidate_siret: str) -> bool:
    """Same firm: same SIREN (the first 9 digits of the SIRET), or the same name once folded."""
    if siren(member_siret) and siren(member_siret) == siren(candidate_siret):
        return True
    left, right = fold(member_company), fold(candidate_company)
    return bool(left) and left == right


def conflicts(
    *,
    trained_candidate: bool,
    member_company: str,
    member_siret: str,
    candidate_company: str,
    candidate_siret: str,
    declared: bool,
) -> list[str]:
    """The reasons (TRAINED, SAME_COMPANY, DECLARED) why a member takes no part in a candidate's grid and
    deliberation; empty when none."""
    reasons = []
    if trained_candidate:
        reasons.append(TRAINED)
    if same_company(
        member_company=member_company,
        member_siret=member_siret,
        candidate_company=candidate_company,
        candidate_siret=candidate_siret,
    ):
        reasons.append(SAME_COMPANY)
    if declared:
        reasons.append(DECLARED)
    return reasons


# --- Grids ---------------------------------------------------------------------------------------------

BlockState = Literal["validated", "not_validated", "pending"]


@dataclass(frozen=True, slots=True)
class LiveBlockStatus:
    """A block's status while its grid is being filled.

    `validated` / `not_validated` once every competency is graded, or earlier when the grades already
    entered settle it whatever the rest will be; `pending` otherwise. Computed by `cqp.rules.validate_block`
    on the grid as it is, with the missing grades all A (best case) and all NA (worst case).
    """

    state: BlockState
    acquired: int
    not_acquired: int
    to_grade: tuple[str, ...]
    total: int
    required: int
    missing_mandatory: tuple[str, ...]  # mandatory competencies graded NA
    mandatory_to_grade: tuple[str, ...]
    complete: bool


def live_block_status(
    grades: Mapping[str, str], competencies: Iterable[str], mandatory: Collection[str], threshold_percent: int
) -> LiveBlockStatus:
    codes = tuple(competencies)
    given = {code: grades[code] for code in codes if grades.get(code) in (ACQUIRED, NOT_ACQUIRED)}
    to_grade = tuple(code for code in codes if code not in given)
    best = validate_block({code: given.get(code, ACQUIRED) for code in codes}, codes, mandatory, threshold_percent)
    worst = validate_block({code: given.get(code, NOT_ACQUIRED) for code in codes}, codes, mandatory, threshold_percent)
    state: BlockState
    if worst.validated:
        state = "validated"
    elif not best.validated:
        state = "not_validated"
    else:
        state = "pending"
    acquired = sum(1 for value in given.values() if value == ACQUIRED)
    return LiveBlockStatus(
        state=state,
        acquired=acquired,
        not_acquired=len(given) - acquired,
        to_grade=to_grade,
        total=len(codes),
        required=best.required,
        missing_mandatory=best.missing_mandatory,
        mandatory_to_grade=tuple(code for code in to_grade if code in set(mandatory)),
        complete=not to_grade,
    )


def submission_refusal(
    block_code: str, grades: Mapping[str, str], competencies: Iterable[str], mandatory: Collection[str], threshold: int
) -> str | None:
    """Why a block's grid cannot be submitted (names the competencies with no grade), or None."""
    try:
        validate_block(dict(grades), competencies, mandatory, threshold)
    except IncompleteGrid as incomplete:
        return f"{block_code} : {incomplete}"
    return None


def block_decision(
    grades: Mapping[str, str], competencies: Iterable[str], mandatory: Collection[str], threshold: int
) -> BlockDecision:
    return validate_block(dict(grades), competencies, mandatory, threshold)


# --- Earlier results and departures --------------------------------------------------------------------


def block_still_valid(*, acquired_on: dt.date, validity_years: int | None, on: dt.date) -> bool:
    """An acquired block counts while its validity lasts (None: unlimited, as for RNCP 31313)."""
    if validity_years is None:
        return True
    try:
        end = acquired_on.replace(year=acquired_on.year + validity_years)
    except ValueError:  # 29 February
        end = acquired_on.replace(year=acquired_on.year + validity_years, day=28)
    return on <= end


def departs(*, kind: str, blocks: Collection[str], reference_kind: str, reference_blocks: Collection[str]) -> bool:
    """True when a decision (kind and blocks awarded) differs from a reference one. Blocks matter only for a
    partial award: a total award means every block, none means no block."""
    if kind != reference_kind:
        return True
    return kind == "partial" and frozenset(blocks) != frozenset(reference_blocks)


# --- Access: the state that decides what a member reads and does ---------------------------------------
# Pure answers for `juries.access`, the same for reads and writes. Refusals are reason codes; access.py words
# them (in French, through gettext) and raises 404 or 403.

APPROVED = "approved"  # the member status of a habilitation in force (MemberStatus.APPROVED)


def sits(*, seated: bool, member_status: str | None) -> bool:
    """A member sits on a jury while seated there with their habilitation in force. A withdrawn member (or one
    not approved yet) neither reads nor does anything through that seat: their juries, grids, deliberation
    and the candidates' livrets are closed to them, as the writes already were."""
    return seated and member_status == APPROVED


def sees_place(*, admin: bool, organisation_staff: bool, sits: bool, recused: bool) -> bool:
    """Whether a user who opens a jury sees one of its candidates (grids, decision, deliberation row, livret).

    The certifier sees every candidate; the staff of the session's organisation see theirs, read only. A member
    sees the candidates they take part in: one who is recused for a candidate takes no part in that candidate's
    grid or deliberation (seed 004), so they are shown none of it."""
    return admin or organisation_staff or (sits and not recused)


NOT_SEATED = "not_seated"
CERTIFIER_DESIGNATES = "certifier_designates"
ALREADY_DESIGNATED = "already_designated"
SELF_DESIGNATION = "self_designation"


def designation_refusal(
    *, kind: str, by_admin: bool, by_member_id: int | None, member_id: int, president_id: int | None
) -> str | None:
    """Why a user may not designate `member_id` president of a jury (a reason code), or None when they may.

    Seed 004: at the start of the evaluation session the members of the jury designate their president among
    the two representatives. So a member sitting on an evaluation jury (`by_member_id`, habilitation in force)
    records the jury's choice, once, and never for themselves: a member does not proclaim themselves president.
    The certifier admin designates on any jury and changes a designation; the certification jury is presided by
    the president of the certifying body, whom the certifier designates. Whether the chosen member may preside
    at all (their college) is `presidency_refusal`'s answer."""
    if by_admin:
        return None
    if by_member_id is None:
        return NOT_SEATED
    if kind != EVALUATION:
        return CERTIFIER_DESIGNATES
    if president_id is not None:
        return ALREADY_DESIGNATED
    if member_id == by_member_id:
        return SELF_DESIGNATION
    return None
