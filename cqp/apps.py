from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import pre_save

# The apps whose rows the bounds of `cqp.lib.bounds` guard on every save.
BOUNDED_APPS = (
    "accounts",
    "cqp",
    "candidates",
    "evaluations",
    "juries",
    "certificates",
    "results",
    "dysfunctions",
    "vae",
)


def _check_bounds(sender: Any, instance: Any, raw: bool = False, update_fields: Any = None, **kwargs: Any) -> None:
    from cqp.lib.bounds import check_instance

    # Models of a migration's historical state ("__fake__") are left to the migration: it moves old rows.
    if not raw and sender._meta.app_label in BOUNDED_APPS and sender.__module__ != "__fake__":
        check_instance(instance, update_fields)


class CqpConfig(AppConfig):
    name = "cqp"
    verbose_name = "Référentiel des certifications"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from cqp.middleware import stamp_login

        pre_save.connect(_check_bounds, dispatch_uid="cqp.bounds")
        user_logged_in.connect(stamp_login, dispatch_uid="cqp.session_stamps")
