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
PROFESSIONAL = "professional"
COLLEGES = (EMPLOYEES, EMPLOYERS, TRAINER, CERTIFIER_PRESIDENT, PROFESSIONAL)

EVALUATION = "evaluation"
CERTIFICATION = "certification"
KINDS = (EVALUATION, CERTIFICATION)

JURY_NAMES = {EVALUATION: gettext_lazy("jury d'évaluation"), CERTIFICATION: gettext_lazy("jury de certification")}

COLLEGE_LABELS = {
    EMPLOYEES: gettext_lazy("représentant des salariés"),
    EMPLOYERS: gettext_lazy("représentant des employeurs"),
    TRAINER: gettext_lazy("formateur ou accompagnateur CQP"),
    CERTIFIER_PRESIDENT: gettext_lazy("président de l'instance de certification"),
    PROFESSIONAL: gettext_lazy("professionnel du métier"),
}

MAX_SEATS = 30  # no jury of the branch seats more; bounds what an admin may type


@dataclass(frozen=True, slots=True)
class SeatRule:
    """How many members of one college a jury seats, in the certification version's own words (`label`).
    `ex_officio`: the college's members sit by right (e.g. CPNEFP members on 31313's test jury): their
    habilitation in force is enough, without being listed for this certification."""

    college: str
    label: str
    minimum: int
    maximum: int | None
    ex_officio: bool = False


@dataclass(frozen=True, slots=True)
class JuryRules:
    """The composition rules of one kind of jury of one certification version (`juries.models.JuryRuleSet`
    holds them; `DEFAULT_RULES` are 26850's, for a version that has none stored)."""

    kind: str
    name: str  # the jury as the version names it: "jury d'épreuve", "jury paritaire final"
    seats: tuple[SeatRule, ...]
    presiding: tuple[str, ...]
    min_members: int = 0
    max_members: int | None = None
    trainers_linked_allowed: bool = False  # trainers of the candidates' organisation or training may sit
    external_percent: int = 50  # share of the jury that must be external to the training organisation

    def seat_rule(self, college: str) -> SeatRule | None:
        return next((rule for rule in self.seats if rule.college == college), None)

    @property
    def full_size(self) -> int:
        """The smallest lawful jury: what "at least half external" is measured against before it is full."""
        return max(self.min_members, sum(rule.minimum for rule in self.seats), 1)

    def label(self, college: str) -> str:
        rule = self.seat_rule(college)
        return rule.label if rule is not None else str(COLLEGE_LABELS.get(college, college))


def _one_each(*colleges: str) -> tuple[SeatRule, ...]:
    return tuple(SeatRule(college, str(COLLEGE_LABELS[college]), 1, 1) for college in colleges)


def default_rules(kind: str) -> JuryRules:
    """RNCP 26850's rules (seed 004, § 1): three members, one per college; the evaluation jury's president is
    one of the two representatives, its trainer has no link with the candidates' training; the certification
    jury is presided by the president of the certifying body; at least half of each jury is external."""
    if kind == EVALUATION:
        return JuryRules(
            kind=EVALUATION,
            name=str(JURY_NAMES[EVALUATION]),
            seats=_one_each(EMPLOYEES, EMPLOYERS, TRAINER),
            presiding=(EMPLOYEES, EMPLOYERS),
            min_members=3,
            max_members=3,
        )
    return JuryRules(
        kind=CERTIFICATION,
        name=str(JURY_NAMES[CERTIFICATION]),
        seats=_one_each(EMPLOYEES, EMPLOYERS, CERTIFIER_PRESIDENT),
        presiding=(CERTIFIER_PRESIDENT,),
        min_members=3,
        max_members=3,
    )


def rules_definition_problems(rules: JuryRules) -> list[str]:
    """What makes a set of rules impossible to satisfy or to read, for the admin who edits them."""
    problems = []
    if not rules.seats:
        problems.append(_("Indiquez au moins un collège qui siège dans ce jury."))
    colleges = [rule.college for rule in rules.seats]
    for college in sorted(set(colleges)):
        if colleges.count(college) > 1:
            problems.append(_("Le collège « %(label)s » figure deux fois.") % {"label": rules.label(college)})
    for rule in rules.seats:
        if rule.maximum is not None and rule.maximum < rule.minimum:
            problems.append(
                _("« %(label)s » : le maximum (%(max)s) est inférieur au minimum (%(min)s).")
                % {"label": rule.label, "max": rule.maximum, "min": rule.minimum}
            )
    if rules.max_members is not None and rules.max_members < rules.full_size:
        problems.append(
            _("Le jury compte au plus %(max)s membres mais ses minimums en demandent %(min)s.")
            % {"max": rules.max_members, "min": rules.full_size}
        )
    ceiling = sum(rule.maximum if rule.maximum is not None else MAX_SEATS for rule in rules.seats)
    if rules.min_members > ceiling:
        problems.append(
            _("Le jury doit compter au moins %(min)s membres mais ses collèges en admettent %(max)s au plus.")
            % {"min": rules.min_members, "max": ceiling}
        )
    if not rules.presiding:
        problems.append(_("Indiquez au moins un collège parmi lequel le président est choisi."))
    elif not set(rules.presiding) & set(colleges):
        problems.append(_("Le président doit être choisi parmi des collèges qui siègent dans ce jury."))
    if not 0 <= rules.external_percent <= 100:
        problems.append(_("La part extérieure à l'organisme de formation est un pourcentage, de 0 à 100."))
    return problems


def rules_in_words(rules: JuryRules) -> list[str]:
    """The composition stated for people, one line per rule (jury pages, referential)."""
    lines = []
    for rule in rules.seats:
        if rule.maximum == rule.minimum:
            count = str(rule.minimum)
        elif rule.maximum is None:
            count = _("au moins %(n)s") % {"n": rule.minimum}
        elif rule.minimum == 0:
            count = _("jusqu'à %(n)s") % {"n": rule.maximum}
        else:
            count = _("de %(min)s à %(max)s") % {"min": rule.minimum, "max": rule.maximum}
        line = f"{count} × {rule.label}"
        if rule.ex_officio:
            line += str(_(" (de droit)"))
        lines.append(line)
    if rules.min_members > sum(rule.minimum for rule in rules.seats):
        lines.append(_("au moins %(n)s membres en tout") % {"n": rules.min_members})
    if rules.max_members is not None:
        lines.append(_("au plus %(n)s membres en tout") % {"n": rules.max_members})
    lines.append(_("président choisi parmi : %(who)s") % {"who": ", ".join(rules.label(c) for c in rules.presiding)})
    if rules.trainers_linked_allowed:
        lines.append(_("les formateurs de l'organisme des candidats peuvent siéger"))
    else:
        lines.append(_("aucun formateur lié à la formation des candidats"))
    if rules.external_percent:
        lines.append(
            _("au moins %(percent)s %% du jury extérieur à l'organisme de formation")
            % {"percent": rules.external_percent}
        )
    return lines


@dataclass(frozen=True, slots=True)
class Seat:
    """A member as the composition rules see them."""

    member_id: int
    name: str
    college: str
    internal: bool  # works for a training organisation whose candidates the jury assesses
    linked_to_training: bool = False  # trained these candidates or for their organisation
    link: str = ""  # that link in words, naming the candidate or the organisation


def too_internal(*, internal: int, size: int, external_percent: int) -> bool:
    """More of the jury internal to the training organisation than the external share allows."""
    return internal * 100 > (100 - external_percent) * size


def external_share_rule(rules: JuryRules) -> str:
    """The external-share rule in words: "au moins la moitié du jury d'évaluation doit être extérieure à
    l'organisme de formation"."""
    if rules.external_percent == 50:
        return _("au moins la moitié du %(jury)s doit être extérieure à l'organisme de formation") % {
            "jury": rules.name
        }
    return _("au moins %(percent)s %% du %(jury)s doit être extérieur à l'organisme de formation") % {
        "percent": rules.external_percent,
        "jury": rules.name,
    }


def _count(seats: Iterable[Seat], college: str) -> int:
    return sum(1 for seat in seats if seat.college == college)


def assignment_refusal(
    *,
    kind: str,
    seats: Collection[Seat],
    newcomer: Seat,
    approved: bool,
    may_assess: bool,
    rules: JuryRules | None = None,
) -> str | None:
    """Why `newcomer` cannot join a jury of `kind` that already has `seats`, or None when they can.

    `rules`: the version's composition rules (26850's when None). The message names the rule that is broken,
    in the version's words. The external share is checked against the smallest lawful jury, so it refuses
    the seat that would make it impossible rather than waiting for the last one.
    """
    rules = rules or default_rules(kind)
    if not approved:
        return _(
            "%(name)s n'est pas habilité(e) par le certificateur : un membre doit être habilité avant de siéger."
        ) % {"name": newcomer.name}
    seat_rule = rules.seat_rule(newcomer.college)
    if not may_assess and not (seat_rule is not None and seat_rule.ex_officio):
        return _("%(name)s n'est pas habilité(e) pour cette certification.") % {"name": newcomer.name}
    if any(seat.member_id == newcomer.member_id for seat in seats):
        return _("%(name)s siège déjà dans ce jury.") % {"name": newcomer.name}
    if seat_rule is None:
        allowed = ", ".join(rule.label for rule in rules.seats)
        return _("Un %(college)s ne siège pas dans un %(jury)s (composition : %(allowed)s).") % {
            "college": COLLEGE_LABELS.get(newcomer.college, newcomer.college),
            "jury": rules.name,
            "allowed": allowed,
        }
    taken = [seat for seat in seats if seat.college == newcomer.college]
    if seat_rule.maximum is not None and len(taken) >= seat_rule.maximum:
        if seat_rule.maximum == 1:
            return _("Le jury a déjà son %(college)s (%(name)s) : un seul par jury.") % {
                "college": seat_rule.label,
                "name": taken[0].name,
            }
        return _("Le %(jury)s compte déjà %(count)s × %(college)s (%(names)s) : %(max)s au plus.") % {
            "jury": rules.name,
            "count": len(taken),
            "college": seat_rule.label,
            "names": ", ".join(seat.name for seat in taken),
            "max": seat_rule.maximum,
        }
    if rules.max_members is not None and len(seats) >= rules.max_members:
        return _("Le %(jury)s est au complet : %(max)s membres au plus.") % {
            "jury": rules.name,
            "max": rules.max_members,
        }
    if newcomer.college == TRAINER and newcomer.linked_to_training and not rules.trainers_linked_allowed:
        return _(
            "%(name)s a un lien avec la formation des candidats%(link)s : le formateur du %(jury)s doit être sans "
            "lien avec leur parcours."
        ) % {"name": newcomer.name, "jury": rules.name, "link": f" ({newcomer.link})" if newcomer.link else ""}
    internal = sum(1 for seat in seats if seat.internal) + (1 if newcomer.internal else 0)
    size = max(rules.full_size, len(seats) + 1)
    if too_internal(internal=internal, size=size, external_percent=rules.external_percent):
        return _("%(name)s appartient à l'organisme de formation des candidats : %(share)s.") % {
            "name": newcomer.name,
            "share": external_share_rule(rules),
        }
    return None


def composition_problems(
    *, kind: str, seats: Collection[Seat], president_id: int | None, rules: JuryRules | None = None
) -> list[str]:
    """What is still missing or wrong for the jury to sit, in the version's words; empty when it is complete."""
    rules = rules or default_rules(kind)
    problems = []
    for rule in rules.seats:
        count = _count(seats, rule.college)
        if count < rule.minimum:
            if rule.minimum == 1:
                problems.append(_("Il manque le %(college)s.") % {"college": rule.label})
            else:
                problems.append(
                    _("Le %(jury)s demande au moins %(min)s × %(college)s (%(count)s à ce jour).")
                    % {"jury": rules.name, "min": rule.minimum, "college": rule.label, "count": count}
                )
        if rule.maximum is not None and count > rule.maximum:
            problems.append(
                _("Le %(jury)s admet au plus %(max)s × %(college)s (%(count)s à ce jour).")
                % {"jury": rules.name, "max": rule.maximum, "college": rule.label, "count": count}
            )
    for seat in seats:
        if rules.seat_rule(seat.college) is None:
            problems.append(
                _("%(name)s (%(college)s) ne siège pas dans le %(jury)s.")
                % {"name": seat.name, "college": COLLEGE_LABELS.get(seat.college, seat.college), "jury": rules.name}
            )
    if len(seats) < rules.min_members and len(seats) >= sum(rule.minimum for rule in rules.seats):
        problems.append(
            _("Le %(jury)s compte au moins %(min)s membres (%(count)s à ce jour).")
            % {"jury": rules.name, "min": rules.min_members, "count": len(seats)}
        )
    if rules.max_members is not None and len(seats) > rules.max_members:
        problems.append(
            _("Le %(jury)s compte au plus %(max)s membres (%(count)s à ce jour).")
            % {"jury": rules.name, "max": rules.max_members, "count": len(seats)}
        )
    internal = sum(1 for seat in seats if seat.internal)
    if too_internal(internal=internal, size=max(len(seats), rules.full_size), external_percent=rules.external_percent):
        share = external_share_rule(rules)
        problems.append(f"{share[:1].upper()}{share[1:]}.")
    if president_id is None:
        problems.append(_("Le président du jury n'est pas désigné."))
    return problems


def presidency_refusal(*, kind: str, seat: Seat, rules: JuryRules | None = None) -> str | None:
    """Why `seat` may not preside (the version's rule named), or None."""
    rules = rules or default_rules(kind)
    if seat.college in rules.presiding:
        return None
    if len(rules.presiding) == 1:
        return _("%(name)s ne peut pas présider : le %(jury)s est présidé par le %(who)s.") % {
            "name": seat.name,
            "jury": rules.name,
            "who": rules.label(rules.presiding[0]),
        }
    return _("%(name)s ne peut pas présider : le président du %(jury)s est choisi parmi : %(who)s.") % {
        "name": seat.name,
        "jury": rules.name,
        "who": ", ".join(rules.label(college) for college in rules.presiding),
    }


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
