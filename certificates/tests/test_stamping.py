"""A cancelled parchment says so on paper: every download of it (one by one, in the ZIP, from the holder's space)
is a copy of the stored original with a red "ANNULÉ" stamp, its date and reason on every page; the stored original
never changes and stays what the verification page recognises ("authentique mais annulé"); a stamped copy is
recognised as a cancelled copy, never as authentic."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import io
import zipfile
from typing import Any

import pikepdf
import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from certificates import rendering, services, stamping
from certificates.models import Parchment, ParchmentStatus, ParchmentVersion
from certificates.tests.conftest import Decided
from certificates.tests.test_pages import full_parchment, holder
from certificates.tests.test_rendering import a_parchment

CANCELLED_AT = dt.datetime(2026, 12, 4, 9, 30, tzinfo=dt.UTC)
REASON = "Erreur sur le nom de naissance du titulaire"


def pages_text(pdf: bytes) -> list[str]:
    """Each page's text, every run of white space made one space."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def cancelled(**fields: Any) -> Parchment:
    return a_parchment(
        number=4, status=ParchmentStatus.CANCELLED, cancel_reason=REASON, cancelled_at=CANCELLED_AT, **fields
    )


def two_pages(pdf: bytes) -> bytes:
    """The same PDF with a second page (a blank A4 portrait one): the stamp goes on every page, whatever its size."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        document.add_blank_page(page_size=(595, 842))
        out = io.BytesIO()
        document.save(out)
    return out.getvalue()


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


# --- The stamp -----------------------------------------------------------------------------------------


def test_the_stamp_says_annule_with_the_date_and_reason_on_every_page() -> None:
    parchment = cancelled()
    original = two_pages(rendering.render_parchment(parchment))
    before = sha256(original)

    stamped = stamping.stamped_pdf(io.BytesIO(original), parchment)

    assert sha256(original) == before
    assert sha256(stamped) != before
    pages = pages_text(stamped)
    assert len(pages) == 2
    for page in pages:
        assert "ANNULÉ le 4 décembre 2026 — parchemin n° 000004" in page
        assert f"Motif : {REASON}" in page
        assert "Ce parchemin n'est plus valide" in page
        assert "ABCDE-12345" in page
    assert "Julie MARTIN" in pages[0]  # the parchment stays legible under the stamp


def test_a_stamped_copy_names_its_parchment_and_the_original_does_not() -> None:
    parchment = cancelled()
    original = rendering.render_parchment(parchment)

    stamped = stamping.stamped_pdf(io.BytesIO(original), parchment)

    with pikepdf.open(io.BytesIO(stamped)) as pdf:
        assert str(pdf.docinfo["/Title"]) == "ANNULÉ — Parchemin N° 000004"
    assert stamping.copy_code(io.BytesIO(stamped)) == "ABCDE12345"
    assert stamping.copy_code(io.BytesIO(original)) is None


def test_a_long_reason_is_wrapped_on_the_page_whole() -> None:
    reason = ("Fraude constatée après la délibération : livret falsifié, attestation non conforme. " * 4)[:300].strip()
    parchment = cancelled()
    parchment.cancel_reason = reason

    stamped = stamping.stamped_pdf(io.BytesIO(rendering.render_parchment(parchment)), parchment)

    (page,) = pages_text(stamped)
    assert " ".join(reason.split()[:6]) in page
    assert reason.split()[-1] in page
    with pikepdf.open(io.BytesIO(stamped)) as pdf:
        width = float(pdf.pages[0].mediabox[2])
    assert width == pytest.approx(rendering.PAGE_W * rendering.PT_PER_MM, abs=0.01)  # the page keeps its size


def test_only_a_cancelled_parchment_is_stamped() -> None:
    with pytest.raises(ValueError, match="cancelled"):
        stamping.stamp_text(a_parchment())


@pytest.mark.parametrize(
    "content",
    [b"not a pdf at all", b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", b"%PDF-1.7\n" + b"\x00" * 4096],
    ids=["garbage", "no-docinfo", "broken"],
)
def test_a_file_that_is_no_stamped_copy_names_no_parchment(content: bytes) -> None:
    assert stamping.copy_code(io.BytesIO(content)) is None


def test_the_mark_of_a_copy_is_found_across_the_blocks_it_is_read_in() -> None:
    content = b"%PDF-1.7\n" + b"x" * (stamping.READ_BLOCK - 20) + b"<< /CQPCancelledCopyOf (abcde12345) >>\n%%EOF"
    assert stamping.copy_code(io.BytesIO(content)) == "ABCDE12345"


def test_a_copy_naming_something_that_is_no_code_names_no_parchment() -> None:
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.docinfo[stamping.COPY_KEY] = "<script>"
        out = io.BytesIO()
        pdf.save(out)
    assert stamping.copy_code(io.BytesIO(out.getvalue())) is None


# --- Downloads -----------------------------------------------------------------------------------------


def stored(parchment: Parchment) -> bytes:
    with parchment.pdf.open("rb") as handle:
        return handle.read()


def cancel(issued: Decided, parchment: Parchment, reason: str = REASON) -> Parchment:
    return services.parchment_cancel(parchment=parchment, reason=reason, cancelled_by=issued.world.admin)


def body(answer: Any) -> bytes:
    return b"".join(answer.streaming_content) if answer.streaming else answer.content


def cancellation_day(parchment: Parchment) -> str:
    return rendering.long_date(timezone.localdate(parchment.cancelled_at))


@pytest.mark.django_db
def test_the_admin_downloads_a_cancelled_parchment_stamped_and_the_original_stays_as_issued(
    client: Client, issued: Decided
) -> None:
    parchment = cancel(issued, full_parchment(issued))
    original = stored(parchment)
    assert sha256(original) == parchment.pdf_sha256
    client.force_login(issued.world.admin)

    answer = client.get(reverse("certificates:parchment_pdf", args=[parchment.pk]))

    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert "parchemin-000001-ANNULE.pdf" in answer["Content-Disposition"]
    assert answer["Cache-Control"] == "private, no-store"
    content = body(answer)
    assert content != original
    for page in pages_text(content):
        assert f"ANNULÉ le {cancellation_day(parchment)} — parchemin n° 000001" in page
        assert f"Motif : {REASON}" in page
    parchment.refresh_from_db()
    assert sha256(stored(parchment)) == parchment.pdf_sha256 == sha256(original)
    assert ParchmentVersion.objects.get(parchment=parchment).pdf_sha256 == sha256(original)


@pytest.mark.django_db
def test_a_valid_parchment_is_downloaded_as_stored(client: Client, issued: Decided) -> None:
    parchment = full_parchment(issued)
    client.force_login(issued.world.admin)

    answer = client.get(reverse("certificates:parchment_pdf", args=[parchment.pk]))

    assert sha256(body(answer)) == parchment.pdf_sha256
    assert "parchemin-000001.pdf" in answer["Content-Disposition"]


@pytest.mark.django_db
def test_the_zip_holds_the_cancelled_parchment_stamped_and_the_valid_one_as_stored(
    client: Client, issued: Decided
) -> None:
    parchment = cancel(issued, full_parchment(issued))
    other = Parchment.objects.get(decision=issued.decisions[1], status=ParchmentStatus.VALID)
    client.force_login(issued.world.admin)

    answer = client.get(reverse("certificates:zip", args=[issued.certification.pk]))

    assert answer.streaming
    with zipfile.ZipFile(io.BytesIO(body(answer))) as archive:
        assert sorted(archive.namelist()) == ["parchemin-000001-ANNULE.pdf", "parchemin-000002.pdf"]
        stamped = archive.read("parchemin-000001-ANNULE.pdf")
        valid = archive.read("parchemin-000002.pdf")
    for page in pages_text(stamped):
        assert f"ANNULÉ le {cancellation_day(parchment)} — parchemin n° 000001" in page
        assert f"Motif : {REASON}" in page
    assert sha256(stamped) != parchment.pdf_sha256
    assert sha256(valid) == other.pdf_sha256
    assert "ANNULÉ" not in " ".join(pages_text(valid))


@pytest.mark.django_db
def test_the_holder_sees_their_cancelled_parchment_and_downloads_it_stamped(client: Client, issued: Decided) -> None:
    parchment = full_parchment(issued)
    user = holder(issued, 0)
    cancel(issued, parchment, reason="Erreur sur le nom")
    client.force_login(user)

    home = html.unescape(client.get("/").text)

    assert 'data-testid="my-cancelled-parchment"' in home
    assert "Parchemin n° 000001 (PDF marqué « ANNULÉ »)" in home
    assert "motif : Erreur sur le nom" in home
    assert "Mon parchemin n° 000001" not in home
    answer = client.get(reverse("certificates:parchment_pdf", args=[parchment.pk]))
    assert answer.status_code == 200
    assert "parchemin-000001-ANNULE.pdf" in answer["Content-Disposition"]
    (page,) = pages_text(body(answer))
    assert "ANNULÉ le" in page and "Motif : Erreur sur le nom" in page


@pytest.mark.django_db
def test_another_holder_still_gets_a_404_for_a_cancelled_parchment(client: Client, issued: Decided) -> None:
    parchment = cancel(issued, full_parchment(issued))
    holder(issued, 0)
    client.force_login(holder(issued, 1))
    assert client.get(reverse("certificates:parchment_pdf", args=[parchment.pk])).status_code == 404


# --- Verification --------------------------------------------------------------------------------------


def check(client: Client, content: bytes) -> str:
    cache.clear()  # the look-ups' hourly counter
    upload = SimpleUploadedFile("parchemin.pdf", content, content_type="application/pdf")
    return html.unescape(client.post(reverse("verify:form"), {"pdf": upload}).content.decode())


@pytest.mark.django_db
def test_the_original_of_a_cancelled_parchment_reads_authentic_but_cancelled_and_its_stamped_copy_as_a_copy(
    client: Client, issued: Decided
) -> None:
    parchment = cancel(issued, full_parchment(issued))
    admin = Client()
    admin.force_login(issued.world.admin)
    copy = body(admin.get(reverse("certificates:parchment_pdf", args=[parchment.pk])))
    day = cancellation_day(parchment)

    original = check(client, stored(parchment))
    assert 'data-testid="match-cancelled"' in original
    assert "authentique mais <strong>ANNULÉ</strong> le " + day in original
    assert f"(motif : {REASON})" in original

    answer = check(client, copy)
    assert 'data-testid="cancelled-copy"' in answer
    assert "Ce fichier n'est pas l'original délivré : c'est une copie marquée « ANNULÉ » du parchemin n° 000001" in (
        answer
    )
    assert f"<strong>ANNULÉ</strong> depuis le {day} (motif : {REASON})" in answer
    assert "authentique" not in answer.split('data-testid="pdf-answer"')[1].split("</section>")[0]


@pytest.mark.django_db
def test_a_copy_claiming_to_be_the_cancelled_copy_of_a_valid_parchment_matches_nothing(
    client: Client, issued: Decided
) -> None:
    parchment = full_parchment(issued)
    forged = cancelled(verification_code=parchment.verification_code)
    copy = stamping.stamped_pdf(io.BytesIO(stored(parchment)), forged)

    answer = check(client, copy)

    assert 'data-testid="no-match"' in answer
    assert "cancelled-copy" not in answer


@pytest.mark.django_db
def test_checking_a_stamped_copy_makes_two_queries_at_most(
    client: Client, issued: Decided, django_assert_max_num_queries: Any
) -> None:
    parchment = cancel(issued, full_parchment(issued))
    copy = stamping.stamped_pdf(io.BytesIO(stored(parchment)), parchment)
    cache.clear()
    upload = SimpleUploadedFile("parchemin.pdf", copy, content_type="application/pdf")
    with django_assert_max_num_queries(2):
        answer = client.post(reverse("verify:form"), {"pdf": upload})
    assert 'data-testid="cancelled-copy"' in answer.content.decode()
