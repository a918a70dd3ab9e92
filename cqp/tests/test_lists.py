"""The referential's lists under ten years of data (issue 11): organisations and certifications paginated and
searchable, a constant number of queries on small and larger data; the referential's forms bounded (dates,
lengths, integers)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from cqp.models import Certification, CertificationVersion, TrainingOrganisation, VersionStatus
from tests.factories import VersionFactory

pytestmark = pytest.mark.django_db


def _organisations(count: int) -> None:
    TrainingOrganisation.objects.bulk_create(
        TrainingOrganisation(name=f"École {n:03d}", city="Lyon", approval_start=dt.date(2020, 1, 1))
        for n in range(count)
    )


def _certifications(count: int) -> None:
    model = VersionFactory()
    certifications = Certification.objects.bulk_create(
        Certification(slug=f"cqp-{n:03d}", name=f"CQP charge {n:03d}") for n in range(count)
    )
    CertificationVersion.objects.bulk_create(
        CertificationVersion(
            certification=c,
            number=1,
            status=VersionStatus.PUBLISHED,
            rncp_code=f"RNCP{70000 + n}",
            title=c.name,
            short_title=c.name,
            certifier=model.certifier,
        )
        for n, c in enumerate(certifications)
    )


def _rows(html: str, testid: str) -> int:
    return html.count(f'data-testid="{testid}"')


# --- Organisations ------------------------------------------------------------------------------------


def test_the_organisations_list_is_paginated_and_searchable(client: Client, certifier_admin: User) -> None:
    _organisations(60)
    client.force_login(certifier_admin)
    url = reverse("organisations:list")
    html = client.get(url).content.decode()
    assert _rows(html, "organisation-row") == 25
    assert "Page 1 sur 3" in html
    found = client.get(url, {"q": "École 042"}).content.decode()
    assert _rows(found, "organisation-row") == 1
    assert "École 042" in found
    assert _rows(client.get(url, {"q": "lyon"}).content.decode(), "organisation-row") == 25
    assert client.get(url, {"q": "\x00" * 10 + "x" * 5000, "page": "999999999999"}).status_code == 200


@pytest.mark.parametrize("count", [1, 80])
def test_the_organisations_list_takes_the_same_queries_whatever_their_number(
    client: Client, certifier_admin: User, django_assert_num_queries: Any, count: int
) -> None:
    _organisations(count)
    client.force_login(certifier_admin)
    with django_assert_num_queries(5):  # session, user, count, page, their last approval events
        assert client.get(reverse("organisations:list")).status_code == 200


@pytest.mark.parametrize("events", [0, 30])
def test_the_organisation_detail_takes_the_same_queries_whatever_its_history(
    client: Client, certifier_admin: User, django_assert_num_queries: Any, events: int
) -> None:
    from cqp import services

    _organisations(1)
    organisation = TrainingOrganisation.objects.get()
    for n in range(events):
        services.organisation_withdraw(organisation=organisation, actor=certifier_admin, reason=f"audit {n}")
        services.organisation_approve(
            organisation=organisation, actor=certifier_admin, start=dt.date(2024, 1, 1), end=None, reason="ok"
        )
    client.force_login(certifier_admin)
    with django_assert_num_queries(4):  # session, user, the organisation, its events
        assert client.get(reverse("organisations:detail", args=[organisation.pk])).status_code == 200


# --- Certifications -----------------------------------------------------------------------------------


def test_the_certifications_list_is_paginated_and_searchable(client: Client, staff: User) -> None:
    _certifications(40)
    client.force_login(staff)
    url = reverse("cqp:certification_list")
    html = client.get(url).content.decode()
    assert _rows(html, "certification") == 25
    assert "Page 1 sur 2" in html
    by_code = client.get(url, {"q": "RNCP70007"}).content.decode()
    assert _rows(by_code, "certification") == 1 and "CQP charge 007" in by_code
    by_name = client.get(url, {"q": "charge 01"}).content.decode()
    assert _rows(by_name, "certification") == 10
    assert client.get(url, {"q": "\x1b" + "y" * 4000}).status_code == 200


@pytest.mark.parametrize("count", [1, 60])
def test_the_certifications_list_takes_the_same_queries_whatever_their_number(
    client: Client, staff: User, django_assert_num_queries: Any, count: int
) -> None:
    _certifications(count)
    client.force_login(staff)
    with django_assert_num_queries(5):  # session, user, count, page of certifications, their versions
        assert client.get(reverse("cqp:certification_list")).status_code == 200


# --- Bounded forms ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("decision_date", "9999-12-31", "invraisemblable"),
        ("registration_start", "0001-01-01", "invraisemblable"),
        ("registration_end", "9999-12-31", "calendrier"),
        ("prerequisites", "mot" * 2000, "caractères"),
        ("evaluation_methods", "x" * 4001, "caractères"),
        ("exam_minutes", "99999999999999", "inférieure ou égale"),
        ("block_validity_years", "32767", "inférieure ou égale"),
    ],
)
def test_the_version_form_refuses_values_out_of_bounds(
    client: Client, certifier_admin: User, field: str, value: str, message: str
) -> None:
    version = VersionFactory(status=VersionStatus.DRAFT)
    client.force_login(certifier_admin)
    url = reverse("cqp:version_edit", args=[version.pk])
    form = client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else (", ".join(v) if k == "nsf_codes" else v)) for k, v in data.items()}
    data["access_routes"] = version.access_routes
    data[field] = value
    response = client.post(url, data)
    assert response.status_code == 200
    assert message in " ".join(str(e) for e in response.context["form"].errors.get(field, []))


def test_an_approval_starting_in_year_9999_is_refused(client: Client, certifier_admin: User) -> None:
    _organisations(1)
    organisation = TrainingOrganisation.objects.get()
    client.force_login(certifier_admin)
    response = client.post(
        reverse("organisations:approve", args=[organisation.pk]),
        {"approve-start": "9999-01-01", "approve-end": "", "approve-reason": "renouvellement"},
    )
    assert response.status_code == 200
    assert "invraisemblable" in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.approval_start == dt.date(2020, 1, 1)
