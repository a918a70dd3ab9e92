"""Role checks shared by the juries' services."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import User


def _require_admin(user: User, what: str) -> None:
    if not user.is_certifier_admin:
        raise ValidationError(_("Seul un administrateur du certificateur peut %(what)s.") % {"what": what})
