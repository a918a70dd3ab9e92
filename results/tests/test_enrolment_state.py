"""An enrolment's true state (issue 14), one function for every page and the upload service: « Inscrite » until a
result, « Résultat provisoire » until it is final (and notified to the candidate and their organisation), then
« Certifiée », « Certification partielle — blocs acquis : BC1 » or « Non certifiée »; the documents of a decided
result are read-only on the board and refused by the service; the staff's candidate page says each enrolment's
result and parchment, at a constant number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from candidates import services as candidate_services
from candidates.models import Candidate, DocumentKind, Enrolment, EnrolmentStatus
from candidates.selectors import candidate_space
from certificates.tests.conftest import Decided, commit, decided, issued, signed, validated, world
from evaluations.models import ConvocationStatus, SessionCandidate
from juries import lifecycle
from results import standing
from results.services.resits import resit_enrol
from tests.factories import UserFactory

__all__ = ["commit", "decided", "issued", "signed", "validated", "world"]  # the certifier's worlds, as fixtures

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _words(**facts: object) -> str:
    arguments: dict[str, object] = {"withdrawn": False, "sex": "F", "result": None, "kind": None}
    arguments.update(facts)
    return standing.enrolment_state_of(**arguments)[1]  # type: ignore[arg-type]


def test_the_state_agrees_with_the_candidates_recorded_sex() -> None:
    final = {"result": lifecycle.FINAL}
    assert _words(**final, kind="total") == "Certifiée"
    assert _words(**final, kind="total", sex="M") == "Certifié"
    assert _words(**final, kind="total", sex="") == "Certifié(e)"
    assert _words(**final, kind="none") == "Non certifiée"
    assert _words(**final, kind="none", sex="M") == "Non certifié"
    assert _words() == "Inscrite"
    assert _words(sex="") == "Inscrit(e)"
    assert _words(withdrawn=True, result=lifecycle.FINAL, kind="total", sex="M") == "Désinscrit"


def test_a_partial_award_names_its_blocks_in_their_order() -> None:
    words = _words(result=lifecycle.FINAL, kind="partial", blocks=["BC10", "BC2"])
    assert words == "Certification partielle — blocs acquis : BC2, BC10"


def test_a_result_not_final_is_provisional_and_its_other_states_are_said() -> None:
    assert _words(result=lifecycle.PROVISIONAL, kind="total") == "Résultat provisoire"
    assert _words(result=standing.AWAITING, kind="total") == "Résultat provisoire"
    assert _words(result=lifecycle.UNDER_APPEAL, kind="total") == "Résultat en recours"
    assert _words(result=lifecycle.REVOKED, kind="total") == "Certification retirée"


def _enrolments(decided: Decided) -> list[Enrolment]:
    ids = [place.enrolment_id for place in decided.world.places]
    loaded = Enrolment.objects.select_related("candidate").prefetch_related("blocks").in_bulk(ids)
    return [loaded[pk] for pk in ids]


@pytest.mark.django_db
def test_the_three_decided_enrolments_say_their_final_result(validated: Decided) -> None:
    states = standing.enrolment_states(_enrolments(validated), notified_only=True)
    total, partial, none = (states[place.enrolment_id] for place in validated.world.places)
    assert [total.label, partial.label, none.label] == [
        "Certifiée",
        "Certification partielle — blocs acquis : BC1",
        "Non certifiée",
    ]
    assert total.certified and not partial.certified
    assert [b.code for b in partial.awarded] == ["BC1"]
    assert partial.result is not None and str(partial.result.label) == "Définitif"


@pytest.mark.django_db
def test_a_result_not_notified_is_provisional_and_hidden_from_the_organisation(decided: Decided) -> None:
    enrolments = _enrolments(decided)
    for_staff = standing.enrolment_states(enrolments, notified_only=True)[enrolments[0].pk]
    assert (for_staff.label, for_staff.decision) == ("Résultat provisoire", None)
    assert for_staff.decided  # its documents are closed all the same
    for_admin = standing.enrolment_states(enrolments, notified_only=False)[enrolments[0].pk]
    assert for_admin.label == "Résultat provisoire"
    assert for_admin.decision is not None and for_admin.outcome == "Attribution totale"


# --- Documents --------------------------------------------------------------------------------------------------


def _upload(enrolment: Enrolment, code: str) -> None:
    candidate_services.document_upload(
        candidate=enrolment.candidate,
        uploaded_by=None,
        kind=DocumentKind.LIVRET_PART,
        file=SimpleUploadedFile("livret.pdf", PDF, content_type="application/pdf"),
        enrolment=enrolment,
        block=enrolment.blocks.get(code=code),
    )


@pytest.mark.django_db
def test_the_upload_service_refuses_a_document_the_result_closes(validated: Decided) -> None:
    total, partial, _none = _enrolments(validated)
    with pytest.raises(ValidationError, match="Certification obtenue : ce document n'est plus à déposer"):
        _upload(total, "BC1")
    with pytest.raises(ValidationError, match="Bloc BC1 acquis : ce document n'est plus à déposer"):
        _upload(partial, "BC1")
    with pytest.raises(ValidationError, match="Le jury de certification s'est prononcé"):
        _upload(partial, "BC2")


@pytest.mark.django_db
def test_a_resit_reopens_the_documents_of_the_blocks_still_to_acquire(validated: Decided) -> None:
    _total, partial, _none = _enrolments(validated)
    world = validated.world
    later = world.session_to_come(40)
    resit_enrol(decision=validated.decisions[1], session=later, enrolled_by=world.staff)
    state = standing.enrolment_state(partial)
    assert not state.decided
    _upload(partial, "BC2")  # the block still to acquire: accepted
    with pytest.raises(ValidationError, match="Bloc BC1 acquis"):
        _upload(partial, "BC1")


def _candidate_with_account(decided: Decided, n: int = 0) -> Candidate:
    candidate = decided.world.places[n].enrolment.candidate
    candidate.user = UserFactory(email=f"titulaire{n}@example.org", is_candidate=True)
    candidate.save(update_fields=["user"])
    return candidate


@pytest.mark.django_db
def test_the_certified_candidates_space_says_certifiee_and_offers_no_upload(client, validated: Decided) -> None:
    candidate = _candidate_with_account(validated)
    space = candidate_space(candidate.user)
    board = space["candidate_documents"]
    assert board.parts == [] and board.closed_parts  # type: ignore[attr-defined]
    client.force_login(candidate.user)
    html = client.get(reverse("home")).text
    assert 'data-testid="my-enrolment-state">Certifiée<' in html
    assert "Inscrit" not in html
    assert '<p class="text-body-secondary">Candidate</p>' in html  # her role under « Bonjour », agreed too
    assert "Déposer" not in html and 'type="file"' not in html.split('id="mes-documents"')[1]
    assert "Certification obtenue : ce document n&#x27;est plus à déposer." in html


@pytest.mark.django_db
def test_the_upload_page_refuses_it_in_french(client, validated: Decided) -> None:
    candidate = _candidate_with_account(validated)
    enrolment = validated.world.places[0].enrolment
    client.force_login(candidate.user)
    response = client.post(
        reverse("candidates:my_document_upload"),
        {
            "kind": DocumentKind.LIVRET_PART,
            "enrolment": enrolment.pk,
            "block": enrolment.blocks.order_by("order").first().pk,
            "file": SimpleUploadedFile("livret.pdf", PDF, content_type="application/pdf"),
        },
        follow=True,
    )
    assert "Certification obtenue : ce document n&#x27;est plus à déposer." in response.text
    assert not candidate.documents.exists()


@pytest.mark.django_db
def test_the_convocation_of_a_test_passed_goes_under_epreuves_passees(client, validated: Decided) -> None:
    candidate = _candidate_with_account(validated)
    place = validated.world.places[0]
    # The world's session was convoked before its day (the services only write ahead): its convocation, sent.
    SessionCandidate.objects.filter(pk=place.pk).update(
        convocation_status=ConvocationStatus.SENT, starts_at=timezone.now() - dt.timedelta(days=1)
    )
    space = candidate_space(candidate.user)
    assert space["candidate_upcoming_places"] == [] and len(space["candidate_past_places"]) == 1  # type: ignore[arg-type]
    client.force_login(candidate.user)
    html = client.get(reverse("home")).text
    assert "Épreuves passées" in html and 'data-testid="my-past-test"' in html
    assert 'data-testid="my-convocation"' not in html and "Ajouter à mon agenda" not in html


# --- The staff's candidate page and list ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_staff_sees_each_enrolments_result_and_parchment_number(client, issued: Decided) -> None:
    world = issued.world
    candidate = world.places[0].enrolment.candidate
    client.force_login(world.staff)
    html = client.get(reverse("candidates:detail", args=[candidate.pk])).text
    assert 'data-testid="enrolment-state">Certifiée<' in html
    assert 'data-testid="enrolment-result-outcome">Attribution totale<' in html
    assert 'data-testid="enrolment-result-state">Définitif<' in html
    assert 'data-testid="enrolment-result-blocks">BC1, BC2' in html
    parchment = issued.decisions[0].parchments.get()
    assert f"Parchemin n° {parchment.display_number}" in html
    # The organisation does not download parchments (certificates.access.parchments_for): the number, no link.
    assert reverse("certificates:parchment_pdf", args=[parchment.pk]) not in html

    client.force_login(world.admin)
    html = client.get(reverse("candidates:detail", args=[candidate.pk])).text
    assert reverse("certificates:parchment_pdf", args=[parchment.pk]) in html

    client.force_login(world.staff)
    listing = client.get(reverse("candidates:list")).text
    assert "RNCP26850 · Certifiée" in listing or "26850 · Certifiée" in listing
    assert "Certification partielle — blocs acquis : BC1" in listing and "Non certifiée" in listing


def test_a_certified_enrolment_is_offered_no_accommodation_and_the_service_refuses_one(
    client, validated: Decided
) -> None:
    world = validated.world
    certified, partial = (place.enrolment for place in world.places[:2])
    client.force_login(world.staff)
    html = client.get(reverse("candidates:detail", args=[certified.candidate_id])).text
    assert 'data-testid="accommodation-add"' not in html
    # Partially certified: blocks remain to sit, an accommodation may still be granted for the resit.
    html = client.get(reverse("candidates:detail", args=[partial.candidate_id])).text
    assert 'data-testid="accommodation-add"' in html

    answer = client.get(reverse("candidates:accommodation_add", args=[certified.pk]), follow=True)
    assert "Certification obtenue : plus aucune épreuve à passer" in answer.text
    with pytest.raises(ValidationError, match="Certification obtenue"):
        candidate_services.accommodation_add(
            enrolment=certified,
            kind="extra_time",
            measure="Tiers temps",
            referent="Référente handicap",
            approved_on=timezone.localdate(),
            extra_minutes=15,
        )
    assert not certified.accommodations.exists()


@pytest.mark.django_db
def test_the_staff_learns_a_result_once_notified(client, decided: Decided) -> None:
    world = decided.world
    client.force_login(world.staff)
    html = client.get(reverse("candidates:detail", args=[world.places[0].enrolment.candidate_id])).text
    assert 'data-testid="enrolment-state">Résultat provisoire<' in html
    section = html.split('data-testid="enrolment-result"')[1].split("</div>")[0]
    assert "Attribution totale" not in section
    assert "en attente de la validation et de la notification" in section
    # Nor does the file's results table tell it before the candidate is notified (the same rule).
    assert 'data-testid="result-line"' not in html
    client.force_login(world.admin)
    html = client.get(reverse("candidates:detail", args=[world.places[0].enrolment.candidate_id])).text
    assert 'data-testid="result-line"' in html


@pytest.mark.django_db
def test_the_candidate_page_reads_as_many_queries_for_three_enrolments_and_results(
    client, issued: Decided, django_assert_num_queries
) -> None:
    world = issued.world
    candidate = world.places[0].enrolment.candidate
    client.force_login(world.admin)
    url = reverse("candidates:detail", args=[candidate.pk])
    client.get(url)  # the session and the templates settle
    with CaptureQueriesContext(connection) as one:
        assert 'data-testid="enrolment-result"' in client.get(url).text
    # The two other candidates' enrolments, results and parchments become hers (withdrawn: one active enrolment per
    # version): three enrolments, three results, two parchments.
    Enrolment.objects.filter(pk__in=[p.enrolment_id for p in world.places[1:]]).update(
        candidate=candidate, status=EnrolmentStatus.WITHDRAWN
    )
    with django_assert_num_queries(len(one)):
        html = client.get(url).text
    assert html.count('data-testid="enrolment-result"') == 3
    assert html.count('data-testid="enrolment-parchment"') == 2
