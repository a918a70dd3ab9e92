"""Public verification: anyone checks a parchment by its code (or QR code) or by its PDF, without logging in;
an unknown code and a malformed one get the same 404, a file that is not exactly a parchment gets one sentence,
a cancelled parchment reads as cancelled, an earlier version as replaced; look-ups are limited per address."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from certificates import rendering, rules, services, verification
from certificates.models import Parchment, ParchmentKind, ParchmentVersion

pytestmark = pytest.mark.django_db

CODE = "0A1B2C3D4E"  # holds a 0 and a 1, to type them as O and I
PDF_V1 = b"%PDF-1.7\n% parchemin n 000001, version 1\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PDF_V2 = b"%PDF-1.7\n% parchemin n 000001, version 2 (duplicata)\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def make_parchment(decided: Any, *, index: int = 0, code: str = CODE, number: int = 1) -> Parchment:
    """A parchment written as `parchment_issue` writes it (its mentions built by the service), without waiting
    for a render: the verification reads rows, not PDFs."""
    decision = decided.decisions[index]
    kind = ParchmentKind.FULL if decision.kind == "total" else ParchmentKind.BLOCKS
    blocks = (
        list(decision.jury.version.blocks.order_by("order"))
        if kind == ParchmentKind.FULL
        else sorted(decision.blocks.all(), key=lambda b: b.order)
    )
    certifier = decision.jury.version.certifier
    parchment = Parchment.objects.create(
        certifier=certifier,
        number=number,
        kind=kind,
        decision=decision,
        place=decision.place,
        mentions=services.parchment_mentions(
            decision=decision, kind=kind, blocks=blocks, issued_on=dt.date(2025, 3, 14), certifier=certifier
        ),
        verification_code=code,
        issued_by=decided.world.admin,
    )
    parchment.blocks.set(blocks)
    return parchment


def add_version(parchment: Parchment, content: bytes, *, rendered_at: dt.datetime | None = None) -> ParchmentVersion:
    parchment.version = parchment.versions.count() + 1
    parchment.save(update_fields=["version"])
    version = ParchmentVersion(
        parchment=parchment,
        version=parchment.version,
        pdf_sha256=hashlib.sha256(content).hexdigest(),
        rendered_at=rendered_at or timezone.now(),
    )
    version.pdf.save(f"parchments/{parchment.pk}-v{parchment.version}.pdf", ContentFile(content), save=False)
    version.save()
    return version


@pytest.fixture
def parchment(decided: Any) -> Parchment:
    parchment = make_parchment(decided)
    add_version(parchment, PDF_V1)
    return parchment


def text(response: Any) -> str:
    """The page as a reader sees it: entities (&#x27; for an apostrophe) turned back into characters."""
    return html.unescape(response.content.decode())


def code_page(client: Client, code: str) -> Any:
    return client.get(reverse("verify:code", kwargs={"code": code}))


def send(client: Client, content: bytes, name: str = "parchemin.pdf") -> Any:
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    return client.post(reverse("verify:form"), {"pdf": upload})


# --- The form ------------------------------------------------------------------------------------------


def test_the_form_is_public_uncached_and_not_indexed(client: Client) -> None:
    response = client.get("/verifier/")
    assert response.status_code == 200
    page = text(response)
    assert "Vérifier un parchemin" in page
    assert 'name="code"' in page and 'name="pdf"' in page and 'enctype="multipart/form-data"' in page
    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]


def test_a_typed_code_goes_to_its_page_normalised(client: Client) -> None:
    response = client.get("/verifier/", {"code": " 0a1b2-c3d4e "})
    assert response.status_code == 302
    assert response["Location"] == "/verifier/0A1B2C3D4E/"


def test_a_typed_code_of_the_wrong_shape_is_explained_in_french_without_a_lookup(client: Client, settings) -> None:
    settings.VERIFY_RATE_LIMIT_PER_HOUR = 1
    for _ in range(3):
        response = client.get("/verifier/", {"code": "ABC"})
        assert response.status_code == 200
        assert "Un code de vérification compte 10 lettres et chiffres" in text(response)
    assert code_page(client, CODE).status_code == 404  # the allowance is intact


# --- The code page -------------------------------------------------------------------------------------


def test_a_valid_code_shows_what_the_parchment_says_to_anyone(client: Client, parchment: Parchment) -> None:
    response = code_page(client, CODE)
    assert response.status_code == 200
    page = text(response)
    assert "Ce parchemin a bien été délivré et il est valide." in page
    assert "Julie MARTIN0" in page
    assert "1 janvier 1995" in page
    assert "RNCP 26850" in page
    assert parchment.mentions["certification"]["title"] in page
    assert "Niveau 3 du cadre national des certifications professionnelles (niveau 3 du cadre européen)" in page
    assert "Certificat de qualification professionnelle" in page
    assert "Le 14 mars 2025 à Paris" in page
    assert "000001" in page
    assert "0A1B2-C3D4E" in page
    assert parchment.mentions["certifier"]["legal_name"] in page
    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]


def test_the_code_page_shows_nothing_beyond_the_parchment(client: Client, parchment: Parchment) -> None:
    candidate = parchment.place.enrolment.candidate
    page = text(code_page(client, CODE))
    for private in (candidate.email, candidate.birth_insee_code, candidate.birth_commune, "Atelier", "Maison Verlaine"):
        assert private not in page


@pytest.mark.parametrize("typed", ["0a1b2c3d4e", "0A1B2-C3D4E", "0a1b2-c3d4e", "OA1B2C3D4E", "0AIB2C3D4E"])
def test_the_code_is_read_whatever_its_case_dashes_and_look_alike_letters(
    client: Client, parchment: Parchment, typed: str
) -> None:
    response = code_page(client, typed)
    assert response.status_code == 200
    assert "Julie MARTIN0" in text(response)


def test_a_block_certificate_names_its_blocks(client: Client, decided: Any) -> None:
    partial = make_parchment(decided, index=1, code="ABCDE12345", number=2)
    page = text(code_page(client, "ABCDE-12345"))
    assert "Certificat de blocs de compétences" in page
    assert 'data-testid="blocks"' in page
    codes = [b["code"] for b in partial.mentions["blocks"]]
    assert codes == ["BC1"]
    assert partial.mentions["blocks"][0]["title"] in page


def test_a_cancelled_parchment_reads_as_cancelled_in_red_with_the_date_and_reason(
    client: Client, parchment: Parchment, decided: Any
) -> None:
    services.parchment_cancel(
        parchment=parchment, reason="Fraude au livret constatée", cancelled_by=decided.world.admin
    )
    parchment.refresh_from_db()
    page = text(code_page(client, CODE))
    assert "ANNULÉ" in page
    assert "il n'est plus valide" in page
    assert "Fraude au livret constatée" in page
    assert f"annulé le {timezone.localtime(parchment.cancelled_at):%-d}" in page
    assert "alert-danger" in page and "text-bg-danger" in page
    assert "il est valide." not in page


def test_an_unknown_code_and_a_malformed_one_get_the_same_french_404(client: Client, parchment: Parchment) -> None:
    unknown = code_page(client, "ZZZZZ-ZZZZZ")
    malformed = code_page(client, "pas-un-code")
    assert unknown.status_code == malformed.status_code == 404
    assert "Ce code de vérification ne correspond à aucun parchemin délivré." in text(unknown)
    assert unknown.content == malformed.content
    assert "Julie" not in text(unknown)


def test_the_code_page_reads_one_row(
    client: Client, parchment: Parchment, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    with django_assert_max_num_queries(1):
        assert code_page(client, CODE).status_code == 200


# --- The PDF sent --------------------------------------------------------------------------------------


def test_the_exact_pdf_is_authentic_and_in_force(client: Client, parchment: Parchment) -> None:
    response = send(client, PDF_V1)
    assert response.status_code == 200
    page = text(response)
    assert "Ce document est le parchemin n° 000001 délivré à Julie MARTIN0 : authentique, version en vigueur." in page
    assert "no-store" in response["Cache-Control"]


def test_a_pdf_with_one_byte_changed_matches_nothing_and_says_nothing_more(
    client: Client, parchment: Parchment
) -> None:
    altered = bytearray(PDF_V1)
    altered[-8] ^= 0x01
    page = text(send(client, bytes(altered)))
    assert "Ce fichier ne correspond à aucun parchemin délivré : il a pu être modifié." in page
    assert "Julie" not in page and "000001" not in page and "authentique" not in page


@pytest.mark.parametrize(
    "content", [b"<!DOCTYPE html><html></html>", b"MZ\x90\x00" + b"\x00" * 40, b"Bonjour\n", b"%PD"]
)
def test_a_file_that_is_not_a_pdf_is_refused_in_french(client: Client, parchment: Parchment, content: bytes) -> None:
    page = text(send(client, content, name="parchemin.pdf"))
    assert "Ce fichier n'est pas un PDF" in page
    assert "authentique" not in page and "aucun parchemin" not in page


def test_a_missing_or_empty_file_is_refused_in_french(client: Client) -> None:
    assert "Choisissez le fichier PDF du parchemin." in text(client.post("/verifier/", {}))
    assert "vide" in text(send(client, b""))


@pytest.mark.parametrize("extra", [9, 2 * 1024 * 1024])  # just over (read up to the limit), far over (not read)
def test_a_pdf_over_10_mb_is_refused_without_being_kept(client: Client, extra: int, monkeypatch) -> None:
    seen: list[int] = []
    real = verification.match_pdf

    def match_pdf(digest: str) -> Any:
        seen.append(1)
        return real(digest)

    monkeypatch.setattr(verification, "match_pdf", match_pdf)

    page = text(send(client, b"%PDF-1.7\n" + b"0" * (verification.MAX_PDF_BYTES + extra)))

    assert "Le fichier dépasse 10 Mo : ce n'est pas un parchemin délivré." in page
    assert "Choisissez le fichier" not in page
    assert seen == []  # nothing compared, nothing stored


def test_the_pdf_form_still_checks_the_csrf_token(parchment: Parchment) -> None:
    strict = Client(enforce_csrf_checks=True)
    assert send(strict, PDF_V1).status_code == 403
    form = strict.get(reverse("verify:form"))
    token = form.cookies["csrftoken"].value
    upload = SimpleUploadedFile("parchemin.pdf", PDF_V1, content_type="application/pdf")
    answer = strict.post(reverse("verify:form"), {"pdf": upload, "csrfmiddlewaretoken": token})
    assert answer.status_code == 200
    assert "authentique" in text(answer)


def test_an_earlier_version_reads_as_replaced_by_the_duplicate_and_the_duplicate_as_in_force(
    client: Client, parchment: Parchment
) -> None:
    add_version(parchment, PDF_V2, rendered_at=dt.datetime(2025, 6, 2, 10, tzinfo=dt.UTC))
    earlier = text(send(client, PDF_V1))
    assert (
        "Ce document est le parchemin n° 000001 délivré à Julie MARTIN0 : "
        "authentique mais remplacé par un duplicata (version 2 du 2 juin 2025)." in earlier
    )
    current = text(send(client, PDF_V2))
    assert "authentique, version en vigueur." in current


def test_the_pdf_of_a_cancelled_parchment_reads_as_cancelled_with_the_reason(
    client: Client, parchment: Parchment, decided: Any
) -> None:
    services.parchment_cancel(parchment=parchment, reason="Erreur sur le titulaire", cancelled_by=decided.world.admin)
    parchment.refresh_from_db()
    day = timezone.localtime(parchment.cancelled_at).date()
    page = text(send(client, PDF_V1))
    assert "authentique mais <strong>ANNULÉ</strong> le" in page
    assert "(motif : Erreur sur le titulaire)" in page
    assert f"{day.day} " in page and "alert-danger" in page


def test_checking_a_pdf_makes_two_queries_at_most(
    client: Client, parchment: Parchment, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    add_version(parchment, PDF_V2)
    with django_assert_max_num_queries(2):
        assert "remplacé" in text(send(client, PDF_V1))


# --- Rate limit ----------------------------------------------------------------------------------------


def test_the_limiter_counts_per_address_and_hour(settings) -> None:
    settings.VERIFY_RATE_LIMIT_PER_HOUR = 3
    ten = dt.datetime(2025, 5, 6, 10, 0, tzinfo=dt.UTC)
    assert [verification.lookup_allowed("192.0.2.1", now=ten + dt.timedelta(minutes=m)) for m in range(4)] == [
        True,
        True,
        True,
        False,
    ]
    assert verification.lookup_allowed("192.0.2.2", now=ten)
    assert verification.lookup_allowed("2001:db8::1", now=ten)
    assert verification.lookup_allowed("192.0.2.1", now=ten + dt.timedelta(hours=1))


def test_beyond_the_limit_lookups_get_429_in_french_but_the_form_still_shows(
    client: Client, parchment: Parchment, settings
) -> None:
    settings.VERIFY_RATE_LIMIT_PER_HOUR = 3
    assert code_page(client, CODE).status_code == 200
    assert code_page(client, "ZZZZZZZZZZ").status_code == 404
    assert "authentique" in text(send(client, PDF_V1))
    for response in (code_page(client, CODE), send(client, PDF_V1)):
        assert response.status_code == 429
        page = text(response)
        assert "Trop de vérifications depuis votre adresse : réessayez dans une heure." in page
        assert "Julie" not in page
        assert 0 < int(response["Retry-After"]) <= 3600
    assert client.get("/verifier/").status_code == 200
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert code_page(other, CODE).status_code == 200


def test_a_forwarded_for_header_does_not_reset_the_count(client: Client, parchment: Parchment, settings) -> None:
    settings.VERIFY_RATE_LIMIT_PER_HOUR = 1
    assert code_page(client, CODE).status_code == 200
    spoofed = client.get(reverse("verify:code", kwargs={"code": CODE}), HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert spoofed.status_code == 429


# --- The whole flow: parchments issued and rendered by the services and the render task ---------------


@pytest.fixture
def issued(decided: Any, django_capture_on_commit_callbacks: Callable[..., Any]) -> list[Parchment]:
    decided.sign_all()
    services.cpnefp_validation_record(
        jury=decided.certification, meeting_on=decided.certification.meets_on, recorded_by=decided.world.admin
    )
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.parchments_issue_for_jury(jury=decided.certification, issued_by=decided.world.admin)
    return list(batch.parchments.order_by("number"))


def rendered(parchment: Parchment, version: int | None = None) -> bytes:
    row = parchment.versions.get(version=version or parchment.version)
    with row.pdf.open("rb") as file:
        return file.read()


def test_an_issued_parchment_is_found_by_the_code_printed_on_it_and_by_its_pdf(
    client: Client, issued: list[Parchment]
) -> None:
    full, partial = issued
    full.refresh_from_db()
    holder = full.mentions["holder"]["name"]
    by_qr = client.get(urlsplit(rendering.verification_url(full.verification_code)).path)
    assert by_qr.status_code == 200
    assert holder in text(by_qr)
    by_code = code_page(client, rules.display_code(full.verification_code).lower())
    assert holder in text(by_code)
    assert "Certificat de blocs de compétences" in text(code_page(client, partial.verification_code))
    pdf = rendered(full)
    assert pdf.startswith(b"%PDF")
    answer = text(send(client, pdf))
    assert f"Ce document est le parchemin n° {full.display_number} délivré à {holder} : authentique" in answer
    assert "version en vigueur" in answer
    altered = bytearray(pdf)
    altered[len(altered) // 2] ^= 0x01
    forged = text(send(client, bytes(altered)))
    assert "Ce fichier ne correspond à aucun parchemin délivré : il a pu être modifié." in forged
    assert holder not in forged


def test_after_a_duplicate_the_first_pdf_reads_as_replaced(
    client: Client, issued: list[Parchment], decided: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    full = issued[0]
    full.refresh_from_db()
    first = rendered(full)
    with django_capture_on_commit_callbacks(execute=True):
        services.parchment_reissue(parchment=full, reason="Parchemin perdu", requested_by=decided.world.admin)
    full.refresh_from_db()
    assert full.version == 2
    second = rendered(full)
    day = timezone.localtime(full.versions.get(version=2).rendered_at)
    assert f"authentique mais remplacé par un duplicata (version 2 du {day.day} " in text(send(client, first))
    assert "authentique, version en vigueur." in text(send(client, second))


@pytest.mark.parametrize(
    ("meta", "proxies", "counted"),
    [
        ({"REMOTE_ADDR": "198.51.100.7", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}, 0, "198.51.100.7"),  # no proxy
        ({"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}, 1, "203.0.113.9"),
        # A client that writes its own X-Forwarded-For cannot choose what the proxy appended after it.
        ({"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.9"}, 1, "203.0.113.9"),
        ({"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.9, 10.0.0.1"}, 2, "203.0.113.9"),
        ({"REMOTE_ADDR": "10.0.0.2"}, 1, "10.0.0.2"),  # the header missing: the proxy's own address
        ({"REMOTE_ADDR": "2001:db8:aa:bb:1:2:3:4"}, 0, "2001:db8:aa:bb::/64"),
        ({"REMOTE_ADDR": "2001:db8:aa:bb:ffff::9"}, 0, "2001:db8:aa:bb::/64"),  # same /64, same count
        ({"REMOTE_ADDR": "::ffff:198.51.100.7"}, 0, "198.51.100.7"),
    ],
)
def test_the_rate_limit_counts_the_client_behind_trusted_proxies_and_ipv6_per_64(
    meta: dict[str, str], proxies: int, counted: str
) -> None:
    assert verification.client_address(meta, trusted_proxies=proxies) == counted


def test_behind_a_proxy_two_visitors_are_counted_apart(client: Client, parchment: Parchment, settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    settings.VERIFY_RATE_LIMIT_PER_HOUR = 2
    url = reverse("verify:code", kwargs={"code": parchment.verification_code})
    first: dict[str, Any] = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    second: dict[str, Any] = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.10"}
    assert [client.get(url, **first).status_code for _ in range(3)] == [200, 200, 429]
    assert client.get(url, **second).status_code == 200
