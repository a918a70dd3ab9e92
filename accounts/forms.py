from __future__ import annotations

from typing import Any

from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.db import transaction
from django.template import loader
from django.utils.translation import gettext_lazy as _

from accounts.tasks import email_send


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Adresse e-mail ou mot de passe incorrect. Vérifiez votre saisie "
            "(le mot de passe distingue majuscules et minuscules)."
        ),
        "inactive": _("Ce compte est désactivé : contactez le certificateur."),
    }


class QueuedPasswordResetForm(PasswordResetForm):
    """Password-reset mail goes through a Celery task, enqueued once the request commits."""

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
