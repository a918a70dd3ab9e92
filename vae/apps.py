from __future__ import annotations

from django.apps import AppConfig


class VaeConfig(AppConfig):
    name = "vae"
    verbose_name = "Validation des acquis de l'expérience (VAE)"
