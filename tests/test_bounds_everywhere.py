"""Every text a person types has a length limit on its model field (so in its forms, and in the check before every
save); only texts the app writes itself (render and sending errors) are left without one."""

from __future__ import annotations

from django.apps import apps
from django.db import models

from cqp.apps import BOUNDED_APPS

# Written by the app, never typed: the error of a render or of a sending, kept whole for the operator.
SYSTEM_TEXTS = {
    ("certificates", "procesverbal", "render_error"),
    ("certificates", "resultnotice", "error"),
    ("certificates", "parchment", "render_error"),
}


def test_every_typed_text_has_a_length_limit() -> None:
    unbounded = [
        (model._meta.app_label, model._meta.model_name, field.name)
        for model in apps.get_models()
        if model._meta.app_label in BOUNDED_APPS
        for field in model._meta.concrete_fields
        if isinstance(field, (models.CharField, models.TextField)) and field.max_length is None
    ]
    assert set(unbounded) == SYSTEM_TEXTS
