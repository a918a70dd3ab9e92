"""The VAE pages with the test client: the candidate's, the certifier's, the organisation's, and who else gets
403/404; the deadlines page; the candidate's space."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import OrganisationFactory, UserFactory
from vae import services
from vae.models import AdmissibilityFile
from vae.tests.conftest import Vae, pdf

pytestmark = pytest.mark.django_db


def test_the_candidate_creates_a_file_and_a_refused_form_keeps_what_they_typed(client, vae: Vae) -> None:
    client.force_login(vae.user)
    form = {
        "version": vae.version.pk,
        "experience_years": 60,
        "experience_extra_months": 0,
        "experience": "Horloger rhabilleur depuis 2019",
    }
    page = client.post(reverse("vae:create"), form)
    assert page.status_code == 400
    assert "Horloger rhabilleur depuis 2019" in page.text
    assert not AdmissibilityFile.objects.exists()
    page = client.post(reverse("vae:create"), {**form, "experience_years": 2, "experience_extra_months": 3})
    file = AdmissibilityFile.objects.get()
    assert page.status_code == 302 and file.experience_months == 27
    client.post(reverse("vae:document_add", args=[file.pk]), {"upload": pdf()})
    client.post(reverse("vae:submit", args=[file.pk]))
    file.refresh_from_db()
    assert file.status == "submitted"
    page = client.get(reverse("vae:detail", args=[file.pk]))
    assert "2 ans et 3 mois" in page.text and "en attente de la décision du certificateur" in page.text


def test_a_submit_without_a_piece_says_what_to_do(client, vae: Vae) -> None:
    file = vae.file()
    client.force_login(vae.user)
    page = client.post(reverse("vae:submit", args=[file.pk]))
    assert page.status_code == 400
    assert "joignez au moins une pièce" in page.text


def test_the_certifier_decides_and_the_candidate_reads_what_is_missing(client, vae: Vae) -> None:
    file = vae.submitted()
    client.force_login(vae.admin)
    page = client.get(reverse("vae:list"))
    assert page.text.count('data-testid="vae-file-row"') == 1
    refused = client.post(reverse("vae:decide", args=[file.pk]), {"decision": "incomplete", "missing": ""})
    assert refused.status_code == 400 and "ce qui manque" in refused.text
    client.post(reverse("vae:decide", args=[file.pk]), {"decision": "incomplete", "missing": "Bulletins de salaire"})
    client.force_login(vae.user)
    page = client.get(reverse("vae:detail", args=[file.pk]))
    assert 'data-testid="vae-missing"' in page.text and "Bulletins de salaire" in page.text
    assert "Transmettre à nouveau au certificateur" in page.text


def test_who_reads_a_file_and_who_decides(client, vae: Vae) -> None:
    file = vae.submitted()
    document = file.documents.get()
    detail = reverse("vae:detail", args=[file.pk])
    decide = reverse("vae:decide", args=[file.pk])
    other_candidate = UserFactory(email="autre@example.org", is_candidate=True)
    other_staff = UserFactory(email="autre-of@example.org", organisation=OrganisationFactory(name="Autre"))
    jury = UserFactory(email="jury@example.org", is_jury_member=True)
    for user, answer in [(vae.user, 200), (vae.staff, 200), (vae.admin, 200), (other_staff, 404), (jury, 404)]:
        client.force_login(user)
        assert client.get(detail).status_code == answer, user
    client.force_login(other_candidate)
    assert client.get(detail).status_code == 404
    assert client.get(reverse("vae:document", args=[document.pk])).status_code == 404
    assert client.post(reverse("vae:submit", args=[file.pk])).status_code == 404
    for user in (vae.user, vae.staff, jury):
        client.force_login(user)
        assert client.post(decide, {"decision": "admissible"}).status_code == 403
    client.force_login(vae.staff)
    assert client.get(reverse("vae:mine")).status_code == 403
    download = client.get(reverse("vae:document", args=[document.pk]))
    assert download.status_code == 200 and download["Cache-Control"] == "private, no-store"
    file.refresh_from_db()
    assert file.status == "submitted"


def test_the_deadlines_page_shows_files_waiting_and_declarative_files_missing(client, vae: Vae) -> None:
    waiting = vae.submitted()
    AdmissibilityFile.objects.filter(pk=waiting.pk).update(submitted_at=timezone.now() - dt.timedelta(days=12))
    other = vae.candidate.__class__.objects.create(
        organisation=vae.organisation,
        birth_name="Durand",
        first_name="Paul",
        sex="M",
        birth_date=dt.date(1990, 1, 1),
        birth_commune="Morteau",
        email="paul@example.org",
        user=UserFactory(email="paul@example.org", is_candidate=True),
    )
    admissible = services.file_create(
        candidate=other, version=vae.version, experience_months=48, experience="Atelier", actor=other.user
    )
    services.document_add(file=admissible, upload=pdf(), actor=other.user)
    services.file_submit(file=admissible, actor=other.user)
    services.file_decide(file=admissible, decision="admissible", decided_by=vae.admin)
    client.force_login(vae.admin)
    page = client.get(reverse("certificates:deadlines")).text
    section = page[page.index('data-testid="deadlines-vae"') :]
    assert section.count('data-testid="deadline-vae-waiting"') == 1 and "12 jours" in section
    assert section.count('data-testid="deadline-vae-declarative"') == 1 and "DURAND Paul" in section


def test_the_candidate_space_points_a_vae_enrolment_to_the_route(client, vae: Vae) -> None:
    client.force_login(vae.user)
    page = client.get("/")
    assert 'data-testid="my-vae"' in page.text and reverse("vae:mine") in page.text


def test_the_list_reads_the_same_queries_whatever_the_number_of_files(client, vae: Vae) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import make_candidate

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("vae:list")).status_code == 200
        return len(context.captured_queries)

    vae.submitted()
    client.force_login(vae.admin)
    few = queries()
    for n in range(3, 7):
        candidate = make_candidate(vae.organisation, n=n, created_by=vae.staff)
        candidate.user = UserFactory(email=candidate.email, is_candidate=True)
        candidate.save()
        file = services.file_create(
            candidate=candidate, version=vae.version, experience_months=20, experience="Atelier", actor=candidate.user
        )
        services.document_add(file=file, upload=pdf(), actor=candidate.user)
        services.file_submit(file=file, actor=candidate.user)
    assert queries() == few
    page = client.get(reverse("vae:list")).text
    assert page.count('data-testid="vae-file-row"') == 5


def test_the_organisations_candidate_page_links_to_the_candidates_vae_files(client, vae: Vae) -> None:
    file = vae.submitted()
    page = reverse("candidates:detail", args=[vae.candidate.pk])
    client.force_login(vae.staff)
    text = client.get(page).content.decode()
    assert reverse("vae:detail", args=[file.pk]) in text
    assert "Dossier VAE (RNCP 31313)" in text and file.get_status_display() in text
    other = UserFactory(email="autre-of2@example.org", organisation=OrganisationFactory(name="Autre OF"))
    client.force_login(other)
    assert client.get(page).status_code == 404


def test_sending_the_declarative_file_says_what_comes_next_without_a_masculine_default(client, vae: Vae) -> None:
    file = vae.admissible()
    services.declarative_add(file=file, kind="declarative", upload=pdf("livret 2.pdf"), actor=vae.user)
    client.force_login(vae.user)
    response = client.post(f"/vae/{file.pk}/declaratif/transmettre/", follow=True)
    said = " ".join(str(m) for m in response.context["messages"])
    assert "votre organisme de formation peut maintenant vous placer dans une session d'évaluation" in said
    assert "inscrit" not in said
