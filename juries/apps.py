from __future__ import annotations

from django.apps import AppConfig


class JuriesConfig(AppConfig):
    name = "juries"
    verbose_name = "Jurys et résultats"
