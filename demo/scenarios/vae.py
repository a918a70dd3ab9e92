"""A VAE candidate of BJO Formation for RNCP 31313 (CQP Horloger qualifié): enrolled by the VAE route, her
admissibility file sent with one piece, waiting for the certifier's decision (`vae@cqp.test`)."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from candidates.models import Candidate
from cqp.models import AccessRoute, CertificationVersion
from demo.scenarios.accounts import organisation_of
from demo.scenarios.sessions import active_enrolment, demo_candidate
from vae import services as vae_services
from vae.models import AdmissibilityFile

VAE_ACCOUNT = "vae@cqp.test"
VAE_CANDIDATE = {
    "birth_name": "Girard",
    "first_name": "Inès",
    "sex": "F",
    "birth_date": dt.date(1988, 9, 21),
    "birth_commune": "Morteau",
    "birth_insee_code": "25411",
    "email": VAE_ACCOUNT,
    "company_name": "Horlogerie du Haut-Doubs",
}
# A one-page PDF, enough for the demo's piece (its content is checked like any upload).
DEMO_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n%%EOF\n"


def demo_vae_file(*, staff: User) -> str:
    """Created once: a second run finds the file and adds nothing."""
    organisation = organisation_of(staff)
    version = CertificationVersion.objects.get(rncp_code="RNCP31313", number=1)
    candidate = demo_candidate(organisation=organisation, staff=staff, spec=VAE_CANDIDATE)
    account = User.objects.get(email=VAE_ACCOUNT)
    if candidate.user_id is None:
        Candidate.objects.filter(pk=candidate.pk).update(user=account)
        candidate.user = account
    active_enrolment(candidate, version, access_route=AccessRoute.VAE, staff=staff)
    if not AdmissibilityFile.objects.filter(candidate=candidate, version=version).exists():
        file = vae_services.file_create(
            candidate=candidate,
            version=version,
            experience_months=42,
            experience="Horlogère en service après-vente depuis 2022 : révisions de mouvements mécaniques, "
            "remplacement de pièces, réglage de chronographes.",
            actor=account,
        )
        upload = SimpleUploadedFile("dossier de recevabilité.pdf", DEMO_PDF, content_type="application/pdf")
        vae_services.document_add(file=file, upload=upload, actor=account)
        vae_services.file_submit(file=file, actor=account)
    return f"VAE : {candidate.display_name} ({VAE_ACCOUNT}), RNCP 31313, dossier de recevabilité en attente de décision"
