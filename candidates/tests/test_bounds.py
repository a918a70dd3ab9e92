"""Bounds on candidates outside the import: forms and services refuse control characters, texts longer than their
field, implausible dates and durations (a French error, never a 500); documents are refused from their declared
size and name before a byte is read; the candidates list runs no DISTINCT and reads its order from an index."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from candidates import documents, services
from candidates.forms import AccommodationForm, CandidateForm, DocumentUploadForm
from candidates.models import Accommodation, Candidate, Enrolment
from candidates.tests.test_documents import PDF, send_part
from candidates.tests.test_import_limits import unreadable_body
from cqp.lib import bounds
from cqp.models import CertificationVersion
from tests.factories import enrol, make_candidate

pytestmark = pytest.mark.django_db


def candidate_data(**overrides: str) -> dict[str, str]:
    data = {
        "birth_name": "Martin",
        "first_name": "Julie",
        "sex": "F",
        "birth_date": "1990-03-01",
        "birth_commune": "Besançon",
        "birth_insee_code": "25056",
        "birth_country": "France",
        "email": "julie@example.org",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"birth_commune": "Besan\x1bçon"}, "birth_commune", "caractère de contrôle"),
        ({"company_name": "ACME\x07"}, "company_name", "caractère de contrôle"),
        ({"company_address": "rue " * 100}, "company_address", "300 caractères"),
        ({"birth_date": "0001-01-01"}, "birth_date", "Date de naissance invraisemblable"),
        ({"birth_date": "9999-12-31"}, "birth_date", "Date de naissance invraisemblable"),
    ],
)
def test_the_candidate_form_bounds_texts_and_the_birth_date(organisation, overrides, field, message) -> None:
    form = CandidateForm(candidate_data(**overrides))
    assert not form.is_valid()
    assert any(message in error for error in form.errors[field]), form.errors


def test_the_candidate_form_offers_the_plausible_birth_dates() -> None:
    attrs = CandidateForm().fields["birth_date"].widget.attrs
    assert attrs["min"] == "1900-01-01" and attrs["max"] == bounds.youngest_birth_date().isoformat()


def test_the_service_refuses_a_control_character_and_a_birth_in_year_1(organisation) -> None:
    fields = {**candidate_data(), "birth_date": dt.date(1990, 3, 1)}
    with pytest.raises(ValidationError) as refusal:
        services.candidate_create(organisation=organisation, created_by=None, **{**fields, "phone": "06\x0012"})
    assert "phone" in refusal.value.message_dict
    with pytest.raises(ValidationError) as refusal:
        services.candidate_create(
            organisation=organisation, created_by=None, **{**fields, "birth_date": dt.date(1, 1, 1)}
        )
    assert "Date de naissance invraisemblable" in refusal.value.message_dict["birth_date"][0]
    assert not Candidate.objects.exists()


# Accommodations: extra minutes within 0..8 hours


@pytest.fixture
def enrolment(staff, referential) -> Enrolment:
    return enrol(make_candidate(staff.organisation), CertificationVersion.objects.get(rncp_code="RNCP26850"))


ACCOMMODATION = {"kind": "extra_time", "measure": "Tiers temps", "referent": "M. Garnier", "approved_on": "2026-10-01"}


def test_extra_minutes_beyond_the_bound_are_a_form_error_not_a_500(client, staff, enrolment) -> None:
    client.force_login(staff)
    url = f"/candidats/inscriptions/{enrolment.pk}/amenagement/"
    for minutes in ("99999999999999", str(bounds.EXTRA_MINUTES_MAX + 1), "-5"):
        response = client.post(url, {**ACCOMMODATION, "extra_minutes": minutes})
        assert response.status_code == 200, minutes
        assert "extra_minutes" in response.context["form"].errors
    assert not Accommodation.objects.exists()
    response = client.post(url, {**ACCOMMODATION, "extra_minutes": str(bounds.EXTRA_MINUTES_MAX)})
    assert response.status_code == 302
    field = AccommodationForm.base_fields["extra_minutes"]
    assert isinstance(field, forms.IntegerField)
    assert field.max_value == bounds.EXTRA_MINUTES_MAX


def test_the_service_refuses_extra_minutes_beyond_the_bound(enrolment) -> None:
    with pytest.raises(ValidationError) as refusal:
        services.accommodation_add(
            enrolment=enrolment,
            kind="extra_time",
            measure="Tiers temps",
            referent="M. Garnier",
            approved_on=dt.date(2026, 10, 1),
            extra_minutes=99_999_999_999_999,
        )
    assert "extra_minutes" in refusal.value.message_dict
    assert not Accommodation.objects.exists()


def test_the_accommodation_form_bounds_texts_and_the_approval_date() -> None:
    form = AccommodationForm(
        {**ACCOMMODATION, "extra_minutes": "20", "referent": "M.\x00 Garnier", "approved_on": "9999-12-31"}
    )
    assert not form.is_valid()
    assert set(form.errors) == {"referent", "approved_on"}


# Documents: refused from their declared size and name


class Unreadable(SimpleUploadedFile):
    """A file whose content must not be read."""

    def read(self, *args, **kwargs):
        raise AssertionError("the file was read")

    def chunks(self, *args, **kwargs):
        raise AssertionError("the file was read")


def test_a_document_over_the_size_is_refused_without_being_read(staff, enrolment) -> None:
    file = Unreadable("livret.pdf", b"", content_type="application/pdf")
    file.size = documents.MAX_UPLOAD_BYTES + 1
    form = DocumentUploadForm({"kind": "identity_copy"}, {"file": file}, candidate=enrolment.candidate)
    assert not form.is_valid()
    assert form.errors["file"] == ["Le fichier pèse 20,1 Mo : 20 Mo au plus."]


def test_a_document_whose_name_has_control_characters_is_refused(staff, enrolment) -> None:
    block = enrolment.blocks.order_by("order").first()
    with pytest.raises(ValidationError) as refusal:
        send_part(enrolment, block, PDF, name="livret\x07.pdf")
    assert "caractère de contrôle" in refusal.value.messages[0]
    form = DocumentUploadForm(
        {"kind": "identity_copy"},
        {"file": SimpleUploadedFile("livret\x1b.pdf", PDF, content_type="application/pdf")},
        candidate=enrolment.candidate,
    )
    assert not form.is_valid() and "caractère de contrôle" in form.errors["file"][0]


# The candidates list: no DISTINCT, its order from an index, constant queries


def test_the_filter_by_certification_runs_no_distinct(client, staff, enrolment) -> None:
    client.force_login(staff)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/candidats/", {"version": enrolment.version_id, "page": 1}).content.decode()
    assert enrolment.candidate.display_name in page
    listing = [q["sql"] for q in queries.captured_queries if 'FROM "candidates_candidate"' in q["sql"]]
    assert listing and not any("DISTINCT" in sql.upper() for sql in listing), listing


def test_the_list_has_indexes_matching_its_order_and_filters() -> None:
    indexes = {tuple(index.fields) for index in Candidate._meta.indexes}
    assert ("organisation", "birth_name", "first_name", "id") in indexes
    assert ("birth_name", "first_name", "id") in indexes
    assert Candidate._meta.ordering == ["birth_name", "first_name", "pk"]
    assert ("version", "candidate") in {tuple(index.fields) for index in Enrolment._meta.indexes}


def _bulk_candidates(organisation, version, start: int, count: int) -> None:
    from candidates import rules

    people = []
    for n in range(start, start + count):
        birth = dt.date(1980, 1, 1) + dt.timedelta(days=n)
        people.append(
            Candidate(
                organisation=organisation,
                birth_name=f"Nom{n:05d}",
                first_name="Julie",
                sex="F",
                birth_date=birth,
                birth_commune="Besançon",
                birth_insee_code="25056",
                email=f"c{n}@example.org",
                identity_key=rules.identity_key(birth_name=f"Nom{n:05d}", first_name="Julie", birth_date=birth),
            )
        )
    created = Candidate.objects.bulk_create(people)
    Enrolment.objects.bulk_create([Enrolment(candidate=c, version=version, access_route="vae") for c in created])


@pytest.mark.parametrize("params", [{}, {"version": "V"}, {"q": "nom", "version": "V"}])
def test_the_list_keeps_its_query_count_from_30_to_600_candidates(
    client, staff, referential, django_assert_num_queries, params
) -> None:
    version = CertificationVersion.objects.get(rncp_code="RNCP26850")
    params = {key: version.pk if value == "V" else value for key, value in params.items()}
    client.force_login(staff)
    _bulk_candidates(staff.organisation, version, 0, 30)
    with CaptureQueriesContext(connection) as small:
        client.get("/candidats/", {**params, "page": 2})
    _bulk_candidates(staff.organisation, version, 30, 570)
    with django_assert_num_queries(len(small)):
        response = client.get("/candidats/", {**params, "page": 20})
    assert response.content.decode().count('data-testid="candidate-row"') == 25


def test_a_document_upload_declaring_more_than_the_limit_is_refused_before_the_body_is_read(staff, enrolment) -> None:
    """Through every middleware, CSRF check enforced (it parses the body of a POST before any view runs)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    page = f"/candidats/{enrolment.candidate_id}/"
    response = client.generic(
        "POST",
        f"/candidats/{enrolment.candidate_id}/documents/deposer/",
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(documents.MAX_UPLOAD_BYTES + 200 * 1024),  # under the global MAX_REQUEST_BYTES
        HTTP_REFERER=f"http://testserver{page}",
        **unreadable_body(),
    )
    assert response.status_code == 302 and response["Location"] == f"http://testserver{page}"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Document : Le fichier pèse 20,2 Mo : 20 Mo au plus."
    ]
