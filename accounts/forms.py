from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.db import transaction
from django.http import HttpRequest
from django.template import loader
from django.utils.translation import gettext_lazy as _

from accounts.lockout import attempt_address
from accounts.tasks import email_send
from cqp.lib.ratelimit import within_hourly_limit

logger = logging.getLogger(__name__)


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Adresse e-mail ou mot de passe incorrect. Vérifiez votre saisie "
            "(le mot de passe distingue majuscules et minuscules)."
        ),
        "inactive": _("Ce compte est désactivé : contactez le certificateur."),
    }


class QueuedPasswordResetForm(PasswordResetForm):
    """Password-reset mail goes through a Celery task, enqueued once the request commits.

    At most `PASSWORD_RESET_EMAIL_LIMIT_PER_HOUR` mails an hour for one e-mail address and
    `PASSWORD_RESET_ADDRESS_LIMIT_PER_HOUR` requests from one client address: beyond, nothing is sent and the
    page says the same as ever, known address or not."""

    def save(self, **kwargs: Any) -> None:  # type: ignore[override]  # the view passes keywords only
        request: HttpRequest | None = kwargs.get("request")
        email = self.cleaned_data["email"].strip().lower()
        address = attempt_address(request) if request is not None else None
        email_key = hashlib.sha256(email.encode()).hexdigest()
        if not within_hourly_limit(f"reset-address:{address}", settings.PASSWORD_RESET_ADDRESS_LIMIT_PER_HOUR):
            logger.warning("Password reset refused: too many requests from one address.")
            return
        if not within_hourly_limit(f"reset-email:{email_key}", settings.PASSWORD_RESET_EMAIL_LIMIT_PER_HOUR):
            logger.warning("Password reset refused: too many requests for one e-mail address.")
            return
        super().save(**kwargs)

    def get_users(self, email: str) -> Any:
        """Every active account with this address, a password chosen or not: an account opened for someone
        (a jury member added to the registry, a candidate invited) whose first link expired gets a new one.
        Django's own form leaves out accounts without a usable password."""
        from django.contrib.auth import get_user_model

        model = get_user_model()
        return (u for u in model._default_manager.filter(email__iexact=email, is_active=True) if u.email)

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        transaction.on_commit(lambda: email_send.delay(subject=subject, body=body, to=[to_email]))
