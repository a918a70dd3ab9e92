"""Queue again every PV and parchment render that did not end (failed, lost, or left by a dead worker): run it
from cron every few minutes on a deployment with workers; a render already taken or done is left alone."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from certificates import services
from certificates.models import PvStatus
from juries.models import Jury, JuryKind


class Command(BaseCommand):
    help = "Relance les rendus de procès-verbaux et de parchemins inachevés (en échec, perdus ou abandonnés)."

    def handle(self, *args: Any, **options: Any) -> None:
        queued = 0
        for jury in Jury.objects.filter(kind=JuryKind.CERTIFICATION, pv__status=PvStatus.SIGNED).order_by("pk"):
            queued += services.renders_resume(jury=jury, requested_by=None)
        self.stdout.write(f"Rendus relancés : {queued}")
