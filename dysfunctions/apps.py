from __future__ import annotations

from django.apps import AppConfig


class DysfunctionsConfig(AppConfig):
    name = "dysfunctions"
    verbose_name = "Dysfonctionnements"
