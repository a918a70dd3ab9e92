"""Grading, deciding or transmitting without the livret the tests ask for: a warning on the page and after the save,
never a refusal (issue 14)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.constants import SUCCESS, WARNING
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from candidates import services as candidate_services
from candidates.models import DocumentKind
from evaluations.models import SessionCandidate
from juries import services
from juries.models import Decision, Grid, GridStatus
from juries.tests.test_access import PDF, _grades, _transmitted

pytestmark = pytest.mark.django_db

MISSING = 'data-testid="livret-missing"'


def hand_in_everything(world: Any, place: SessionCandidate) -> None:
    """Every document the candidate's tests ask for (26850: part A for BC1, part B for BC2)."""
    for code in ("BC1", "BC2"):
        candidate_services.document_upload(
            candidate=place.enrolment.candidate,
            uploaded_by=world.staff,
            kind=DocumentKind.LIVRET_PART,
            file=SimpleUploadedFile(f"livret {code}.pdf", PDF, content_type="application/pdf"),
            enrolment=place.enrolment,
            block=world.blocks[code],
        )


def said(response: Any) -> list[tuple[int, str]]:
    return [(m.level, str(m)) for m in get_messages(response.wsgi_request)]


def test_the_grid_page_warns_when_no_livret_was_handed_in_and_still_saves(client, world) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    name = place.enrolment.candidate.display_name
    client.force_login(jury.president.user)
    url = reverse("juries:grid", args=[jury.pk, place.pk])
    page = client.get(url, {"grille": "consensus"}).text
    assert MISSING in page
    assert f"Aucun livret remis pour {name} (" in page and "la grille est saisie sans lui." in page
    answer = client.post(url, {"grille": "consensus", "action": "submit", **_grades(place)})
    assert answer.status_code == 302
    messages = said(answer)
    assert (SUCCESS, "Grille validée et verrouillée.") in messages
    warnings = [text for level, text in messages if level == WARNING]
    assert len(warnings) == 1 and warnings[0].startswith(f"Aucun livret remis pour {name} (")
    assert Grid.objects.filter(place=place, member__isnull=True, status=GridStatus.SUBMITTED).exists()


def test_the_grid_page_says_nothing_once_the_livret_is_handed_in(client, world) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    hand_in_everything(world, place)
    client.force_login(jury.president.user)
    url = reverse("juries:grid", args=[jury.pk, place.pk])
    assert MISSING not in client.get(url, {"grille": "consensus"}).text
    answer = client.post(url, {"grille": "consensus", "action": "save", **_grades(place)})
    assert [level for level, _text in said(answer)] == [SUCCESS]


def test_the_decision_page_warns_when_no_livret_was_handed_in_and_still_decides(client, world) -> None:
    _, certification = _transmitted(world)
    place, other = world.places[0], world.places[1]
    hand_in_everything(world, other)
    client.force_login(world.cert_president.user)
    url = reverse("juries:decision", args=[certification.pk, place.pk])
    page = client.get(url).text
    assert MISSING in page and "la décision est prise sans lui." in page
    assert MISSING not in client.get(reverse("juries:decision", args=[certification.pk, other.pk])).text
    answer = client.post(url, {"kind": "total"})
    assert answer.status_code == 302 and Decision.objects.filter(place=place).exists()
    warnings = [text for level, text in said(answer) if level == WARNING]
    assert len(warnings) == 1 and "la décision est prise sans lui." in warnings[0]


def test_the_transmission_says_which_livrets_it_goes_without(client, world) -> None:
    evaluation = world.evaluation_jury()
    certification = world.certification_jury()
    for place in world.places:
        world.grade(evaluation, place, {})
        services.recommendation_record(
            place=place, kind="total", blocks=[], comments="", recorded_by=evaluation.president.user
        )
    for place in world.places[1:]:
        hand_in_everything(world, place)
    client.force_login(evaluation.president.user)
    answer = client.post(reverse("juries:transmit", args=[evaluation.pk]), {"certification_jury": certification.pk})
    assert answer.status_code == 302
    messages = said(answer)
    assert (SUCCESS, "Grilles et grille de délibération transmises au jury de certification.") in messages
    warnings = [text for level, text in messages if level == WARNING]
    name = world.places[0].enrolment.candidate.display_name
    assert len(warnings) == 1 and warnings[0].startswith(f"Aucun livret remis pour {name} (")
    assert all(p.enrolment.candidate.display_name not in warnings[0] for p in world.places[1:])
    evaluation.refresh_from_db()
    assert evaluation.certification_jury_id == certification.pk


def test_the_evaluation_board_says_whose_livret_is_missing_before_the_transmission(client, world) -> None:
    evaluation = world.evaluation_jury()
    for place in world.places[1:]:
        hand_in_everything(world, place)
    client.force_login(evaluation.president.user)
    page = client.get(reverse("juries:detail", args=[evaluation.pk])).text
    assert page.count('data-testid="livret-missing-row"') == 1
    name = world.places[0].enrolment.candidate.display_name
    assert 'data-testid="transmit-livret-missing"' in page
    assert f"Aucun livret remis pour {name} (" in page and "leurs résultats seront transmis sans lui." in page
    hand_in_everything(world, world.places[0])
    page = client.get(reverse("juries:detail", args=[evaluation.pk])).text
    assert "livret-missing" not in page
