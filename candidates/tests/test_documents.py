"""Candidates' documents: checked by content, stored privately under a random name, replaced per part,
formative evaluations sent by the training organisation only, the identity copy only for a remote session
and deleted after the check, served only to who may read it."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from candidates import documents, services
from candidates.models import Candidate, CandidateDocument, DocumentKind, Enrolment, EnrolmentStatus, private_storage
from cqp.models import Block, CertificationVersion
from evaluations.models import EvaluationSession, SessionCandidate, SessionMode
from tests.factories import OrganisationFactory, UserFactory, make_candidate

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 50
HTML = b"<!DOCTYPE html><html><script>alert(1)</script></html>"


def upload(content: bytes = PDF, name: str = "livret partie A.pdf", content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


# Content checks: pure functions.


@pytest.mark.parametrize(("content", "expected"), [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg")])
def test_it_accepts_pdf_png_and_jpeg_by_their_content(content: bytes, expected: str) -> None:
    assert documents.upload_problem(size=len(content), head=content[: documents.HEAD_BYTES]) is None
    file_type = documents.file_type(content)
    assert file_type is not None and file_type.content_type == expected


@pytest.mark.parametrize("content", [EXE, HTML, b"Bonjour, ceci est un texte.\n", b"%PD"])
def test_it_refuses_other_contents_whatever_their_name_and_names_the_accepted_types(content: bytes) -> None:
    problem = documents.upload_problem(size=len(content), head=content[: documents.HEAD_BYTES])
    assert problem is not None
    assert "PDF, PNG ou JPEG" in problem


def test_it_refuses_an_empty_file() -> None:
    problem = documents.upload_problem(size=0, head=b"")
    assert problem == "Le fichier est vide : envoyez un fichier PDF, PNG ou JPEG."


def test_it_accepts_20_mb_and_refuses_one_byte_more_with_the_size_in_mo() -> None:
    assert documents.upload_problem(size=documents.MAX_UPLOAD_BYTES, head=PDF) is None
    problem = documents.upload_problem(size=documents.MAX_UPLOAD_BYTES + 1, head=PDF)
    assert problem == "Le fichier pèse 20,1 Mo : 20 Mo au plus."


def test_the_part_letter_follows_the_block_order() -> None:
    assert [documents.part_letter(n) for n in (1, 2, 3)] == ["A", "B", "C"]
    with pytest.raises(ValueError):
        documents.part_letter(0)


# Services.


@pytest.fixture
def version(referential) -> CertificationVersion:
    return CertificationVersion.objects.get(rncp_code="RNCP26850")


@pytest.fixture
def bc1(version) -> Block:
    return version.blocks.get(code="BC1")


@pytest.fixture
def bc2(version) -> Block:
    return version.blocks.get(code="BC2")


@pytest.fixture
def candidate(staff) -> Candidate:
    candidate = make_candidate(staff.organisation)
    account = UserFactory(email="julie@example.org", is_candidate=True)
    Candidate.objects.filter(pk=candidate.pk).update(user=account)
    candidate.refresh_from_db()
    return candidate


@pytest.fixture
def enrolment(candidate, version, bc1) -> Enrolment:
    return services.candidate_enrol(
        candidate=candidate, version=version, blocks=[bc1], access_route="formation_continue", created_by=None
    )


def place_in_session(enrolment: Enrolment, *, mode: str, staff) -> SessionCandidate:
    day = timezone.localdate() + dt.timedelta(days=30)
    session = EvaluationSession.objects.create(
        version=enrolment.version,
        organisation=enrolment.candidate.organisation,
        starts_on=day,
        ends_on=day,
        mode=mode,
        connection_details="https://visio.example.org/cqp",
        address="1 rue de la Paix, Paris",
        slot_minutes=45,
        created_by=staff,
    )
    starts_at = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))
    return SessionCandidate.objects.create(
        session=session, enrolment=enrolment, starts_at=starts_at, ends_at=starts_at + dt.timedelta(minutes=45)
    )


def send_part(enrolment: Enrolment, block: Block, content: bytes = PDF, **kwargs) -> CandidateDocument:
    return services.document_upload(
        candidate=enrolment.candidate,
        uploaded_by=enrolment.candidate.user,
        kind=DocumentKind.LIVRET_PART,
        file=upload(content, **kwargs),
        enrolment=enrolment,
        block=block,
    )


@pytest.mark.django_db
def test_a_livret_part_is_stored_privately_under_a_random_name(enrolment, bc1) -> None:
    document = send_part(enrolment, bc1, name="../../Mon livret (final).pdf")
    path = Path(private_storage().path(document.file.name)).resolve()
    assert path.read_bytes() == PDF
    assert path.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT).resolve())
    assert not path.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert "livret" not in document.file.name and "Mon" not in document.file.name
    assert len(path.stem) == 32 and path.suffix == ".pdf"
    assert document.original_name == "Mon livret (final).pdf"
    assert document.content_type == "application/pdf"
    assert document.size == len(PDF)
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert document.uploaded_by == enrolment.candidate.user
    assert document.label.startswith("Partie A — BC1 Préparer le travail de polissage")


@pytest.mark.django_db
def test_the_private_storage_has_no_url(enrolment, bc1) -> None:
    document = send_part(enrolment, bc1)
    with pytest.raises(ValueError):
        document.file.url  # noqa: B018


@pytest.mark.django_db
def test_the_type_is_taken_from_the_content_not_from_the_declared_type(enrolment, bc1) -> None:
    document = send_part(enrolment, bc1, content=PNG, name="scan.pdf", content_type="application/pdf")
    assert document.content_type == "image/png"
    assert document.file.name.endswith(".png")


@pytest.mark.django_db
def test_it_refuses_an_executable_renamed_pdf_and_stores_nothing(enrolment, bc1) -> None:
    with pytest.raises(ValidationError) as refused:
        send_part(enrolment, bc1, content=EXE, name="livret.pdf")
    assert "PDF, PNG ou JPEG" in refused.value.messages[0]
    assert not CandidateDocument.objects.exists()
    assert not any(Path(settings.PRIVATE_MEDIA_ROOT).rglob("*.*"))


@pytest.mark.django_db
def test_it_refuses_a_file_over_20_mb(enrolment, bc1) -> None:
    big = PDF + b"\0" * (documents.MAX_UPLOAD_BYTES + 1 - len(PDF))
    with pytest.raises(ValidationError, match="20,1 Mo"):
        send_part(enrolment, bc1, content=big)


@pytest.mark.django_db
def test_it_refuses_the_part_of_a_block_not_in_the_enrolment(enrolment, bc2) -> None:
    with pytest.raises(ValidationError, match=r"Le bloc BC2 n'est pas présenté dans cette inscription\."):
        send_part(enrolment, bc2)


@pytest.mark.django_db
def test_it_refuses_a_livret_part_for_a_withdrawn_enrolment(enrolment, bc1) -> None:
    Enrolment.objects.filter(pk=enrolment.pk).update(status=EnrolmentStatus.WITHDRAWN)
    with pytest.raises(ValidationError, match="n'est plus inscrit"):
        send_part(enrolment, bc1)


@pytest.mark.django_db
def test_it_refuses_a_livret_part_for_another_candidates_enrolment(enrolment, bc1, staff) -> None:
    other = make_candidate(staff.organisation, n=1)
    with pytest.raises(ValidationError, match="n'est pas celle du candidat"):
        services.document_upload(
            candidate=other,
            uploaded_by=staff,
            kind=DocumentKind.LIVRET_PART,
            file=upload(),
            enrolment=enrolment,
            block=bc1,
        )


@pytest.mark.django_db
def test_a_new_upload_replaces_the_part_and_deletes_the_old_file(
    enrolment, bc1, django_capture_on_commit_callbacks
) -> None:
    first = send_part(enrolment, bc1)
    old_name = first.file.name
    with django_capture_on_commit_callbacks(execute=True):
        second = send_part(enrolment, bc1, content=JPEG, name="photo.jpg")
    assert list(CandidateDocument.objects.all()) == [second]
    assert not private_storage().exists(old_name)
    assert private_storage().exists(second.file.name)


def send_formative(enrolment: Enrolment, uploaded_by, content: bytes = PDF, **kwargs) -> CandidateDocument:
    return services.document_upload(
        candidate=enrolment.candidate,
        uploaded_by=uploaded_by,
        kind=DocumentKind.FORMATIVE,
        file=upload(content, **{"name": "évaluations formatives.pdf", **kwargs}),
        enrolment=enrolment,
    )


@pytest.mark.django_db
def test_staff_upload_the_formative_evaluations_of_an_enrolment(enrolment, staff) -> None:
    document = send_formative(enrolment, staff)
    assert document.kind == DocumentKind.FORMATIVE
    assert document.enrolment == enrolment and document.block is None
    assert document.uploaded_by == staff
    assert document.label == "Évaluations formatives"
    assert private_storage().exists(document.file.name)


@pytest.mark.django_db
def test_a_certifier_admin_uploads_formative_evaluations_too(enrolment, certifier_admin) -> None:
    assert send_formative(enrolment, certifier_admin).uploaded_by == certifier_admin


@pytest.mark.django_db
def test_a_new_upload_replaces_the_formative_evaluations_and_deletes_the_old_file(
    enrolment, staff, django_capture_on_commit_callbacks
) -> None:
    first = send_formative(enrolment, staff)
    old_name = first.file.name
    with django_capture_on_commit_callbacks(execute=True):
        second = send_formative(enrolment, staff, content=JPEG, name="scan.jpg")
    assert list(CandidateDocument.objects.all()) == [second]
    assert not private_storage().exists(old_name)
    assert private_storage().exists(second.file.name)


@pytest.mark.django_db
def test_the_candidate_cannot_send_their_own_formative_evaluations(enrolment) -> None:
    with pytest.raises(PermissionDenied, match="déposées par l'organisme de formation du candidat"):
        send_formative(enrolment, enrolment.candidate.user)
    assert not CandidateDocument.objects.exists()


@pytest.mark.django_db
def test_staff_of_another_organisation_cannot_send_formative_evaluations(enrolment) -> None:
    other_staff = UserFactory(email="autre@example.org", organisation=OrganisationFactory(name="Autre organisme"))
    with pytest.raises(PermissionDenied, match="déposées par l'organisme de formation du candidat"):
        send_formative(enrolment, other_staff)


@pytest.mark.django_db
def test_it_refuses_formative_evaluations_for_another_candidates_enrolment(enrolment, staff) -> None:
    other = make_candidate(staff.organisation, n=1)
    with pytest.raises(ValidationError, match="n'est pas celle du candidat"):
        services.document_upload(
            candidate=other, uploaded_by=staff, kind=DocumentKind.FORMATIVE, file=upload(), enrolment=enrolment
        )
    assert not CandidateDocument.objects.exists()


@pytest.mark.django_db
def test_it_refuses_formative_evaluations_for_a_withdrawn_enrolment(enrolment, staff) -> None:
    Enrolment.objects.filter(pk=enrolment.pk).update(status=EnrolmentStatus.WITHDRAWN)
    with pytest.raises(ValidationError, match="ses évaluations formatives ne peuvent plus être déposées"):
        send_formative(enrolment, staff)


@pytest.mark.django_db
def test_formative_evaluations_go_with_an_enrolment_and_no_block(enrolment, bc1, staff) -> None:
    with pytest.raises(ValidationError, match="Indiquez l'inscription"):
        services.document_upload(
            candidate=enrolment.candidate, uploaded_by=staff, kind=DocumentKind.FORMATIVE, file=upload()
        )
    with pytest.raises(ValidationError, match="pas à un bloc"):
        services.document_upload(
            candidate=enrolment.candidate,
            uploaded_by=staff,
            kind=DocumentKind.FORMATIVE,
            file=upload(),
            enrolment=enrolment,
            block=bc1,
        )


@pytest.mark.django_db
def test_the_database_keeps_one_formative_document_per_enrolment_without_a_block(enrolment, bc1, staff) -> None:
    send_formative(enrolment, staff)
    second = CandidateDocument(
        candidate=enrolment.candidate,
        enrolment=enrolment,
        kind=DocumentKind.FORMATIVE,
        file="candidate-documents/x.pdf",
        original_name="x.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
    )
    with pytest.raises(ValidationError, match="Les évaluations formatives de cette inscription ont déjà été déposées"):
        second.full_clean()
    second.block = bc1
    with pytest.raises(ValidationError, match="des évaluations formatives avec une inscription seule"):
        second.full_clean()


@pytest.mark.django_db
def test_an_identity_copy_is_refused_without_a_remote_session(enrolment, staff) -> None:
    place_in_session(enrolment, mode=SessionMode.ON_SITE, staff=staff)
    with pytest.raises(ValidationError, match="session d'évaluation à distance"):
        services.document_upload(
            candidate=enrolment.candidate, uploaded_by=None, kind=DocumentKind.IDENTITY_COPY, file=upload(JPEG)
        )
    assert services.identity_copy_for(enrolment.candidate) is None


@pytest.mark.django_db
def test_an_identity_copy_is_accepted_for_a_remote_session_and_deleted_after_the_check(
    enrolment, staff, django_capture_on_commit_callbacks
) -> None:
    place_in_session(enrolment, mode=SessionMode.REMOTE, staff=staff)
    candidate = enrolment.candidate
    copy = services.document_upload(
        candidate=candidate, uploaded_by=candidate.user, kind=DocumentKind.IDENTITY_COPY, file=upload(JPEG, "cni.jpg")
    )
    assert services.identity_copy_for(candidate) == copy
    assert copy.enrolment is None and copy.block is None
    name = copy.file.name
    assert private_storage().exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.identity_copy_delete(candidate=candidate) is True
    assert services.identity_copy_for(candidate) is None
    assert not CandidateDocument.objects.filter(pk=copy.pk).exists()
    assert not private_storage().exists(name)
    assert services.identity_copy_delete(candidate=candidate) is False


@pytest.mark.django_db
def test_an_identity_copy_is_not_tied_to_an_enrolment(enrolment, bc1, staff) -> None:
    place_in_session(enrolment, mode=SessionMode.REMOTE, staff=staff)
    with pytest.raises(ValidationError, match="ne se rattache ni"):
        services.document_upload(
            candidate=enrolment.candidate,
            uploaded_by=None,
            kind=DocumentKind.IDENTITY_COPY,
            file=upload(),
            enrolment=enrolment,
            block=bc1,
        )


# Pages: upload from the candidate's space and the candidate's page, download for the right people only.


@pytest.fixture
def document(enrolment, bc1) -> CandidateDocument:
    return send_part(enrolment, bc1, name="Livret partie A.pdf")


def download_url(document: CandidateDocument) -> str:
    return f"/candidats/documents/{document.pk}/"


@pytest.mark.django_db
def test_the_candidate_staff_and_certifier_admins_download_the_document(
    client, document, staff, certifier_admin
) -> None:
    for user in (document.candidate.user, staff, certifier_admin):
        client.force_login(user)
        response = client.get(download_url(document))
        assert response.status_code == 200, user.email
        assert b"".join(response.streaming_content) == PDF


@pytest.mark.django_db
def test_the_download_is_an_attachment_with_the_original_name_and_no_sniffing(client, document) -> None:
    client.force_login(document.candidate.user)
    response = client.get(download_url(document))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Livret partie A.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Length"] == str(len(PDF))


@pytest.mark.django_db
def test_others_get_404_and_strangers_the_login_page(client, document, jury_member) -> None:
    other_staff = UserFactory(email="autre@example.org", organisation=OrganisationFactory(name="Autre organisme"))
    other_candidate = make_candidate(document.candidate.organisation, n=2)
    other_account = UserFactory(email="autre-candidat@example.org", is_candidate=True)
    Candidate.objects.filter(pk=other_candidate.pk).update(user=other_account)
    for user in (other_staff, other_account, jury_member):
        client.force_login(user)
        assert client.get(download_url(document)).status_code == 404, user.email
    client.logout()
    response = client.get(download_url(document))
    assert response.status_code == 302 and response.url.startswith("/compte/connexion/")


@pytest.mark.django_db
def test_the_private_files_are_not_served_under_the_media_url(client, document) -> None:
    client.force_login(document.candidate.user)
    for url in (f"/{settings.MEDIA_URL}{document.file.name}", f"/{document.file.name}"):
        assert client.get(url).status_code == 404, url


@pytest.mark.django_db
def test_the_candidate_uploads_a_part_from_their_space(client, enrolment, bc1) -> None:
    client.force_login(enrolment.candidate.user)
    response = client.post(
        "/candidats/mes-documents/deposer/",
        {"kind": "livret_part", "enrolment": enrolment.pk, "block": bc1.pk, "file": upload()},
        follow=True,
    )
    content = response.content.decode()
    assert "« livret partie A.pdf » déposé." in content
    assert "Partie A — BC1" in content
    document = CandidateDocument.objects.get()
    assert document.candidate == enrolment.candidate and document.uploaded_by == enrolment.candidate.user


@pytest.mark.django_db
def test_the_candidate_sees_the_refusal_of_a_fake_pdf(client, enrolment, bc1) -> None:
    client.force_login(enrolment.candidate.user)
    response = client.post(
        "/candidats/mes-documents/deposer/",
        {"kind": "livret_part", "enrolment": enrolment.pk, "block": bc1.pk, "file": upload(HTML, "livret.pdf")},
        follow=True,
    )
    assert "PDF, PNG ou JPEG" in response.content.decode()
    assert not CandidateDocument.objects.exists()


@pytest.mark.django_db
def test_a_candidate_cannot_upload_for_another_candidates_enrolment(client, enrolment, bc1) -> None:
    intruder = make_candidate(enrolment.candidate.organisation, n=3)
    account = UserFactory(email="intrus@example.org", is_candidate=True)
    Candidate.objects.filter(pk=intruder.pk).update(user=account)
    client.force_login(account)
    client.post(
        "/candidats/mes-documents/deposer/",
        {"kind": "livret_part", "enrolment": enrolment.pk, "block": bc1.pk, "file": upload()},
    )
    assert not CandidateDocument.objects.exists()


@pytest.mark.django_db
def test_staff_upload_on_the_candidate_page_and_other_organisations_get_404(client, enrolment, bc1, staff) -> None:
    data = {"kind": "livret_part", "enrolment": enrolment.pk, "block": bc1.pk}
    url = f"/candidats/{enrolment.candidate.pk}/documents/deposer/"
    other_staff = UserFactory(email="autre@example.org", organisation=OrganisationFactory(name="Autre organisme"))
    client.force_login(other_staff)
    assert client.post(url, {**data, "file": upload()}).status_code == 404
    client.force_login(enrolment.candidate.user)
    assert client.post(url, {**data, "file": upload()}).status_code == 403
    client.force_login(staff)
    response = client.post(url, {**data, "file": upload()}, follow=True)
    assert response.status_code == 200
    assert CandidateDocument.objects.get().uploaded_by == staff
    assert 'data-testid="documents-card"' in response.content.decode()


@pytest.mark.django_db
def test_staff_upload_formative_evaluations_from_the_candidate_page(client, enrolment, staff) -> None:
    url = f"/candidats/{enrolment.candidate.pk}/"
    client.force_login(staff)
    content = client.get(url).content.decode()
    assert 'data-testid="formative"' in content
    assert "Évaluations formatives — RNCP 26850" in content
    assert "Déposer les évaluations formatives" in content

    response = client.post(
        f"{url}documents/deposer/",
        {"kind": "formative", "enrolment": enrolment.pk, "file": upload(name="evaluations.pdf")},
        follow=True,
    )
    content = response.content.decode()
    assert "Évaluations formatives : « evaluations.pdf » déposé." in content
    assert "Remplacer les évaluations formatives" in content
    document = CandidateDocument.objects.get()
    assert document.kind == DocumentKind.FORMATIVE and document.uploaded_by == staff


@pytest.mark.django_db
def test_the_candidate_space_does_not_offer_formative_evaluations(client, enrolment, staff) -> None:
    send_formative(enrolment, staff)
    client.force_login(enrolment.candidate.user)
    content = client.get("/").content.decode()
    assert 'data-testid="livret-part"' in content
    assert 'value="formative"' not in content
    assert "Évaluations formatives" not in content


@pytest.mark.django_db
def test_the_candidate_upload_of_formative_evaluations_is_refused_with_a_message(client, enrolment) -> None:
    client.force_login(enrolment.candidate.user)
    response = client.post(
        "/candidats/mes-documents/deposer/",
        {"kind": "formative", "enrolment": enrolment.pk, "file": upload()},
        follow=True,
    )
    assert (
        "Évaluations formatives : Elles sont déposées par votre organisme de formation, "
        "pas depuis votre espace candidat." in response.content.decode()
    )
    assert not CandidateDocument.objects.exists()


@pytest.mark.django_db
def test_the_identity_form_appears_only_for_a_remote_session(client, enrolment, staff) -> None:
    client.force_login(enrolment.candidate.user)
    assert "Déposer la pièce d'identité" not in client.get("/").content.decode()
    place_in_session(enrolment, mode=SessionMode.REMOTE, staff=staff)
    assert "Déposer la pièce d'identité" in client.get("/").content.decode()


@pytest.mark.django_db
def test_the_candidate_space_keeps_a_constant_number_of_queries(
    client, enrolment, bc1, django_assert_max_num_queries
) -> None:
    send_part(enrolment, bc1)
    client.force_login(enrolment.candidate.user)
    # Session, user, certifications and versions, enrolments with blocks and accommodations, convocations,
    # one query to know whether an identity copy is asked for, one for all the documents, one for the tests that
    # ask for one (`cqp.block_tests`: the documents to send are built from them), one for the incident
    # reports, one for the results notified (none yet: the prefetches of blocks and parchments are not run), one
    # for the appeals, three for the blocks acquired for good and remaining (the versions' blocks, the final
    # results, the prior acquisitions), and one for the enrolments' current results, their true state.
    with django_assert_max_num_queries(18):
        assert client.get("/").status_code == 200
