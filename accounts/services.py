"""Writes to accounts: creating people with their roles, sending password-reset mail, recording audit events."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from accounts.access import check_certifier_admin
from accounts.models import ROLE_FLAGS, AuditAction, AuditEvent, Role, User
from cqp.models import TrainingOrganisation


def password_link(user: User, *, site_url: str) -> str:
    """The address at which `user` chooses a password (Django's reset token: valid `PASSWORD_RESET_TIMEOUT`, and
    only until a password is chosen): what an invitation to a new account e-mails."""
    from django.contrib.auth.tokens import default_token_generator
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid, token = urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)
    return site_url.rstrip("/") + reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    is_certifier_admin: bool = False,
    organisation: TrainingOrganisation | None = None,
    is_jury_member: bool = False,
    is_candidate: bool = False,
) -> User:
    """Create a person with their roles. Without a password they must set one by e-mail."""
    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email=email).exists():
        raise ValidationError({"email": _("Un compte existe déjà pour %(email)s.") % {"email": email}})
    user = User(
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_certifier_admin=is_certifier_admin,
        organisation=organisation,
        is_jury_member=is_jury_member,
        is_candidate=is_candidate,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def user_set_roles(
    *,
    user: User,
    is_certifier_admin: bool,
    organisation: TrainingOrganisation | None,
    is_jury_member: bool,
    is_candidate: bool,
    actor: User | None = None,
    reason: str = "",
) -> User:
    """Set a person's roles; a change is audited (roles before and after, who, why). `actor` None: a command."""
    if actor is not None:
        check_certifier_admin(actor, _("Seul un administrateur du certificateur change les rôles d'une personne."))
    before = user_roles_state(user)
    user.is_certifier_admin = is_certifier_admin
    user.organisation = organisation
    user.is_jury_member = is_jury_member
    user.is_candidate = is_candidate
    user.full_clean(exclude=["password"])
    user.save()
    after = user_roles_state(user)
    if after != before:
        audit_record(
            actor=actor, target=user, action=AuditAction.ROLES_CHANGED, before=before, after=after, reason=reason
        )
    return user


def user_role_grant(*, user_id: int, role: Role, actor: User | None, reason: str) -> None:
    """Give a person one more role that a process earned them (a jury member's habilitation approved, a candidate
    invitation confirmed); audited when it changes. Call it inside the caller's transaction. Organisation staff is
    not granted so: it comes with an organisation (`user_set_roles`)."""
    flag = ROLE_FLAGS[role]
    user = User.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=user_id)
    if getattr(user, flag):
        return
    before = user_roles_state(user)
    User.objects.filter(pk=user.pk).update(**{flag: True})
    setattr(user, flag, True)
    audit_record(
        actor=actor,
        target=user,
        action=AuditAction.ROLES_CHANGED,
        before=before,
        after=user_roles_state(user),
        reason=reason,
    )


def user_roles_state(user: User) -> dict[str, Any]:
    """A person's roles as the audit trail records them: the roles in words, and the organisation if any."""
    return {
        _("rôles"): [str(role.label) for role in user.roles],
        _("organisme"): str(user.organisation) if user.organisation_id else None,
    }


def audit_record(
    *,
    actor: User | None,
    target: Model,
    action: AuditAction | str,
    before: Any = None,
    after: Any = None,
    reason: str = "",
) -> AuditEvent:
    """Record who changed what on `target`, with the state before and after and the reason.

    Call it inside the caller's transaction, after the change, so the event and the change commit or roll back
    together. `before` and `after` are small JSON values (dates allowed), best a dict of labels to values.
    An event is never updated or deleted.
    """
    if target.pk is None:
        raise ValueError("An audit event needs a saved target.")
    event = AuditEvent(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        content_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
        subject=str(target)[:255] or f"#{target.pk}",
        before=before,
        after=after,
        reason=reason,
    )
    event.full_clean()
    event.save()
    return event
