"""The Django admin speaks French: no label of a field, a model or an admin column is the English Django derives
from a Python name ("approved by", "created at", "Pdf name"). Words that read the same in French (code, session,
version...) are allowed as they are."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import label_for_field
from django.db.models import Field
from django.test import RequestFactory
from django.utils import translation
from django.utils.text import capfirst

from juries.models import JuryMember
from tests.factories import UserFactory

# Field names whose French label is the same word.
FRENCH_AS_IS = {
    "action",
    "certification",
    "code",
    "description",
    "jury",
    "maximum",
    "mentions",
    "minimum",
    "session",
    "source",
    "version",
}
# Words of a label Django derived from an English Python name; none is a French word.
ENGLISH_WORDS = {
    "by",
    "at",
    "the",
    "of",
    "created",
    "updated",
    "uploaded",
    "approved",
    "proposed",
    "decided",
    "recorded",
    "submitted",
    "issued",
    "opened",
    "requested",
    "claimed",
    "render",
    "status",
    "error",
    "user",
    "member",
    "file",
    "key",
    "name",
}


def _project_models() -> list[Any]:
    base = Path(settings.BASE_DIR).resolve()
    return [
        model
        for model in apps.get_models()
        if Path(model._meta.app_config.path).resolve().is_relative_to(base)
        and ".venv" not in Path(model._meta.app_config.path).parts
    ]


def _english(label: str, name: str) -> bool:
    """The label Django derives from the name (unless the word is French too), or a label with an English word."""
    if label.lower() == name.replace("_", " ").lower() and name not in FRENCH_AS_IS:
        return True
    return _english_words(label)


def _english_words(label: str) -> bool:
    return bool(set(re.findall(r"[a-z]+", label.lower())) & ENGLISH_WORDS)


def test_the_english_detector_catches_derived_labels_and_passes_french_ones() -> None:
    assert _english("approved by", "approved_by")
    assert _english("created at", "created_at")
    assert _english("Pdf name", "pdf_name")
    assert _english("Recorded by", "whatever")
    assert not _english("habilité par", "approved_by")
    assert not _english("session", "session")
    assert not _english("fichier PDF", "pdf")


def test_every_field_and_model_of_the_project_has_a_french_label() -> None:
    english = []
    with translation.override("fr"):
        models = _project_models()
        assert len(models) > 40
        for model in models:
            for label in (model._meta.verbose_name, model._meta.verbose_name_plural):
                if _english_words(str(label)):
                    english.append(f"{model._meta.label}: {label}")
            for field in model._meta.get_fields():
                if field.auto_created or not isinstance(field, Field) or not (field.concrete or field.many_to_many):
                    continue
                if _english(str(field.verbose_name), field.name):
                    english.append(f"{model._meta.label}.{field.name}: {field.verbose_name}")
    assert english == []


def _admin_columns(model_admin: Any) -> list[str]:
    names = list(model_admin.list_display) if model_admin.list_display != ("__str__",) else []
    names += [name for name in model_admin.get_readonly_fields(_request()) if isinstance(name, str)]
    names += [name for name in model_admin.list_filter if isinstance(name, str)]
    return names


def _request() -> Any:
    return RequestFactory().get("/admin/")


@pytest.mark.django_db
def test_every_admin_column_and_inline_field_is_labelled_in_french() -> None:
    english = []
    with translation.override("fr"):
        for model, model_admin in admin.site._registry.items():
            checked: list[tuple[Any, Any, str]] = [(model, model_admin, name) for name in _admin_columns(model_admin)]
            for inline_class in model_admin.inlines:
                inline = inline_class(model, admin.site)
                fields = [name for name in (inline.fields or []) if isinstance(name, str)]
                checked += [(inline.model, inline, name) for name in fields]
            for owner, owner_admin, name in checked:
                if "__" in name:
                    continue
                label = str(label_for_field(name, owner, owner_admin))
                if _english(label, name):
                    english.append(f"{owner._meta.label} ({type(owner_admin).__name__}).{name}: {label}")
    assert english == []


@pytest.mark.django_db
def test_a_jury_member_page_of_the_admin_reads_french(client, certifier_admin) -> None:
    proposer = UserFactory(email="proposant@example.org")
    member = JuryMember.objects.create(
        first_name="Marc", last_name="Petit", email="marc@example.org", college="employers", proposed_by=proposer
    )
    client.force_login(certifier_admin)
    page = client.get(f"/admin/juries/jurymember/{member.pk}/change/").content.decode()
    assert capfirst("proposé par") in page
    assert capfirst("habilité par") in page
    for english in ("Proposed by", "Approved by", "Created at"):
        assert english not in page
