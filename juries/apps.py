from __future__ import annotations

from django.apps import AppConfig


class JuriesConfig(AppConfig):
    name = "juries"
    verbose_name = "Jurys et résultats"

    def ready(self) -> None:
        # A new version copies its predecessor's jury rules (a post_save receiver).
        from juries import rule_sets  # noqa: F401
