from __future__ import annotations

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data, split by scenario (`demo/scenarios/`), loaded by `manage.py load_demo`; and the worlds the tests
    and the benchmark build through the services (`demo/builders.py`)."""

    name = "demo"
    verbose_name = "Démonstration"
