"""The access holes of issue 10 in the juries, closed: a withdrawn member reads nothing of their juries, a
recused member sees nothing of that candidate, and nobody proclaims themselves president. Each page is asked
with the actor refused and with one who is allowed, so a test fails if the page merely broke."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from candidates import services as candidate_services
from candidates.models import CandidateDocument, DocumentKind
from evaluations.models import SessionCandidate
from juries import selectors, services
from juries.models import Dispute, Grid, Jury, Recommendation, Recusal, RecusalReason
from tests.worlds import World

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _livret_part(world: World, place: SessionCandidate) -> CandidateDocument:
    return candidate_services.document_upload(
        candidate=place.enrolment.candidate,
        uploaded_by=world.staff,
        kind=DocumentKind.LIVRET_PART,
        file=SimpleUploadedFile("livret.pdf", PDF, content_type="application/pdf"),
        enrolment=place.enrolment,
        block=world.blocks["BC1"],
    )


def _grades(place: SessionCandidate) -> dict[str, str]:
    return {
        f"g-{block.pk}-{competency.code}": "A"
        for block in selectors.blocks_sat(place)
        for competency in block.competencies.all()
    }


def _transmitted(world: World) -> tuple[Jury, Jury]:
    evaluation = world.evaluation_jury()
    certification = world.certification_jury()
    for place in world.places:
        world.grade(evaluation, place, {})
        services.recommendation_record(
            place=place, kind="total", blocks=[], comments="", recorded_by=evaluation.president.user
        )
    services.deliberation_transmit(jury=evaluation, certification_jury=certification, transmitted_by=world.admin)
    return evaluation, certification


def _jury_pages(jury: Jury, place: SessionCandidate) -> list[str]:
    pages = [reverse("juries:detail", args=[jury.pk])]
    if jury.is_evaluation:
        pages += [
            reverse("juries:grid", args=[jury.pk, place.pk]),
            reverse("juries:grid", args=[jury.pk, place.pk]) + "?grille=consensus",
            reverse("juries:deliberation", args=[jury.pk]),
            reverse("juries:deliberation_xlsx", args=[jury.pk]),
            reverse("juries:deliberation_pdf", args=[jury.pk]),
        ]
    else:
        pages.append(reverse("juries:decision", args=[jury.pk, place.pk]))
    return pages


def _xlsx_text(content: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return " ".join(str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row)


# --- A withdrawn member ----------------------------------------------------------------------------------


def test_a_withdrawn_member_reads_nothing_of_their_evaluation_jury(client: Any, world: World) -> None:
    jury = world.evaluation_jury()
    place = world.places[0]
    document = _livret_part(world, place)
    client.force_login(world.trainer.user)
    for url in _jury_pages(jury, place):  # open while the habilitation is in force
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("candidates:document_download", args=[document.pk])).status_code == 200

    services.jury_member_withdraw(member=world.trainer, withdrawn_by=world.admin, reason="Conflit d'intérêts")
    for url in _jury_pages(jury, place):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("juries:grid_status", args=[jury.pk, place.pk]), _grades(place)).status_code == 404
    assert client.get(reverse("candidates:document_download", args=[document.pk])).status_code == 404
    listing = client.get(reverse("juries:list"))
    assert listing.status_code == 200
    assert reverse("juries:detail", args=[jury.pk]) not in listing.text
    assert reverse("juries:detail", args=[jury.pk]) not in client.get(reverse("home")).text
    # The members who still sit keep their pages.
    client.force_login(world.employees.user)
    assert client.get(reverse("juries:detail", args=[jury.pk])).status_code == 200


def test_a_withdrawn_member_reads_nothing_of_their_certification_jury(client: Any, world: World) -> None:
    _, certification = _transmitted(world)
    place = world.places[0]
    document = _livret_part(world, place)
    client.force_login(world.cert_employees.user)
    for url in _jury_pages(certification, place):
        assert client.get(url).status_code == 200, url
    services.jury_member_withdraw(member=world.cert_employees, withdrawn_by=world.admin, reason="Départ")
    for url in _jury_pages(certification, place):
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("candidates:document_download", args=[document.pk])).status_code == 404
    assert reverse("juries:detail", args=[certification.pk]) not in client.get(reverse("juries:list")).text


def test_a_member_approved_again_reads_their_jury_again(client: Any, world: World) -> None:
    jury = world.evaluation_jury()
    services.jury_member_withdraw(member=world.trainer, withdrawn_by=world.admin, reason="Vérification")
    services.jury_member_approve(member=world.trainer, approved_by=world.admin)
    client.force_login(world.trainer.user)
    assert client.get(reverse("juries:detail", args=[jury.pk])).status_code == 200


# --- A recused member ------------------------------------------------------------------------------------


def test_a_recused_member_gets_404_on_that_candidates_grids(client: Any, world: World) -> None:
    jury = world.evaluation_jury()
    place, other = world.places[0], world.places[1]
    services.conflict_declare(jury=jury, place=place, member=world.trainer, note="voisin", declared_by=world.admin)
    client.force_login(world.trainer.user)
    grid = reverse("juries:grid", args=[jury.pk, place.pk])
    for query in ("", "?grille=membre", "?grille=consensus"):
        assert client.get(grid + query).status_code == 404, query
    for grille in ("membre", "consensus"):
        assert client.post(grid, {"grille": grille, "action": "save", **_grades(place)}).status_code == 404
    assert client.post(reverse("juries:grid_status", args=[jury.pk, place.pk]), _grades(place)).status_code == 404
    assert client.post(reverse("juries:recommendation", args=[jury.pk, place.pk]), {"kind": "total"}).status_code == 404
    assert not Grid.objects.filter(place=place).exists()
    assert not Recommendation.objects.filter(place=place).exists()
    # The other candidates stay theirs, and the president still opens the recused candidate's grid.
    assert client.get(reverse("juries:grid", args=[jury.pk, other.pk])).status_code == 200
    client.force_login(world.employers.user)
    assert client.get(grid + "?grille=consensus").status_code == 200


def test_the_deliberation_shown_to_a_recused_member_leaves_that_candidate_out(client: Any, world: World) -> None:
    jury = world.evaluation_jury()
    place, other = world.places[0], world.places[1]
    recused_name = place.enrolment.candidate.display_name
    other_name = other.enrolment.candidate.display_name
    services.conflict_declare(jury=jury, place=place, member=world.trainer, note="", declared_by=world.admin)
    client.force_login(world.trainer.user)
    detail = client.get(reverse("juries:detail", args=[jury.pk])).text
    assert reverse("juries:grid", args=[jury.pk, place.pk]) not in detail
    assert reverse("juries:grid", args=[jury.pk, other.pk]) in detail
    deliberation = client.get(reverse("juries:deliberation", args=[jury.pk]))
    assert deliberation.status_code == 200
    assert other_name in deliberation.text
    assert recused_name not in deliberation.text
    sheet = _xlsx_text(client.get(reverse("juries:deliberation_xlsx", args=[jury.pk])).content)
    assert other_name in sheet
    assert recused_name not in sheet
    assert client.get(reverse("juries:deliberation_pdf", args=[jury.pk])).status_code == 200
    # The president, who is not recused, has every candidate.
    client.force_login(world.employers.user)
    assert recused_name in client.get(reverse("juries:deliberation", args=[jury.pk])).text
    assert recused_name in _xlsx_text(client.get(reverse("juries:deliberation_xlsx", args=[jury.pk])).content)


def test_a_recused_member_of_the_certification_jury_gets_404_on_that_candidates_decision(
    client: Any, world: World
) -> None:
    _, certification = _transmitted(world)
    place, other = world.places[0], world.places[1]
    Recusal.objects.create(jury=certification, member=world.cert_employees, place=place, reason=RecusalReason.DECLARED)
    client.force_login(world.cert_employees.user)
    assert client.get(reverse("juries:decision", args=[certification.pk, place.pk])).status_code == 404
    answer = client.post(reverse("juries:dispute", args=[certification.pk, place.pk]), {"description": "Doute"})
    assert answer.status_code == 404
    assert not Dispute.objects.exists()
    assert client.get(reverse("juries:decision", args=[certification.pk, other.pk])).status_code == 200
    detail = client.get(reverse("juries:detail", args=[certification.pk])).text
    assert reverse("juries:decision", args=[certification.pk, place.pk]) not in detail
    assert reverse("juries:decision", args=[certification.pk, other.pk]) in detail


# --- The president -------------------------------------------------------------------------------------


def _without_president(world: World) -> Jury:
    jury = services.evaluation_jury_create(session=world.session, created_by=world.admin)
    for member in (world.employees, world.employers, world.trainer):
        services.jury_assign(jury=jury, member=member, assigned_by=world.admin)
    return jury


def test_a_member_does_not_designate_themselves_president(client: Any, world: World) -> None:
    jury = _without_president(world)
    client.force_login(world.employees.user)
    answer = client.post(reverse("juries:president", args=[jury.pk]), {"member": world.employees.pk})
    assert answer.status_code == 403
    jury.refresh_from_db()
    assert jury.president_id is None


def test_a_member_records_the_jurys_choice_once_and_only_the_certifier_changes_it(client: Any, world: World) -> None:
    jury = _without_president(world)
    url = reverse("juries:president", args=[jury.pk])
    client.force_login(world.trainer.user)
    assert client.post(url, {"member": world.employers.pk}).status_code == 302
    jury.refresh_from_db()
    assert jury.president_id == world.employers.pk
    client.force_login(world.employees.user)
    assert client.post(url, {"member": world.employees.pk}).status_code == 403
    client.force_login(world.employers.user)
    assert client.post(url, {"member": world.employees.pk}).status_code == 403
    jury.refresh_from_db()
    assert jury.president_id == world.employers.pk
    client.force_login(world.admin)
    assert client.post(url, {"member": world.employees.pk}).status_code == 302
    jury.refresh_from_db()
    assert jury.president_id == world.employees.pk


def test_only_the_certifier_designates_the_certification_jurys_president(client: Any, world: World) -> None:
    jury = services.certification_jury_create(
        version=world.version, meets_on=world.session.starts_on, created_by=world.admin
    )
    for member in (world.cert_employees, world.cert_employers, world.cert_president):
        services.jury_assign(jury=jury, member=member, assigned_by=world.admin)
    client.force_login(world.cert_employees.user)
    assert (
        client.post(reverse("juries:president", args=[jury.pk]), {"member": world.cert_president.pk}).status_code == 403
    )
    jury.refresh_from_db()
    assert jury.president_id is None


def test_a_withdrawn_member_designates_nobody(client: Any, world: World) -> None:
    jury = _without_president(world)
    services.jury_member_withdraw(member=world.trainer, withdrawn_by=world.admin, reason="Départ")
    client.force_login(world.trainer.user)
    assert client.post(reverse("juries:president", args=[jury.pk]), {"member": world.employers.pk}).status_code == 404
    jury.refresh_from_db()
    assert jury.president_id is None


def test_the_service_refuses_a_self_designation_with_permission_denied(world: World) -> None:
    from django.core.exceptions import PermissionDenied

    jury = _without_president(world)
    with pytest.raises(PermissionDenied):
        services.jury_president_designate(jury=jury, member=world.employers, designated_by=world.employers.user)
    jury.refresh_from_db()
    assert jury.president_id is None
