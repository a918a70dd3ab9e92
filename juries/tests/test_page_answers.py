"""What the jury pages answer beyond who sees them: an actor the services refuse gets a 403 (never a form
error), the deliberation downloads carry the private-download headers, the member form checks a SIRET by
the shared rule."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from juries.models import Decision, JuryMember
from juries.tests.services.helpers import ready, transmitted

pytestmark = pytest.mark.django_db

SIRET_ERROR = "SIRET invalide : 14 chiffres dont la clé de contrôle est juste."


def test_a_member_who_does_not_preside_is_refused_the_transmission_with_a_403(client: Any, world: Any) -> None:
    jury = world.evaluation_jury()
    ready(world, jury)
    certification = world.certification_jury()
    client.force_login(world.trainer.user)
    answer = client.post(reverse("juries:transmit", args=[jury.pk]), {"certification_jury": certification.pk})
    assert answer.status_code == 403
    jury.refresh_from_db()
    assert jury.transmitted_at is None


def test_a_member_who_does_not_preside_is_refused_a_decision_with_a_403(client: Any, world: Any) -> None:
    _jury, certification = transmitted(world)
    place = world.places[0]
    client.force_login(world.cert_employees.user)
    url = reverse("juries:decision", args=[certification.pk, place.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"kind": "total", "text": ""}).status_code == 403
    assert not Decision.objects.filter(place=place).exists()


@pytest.mark.parametrize(("name", "extension"), [("deliberation_xlsx", "xlsx"), ("deliberation_pdf", "pdf")])
def test_the_deliberation_downloads_are_private(client: Any, world: Any, name: str, extension: str) -> None:
    jury = world.evaluation_jury()
    client.force_login(world.admin)
    answer = client.get(reverse(f"juries:{name}", args=[jury.pk]))
    assert answer.status_code == 200
    filename = f"deliberation-{jury.session.starts_on:%Y%m%d}-{jury.pk}.{extension}"
    assert answer["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert answer["Cache-Control"] == "private, no-store"
    assert answer["X-Content-Type-Options"] == "nosniff"


def test_the_member_form_refuses_a_siret_whose_check_digit_is_wrong(client: Any, world: Any) -> None:
    client.force_login(world.staff)
    data = {
        "first_name": "Dominique",
        "last_name": "Orfèvre",
        "email": "dominique.orfevre@example.org",
        "college": "employees",
        "company_name": "Orfèvrerie Dupuis",
        "company_siret": "732 829 320 00075",
        "certifications": [world.version.certification_id],
    }
    answer = client.post(reverse("juries:member_create"), data)
    assert answer.status_code == 200
    assert answer.context["form"].errors["company_siret"] == [SIRET_ERROR]
    assert not JuryMember.objects.filter(email="dominique.orfevre@example.org").exists()
    answer = client.post(reverse("juries:member_create"), {**data, "company_siret": "732 829 320 00074"})
    assert answer.status_code == 302
    assert JuryMember.objects.get(email="dominique.orfevre@example.org").company_siret == "73282932000074"
