"""Every page of the Django admin opens for a certifier admin: the list, the add form (where adding is allowed;
a 403 where the admin is read-only by design) and the page of one object of every registered model, on a world
taken to its parchments."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.db.models import Model
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts import services as accounts_services
from candidates import services as candidate_services
from certificates.tests.conftest import Decided, commit, decided, issued, signed, validated, world
from evaluations import services as evaluation_services
from tests.factories import CandidateFactory, UserFactory

__all__ = ["commit", "decided", "issued", "signed", "validated", "world"]

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


@pytest.fixture
def everything(issued: Decided) -> Decided:
    """The issued world, plus what it does not hold: a change of roles (audited), an incident and a fraud ban."""
    world = issued.world
    evaluation_services.incident_report(
        session=world.session, kind="technical", description="Coupure de courant à 10 h.", reported_by=world.staff
    )
    accounts_services.user_set_roles(
        user=UserFactory(email="nouveau-jury@example.org"),
        is_certifier_admin=False,
        organisation=None,
        is_jury_member=True,
        is_candidate=False,
        actor=world.admin,
        reason="Habilité pour les jurys.",
    )
    candidate_services.fraud_ban_record(
        candidate=CandidateFactory(organisation=world.organisation),
        decided_on=world.session.starts_on,
        reason="Fraude à une autre session.",
        recorded_by=world.admin,
    )
    _vae_file(world)
    return issued


def _vae_file(world: Any) -> None:
    """A VAE file decided admissible, its declarative file sent and its positioning recorded."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from vae import services as vae_services

    def pdf() -> SimpleUploadedFile:
        return SimpleUploadedFile("dossier.pdf", b"%PDF-1.4\n%%EOF\n")

    candidate = CandidateFactory(organisation=world.organisation, user=UserFactory(email="vae@example.org"))
    actor = candidate.user
    file = vae_services.file_create(
        candidate=candidate, version=world.version, experience_months=24, experience="Polissage", actor=actor
    )
    vae_services.document_add(file=file, upload=pdf(), actor=actor)
    vae_services.file_submit(file=file, actor=actor)
    file = vae_services.file_decide(file=file, decision="admissible", decided_by=world.admin)
    vae_services.declarative_add(file=file, kind="declarative", upload=pdf(), actor=actor)
    file = vae_services.declarative_submit(file=file, actor=actor)
    block = world.version.blocks.order_by("order").first()
    vae_services.positioning_record(file=file, entries={block.pk: (True, "")}, recorded_by=world.admin)


def _url(model: type[Model], page: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


def test_every_admin_page_opens_for_a_certifier_admin(everything: Decided) -> None:
    client = Client(raise_request_exception=False)  # every page answers, a 500 included
    user = everything.world.admin
    client.force_login(user)
    request = RequestFactory().get("/admin/")
    request.user = user
    answers = {}
    expected = {}
    for model, model_admin in REGISTERED:
        obj = model._default_manager.order_by("pk").first()
        assert obj is not None, f"the world holds no {model._meta.label}: add one to `everything`"
        pages = {
            "changelist": (_url(model, "changelist"), 200),
            "add": (_url(model, "add"), 200 if model_admin.has_add_permission(request) else 403),
            "change": (_url(model, "change", obj.pk), 200),
        }
        for page, (url, status) in pages.items():
            key = f"{model._meta.label} {page}"
            expected[key] = status
            answers[key] = client.get(url).status_code

    assert answers == expected


def test_the_admin_index_lists_every_registered_model(client: Client, certifier_admin: Any) -> None:
    client.force_login(certifier_admin)
    page = client.get("/admin/")
    assert page.status_code == 200
    for model, _model_admin in REGISTERED:
        assert _url(model, "changelist").encode() in page.content
