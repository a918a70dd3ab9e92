from __future__ import annotations

from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "results"
    verbose_name = "Recours et vie des résultats"

    def ready(self) -> None:
        from juries.signals import decision_revised
        from results.services.appeals import on_decision_revised

        # A re-examination's decision closes the appeal it answers, in the same transaction.
        decision_revised.connect(on_decision_revised, dispatch_uid="results.appeal_close_on_revision")
