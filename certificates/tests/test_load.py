"""The certifier's paper under load and abuse (issue 11): the parchments and deadlines pages stay bounded whatever
the history (paginated, searchable, constant queries), a double submit leaves no empty batch, the batch's progress
bar carries no inline style (Content-Security-Policy), user text is bounded in length and breakable in the PDFs."""

from __future__ import annotations

import datetime as dt
import re
import time
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from candidates.models import Candidate, Enrolment
from certificates import rendering, services
from certificates.models import (
    CpnefpValidation,
    NoticeStatus,
    Parchment,
    ParchmentBatch,
    ParchmentStatus,
    ProcesVerbal,
    RenderStatus,
    ResultNotice,
)
from certificates.tests.conftest import Decided
from cqp.lib.bounds import ZERO_WIDTH_SPACE
from evaluations.models import Attendance, SessionCandidate
from juries.models import Decision, Jury, JuryKind
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db


def _login_admin(client, decided: Decided) -> None:
    client.force_login(decided.world.admin)


# --- A double submit leaves no empty batch ------------------------------------------------------------


def test_a_double_submit_whose_second_finds_every_parchment_issued_leaves_no_empty_batch(issued: Decided) -> None:
    """The second submit read the holders before the first committed: each of its parchments is refused."""
    jury = issued.certification
    assert ParchmentBatch.objects.count() == 1
    stale = Decision.objects.filter(jury=jury, kind__in=["total", "partial"])
    with (
        mock.patch.object(services, "holders_without_parchment", return_value=stale),
        pytest.raises(ValidationError, match="déjà leur parchemin"),
    ):
        services.parchments_issue_for_jury(jury=jury, issued_by=issued.world.admin)
    assert ParchmentBatch.objects.count() == 1
    assert not ParchmentBatch.objects.filter(parchments__isnull=True).exists()


def test_a_batch_whose_first_parchment_fails_on_a_locked_database_is_not_left_behind(validated: Decided) -> None:
    with (
        mock.patch.object(services, "parchment_issue", side_effect=OperationalError("database is locked")),
        pytest.raises(OperationalError),
    ):
        services.parchments_issue_for_jury(jury=validated.certification, issued_by=validated.world.admin)
    assert not ParchmentBatch.objects.exists()
    assert not Parchment.objects.exists()


def test_a_holder_issued_meanwhile_is_skipped_and_the_batch_holds_the_others(validated: Decided) -> None:
    jury = validated.certification
    first = Decision.objects.filter(jury=jury, kind="total").get()
    services.parchment_issue(decision=first, issued_by=validated.world.admin)
    stale = Decision.objects.filter(jury=jury, kind__in=["total", "partial"])
    with mock.patch.object(services, "holders_without_parchment", return_value=stale):
        batch = services.parchments_issue_for_jury(jury=jury, issued_by=validated.world.admin)
    assert batch.parchments.count() == 1
    assert Parchment.objects.filter(status=ParchmentStatus.VALID).count() == 2


# --- Parchments page ----------------------------------------------------------------------------------


def _more_parchments(decided: Decided, count: int) -> None:
    """`count` cancelled parchments of the jury written straight to the table (what is tested is the reading)."""
    model = Parchment.objects.order_by("number").first()
    assert model is not None
    top = Parchment.objects.order_by("-number").values_list("number", flat=True).first() or 0
    Parchment.objects.bulk_create(
        Parchment(
            certifier=model.certifier,
            number=top + n,
            prefix=model.prefix,
            kind=model.kind,
            decision=model.decision,
            place=model.place,
            mentions={**model.mentions, "holder": {**model.mentions["holder"], "name": f"Titulaire {n:04d}"}},
            verification_code=f"X{n:015d}",
            status=ParchmentStatus.CANCELLED,
            cancel_reason="erreur de saisie",
            render_status=RenderStatus.DONE,
            pdf=model.pdf.name,
            issued_by=model.issued_by,
        )
        for n in range(1, count + 1)
    )


def _forms(html: str) -> int:
    return html.count("<form")


def test_the_parchments_page_of_a_large_jury_shows_a_page_of_parchments(client, issued: Decided) -> None:
    _more_parchments(issued, 120)
    _login_admin(client, issued)
    url = reverse("certificates:jury_parchments", args=[issued.certification.pk])
    response = client.get(url)
    html = response.content.decode()
    assert html.count('data-testid="parchment-row"') <= 50
    assert _forms(html) < 60
    assert "Page 1 sur" in html
    assert "ZIP (122 parchemins)" in html  # the jury-wide counts stay whole
    last = client.get(url, {"page": 3}).content.decode()
    assert last.count('data-testid="parchment-row"') == 122 - 2 * 50


def test_the_parchments_page_searches_by_holder_and_number_and_filters_by_state(client, issued: Decided) -> None:
    _more_parchments(issued, 60)
    _login_admin(client, issued)
    url = reverse("certificates:jury_parchments", args=[issued.certification.pk])
    found = client.get(url, {"q": "Titulaire 0042"}).content.decode()
    assert found.count('data-testid="parchment-row"') == 1
    number = Parchment.objects.get(mentions__holder__name="Titulaire 0042").display_number
    assert number in found
    by_number = client.get(url, {"q": number}).content.decode()
    assert by_number.count('data-testid="parchment-row"') == 1
    valid = client.get(url, {"state": "valid"}).content.decode()
    assert valid.count('data-testid="parchment-row"') == 2
    cancelled = client.get(url, {"state": "cancelled"}).content.decode()
    assert cancelled.count('data-testid="parchment-row"') == 50
    assert client.get(url, {"state": "nonsense", "q": "x" * 5000}).status_code == 200


def test_a_parchment_link_finds_its_row_on_a_paginated_page(client, issued: Decided) -> None:
    _more_parchments(issued, 80)
    _login_admin(client, issued)
    far = Parchment.objects.order_by("-number").first()
    assert far is not None
    response = client.get(reverse("certificates:parchment", args=[far.pk]), follow=True)
    assert f'id="p{far.pk}"' in response.content.decode()


def test_the_batch_progress_bar_has_no_inline_style(client, issued: Decided) -> None:
    """A Content-Security-Policy without 'unsafe-inline' styles refuses a `style` attribute: the bar's width
    comes from batch.js, from data attributes."""
    _login_admin(client, issued)
    batch = ParchmentBatch.objects.get()
    url = reverse("certificates:jury_parchments", args=[issued.certification.pk])
    html = client.get(url, {"lot": batch.pk}).content.decode()
    assert 'id="batch"' in html
    card = html[html.index('id="batch"') : html.index("</div></div>", html.index('id="batch"'))]
    assert "style=" not in card
    assert re.search(r'data-done="2"', card) and re.search(r'data-total="2"', card)


@pytest.mark.parametrize("extra", [0, 150])
def test_the_parchments_page_takes_the_same_queries_whatever_the_number_of_parchments(
    client, issued: Decided, django_assert_num_queries, extra: int
) -> None:
    _more_parchments(issued, extra) if extra else None
    _login_admin(client, issued)
    url = reverse("certificates:jury_parchments", args=[issued.certification.pk])
    batch = ParchmentBatch.objects.get()
    # + the page's results with their states and flags (1, issue 12)
    with django_assert_num_queries(12):
        assert client.get(url, {"lot": batch.pk}).status_code == 200
    with django_assert_num_queries(10):  # no batch followed
        assert client.get(url, {"q": "MARTIN", "state": "valid", "page": "2"}).status_code == 200


# --- Deadlines page -----------------------------------------------------------------------------------


def _more_juries(decided: Decided, *, open_: int, done: int) -> None:
    """Certification juries that decided on one candidate each, written in bulk: `open_` still to notify (and
    to validate), `done` validated, notified, no holder (history)."""
    world = decided.world
    count = open_ + done
    candidates = Candidate.objects.bulk_create(
        CandidateFactory.build_batch(count, organisation=world.organisation, created_by=world.staff)
    )
    enrolments = Enrolment.objects.bulk_create(
        Enrolment(candidate=c, version=world.version, access_route="vae", created_by=world.staff) for c in candidates
    )
    start = timezone.now()
    places = SessionCandidate.objects.bulk_create(
        SessionCandidate(
            session=world.session, enrolment=e, starts_at=start, ends_at=start, attendance=Attendance.PRESENT
        )
        for e in enrolments
    )
    first = timezone.localdate() - dt.timedelta(days=3650)
    juries = Jury.objects.bulk_create(
        Jury(
            kind=JuryKind.CERTIFICATION,
            version=world.version,
            meets_on=first + dt.timedelta(days=30 * n),
            created_by=world.admin,
        )
        for n in range(count)
    )
    decisions = Decision.objects.bulk_create(
        Decision(place=p, examined_place=p, jury=j, kind="none", decided_by=world.admin)
        for p, j in zip(places, juries, strict=True)
    )
    history = juries[open_:]
    CpnefpValidation.objects.bulk_create(
        CpnefpValidation(jury=j, meeting_on=j.meets_on, recorded_by=world.admin) for j in history
    )
    ResultNotice.objects.bulk_create(
        ResultNotice(decision=d, status=NoticeStatus.SENT, sent_at=start) for d in decisions[open_:]
    )


def test_the_deadlines_page_shows_what_is_open_first_and_pages_the_history(client, issued: Decided) -> None:
    _more_juries(issued, open_=3, done=60)
    _login_admin(client, issued)
    html = client.get(reverse("certificates:deadlines")).content.decode()
    open_part = html[html.index('data-testid="deadlines-open"') : html.index('data-testid="deadlines-history"')]
    assert open_part.count('data-testid="deadline-row"') == 4  # the three open ones and the world's own
    history_part = html[html.index('data-testid="deadlines-history"') :]
    assert history_part.count('data-testid="deadline-row"') == 25
    assert "Page 1 sur 3" in history_part


def test_the_deadlines_history_is_searchable(client, issued: Decided) -> None:
    _more_juries(issued, open_=0, done=40)
    _login_admin(client, issued)
    year = Jury.objects.filter(kind=JuryKind.CERTIFICATION).order_by("meets_on").first().meets_on.year
    html = client.get(reverse("certificates:deadlines"), {"q": str(year)}).content.decode()
    history = html[html.index('data-testid="deadlines-history"') :]
    rows = history.count('data-testid="deadline-row"')
    assert 0 < rows < 25
    assert client.get(reverse("certificates:deadlines"), {"q": "\x00" + "z" * 3000}).status_code == 200


@pytest.mark.parametrize("more", [False, True])
def test_the_deadlines_page_takes_the_same_queries_whatever_the_history(
    client, issued: Decided, django_assert_num_queries, more: bool
) -> None:
    _more_juries(issued, open_=5, done=80) if more else _more_juries(issued, open_=0, done=1)
    _login_admin(client, issued)
    # Session, user, the open juries, the history's count and page, the carry-over flags to review and the open
    # appeals (issue 12), the VAE files waiting (issue 13).
    with django_assert_num_queries(8):
        assert client.get(reverse("certificates:deadlines")).status_code == 200


# --- Bounded user text --------------------------------------------------------------------------------


def test_a_long_unbroken_word_in_a_reason_and_an_incident_renders_the_pv_quickly_and_wraps(signed: Decided) -> None:
    """A reason or an incident without a space (written before the limits, or pasted) ran off the page: the PV
    makes it breakable, and the render stays bounded in time."""
    pv = ProcesVerbal.objects.get()
    content = pv.content
    content["candidates"][0]["reason"] = "a" * 10_000
    content["candidates"][0]["departs"] = True
    content["incidents"] = [{"kind": "Autre", "description": "b" * 10_000, "candidate": None, "at": "2026-01-01 10:00"}]
    content["recusals"] = [{"member": "m" * 150, "candidate": "c" * 150, "reason": "lien", "jury": "évaluation"}]
    pages: list[str] = []
    write_pdf = rendering._write_pdf

    def spy(html: str, **options: object) -> bytes:
        pages.append(html)
        return write_pdf(html, **options)

    started = time.perf_counter()
    with mock.patch.object(rendering, "_write_pdf", spy):
        pdf = rendering.render_pv(pv)
    elapsed = time.perf_counter() - started
    assert pdf.startswith(b"%PDF")
    assert elapsed < 3.0, f"{elapsed:.1f} s"
    html = pages[0]
    assert "a" * 41 not in html and "b" * 41 not in html and "m" * 41 not in html
    assert html.replace(ZERO_WIDTH_SPACE, "").count("a" * 10_000) == 1
    assert "table-layout: fixed" in html and "overflow-wrap: break-word" in html


def test_a_cancellation_reason_beyond_its_length_and_sending_dates_out_of_range_are_refused(
    client, issued: Decided
) -> None:
    parchment = Parchment.objects.order_by("number").first()
    assert parchment is not None
    _login_admin(client, issued)
    response = client.post(
        reverse("certificates:cancel", args=[parchment.pk]), {"reason": "motif " * 1000}, follow=True
    )
    assert response.status_code == 200
    assert "caractères au plus" in response.content.decode()
    for sent_on in ("9999-12-31", "1900-01-01"):
        response = client.post(reverse("certificates:sent", args=[parchment.pk]), {"sent_on": sent_on}, follow=True)
        assert response.status_code == 200
        assert "invraisemblable" in response.content.decode()
    parchment.refresh_from_db()
    assert parchment.status == ParchmentStatus.VALID
    assert parchment.sent_at is None


def test_a_cpnefp_meeting_in_year_9999_is_refused(client, signed: Decided) -> None:
    _login_admin(client, signed)
    response = client.post(
        reverse("certificates:validation", args=[signed.certification.pk]), {"meeting_on": "9999-12-31"}, follow=True
    )
    assert response.status_code == 200
    assert not CpnefpValidation.objects.exists()


# --- Detail pages -------------------------------------------------------------------------------------


@pytest.mark.parametrize("candidates", [3, 300])
def test_the_signed_pv_page_takes_the_same_queries_whatever_its_size(
    client, signed: Decided, django_assert_num_queries, candidates: int
) -> None:
    pv = ProcesVerbal.objects.get()
    content = pv.content
    model = content["candidates"][0]
    content["candidates"] = [{**model, "place": n, "name": f"Candidat {n}"} for n in range(candidates)]
    ProcesVerbal.objects.filter(pk=pv.pk).update(content=content)
    client.force_login(signed.world.admin)
    # Signed: read from the PV, never computed again; + the results' states and flags (1, issue 12).
    with django_assert_num_queries(8):
        response = client.get(reverse("certificates:pv", args=[signed.certification.pk]))
    assert response.status_code == 200
    assert f"Candidat {candidates - 1}" in response.content.decode()


@pytest.mark.parametrize("extra", [0, 200])
def test_the_batch_progress_takes_one_query_whatever_its_size(
    client, issued: Decided, django_assert_num_queries, extra: int
) -> None:
    batch = ParchmentBatch.objects.get()
    if extra:
        _more_parchments(issued, extra)
        Parchment.objects.update(batch=batch)
    client.force_login(issued.world.admin)
    with django_assert_num_queries(4):  # session, user, the batch, its counts
        response = client.get(reverse("certificates:batch_progress", args=[batch.pk]))
    assert response.json() == {"total": 2 + extra, "done": 2 + extra, "failed": 0}
