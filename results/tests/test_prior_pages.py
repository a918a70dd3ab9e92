"""Prior acquisitions' pages: a certifier admin records one (form re-displayed with the data typed and French
errors), the candidate's file lists them (read-only for the organisation), an admin withdraws one with a reason,
the scanned PV is downloaded by those who may read it only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from candidates.models import Candidate
from cqp.models import Block, CertificationVersion
from juries.models import PriorAcquisition
from juries.services.prior import prior_acquisition_record
from tests.factories import OrganisationFactory, UserFactory, enrol, make_candidate

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def version(referential: None) -> CertificationVersion:
    return CertificationVersion.objects.get(rncp_code="RNCP26850")


@pytest.fixture
def candidate(staff: User, version: CertificationVersion) -> Candidate:
    candidate = make_candidate(staff.organisation, 1, created_by=staff)
    enrol(candidate, version, created_by=staff)
    return candidate


def block(version: CertificationVersion, code: str) -> Block:
    return version.blocks.get(code=code)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(version: CertificationVersion, **overrides: Any) -> dict[str, Any]:
    data = {
        "block": block(version, "BC1").pk,
        "acquired_on": "2019-06-15",
        "source": "paper_pv",
        "reference": "PV 2019-014",
    }
    data.update(overrides)
    return data


def record(candidate: Candidate, version: CertificationVersion, admin: User, code: str = "BC1", **kw: Any) -> Any:
    return prior_acquisition_record(
        candidate=candidate,
        block=block(version, code),
        acquired_on=dt.date(2019, 6, 15),
        source="paper_pv",
        reference=f"PV {code}",
        recorded_by=admin,
        **kw,
    )


def test_an_admin_records_a_prior_acquisition_with_its_scanned_pv(
    certifier_admin: User, candidate: Candidate, version: CertificationVersion
) -> None:
    client = client_for(certifier_admin)
    url = reverse("results:prior_create", args=[candidate.pk])
    assert "Enregistrer un acquis antérieur" in client.get(url).text
    scan = SimpleUploadedFile("pv juin 2019.pdf", PDF, content_type="application/pdf")
    response = client.post(url, {**form_data(version), "scan": scan})

    assert response.status_code == 302
    assert response["Location"] == reverse("candidates:detail", args=[candidate.pk])
    prior = PriorAcquisition.objects.get(candidate=candidate)
    assert (prior.block.code, prior.acquired_on, prior.reference) == ("BC1", dt.date(2019, 6, 15), "PV 2019-014")
    assert prior.scan_name == "pv juin 2019.pdf"
    page = client.get(response["Location"]).text
    assert "Acquis antérieurs" in page
    assert "PV 2019-014" in page
    download = client.get(reverse("results:prior_scan", args=[prior.pk]))
    assert download.status_code == 200
    assert download.getvalue() == PDF
    assert download["Cache-Control"] == "private, no-store"
    assert "pv juin 2019.pdf" in download["Content-Disposition"]


def test_the_form_comes_back_with_the_data_typed_and_the_rules_refusal(
    certifier_admin: User, candidate: Candidate, version: CertificationVersion
) -> None:
    record(candidate, version, certifier_admin)
    client = client_for(certifier_admin)
    url = reverse("results:prior_create", args=[candidate.pk])
    response = client.post(url, form_data(version, reference="Dossier 77"))
    assert response.status_code == 200
    assert "déjà enregistré comme acquis antérieur pour ce candidat" in response.text
    assert 'value="Dossier 77"' in response.text
    assert 'value="2019-06-15"' in response.text
    assert PriorAcquisition.objects.filter(candidate=candidate).count() == 1


def test_a_scan_that_is_not_a_pdf_is_refused_in_french(
    certifier_admin: User, candidate: Candidate, version: CertificationVersion
) -> None:
    client = client_for(certifier_admin)
    scan = SimpleUploadedFile("pv.pdf", b"GIF89a....", content_type="application/pdf")
    response = client.post(reverse("results:prior_create", args=[candidate.pk]), {**form_data(version), "scan": scan})
    assert "Le PV numérisé doit être un fichier PDF." in response.text
    assert not PriorAcquisition.objects.exists()


def test_a_date_to_come_is_refused(certifier_admin: User, candidate: Candidate, version: CertificationVersion) -> None:
    client = client_for(certifier_admin)
    soon = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    url = reverse("results:prior_create", args=[candidate.pk])
    response = client.post(url, form_data(version, acquired_on=soon))
    assert response.status_code == 200
    assert "invalid-feedback" in response.text
    assert not PriorAcquisition.objects.exists()


def test_the_organisation_reads_the_list_but_records_and_withdraws_nothing(
    certifier_admin: User, staff: User, candidate: Candidate, version: CertificationVersion
) -> None:
    prior = record(
        candidate, version, certifier_admin, scan=SimpleUploadedFile("pv.pdf", PDF, content_type="application/pdf")
    )
    client = client_for(staff)
    page = client.get(reverse("candidates:detail", args=[candidate.pk])).text
    assert "PV BC1" in page
    assert reverse("results:prior_scan", args=[prior.pk]) in page
    assert reverse("results:prior_withdraw", args=[prior.pk]) not in page
    assert reverse("results:prior_create", args=[candidate.pk]) not in page
    assert client.get(reverse("results:prior_scan", args=[prior.pk])).status_code == 200
    assert client.get(reverse("results:prior_create", args=[candidate.pk])).status_code == 403
    assert client.post(reverse("results:prior_withdraw", args=[prior.pk]), {"reason": "x"}).status_code == 403
    other = UserFactory(email="autre@example.org", organisation=OrganisationFactory(name="Autre Formation"))
    assert client_for(other).get(reverse("results:prior_scan", args=[prior.pk])).status_code == 404


def test_an_admin_withdraws_a_prior_acquisition_with_a_reason(
    certifier_admin: User, candidate: Candidate, version: CertificationVersion
) -> None:
    prior = record(candidate, version, certifier_admin)
    client = client_for(certifier_admin)
    url = reverse("results:prior_withdraw", args=[prior.pk])
    assert "Retirer l'acquis antérieur BC1" in client.get(url).text
    refused = client.post(url, {"reason": "   "})
    assert refused.status_code == 200
    assert "invalid-feedback" in refused.text
    response = client.post(url, {"reason": "PV d'un homonyme"})
    assert response.status_code == 302
    prior.refresh_from_db()
    assert prior.withdrawn_at is not None
    assert prior.withdrawal_reason == "PV d'un homonyme"
    page = client.get(reverse("candidates:detail", args=[candidate.pk])).text
    assert "retiré" in page
    assert "PV d&#x27;un homonyme" in page
    again = client.post(url, {"reason": "Encore"})
    assert "Cet acquis antérieur est déjà retiré." in again.text


def test_the_candidate_file_reads_its_prior_acquisitions_in_constant_queries(
    certifier_admin: User, candidate: Candidate, version: CertificationVersion, django_assert_num_queries: Any
) -> None:
    client = client_for(certifier_admin)
    url = reverse("candidates:detail", args=[candidate.pk])
    record(candidate, version, certifier_admin, "BC1")
    client.get(url)
    # 18 with the results section (states, flags); 20 with the tests per block and the VAE files (issue 13); 21 with
    # each enrolment's current results, its true state and « Résultat » (issue 14)
    with django_assert_num_queries(21) as one:
        client.get(url)
    record(candidate, version, certifier_admin, "BC2")
    prior_acquisition_record(
        candidate=candidate,
        block=CertificationVersion.objects.get(rncp_code="RNCP31313").blocks.first(),
        acquired_on=dt.date(2018, 1, 1),
        source="other_certifier",
        reference="Attestation 9",
        recorded_by=certifier_admin,
    )
    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get(url).text
    assert page.count('data-testid="prior-acquisition"') == 3
    assert "restent : aucun" in page
