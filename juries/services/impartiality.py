"""Impartiality: the recusals found by the rules or declared by a member, and who keeps the consensus
grid and the jury's conclusions for a candidate when the president is recused."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from evaluations.models import SessionCandidate
from juries import access, rules, selectors
from juries.models import (
    AuditAction,
    Grid,
    GridStatus,
    Jury,
    JuryMember,
    Recusal,
    RecusalReason,
)
from juries.services.audit import audit


def _jury_places(jury: Jury) -> list[SessionCandidate]:
    return list(SessionCandidate.objects.of_jury(jury).select_related("enrolment__candidate"))


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
    access.check_speaks_for(declared_by, member)
    if not jury.seats.filter(member=member).exists():
        raise ValidationError(_("%(name)s ne siège pas dans ce jury.") % {"name": member.name})
    if place not in _jury_places(jury):
        raise ValidationError(_("Ce candidat n'est pas évalué par ce jury."))
    if Grid.objects.filter(place=place, member=member, status=GridStatus.SUBMITTED).exists():
        raise ValidationError(
            _("Votre grille de ce candidat est déjà validée : demandez au certificateur de la rouvrir.")
        )
    entering = jury.is_evaluation and (who := selectors.keeper(jury, place)) is not None and who.pk == member.pk
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


def _require_keeper(jury: Jury, place: SessionCandidate, user: User) -> JuryMember:
    """The keeper of the candidate's consensus grid and conclusions, when it is `user`: a refusal (the jury must
    be completed) when nobody may keep them, 403 for anyone else (`access.check_keeper`)."""
    who = selectors.keeper(jury, place)
    if who is None:
        raise ValidationError(
            _(
                "Aucun membre habilité à présider n'est sans lien avec ce candidat : "
                "le certificateur doit compléter le jury."
            )
        )
    access.check_keeper(user, jury, who)
    return who
