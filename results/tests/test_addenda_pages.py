"""The pages of the PV addendum and of the revocation, through Django's test client."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from candidates.models import FraudBan
from certificates.models import Parchment, ParchmentStatus
from certificates.tests import conftest as paper
from certificates.tests.conftest import Commit, Decided
from juries.models import Decision
from results.models import AddendumStatus, PvAddendum
from results.services import addenda
from results.tests.test_addenda import Revised, revise

pytestmark = pytest.mark.django_db

world, decided, signed, validated, issued, commit = (
    paper.world,
    paper.decided,
    paper.signed,
    paper.validated,
    paper.issued,
    paper.commit,
)


@pytest.fixture
def revised(issued: Decided) -> Revised:
    return revise(issued)


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def messages_of(response: object) -> list[str]:
    return [str(m) for m in response.context["messages"]]  # type: ignore[attr-defined]


# --- The addendum ----------------------------------------------------------------------------------------


def test_a_member_reads_the_addendum_and_signs_it(revised: Revised, django_assert_max_num_queries: object) -> None:
    member = revised.members[0]
    client = client_for(member)
    url = reverse("results:addendum", args=[revised.new.pk])
    with django_assert_max_num_queries(40):  # type: ignore[operator]
        page = client.get(url)
    text = page.content.decode()
    assert "Décision contestée" in text and "Attribution partielle : BC1" in text
    assert "Attribution totale" in text
    assert "La grille de BC2 relue" in text
    assert f"Recours n° {revised.appeal.pk}" in text
    assert "Provisoire" in text
    digest = page.context["digest"]
    assert f'value="{digest}"' in text
    answer = client.post(reverse("results:addendum_sign", args=[revised.new.pk]), {"sha256": digest}, follow=True)
    assert "Votre signature de l'avenant est enregistrée." in messages_of(answer)
    assert PvAddendum.objects.get(decision=revised.new).signatures.count() == 1


def test_before_the_pv_is_validated_the_page_says_the_addendum_waits_for_it(signed: Decided) -> None:
    revised = revise(signed)
    page = client_for(revised.members[0]).get(reverse("results:addendum", args=[revised.new.pk]))
    text = page.content.decode()
    assert 'data-testid="sign"' not in text
    assert "La validation des résultats par la CPNEFP n&#x27;est pas encore enregistrée" in text


def test_a_signature_on_a_content_changed_since_is_refused_in_french(revised: Revised) -> None:
    client = client_for(revised.members[0])
    digest = client.get(reverse("results:addendum", args=[revised.new.pk])).context["digest"]
    Decision.objects.filter(pk=revised.new.pk).update(reason="Motif corrigé")
    answer = client.post(reverse("results:addendum_sign", args=[revised.new.pk]), {"sha256": digest}, follow=True)
    assert messages_of(answer) == [
        "L'avenant a changé depuis que vous l'avez ouvert : relisez-le, puis signez à nouveau."
    ]
    assert not PvAddendum.objects.exists()


def test_signed_by_all_the_page_shows_the_old_parchment_cancelled_and_the_new_one(
    revised: Revised, commit: Commit
) -> None:
    url = reverse("results:addendum", args=[revised.new.pk])
    with commit():
        for member in revised.members:
            client = client_for(member)
            digest = client.get(url).context["digest"]
            answer = client.post(
                reverse("results:addendum_sign", args=[revised.new.pk]), {"sha256": digest}, follow=True
            )
    assert "Avenant signé par tous les membres" in messages_of(answer)[0]
    text = answer.content.decode()
    assert "Signé par tous" in text and "Définitif" in text
    old = Parchment.objects.get(decision=revised.old)
    new = Parchment.objects.get(decision=revised.new)
    assert re.search(
        rf"{old.display_number} :\s*<span class=\"badge text-bg-danger\">Annulé</span> Décision révisée", text
    )
    assert re.search(rf"{new.display_number} :\s*<span class=\"badge text-bg-success\">Émis</span>", text)
    assert 'data-testid="sign"' not in text
    assert PvAddendum.objects.get(decision=revised.new).status == AddendumStatus.SIGNED


def test_the_addendum_pdf(revised: Revised, commit: Commit, tmp_path: Path) -> None:
    with commit():
        for member in revised.members:
            addenda.addendum_sign(decision=revised.new, user=member)
    answer = client_for(revised.decided.world.admin).get(reverse("results:addendum_pdf", args=[revised.new.pk]))
    assert answer["Content-Type"] == "application/pdf"
    assert answer["Content-Disposition"] == f'attachment; filename="avenant-decision-{revised.new.pk}.pdf"'
    assert answer.content.startswith(b"%PDF")
    pdf = tmp_path / "avenant.pdf"
    pdf.write_bytes(answer.content)
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout  # noqa: S607
        assert "Avenant au procès-verbal du jury de certification" in text
        assert "Attribution totale" in text
        assert "Signé le" in text
    artifacts = Path(__file__).resolve().parents[2] / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "results-addendum.pdf").write_bytes(answer.content)


# --- The revocation --------------------------------------------------------------------------------------


def total_of(decided: Decided) -> Decision:
    return next(d for d in decided.decisions if d.kind == "total")


def test_the_revocation_asks_for_confirmation_then_revokes(issued: Decided) -> None:
    decision = total_of(issued)
    parchment = Parchment.objects.get(decision=decision)
    client = client_for(issued.world.admin)
    url = reverse("results:revoke", args=[decision.pk])
    assert "Vérifier les conséquences" in client.get(url).content.decode()
    values = {
        "reason": "Fraude au livret établie.",
        "reference": "DEC-7",
        "decided_on": timezone.localdate(),
        "fraud": "on",
    }
    step = client.post(url, values)
    text = step.content.decode()
    assert step.status_code == 200
    assert f"1 parchemin sera annulé avec ce motif : n° {parchment.display_number}." in text
    today = timezone.localdate()
    end = dt.date(today.year + 3, today.month, today.day) - dt.timedelta(days=1)
    assert f"jusqu'au {date_format(end, 'j F Y')} inclus" in text
    assert not Decision.objects.filter(revoked_at__isnull=False).exists()  # nothing written yet
    done = client.post(url, {**values, "fraud": "True", "confirm": "1"})
    assert done.status_code == 302
    assert done["Location"] == reverse("certificates:jury_parchments", args=[decision.jury_id])
    parchment.refresh_from_db()
    assert parchment.status == ParchmentStatus.CANCELLED
    assert FraudBan.objects.filter(candidate=decision.examined_place.enrolment.candidate).exists()


def test_the_revocation_form_says_what_is_missing(issued: Decided) -> None:
    decision = total_of(issued)
    client = client_for(issued.world.admin)
    answer = client.post(
        reverse("results:revoke", args=[decision.pk]),
        {"reason": "Fraude", "reference": " ", "decided_on": timezone.localdate(), "confirm": "1"},
    )
    assert answer.status_code == 200
    assert answer.context["form"].errors["reference"]
    assert not Decision.objects.filter(revoked_at__isnull=False).exists()


def test_a_result_not_final_offers_no_revocation(signed: Decided) -> None:
    decision = total_of(signed)
    answer = client_for(signed.world.admin).get(reverse("results:revoke", args=[decision.pk]))
    text = answer.content.decode()
    assert "Ce résultat est provisoire : seule une certification définitive peut être retirée." in text
    assert 'data-testid="revoke-form"' not in text


def test_the_jury_parchments_page_links_to_the_revocation(issued: Decided) -> None:
    decision = total_of(issued)
    answer = client_for(issued.world.admin).get(reverse("certificates:jury_parchments", args=[decision.jury_id]))
    assert reverse("results:revoke", args=[decision.pk]) in answer.content.decode()
