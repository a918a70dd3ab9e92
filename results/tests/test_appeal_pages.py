"""The appeals' pages: list (open first, pinned queries), the decisions to appeal, the record form, an appeal
with the CPNEF's examination and the re-examination, documents, letters, the jury's new decision; the forms
re-display what was typed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from certificates.tests.conftest import decided, world  # noqa: F401 - fixtures
from demo.builders import Decided
from juries.models import Decision, Jury
from juries.tests.services.helpers import ratify
from results.models import Appeal, AppealStatus, ReexaminationMode
from results.tests.test_appeal_services import PDF, examine, failed, later_session, record
from tests.factories import UserFactory


def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def ratified(decided: Decided) -> Decided:  # noqa: F811
    """The jury's results final: PV signed, CPNEFP validation recorded."""
    ratify(decided.world, decided.certification)
    return decided


def admin_client(client: Any, d: Decided) -> Any:
    client.force_login(d.world.admin)
    return client


def test_the_list_shows_open_appeals_first_with_their_age_in_constant_queries(
    client: Any, ratified: Decided, django_assert_num_queries: Any
) -> None:
    admin_client(client, ratified)
    decisions = ratified.decisions
    closed = examine(ratified, record(ratified, decision=decisions[0]), outcome="rejected")
    record(ratified, decision=decisions[1], received_on=today() - dt.timedelta(days=0))
    url = reverse("results:appeals")
    with django_assert_num_queries(4):  # session, user, count, page
        page = client.get(url)
    assert page.status_code == 200
    rows = page.text.split('data-testid="appeal-row"')[1:]
    assert len(rows) == 2
    assert "Reçu, à examiner" in rows[0] and "0 jour" in rows[0]
    assert "Rejeté par la CPNEF" in rows[1]
    record(ratified, decision=decisions[2])
    with django_assert_num_queries(4):
        page = client.get(url)
    assert page.text.count('data-testid="appeal-row"') == 3
    name = closed.decision.examined_place.enrolment.candidate.birth_name
    assert client.get(url, {"q": name}).text.count('data-testid="appeal-row"') == 1


def test_the_decisions_of_a_jury_offer_to_record_an_appeal_in_constant_queries(
    client: Any, ratified: Decided, django_assert_num_queries: Any
) -> None:
    admin_client(client, ratified)
    url = reverse("results:appeal_decisions")
    assert 'data-testid="decision-row"' not in client.get(url).text  # nothing before a jury or a name
    with django_assert_num_queries(6):  # session, user, jury, count, page, blocks
        page = client.get(url, {"jury": ratified.certification.pk})
    assert page.text.count('data-testid="decision-row"') == 3
    assert page.text.count('data-testid="record-appeal"') == 3
    assert "Définitif" in page.text
    record(ratified)
    page = client.get(url, {"jury": ratified.certification.pk})
    assert page.text.count('data-testid="record-appeal"') == 2  # the one under appeal takes no other
    assert "En recours" in page.text
    assert client.get(url, {"jury": "99999"}).status_code == 404
    assert client.get(url, {"jury": "abc"}).status_code == 200


def test_the_record_form_shows_the_deadline_and_records(client: Any, ratified: Decided) -> None:
    admin_client(client, ratified)
    decision = failed(ratified)
    url = reverse("results:appeal_create", args=[decision.pk])
    page = client.get(url)
    assert 'data-testid="appeal-deadline"' in page.text
    answer = client.post(
        url,
        {
            "received_on": today().isoformat(),
            "grounds": "Contestation de BC1",
            "documents": [SimpleUploadedFile("lettre.pdf", PDF), SimpleUploadedFile("annexe.pdf", PDF)],
        },
    )
    appeal = Appeal.objects.get()
    assert answer.status_code == 302 and answer.url == reverse("results:appeal", args=[appeal.pk])
    assert appeal.documents.count() == 2
    page = client.get(answer.url)
    assert "Recours enregistré" in page.text
    assert "lettre.pdf" in page.text and 'data-testid="examine-form"' in page.text


def test_the_record_form_redisplays_what_was_typed(client: Any, ratified: Decided) -> None:
    admin_client(client, ratified)
    url = reverse("results:appeal_create", args=[failed(ratified).pk])
    answer = client.post(url, {"received_on": "2020-01-02", "grounds": "Mes motifs à garder"})
    assert answer.status_code == 200
    assert "Mes motifs à garder" in answer.text and 'value="2020-01-02"' in answer.text
    assert "ne peut pas avoir été reçu avant" in answer.text
    answer = client.post(
        url,
        {"received_on": today().isoformat(), "grounds": "Motifs", "documents": [SimpleUploadedFile("x.html", b"<h1>")]},
    )
    assert answer.status_code == 200 and "ni un PDF" in answer.text and "Motifs" in answer.text
    assert not Appeal.objects.exists()


def test_a_late_appeal_is_recorded_inadmissible_from_the_form(client: Any, ratified: Decided) -> None:
    admin_client(client, ratified)
    Jury.objects.filter(pk=ratified.certification.pk).update(meets_on=today() - dt.timedelta(days=90))
    answer = client.post(
        reverse("results:appeal_create", args=[failed(ratified).pk]),
        {"received_on": today().isoformat(), "grounds": "Trop tard"},
        follow=True,
    )
    assert "Recours enregistré comme irrecevable" in answer.text
    assert 'data-testid="inadmissible-reason"' in answer.text
    assert 'data-testid="letter-irrecevabilite"' in answer.text and "letter-accuse-reception" not in answer.text


def test_the_examination_form_redisplays_and_records(client: Any, ratified: Decided) -> None:
    admin_client(client, ratified)
    appeal = record(ratified)
    url = reverse("results:appeal_examine", args=[appeal.pk])
    answer = client.post(
        url, {"meeting_on": today().isoformat(), "outcome": "reexamination", "reason": "Motivation gardée"}
    )
    assert answer.status_code == 200
    assert "Motivation gardée" in answer.text and "Choisissez la modalité du réexamen" in answer.text
    answer = client.post(
        url,
        {
            "meeting_on": today().isoformat(),
            "outcome": "reexamination",
            "reason": "Motivation",
            "mode": ReexaminationMode.SAME_GRIDS,
            "scope": "BC1",
        },
        follow=True,
    )
    assert "Examen de la CPNEF enregistré." in answer.text
    assert 'data-testid="open-revision"' in answer.text
    assert client.get(reverse("results:appeal_examine", args=[appeal.pk])).status_code == 405


def test_a_new_evaluation_is_placed_from_the_appeal(client: Any, ratified: Decided) -> None:
    admin_client(client, ratified)
    appeal = examine(ratified, record(ratified), mode=ReexaminationMode.NEW_EVALUATION)
    session = later_session(ratified)
    page = client.get(reverse("results:appeal", args=[appeal.pk]))
    assert 'data-testid="place-form"' in page.text
    answer = client.post(reverse("results:appeal_place", args=[appeal.pk]), {"session": "999999"})
    assert answer.status_code == 200 and 'data-testid="place-form"' in answer.text
    answer = client.post(reverse("results:appeal_place", args=[appeal.pk]), {"session": session.pk}, follow=True)
    assert "Le candidat est placé" in answer.text and 'data-testid="reexamination-place"' in answer.text


def test_documents_and_letters_are_downloaded_by_whom_they_concern(client: Any, ratified: Decided) -> None:
    from candidates import services as candidate_services

    appeal = record(ratified, documents=[SimpleUploadedFile("lettre.pdf", PDF)])
    document = appeal.documents.get()
    admin_client(client, ratified)
    answer = client.get(reverse("results:appeal_document_download", args=[document.pk]))
    assert answer.status_code == 200 and b"".join(answer.streaming_content) == PDF
    assert answer["Cache-Control"] == "private, no-store"
    letter = reverse("results:appeal_letter_pdf", args=[appeal.pk, "accuse-reception"])
    answer = client.get(letter)
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF")
    assert answer["Content-Type"] == "application/pdf"
    assert client.get(reverse("results:appeal_letter_pdf", args=[appeal.pk, "decision"])).status_code == 404
    assert client.get(reverse("results:appeal_letter_pdf", args=[appeal.pk, "irrecevabilite"])).status_code == 404

    candidate = appeal.decision.examined_place.enrolment.candidate
    candidate_services.candidate_invite(candidate=candidate, site_url="http://testserver")
    candidate.refresh_from_db()
    client.force_login(candidate.user)
    assert client.get(letter).status_code == 200
    assert client.get(reverse("results:appeal_document_download", args=[document.pk])).status_code == 403
    client.force_login(UserFactory(email="autre@example.org"))
    assert client.get(letter).status_code == 404


@pytest.mark.parametrize("outcome", ["rejected", "reexamination", "revised"])
def test_the_outcome_letter_says_what_the_cpnef_decided(client: Any, ratified: Decided, outcome: str) -> None:
    from results.appeals import letters

    appeal = examine(ratified, record(ratified), outcome="rejected" if outcome == "rejected" else "reexamination")
    if outcome == "revised":
        appeal = revise(ratified, appeal)
    context = letters.letter_context(appeal, letters.OUTCOME)
    from django.template.loader import render_to_string

    html = render_to_string("results/appeals/pdf/letter.html", context)
    if outcome == "rejected":
        assert "Elle a rejeté votre recours" in html and "est maintenue" in html
    elif outcome == "reexamination":
        assert "Elle a ordonné le réexamen" in html and "grilles existantes" in html
    else:
        assert (
            "le jury de certification a pris une nouvelle décision vous concernant : attribution partielle : BC1"
            in html
        )
        assert "avenant au procès-verbal" in html
    admin_client(client, ratified)
    assert client.get(reverse("results:appeal_letter_pdf", args=[appeal.pk, "decision"])).content.startswith(b"%PDF")


def revise(d: Decided, appeal: Appeal) -> Appeal:
    from juries import services as jury_services

    jury_services.revision_record(
        decision=appeal.decision,
        kind="partial",
        blocks=[d.world.blocks["BC1"]],
        reason="Revu",
        decided_by=d.world.cert_president.user,
    )
    appeal.refresh_from_db()
    return appeal


def test_the_president_decides_again_on_the_revision_page(client: Any, ratified: Decided) -> None:
    appeal = examine(ratified, record(ratified))
    url = reverse("results:appeal_revision", args=[appeal.pk])
    bc1 = ratified.world.blocks["BC1"]
    admin_client(client, ratified)
    page = client.get(url)
    assert page.status_code == 200 and 'data-testid="revision-form"' in page.text
    assert client.post(url, {"kind": "partial", "blocks": [bc1.pk], "text": "Revu"}).status_code == 403

    client.force_login(ratified.world.cert_president.user)
    answer = client.post(url, {"kind": "partial", "blocks": [bc1.pk], "text": ""})
    assert answer.status_code == 200 and "Motivez la décision prise après réexamen." in answer.text
    answer = client.post(url, {"kind": "partial", "blocks": [bc1.pk], "text": "BC1 acquis"}, follow=True)
    assert "Nouvelle décision enregistrée" in answer.text
    assert 'data-testid="appealed-state">Révisé<' in answer.text
    assert 'data-testid="revised-decision"' in answer.text and 'data-testid="revision-form"' not in answer.text
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.REVISED
    assert Decision.objects.get(revises=appeal.decision) == appeal.revised_decision


def test_the_revision_page_before_the_cpnef_offers_nothing(client: Any, ratified: Decided) -> None:
    appeal = record(ratified)
    client.force_login(ratified.world.cert_president.user)
    page = client.get(reverse("results:appeal_revision", args=[appeal.pk]))
    assert "La CPNEF n'a pas encore examiné ce recours" in page.text and 'data-testid="revision-form"' not in page.text
    answer = client.post(reverse("results:appeal_revision", args=[appeal.pk]), {"kind": "none", "text": "Revu"})
    assert answer.status_code == 200 and "La CPNEF n&#x27;a pas ordonné de réexamen" in answer.text


def test_the_deadlines_page_shows_the_appeals_to_examine_and_their_age(client: Any, ratified: Decided) -> None:
    appeal = record(ratified)
    Appeal.objects.filter(pk=appeal.pk).update(received_on=today() - dt.timedelta(days=12))
    admin_client(client, ratified)
    page = client.get(reverse("certificates:deadlines"))
    rows = page.text.split('data-testid="deadline-appeal"')[1:]
    assert len(rows) == 1
    assert "12 jours" in rows[0] and "l’examen par la CPNEF" in rows[0].replace("&#x27;", "’").replace("'", "’")


def test_the_pages_are_the_admins(client: Any, ratified: Decided) -> None:
    appeal = record(ratified)
    client.force_login(ratified.world.staff)
    for url in (
        reverse("results:appeals"),
        reverse("results:appeal", args=[appeal.pk]),
        reverse("results:appeal_create", args=[failed(ratified).pk]),
    ):
        assert client.get(url).status_code == 403, url
    assert client.get(reverse("results:appeal_revision", args=[appeal.pk])).status_code == 404


def test_an_unratified_result_can_be_appealed_from_the_page(client: Any, decided: Decided) -> None:  # noqa: F811
    admin_client(client, decided)
    answer = client.post(
        reverse("results:appeal_create", args=[failed(decided).pk]),
        {"received_on": today().isoformat(), "grounds": "Motifs"},
    )
    assert answer.status_code == 302
    ratify(decided.world, decided.certification)
    assert Appeal.objects.get().status == AppealStatus.RECEIVED


def test_the_candidates_letters_block_lists_their_appeals(ratified: Decided) -> None:
    from django.template.loader import render_to_string

    from candidates import services as candidate_services
    from results.appeals.selectors import candidate_appeals

    appeal = record(ratified)
    candidate = appeal.decision.examined_place.enrolment.candidate
    candidate_services.candidate_invite(candidate=candidate, site_url="http://testserver")
    candidate.refresh_from_db()
    assert candidate_appeals(ratified.world.admin) == []
    html = render_to_string(
        "results/appeals/includes/candidate_letters.html", {"my_appeals": candidate_appeals(candidate.user)}
    )
    assert html.count('data-testid="my-appeal"') == 1
    assert reverse("results:appeal_letter_pdf", args=[appeal.pk, "accuse-reception"]) in html
