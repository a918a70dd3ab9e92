from __future__ import annotations

from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = "Procès-verbaux et parchemins"
