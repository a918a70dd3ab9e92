"""A journey in real Chromium: a VAE candidate sends their admissibility file, the certifier finds it on the
deadlines page and declares it incomplete, the candidate completes it, the certifier declares it admissible; the
organisation cannot yet place the candidate in a session (the declarative file is missing); the candidate sends
their declarative file with a technical document, and the organisation places them."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from vae.tests.conftest import PDF, Vae

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def logout(page) -> None:
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="Se déconnecter").click()


def test_a_vae_candidate_goes_from_admissibility_to_a_session(page, login, screenshot, vae: Vae, tmp_path) -> None:
    session = vae.session()
    piece = tmp_path / "dossier de recevabilité.pdf"
    piece.write_bytes(PDF)

    # The candidate starts from their space.
    login(vae.user.email)
    expect(page.get_by_test_id("my-vae")).to_be_visible()
    page.get_by_test_id("my-vae").get_by_role("link", name="Ma démarche VAE").click()
    page.get_by_role("link", name="Déposer un dossier de recevabilité").click()
    page.get_by_label("Certification visée*").select_option(label="RNCP 31313 — CQP Horloger qualifié")
    page.get_by_label("Années*").fill("2")
    page.get_by_label("et mois*").fill("6")
    page.get_by_label("Votre expérience en lien avec la certification*").fill(
        "Horlogère en atelier de service après-vente, Maison Lip, de 2022 à 2024."
    )
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("alert").filter(has_text="Dossier de recevabilité créé")).to_be_visible()
    page.get_by_label("Fichier (PDF, PNG ou JPEG, 20 Mo au plus)*").set_input_files(str(piece))
    page.get_by_role("button", name="Ajouter la pièce").click()
    expect(page.get_by_test_id("vae-admissibility-documents")).to_contain_text("dossier de recevabilité.pdf")
    page.get_by_role("button", name="Transmettre au certificateur").click()
    expect(page.get_by_test_id("vae-status")).to_have_text("Transmis, en attente de décision")
    logout(page)

    # The certifier finds it on the deadlines page and declares it incomplete.
    login(vae.admin.email, start="/certificats/echeances/")
    row = page.get_by_test_id("deadline-vae-waiting")
    expect(row).to_contain_text("MARTIN1 Julie")
    expect(row).to_contain_text("0 jour")
    row.get_by_role("link").click()
    page.get_by_label("Incomplet").check()
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_text("Dossier incomplet : dites au candidat ce qui manque.")).to_be_visible()
    page.get_by_label("Ce qui manque").fill("Les attestations de vos employeurs.")
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_test_id("vae-status")).to_have_text("Incomplet")
    logout(page)

    # The candidate reads what is missing, completes and sends again.
    login(vae.user.email, start="/vae/mes-dossiers/")
    page.get_by_test_id("my-vae-file").get_by_role("link").click()
    expect(page.get_by_test_id("vae-missing")).to_contain_text("Les attestations de vos employeurs.")
    screenshot("vae-incomplete")
    attestation = tmp_path / "attestations.pdf"
    attestation.write_bytes(PDF)
    page.get_by_label("Fichier (PDF, PNG ou JPEG, 20 Mo au plus)*").set_input_files(str(attestation))
    page.get_by_role("button", name="Ajouter la pièce").click()
    page.get_by_role("button", name="Transmettre à nouveau au certificateur").click()
    expect(page.get_by_test_id("vae-status")).to_have_text("Transmis, en attente de décision")
    logout(page)

    # The certifier declares it admissible from the list of files.
    login(vae.admin.email, start="/vae/")
    page.get_by_test_id("vae-file-row").get_by_role("link").click()
    page.get_by_label("Recevable", exact=True).check()
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_test_id("vae-admissible")).to_contain_text("valable jusqu'au")
    logout(page)

    # The organisation cannot place her yet: the declarative file is missing, and the page says so.
    login(vae.staff.email, start=f"/sessions/{session.pk}/")
    page.get_by_label("Rechercher un candidat inscrit").fill("Martin1")
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_label("Candidat inscrit", exact=True).select_option(label="MARTIN1 Julie")
    page.get_by_role("button", name="Ajouter à la session").click()
    expect(page.get_by_text("n'a pas encore transmis son dossier déclaratif")).to_be_visible()
    logout(page)

    # The candidate sends her declarative file with a technical document.
    login(vae.user.email, start="/vae/mes-dossiers/")
    page.get_by_test_id("my-vae-file").get_by_role("link").click()
    for kind, name in (("Dossier déclaratif rempli", "livret 2.pdf"), ("Document technique", "plan de calibre.pdf")):
        path = tmp_path / name
        path.write_bytes(PDF)
        page.get_by_label("Document*").select_option(label=kind)
        page.get_by_label("Fichier (PDF, PNG ou JPEG, 20 Mo au plus)*").last.set_input_files(str(path))
        page.get_by_role("button", name="Ajouter le document").click()
        expect(page.get_by_test_id("vae-declarative-documents")).to_contain_text(name)
    page.get_by_role("button", name="Transmettre mon dossier déclaratif").click()
    expect(page.get_by_test_id("vae-declarative-sent")).to_be_visible()
    screenshot("vae-declarative-sent")
    logout(page)

    # Now the organisation places her in the session.
    login(vae.staff.email, start=f"/sessions/{session.pk}/")
    page.get_by_label("Rechercher un candidat inscrit").fill("Martin1")
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_label("Candidat inscrit", exact=True).select_option(label="MARTIN1 Julie")
    page.get_by_role("button", name="Ajouter à la session").click()
    expect(page.get_by_role("alert").filter(has_text="Créneau de MARTIN1 Julie fixé au")).to_be_visible()
    screenshot("vae-placed")
