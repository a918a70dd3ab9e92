"""The jury member registry: proposals by organisations and the certifier, habilitation, withdrawal."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from accounts.models import User
from candidates.models import Candidate
from cqp.models import Certification, TrainingOrganisation
from juries.models import (
    College,
    JuryMember,
    MemberStatus,
)
from juries.services._roles import _require_admin


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
