"""The jury member registry: proposals by organisations and the certifier, habilitation, withdrawal."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from accounts.access import check_candidate_manager, check_certifier_admin
from accounts.models import AuditAction, Role, User
from accounts.services import audit_record
from candidates.models import Candidate
from cqp.lib import bounds, siret
from cqp.models import Certification, TrainingOrganisation
from juries import access
from juries.models import (
    College,
    JuryMember,
    MemberStatus,
)


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

    The member keeps the names and address typed here. For a new address the registry creates the account
    (without a password: they set one by e-mail). For the address of an existing account it neither shows nor
    links that account: it e-mails an invitation, and the account is linked once its owner confirms
    (`jury_member_confirm`)."""
    check_candidate_manager(
        proposed_by, _("Seuls le certificateur et les organismes de formation proposent des membres de jury.")
    )
    certifications = list(certifications)
    errors: dict[str, str] = {}
    if not certifications:
        errors["certifications"] = _("Indiquez au moins une certification que cette personne peut évaluer.")
    if college not in College.values:
        errors["college"] = _("Choisissez le collège de la personne.")
    company_siret = siret.clean(company_siret)
    if company_siret and (siret_error := siret.error(company_siret)):
        errors["company_siret"] = siret_error
    email = User.objects.normalize_email(email).strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    already = _("%(email)s est déjà dans le registre des membres de jury.") % {"email": email}
    if JuryMember.objects.filter(Q(email__iexact=email) | Q(user__email__iexact=email)).exists():
        errors["email"] = already
    if errors:
        raise ValidationError(errors)
    first_name, last_name = first_name.strip(), last_name.strip()
    created = user is None
    member = JuryMember(
        first_name=first_name,
        last_name=last_name,
        email=email,
        college=college,
        company_name=company_name.strip(),
        company_siret=company_siret,
        organisation=organisation,
        proposed_by=proposed_by,
    )
    try:
        # A savepoint: a proposal for the same address made at the same moment takes the address first (the
        # constraint `one_member_per_email`, or the account's), and this one is refused in words.
        with transaction.atomic():
            if created:
                member.user = account_services.user_create(
                    email=email, password=None, first_name=first_name, last_name=last_name
                )
            member.full_clean()
            member.save()
    except IntegrityError:
        raise ValidationError({"email": already}) from None
    member.certifications.set(certifications)
    member.trained_organisations.set(trained_organisations)
    member.trained_candidates.set(trained_candidates)
    after = {
        _("statut"): str(member.get_status_display()),
        _("collège"): str(member.get_college_display()),
        _("e-mail"): member.email,
        _("entreprise"): member.company_name or None,
        _("organisme"): str(organisation) if organisation is not None else None,
        _("certifications"): sorted(c.name for c in certifications),
    }
    audit_record(actor=proposed_by, target=member, action=AuditAction.MEMBER_PROPOSED, after=after)
    if created:
        _activation_send(member, approved=False)
    else:
        _invitation_send(member)
    return member


def _proposer(member: JuryMember) -> object:
    """Who proposed the member, as their e-mails name them: the organisation, or the certifier."""
    by = member.proposed_by
    return by.organisation if by is not None and by.organisation is not None else _("Le certificateur")


def _activation_send(member: JuryMember, *, approved: bool) -> None:
    """E-mail the member's new account the link to choose its password (after commit), as a candidate's
    invitation does: valid `PASSWORD_RESET_TIMEOUT` (3 days), and only until a password is chosen."""
    from accounts.tasks import email_send

    user = member.user
    if user is None:
        return
    link = account_services.password_link(user, site_url=settings.SITE_URL)
    context = {"member": member, "proposer": _proposer(member), "link": link, "approved": approved}
    body = render_to_string("juries/member_activation_email.txt", context)
    subject = str(_("Choisissez votre mot de passe de membre de jury CQP"))
    transaction.on_commit(partial(email_send.delay, subject=subject, body=body, to=[user.email]))


@transaction.atomic
def jury_member_activation_resend(*, member: JuryMember, sent_by: User) -> JuryMember:
    """A certifier admin sends again the link to choose a password, to a member who has not chosen one yet."""
    check_certifier_admin(sent_by, _("Seul un administrateur du certificateur renvoie une invitation."))
    member = JuryMember.objects.select_related("user", "proposed_by__organisation").get(pk=member.pk)
    if member.user is None:
        raise ValidationError(
            _("%(name)s n'a pas encore confirmé l'invitation envoyée à son compte existant.") % {"name": member.name}
        )
    if not member.awaits_activation:
        raise ValidationError(
            _(
                "%(name)s a déjà choisi son mot de passe : « Mot de passe oublié » sur la page de connexion lui "
                "permet d'en choisir un autre."
            )
            % {"name": member.name}
        )
    _activation_send(member, approved=member.status == MemberStatus.APPROVED)
    return member


def _invitation_send(member: JuryMember) -> None:
    """E-mail the proposal's address the link its owner opens, signed in, to confirm (after commit)."""
    from accounts.tasks import email_send

    link = settings.SITE_URL + reverse("juries:member_invitation", args=[access.invitation_token(member)])
    context = {"member": member, "proposer": _proposer(member), "link": link, "days": access.INVITATION_DAYS}
    body = render_to_string("juries/member_invitation_email.txt", context)
    subject = str(_("Proposition comme membre de jury CQP"))
    transaction.on_commit(partial(email_send.delay, subject=subject, body=body, to=[member.email]))


@transaction.atomic
def jury_member_confirm(*, member: JuryMember, user: User) -> JuryMember:
    """Link `user`'s account to the proposal made for its address, at its owner's request (the e-mailed link
    opened while signed in as that account). The role of jury member comes with it once approved."""
    if not (user.is_authenticated and user.email.lower() == member.email.lower()):
        raise PermissionDenied(_("Cette invitation est adressée à un autre compte."))
    if JuryMember.objects.filter(user=user).exists():
        raise ValidationError(_("Votre compte figure déjà au registre des membres de jury."))
    if JuryMember.objects.filter(pk=member.pk, user__isnull=True, email__iexact=user.email).update(user=user) != 1:
        raise ValidationError(_("Cette invitation est déjà confirmée."))
    member.refresh_from_db()
    audit_record(
        actor=user,
        target=member,
        action=AuditAction.MEMBER_CONFIRMED,
        before={_("compte"): None},
        after={_("compte"): user.email},
    )
    if member.status == MemberStatus.APPROVED:
        account_services.user_role_grant(
            role=Role.JURY_MEMBER,
            user_id=user.pk,
            actor=user,
            reason=_("Invitation au registre des membres de jury confirmée"),
        )
    return member


@transaction.atomic
def jury_member_approve(*, member: JuryMember, approved_by: User) -> JuryMember:
    check_certifier_admin(approved_by, _("Seul un administrateur du certificateur peut habiliter un membre de jury."))
    before = _status_locked(member)
    moved = JuryMember.objects.filter(pk=member.pk, status__in=[MemberStatus.PROPOSED, MemberStatus.WITHDRAWN]).update(
        status=MemberStatus.APPROVED, approved_at=timezone.now(), approved_by=approved_by, status_reason=""
    )
    if moved != 1:
        raise ValidationError(_("%(name)s est déjà habilité(e).") % {"name": member.name})
    # Read again under the lock: the account may have been linked (`jury_member_confirm`) since `member` was read.
    member.refresh_from_db()
    if member.user_id is not None:
        account_services.user_role_grant(
            role=Role.JURY_MEMBER, user_id=member.user_id, actor=approved_by, reason=_("Habilitation de membre de jury")
        )
        if member.awaits_activation:  # its password not chosen yet: the link again, with the approval
            _activation_send(member, approved=True)
    audit_record(
        actor=approved_by, target=member, action=AuditAction.MEMBER_APPROVED, before=before, after=_status(member)
    )
    return member


@transaction.atomic
def jury_member_withdraw(*, member: JuryMember, withdrawn_by: User, reason: str) -> JuryMember:
    check_certifier_admin(withdrawn_by, _("Seul un administrateur du certificateur peut retirer une habilitation."))
    if not reason.strip():
        raise ValidationError({"reason": _("Indiquez le motif du retrait.")})
    try:
        # Written by update(), which skips the check before saving.
        bounds.check_text(reason, JuryMember._meta.get_field("status_reason").max_length or 0, _("Motif"))
    except ValidationError as error:
        raise ValidationError({"reason": error.messages}) from error
    before = _status_locked(member)
    moved = JuryMember.objects.filter(pk=member.pk, status=MemberStatus.APPROVED).update(
        status=MemberStatus.WITHDRAWN, status_reason=reason.strip()
    )
    if moved != 1:
        raise ValidationError(_("%(name)s n'est pas habilité(e).") % {"name": member.name})
    member.refresh_from_db()
    audit_record(
        actor=withdrawn_by,
        target=member,
        action=AuditAction.MEMBER_WITHDRAWN,
        before=before,
        after=_status(member),
        reason=member.status_reason,
    )
    return member


def _status(member: JuryMember) -> dict[str, str]:
    """A member's habilitation as the audit trail records it."""
    return {_("statut"): str(member.get_status_display())}


def _status_locked(member: JuryMember) -> dict[str, str]:
    """The habilitation as stored, the row locked until the transaction ends (the state before a move)."""
    stored = JuryMember.objects.select_for_update().only("status").get(pk=member.pk)
    return _status(stored)
