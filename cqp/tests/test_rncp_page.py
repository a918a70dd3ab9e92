"""The admin page that imports an RNCP fiche (issue 13, part 4): the export uploaded (XML or zip) and read as a
stream, the fiche shown with what importing it would do, the split of its competencies corrected before the draft
version is created; the same fiche again changes nothing, a changed one is shown as differences; French errors
that keep the admin's input; certifier admins only."""

from __future__ import annotations

import html
import io
import os
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import User
from cqp import referential_data, rncp, rncp_import, rncp_views
from cqp.forms import RNCP_EXPORT_MAX_BYTES
from cqp.models import Certification, CertificationVersion, Certifier, Competency
from cqp.tests.test_rncp import SAMPLE

pytestmark = pytest.mark.django_db

UPLOAD = reverse("cqp:rncp_upload")
PREVIEW = reverse("cqp:rncp_preview")
XML = SAMPLE.read_bytes()


@pytest.fixture
def certifiers() -> None:
    for data in referential_data.CERTIFIERS:
        Certifier.objects.create(
            name=data.name, legal_name=data.legal_name, signatory_title=data.signatory_title, city=data.city
        )


@pytest.fixture
def admin(client: Client, certifier_admin: User, certifiers: None) -> Client:
    client.force_login(certifier_admin)
    return client


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def upload(client: Client, number: str, content: bytes = XML, name: str = "export.xml") -> Any:
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, content), "number": number})


def zipped(content: bytes = XML) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("export-fiches-rncp-v4-1-2026-12-01.xml", content)
    return buffer.getvalue()


def fiche(number: str, content: bytes = XML) -> rncp.Fiche:
    return next(f for f in rncp.iter_fiches(io.BytesIO(content)) if f.number == number)


def folder() -> list[str]:
    path = Path(settings.MEDIA_ROOT) / rncp_views.UPLOAD_DIR
    return sorted(p.suffix for p in path.iterdir()) if path.exists() else []


def split_data(client: Client, **changes: str) -> dict[str, str]:
    """The split form as the page proposes it, with `changes` (BC1="…") typed over it."""
    blocks = rncp_views.fiche_from_json(
        (
            Path(settings.MEDIA_ROOT)
            / rncp_views.UPLOAD_DIR
            / f"{client.session[rncp_views.SESSION_KEY]['token']}.json"
        ).read_text(encoding="utf-8")
    ).blocks
    data = {f"split_{b.code}": "\n".join(b.proposed) for b in blocks}
    data.update({f"split_{code}": value for code, value in changes.items()})
    return data


def rows() -> tuple[int, int, int]:
    return Certification.objects.count(), CertificationVersion.objects.count(), Competency.objects.count()


@pytest.mark.parametrize("role", ["staff", "jury_member", "candidate_user"])
def test_other_roles_are_refused_the_pages(client: Client, request: pytest.FixtureRequest, role: str) -> None:
    client.force_login(request.getfixturevalue(role))
    assert client.get(UPLOAD).status_code == 403
    assert upload(client, "RNCP31313").status_code == 403
    assert client.post(PREVIEW, {}).status_code == 403
    assert rows() == (0, 0, 0) and folder() == []
    assert "Importer une fiche RNCP" not in text(client.get(reverse("cqp:certification_list")))


def test_the_list_links_to_the_page_for_admins(admin: Client) -> None:
    assert f'href="{UPLOAD}"' in text(admin.get(reverse("cqp:certification_list")))
    page = text(admin.get(UPLOAD))
    assert "Export des fiches RNCP (XML ou zip)" in page and "Numéro de la fiche" in page


def test_the_uploaded_xml_shows_the_fiche_and_the_upload_is_deleted(admin: Client) -> None:
    response = upload(admin, "31313")

    assert response.status_code == 302 and response["Location"] == PREVIEW
    assert folder() == [".json"]  # the export itself is gone; the fiche alone is kept
    page = text(admin.get(PREVIEW))
    assert "CQP : Certificat de qualification professionnelle Horloger qualifié" in page
    assert "Nouvelle certification :" in page
    assert "251" in page and "7 août 2018" in page and "7 août 2023" in page
    assert "Commission paritaire nationale de l'emploi et de la formation professionnelle (CPNEFP)" in page
    assert "Validation des acquis de l'expérience (VAE)" in page
    assert "au minimum deux professionnels, ayant des compétences en lien avec le CQP visé" in page
    assert "BC4 — Organiser l’intervention" in page
    assert "Descriptif des compétences évaluées :      -      Organiser et planifier son activité" in page
    assert "Créer la version en préparation" in page
    # The proposed split, one competency a line, in the block's textarea.
    assert "Organiser et planifier son activité\nPréparer le matériel" in page


def test_a_zip_of_the_export_is_read_too_and_a_renewal_is_a_linked_certification(admin: Client) -> None:
    rncp_import.import_fiche(fiche("RNCP31313"))
    old = CertificationVersion.objects.get(rncp_code="RNCP31313")

    assert upload(admin, "RNCP99913", zipped(), "export.zip").status_code == 302
    page = text(admin.get(PREVIEW))
    assert "Renouvellement :" in page and "la fiche renouvelle « CQP Horloger qualifié »" in page
    response = admin.post(PREVIEW, split_data(admin))

    renewal = CertificationVersion.objects.get(rncp_code="RNCP99913")
    assert response["Location"] == reverse("cqp:version_detail", args=[renewal.pk])
    assert renewal.certification != old.certification and renewal.certification.predecessor == old.certification
    assert CertificationVersion.objects.get(pk=old.pk).updated_at == old.updated_at  # the old one untouched


def test_the_corrected_split_becomes_the_draft_version(admin: Client) -> None:
    upload(admin, "RNCP31313")
    corrected = "Accueillir le client et identifier ses besoins\n\n   Réceptionner la montre  \nÉtablir le devis\n"

    response = admin.post(PREVIEW, split_data(admin, BC1=corrected), follow=True)

    version = CertificationVersion.objects.get(rncp_code="RNCP31313")
    assert response.redirect_chain[-1][0] == reverse("cqp:version_detail", args=[version.pk])
    assert "Version en préparation créée depuis la fiche RNCP31313" in text(response)
    assert version.status == "draft" and "découpage des compétences confirmé" in version.to_verify
    bc1 = version.blocks.get(code="BC1")
    assert [(c.code, c.label) for c in bc1.competencies.order_by("order")] == [
        ("C1.1", "Accueillir le client et identifier ses besoins"),
        ("C1.2", "Réceptionner la montre"),
        ("C1.3", "Établir le devis"),
    ]
    bc4 = version.blocks.get(code="BC4")
    assert [c.label for c in bc4.competencies.order_by("order")] == fiche("RNCP31313").blocks[3].proposed
    assert not Competency.objects.filter(label_is_draft=True).exists()  # confirmed by the admin
    assert folder() == [] and rncp_views.SESSION_KEY not in admin.session
    assert admin.get(PREVIEW)["Location"] == UPLOAD  # used: nothing left to create from


def test_the_same_fiche_again_changes_nothing(admin: Client) -> None:
    upload(admin, "RNCP31313")
    admin.post(PREVIEW, split_data(admin, BC1="Accueillir le client"))
    before = rows()

    upload(admin, "RNCP31313")
    page = text(admin.get(PREVIEW))
    posted = admin.post(PREVIEW, split_data(admin))

    assert "Déjà importée :" in page and "rien à faire" in page
    assert "Créer la version en préparation" not in page and "<textarea" not in page
    assert posted.status_code == 200 and "Rien à créer pour cette fiche." in text(posted)
    assert rows() == before


def test_a_changed_fiche_is_shown_as_differences_to_accept(admin: Client) -> None:
    rncp_import.import_fiche(fiche("RNCP31313"))
    changed = (
        XML.decode()
        .replace("Assurer la relation client", "Assurer la relation avec le client", 1)
        .replace("-      Établir un devis      ", "", 1)
        .replace("Réceptionner la montre", "Réceptionner et contrôler la montre", 1)
        .replace("Remédier aux problèmes esthétiques", "Remédier aux problèmes esthétiques      -      Tester", 1)
        .encode()
    )
    upload(admin, "RNCP31313", changed)

    page = text(admin.get(PREVIEW))
    assert "Fiche modifiée :" in page and "Accepter les différences et créer la version en préparation" in page
    shown = [
        " ".join(html.unescape(r).split())
        for r in admin.get(PREVIEW).content.decode().split('data-testid="difference"')[1:]
    ]
    assert len(shown) == 4
    assert "Bloc BC1" in shown[0] and "<del>Assurer la relation client</del>" in shown[0]
    assert "Bloc BC1, compétence 3" in shown[1] and "<ins>Réceptionner et contrôler la montre</ins>" in shown[1]
    assert "Bloc BC1, compétence 7" in shown[2] and "retiré" in shown[2] and "<del>Établir un devis</del>" in shown[2]
    assert "Bloc BC3, compétence 12" in shown[3] and "ajouté" in shown[3] and "<ins>Tester</ins>" in shown[3]

    admin.post(PREVIEW, split_data(admin))
    first, second = CertificationVersion.objects.filter(rncp_code="RNCP31313").order_by("number")
    assert (second.number, second.previous, second.certification) == (2, first, first.certification)
    assert second.blocks.get(code="BC1").competencies.count() == 11


def test_a_fiche_whose_certifier_is_unknown_here_offers_no_creation(client: Client, certifier_admin: User) -> None:
    client.force_login(certifier_admin)  # no certifier in the database
    upload(client, "RNCP31313")

    page = text(client.get(PREVIEW))
    posted = client.post(PREVIEW, split_data(client))

    assert "Import impossible :" in page and "certificateur inconnu ici (Commission paritaire nationale" in page
    assert "<textarea" not in page and "Créer la version en préparation" not in page
    assert "Rien à créer pour cette fiche." in text(posted) and rows() == (0, 0, 0)


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("export.csv", XML, "un fichier .xml ou le .zip qui le contient"),
        ("export.xml", b"NUMERO_FICHE;INTITULE\n", "Ce fichier n'est pas du XML"),
        ("export.xml", zipped(), "Ce fichier .zip est nommé .xml : renommez-le en .zip."),
        ("export.zip", XML, "Ce fichier .zip n'est pas une archive zip lisible."),
        ("export.xml", b"<FICHES><FICHE><NUMERO_FICHE>", "Export illisible ("),
        ("export.zip", zipped()[:200], "Export illisible ("),
    ],
)
def test_a_bad_file_is_refused_in_french_and_the_number_kept(
    admin: Client, name: str, content: bytes, error: str
) -> None:
    response = upload(admin, "RNCP31313", content, name)

    assert response.status_code == 200
    assert error in text(response)
    assert 'value="RNCP31313"' in text(response)
    assert folder() == [] and rows() == (0, 0, 0)


def test_an_unknown_number_or_a_broken_fiche_says_so(admin: Client) -> None:
    unknown = upload(admin, "RNCP12345")
    broken = upload(admin, "rncp 31313", XML.replace(b"<DATE_EFFET>07/08/2018", b"<DATE_EFFET>2018"))
    unreadable = upload(admin, "RNCP-31313")

    assert "Aucune fiche RNCP12345 dans ce fichier" in text(unknown) and 'value="RNCP12345"' in text(unknown)
    assert "La fiche RNCP31313 ne peut pas être importée : date DATE_EFFET illisible" in text(broken)
    assert "Numéro RNCP illisible : « RNCP-31313 »" in text(unreadable)
    assert folder() == [] and rncp_views.SESSION_KEY not in admin.session


def test_a_split_out_of_bounds_names_the_block_and_the_line_and_keeps_the_input(admin: Client) -> None:
    upload(admin, "RNCP31313")
    long_line = "x" * 501
    typed = f"Accueillir le client\n{long_line}"

    response = admin.post(PREVIEW, split_data(admin, BC1=typed, BC2="\n  \n", BC3="\n".join(["C"] * 100)))

    page = text(response)
    assert response.status_code == 200
    assert "Bloc BC1, ligne 2 : 501 caractères, 500 au plus ; raccourcissez-la." in page
    assert "Bloc BC2 : indiquez au moins une compétence, une par ligne." in page
    assert "Bloc BC3 : 100 compétences, 99 au plus." in page
    assert f"Accueillir le client\n{long_line}</textarea>" in page
    assert rows() == (0, 0, 0)


def test_a_declared_size_over_the_limit_is_refused_before_reading(admin: Client) -> None:
    settings_limit = RNCP_EXPORT_MAX_BYTES + 2 * 1024 * 1024
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(settings, "MAX_REQUEST_BYTES", settings_limit + 1)
        response = admin.generic(
            "POST", UPLOAD, b"", CONTENT_TYPE="multipart/form-data; boundary=x", CONTENT_LENGTH=str(settings_limit)
        )
    assert response.status_code == 413
    assert "Fichier trop lourd" in text(response) and "moins de 1 Go" in text(response)


def test_a_stale_fiche_is_not_reused_and_old_files_are_swept(admin: Client) -> None:
    upload(admin, "RNCP31313")
    path = next((Path(settings.MEDIA_ROOT) / rncp_views.UPLOAD_DIR).iterdir())
    old = time.time() - 2 * rncp_views.STALE_SECONDS
    os.utime(path, (old, old))

    posted = admin.post(PREVIEW, {"split_BC1": "Accueillir"}, follow=True)

    assert posted.redirect_chain[-1][0] == UPLOAD
    assert "Le fichier envoyé a expiré ou a déjà servi" in text(posted)
    assert rows() == (0, 0, 0) and folder() == []
    left = Path(settings.MEDIA_ROOT) / rncp_views.UPLOAD_DIR / "abandoned.zip"
    left.write_bytes(b"PK")
    os.utime(left, (old, old))
    upload(admin, "RNCP31313")
    assert folder() == [".json"]  # the abandoned file swept, the new fiche kept


def test_the_fiche_survives_its_round_trip_through_json() -> None:
    for number in ("RNCP31313", "RNCP99913"):
        read = fiche(number)
        again = rncp_views.fiche_from_json(rncp_views.fiche_to_json(read))
        assert again == read and rncp_import.fingerprint(again) == rncp_import.fingerprint(read)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_chromium_the_admin_uploads_the_export_corrects_a_block_and_creates_the_draft(
    page: Any, login: Any, screenshot: Any, certifier_admin: User, certifiers: None, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    archive = tmp_path / "export-fiches-rncp.zip"
    archive.write_bytes(zipped())
    login(certifier_admin.email)
    page.goto(reverse("cqp:certification_list"))
    page.get_by_role("link", name="Importer une fiche RNCP").click()
    page.get_by_label("Export des fiches RNCP (XML ou zip)").set_input_files(str(archive))
    page.get_by_label("Numéro de la fiche").fill("31313")
    page.get_by_role("button", name="Lire la fiche").click()

    expect(page.get_by_test_id("rncp-state")).to_contain_text("Nouvelle certification")
    expect(page.get_by_test_id("rncp-block")).to_have_count(4)
    page.get_by_label("Compétences du bloc BC1, une par ligne").fill("Accueillir le client\nÉtablir le devis")
    screenshot("rncp-import-preview")
    page.get_by_role("button", name="Créer la version en préparation").click()

    expect(page.get_by_text("Version en préparation créée depuis la fiche RNCP31313")).to_be_visible()
    expect(page.get_by_test_id("competency").first).to_contain_text("Accueillir le client")
    version = CertificationVersion.objects.get(rncp_code="RNCP31313")
    assert [c.label for c in version.blocks.get(code="BC1").competencies.order_by("order")] == [
        "Accueillir le client",
        "Établir le devis",
    ]


def test_the_export_upload_takes_more_than_the_sites_request_cap_and_only_it_does() -> None:
    # The real export (about 30 MB zipped) is over MAX_REQUEST_BYTES (21 MB): the upload view's own max_body
    # (1 GB) lifts the site's cap for it alone; every other path keeps the cap.
    from django.http import HttpResponse
    from django.test import RequestFactory

    from cqp.middleware import RequestSizeMiddleware

    middleware = RequestSizeMiddleware(lambda request: HttpResponse("lu"))
    declared = str(settings.MAX_REQUEST_BYTES + 10 * 1024 * 1024)
    upload = RequestFactory().post(UPLOAD, b"", content_type="application/zip", CONTENT_LENGTH=declared)
    assert middleware(upload).status_code == 200
    for path in ("/connexion/", "/nulle-part/"):
        elsewhere = RequestFactory().post(path, b"", content_type="application/zip", CONTENT_LENGTH=declared)
        refused = middleware(elsewhere)
        assert isinstance(refused, HttpResponse) and refused.status_code == 413
        assert "Mo au plus par envoi" in refused.content.decode()
