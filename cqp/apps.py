from __future__ import annotations

from django.apps import AppConfig


class CqpConfig(AppConfig):
    name = "cqp"
    verbose_name = "Référentiel des certifications"
