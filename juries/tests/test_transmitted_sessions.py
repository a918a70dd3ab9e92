"""The certification jury's page lists the sessions transmitted to it; the link to an evaluation jury's
deliberation grid is printed only for whom may open it (the certifier, a member who sat on that jury): found by the
demo crawl, where it answered 404 to the certification jury's other members (issue 14)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from certificates.tests.conftest import decided, world  # noqa: F401 - fixtures
from demo.builders import Decided

pytestmark = pytest.mark.django_db


def page_for(user: object, d: Decided) -> tuple[str, str]:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    link = reverse("juries:deliberation", args=[d.evaluation.pk])
    page = client.get(reverse("juries:detail", args=[d.certification.pk]))
    assert page.status_code == 200
    return page.content.decode(), link


def test_the_certifier_opens_the_transmitted_sessions_deliberation(
    decided: Decided,  # noqa: F811
) -> None:
    page, link = page_for(decided.world.admin, decided)
    assert f'href="{link}"' in page


def test_a_certification_jury_member_who_did_not_evaluate_sees_the_session_without_a_dead_link(
    decided: Decided,  # noqa: F811
) -> None:
    member = decided.world.cert_employees.user
    page, link = page_for(member, decided)
    assert "transmise le" in page
    assert f'href="{link}"' not in page
    client = Client()
    client.force_login(member)
    assert client.get(link).status_code == 404
