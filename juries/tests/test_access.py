"""Who may do what on the jury pages, through the pages themselves: the member registry, the juries a user
sees, composition, recusals, grids and their reopening, the certification jury's disputes and decisions, the
history of results and the livret parts. Each page with the allowed role, another role and a stranger."""

from __future__ import annotations

import re
from html import escape
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from candidates import services as candidate_services
from candidates.models import CandidateDocument, DocumentKind
from evaluations.models import SessionCandidate
from juries import selectors, services
from juries.models import (
    AuditAction,
    AuditEntry,
    Decision,
    Dispute,
    Grid,
    GridStatus,
    Jury,
    JuryMember,
    JurySeat,
    MemberStatus,
    Recusal,
    RecusalReason,
)
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LOGIN = reverse("login")


def _is_login_redirect(response: Any) -> bool:
    return response.status_code == 302 and response["Location"].startswith(LOGIN)


def _candidate(user_email: str = "cand@example.org") -> Any:
    return UserFactory(email=user_email, is_candidate=True)


def _outsider() -> Any:
    """A jury member who sits on no jury."""
    return UserFactory(email="autre-jury@example.org", is_jury_member=True)


def _other_staff() -> Any:
    return UserFactory(email="of-autre@example.org", organisation=OrganisationFactory(name="Autre Formation"))


def _proposed(world: Any, email: str = "nouveau@example.org", *, by: Any = None) -> JuryMember:
    return services.jury_member_register(
        email=email,
        first_name="Dominique",
        last_name="Nouveau",
        college="employees",
        certifications=[world.version.certification],
        proposed_by=by or world.staff,
    )


def _member_form(world: Any, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "first_name": "Dominique",
        "last_name": "Orfèvre",
        "email": "dominique.orfevre@example.org",
        "college": "employees",
        "company_name": "Orfèvrerie Dupuis",
        "certifications": [world.version.certification_id],
    }
    data.update(overrides)
    return data


def _grades(place: SessionCandidate, pattern: dict[str, str] | None = None) -> dict[str, str]:
    """The grid form's radios for every block the candidate sits: A unless `pattern` says NA."""
    pattern = pattern or {}
    return {
        f"g-{block.pk}-{competency.code}": pattern.get(competency.code, "A")
        for block in selectors.blocks_sat(place)
        for competency in block.competencies.all()
    }


def _row_html(page: str, code: str) -> str:
    """The grid table's row of one competency."""
    found = re.search(rf'data-testid="row-{re.escape(code)}".*?</tr>', page, re.S)
    assert found, code
    return found.group(0)


def _transmitted(world: Any) -> tuple[Jury, Jury]:
    """The session graded (every competency acquired), recommended for a total award and transmitted to a
    complete certification jury."""
    evaluation = world.evaluation_jury()
    certification = world.certification_jury()
    for place in world.places:
        world.grade(evaluation, place, {})
        services.recommendation_record(
            place=place, kind="total", blocks=[], comments="", recorded_by=evaluation.president.user
        )
    services.deliberation_transmit(jury=evaluation, certification_jury=certification, transmitted_by=world.admin)
    return evaluation, certification


def _livret_part(world: Any, place: SessionCandidate) -> CandidateDocument:
    return candidate_services.document_upload(
        candidate=place.enrolment.candidate,
        uploaded_by=world.staff,
        kind=DocumentKind.LIVRET_PART,
        file=SimpleUploadedFile("livret partie A.pdf", PDF, content_type="application/pdf"),
        enrolment=place.enrolment,
        block=world.blocks["BC1"],
    )


# --- Registry ------------------------------------------------------------------------------------------


def test_the_certifier_admin_sees_every_member_of_the_registry(client, world, django_assert_max_num_queries):
    elsewhere = _proposed(world, "ailleurs@example.org", by=_other_staff())
    client.force_login(world.admin)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("juries:members"))
    assert page.status_code == 200
    assert page.text.count('data-testid="member-row"') == 7
    for member in (world.employees, world.trainer, world.cert_president, elsewhere):
        assert member.user.email in page.text
    assert "Proposé, à habiliter" in page.text


def test_the_certifier_admin_approves_a_proposed_member(client, world):
    member = _proposed(world)
    client.force_login(world.admin)
    answer = client.post(reverse("juries:member_approve", args=[member.pk]), follow=True)
    member.refresh_from_db()
    assert member.status == MemberStatus.APPROVED
    assert member.approved_by == world.admin
    assert member.user.is_jury_member
    assert "Dominique Nouveau est habilité(e)." in answer.text


def test_the_certifier_admin_withdraws_a_member_with_a_reason(client, world):
    client.force_login(world.admin)
    answer = client.post(
        reverse("juries:member_withdraw", args=[world.employees.pk]), {"reason": "a quitté la branche"}, follow=True
    )
    world.employees.refresh_from_db()
    assert world.employees.status == MemberStatus.WITHDRAWN
    assert world.employees.status_reason == "a quitté la branche"
    assert "Habilitation de Alex Salarie retirée." in answer.text
    assert "a quitté la branche" in answer.text


def test_a_withdrawal_without_a_reason_shows_the_french_error_and_changes_nothing(client, world):
    client.force_login(world.admin)
    answer = client.post(reverse("juries:member_withdraw", args=[world.employees.pk]), {"reason": "  "}, follow=True)
    assert "Indiquez le motif du retrait." in answer.text
    world.employees.refresh_from_db()
    assert world.employees.status == MemberStatus.APPROVED
    assert world.employees.status_reason == ""


def test_organisation_staff_propose_a_member_through_the_form(client, world):
    client.force_login(world.staff)
    assert client.get(reverse("juries:member_create")).status_code == 200
    answer = client.post(reverse("juries:member_create"), _member_form(world))
    assert answer.status_code == 302
    assert answer["Location"] == reverse("juries:members")
    member = JuryMember.objects.get(user__email="dominique.orfevre@example.org")
    assert member.status == MemberStatus.PROPOSED
    assert member.proposed_by == world.staff
    page = client.get(reverse("juries:members"))
    assert "Dominique Orfèvre est proposé(e) au certificateur pour habilitation." in page.text
    assert page.text.count('data-testid="member-row"') == 1
    assert "Dominique Orfèvre" in page.text
    assert "Proposé, à habiliter" in page.text


def test_organisation_staff_see_only_the_members_their_organisation_proposed(client, world):
    ours = _proposed(world, "notre@example.org")
    theirs = _proposed(world, "leur@example.org", by=_other_staff())
    colleague = UserFactory(email="collegue@example.org", organisation=world.organisation)
    client.force_login(colleague)
    page = client.get(reverse("juries:members"))
    assert page.status_code == 200
    assert ours.user.email in page.text
    assert theirs.user.email not in page.text
    # Members proposed by the certifier itself are not theirs to see either.
    assert world.employees.user.email not in page.text
    assert "Habiliter" not in page.text


def test_organisation_staff_may_not_approve_or_withdraw_a_member(client, world):
    member = _proposed(world)
    client.force_login(world.staff)
    assert client.post(reverse("juries:member_approve", args=[member.pk])).status_code == 403
    assert (
        client.post(reverse("juries:member_withdraw", args=[world.employees.pk]), {"reason": "non"}).status_code == 403
    )
    member.refresh_from_db()
    world.employees.refresh_from_db()
    assert member.status == MemberStatus.PROPOSED
    assert world.employees.status == MemberStatus.APPROVED


@pytest.mark.parametrize("name", ["members", "member_create"])
def test_jury_members_and_candidates_are_refused_the_registry(client, world, name):
    for user in (world.trainer.user, _candidate()):
        client.force_login(user)
        assert client.get(reverse(f"juries:{name}")).status_code == 403, user
    client.force_login(world.trainer.user)
    assert client.post(reverse("juries:member_create"), _member_form(world)).status_code == 403
    assert not JuryMember.objects.filter(user__email="dominique.orfevre@example.org").exists()


def test_a_stranger_is_sent_to_login_from_the_registry(client, world):
    member = _proposed(world)
    for url in (reverse("juries:members"), reverse("juries:member_create")):
        assert _is_login_redirect(client.get(url)), url
    assert _is_login_redirect(client.post(reverse("juries:member_approve", args=[member.pk])))
    member.refresh_from_db()
    assert member.status == MemberStatus.PROPOSED


def test_the_member_form_redisplays_what_was_typed_when_the_email_is_already_in_the_registry(client, world):
    client.force_login(world.staff)
    answer = client.post(
        reverse("juries:member_create"),
        _member_form(world, email="salarie@example.org", first_name="Dominique", company_name="Bijoux Mercier"),
    )
    assert answer.status_code == 200
    assert "salarie@example.org est déjà dans le registre des membres de jury." in answer.text
    assert 'value="Dominique"' in answer.text
    assert 'value="Bijoux Mercier"' in answer.text
    assert 'value="salarie@example.org"' in answer.text
    assert JuryMember.objects.count() == 6


# --- Juries a user sees ---------------------------------------------------------------------------------


def test_a_jury_member_sees_only_the_juries_they_sit_on(client, world, django_assert_max_num_queries):
    evaluation = world.evaluation_jury()
    certification = world.certification_jury()
    for mine, other, member in (
        (evaluation, certification, world.trainer),
        (certification, evaluation, world.cert_president),
    ):
        client.force_login(member.user)
        with django_assert_max_num_queries(10):
            listing = client.get(reverse("juries:list"))
        assert listing.status_code == 200
        assert f'href="{reverse("juries:detail", args=[mine.pk])}"' in listing.text
        assert f'href="{reverse("juries:detail", args=[other.pk])}"' not in listing.text
        assert client.get(reverse("juries:detail", args=[mine.pk])).status_code == 200
        assert client.get(reverse("juries:detail", args=[other.pk])).status_code == 404


def test_staff_of_the_sessions_organisation_see_its_evaluation_jury_read_only(client, world):
    evaluation = world.evaluation_jury()
    certification = world.certification_jury()
    client.force_login(world.staff)
    listing = client.get(reverse("juries:list"))
    assert f'href="{reverse("juries:detail", args=[evaluation.pk])}"' in listing.text
    assert f'href="{reverse("juries:detail", args=[certification.pk])}"' not in listing.text
    page = client.get(reverse("juries:detail", args=[evaluation.pk]))
    assert page.status_code == 200
    assert "Alex Formateur" in page.text
    for action in ("assign", "unassign", "president", "declare", "transmit"):
        assert reverse(f"juries:{action}", args=[evaluation.pk]) not in page.text, action
    assert client.get(reverse("juries:detail", args=[certification.pk])).status_code == 404


def test_staff_of_another_organisation_get_404_on_the_evaluation_jury(client, world):
    evaluation = world.evaluation_jury()
    client.force_login(_other_staff())
    assert client.get(reverse("juries:detail", args=[evaluation.pk])).status_code == 404
    listing = client.get(reverse("juries:list"))
    assert listing.status_code == 200
    assert f'href="{reverse("juries:detail", args=[evaluation.pk])}"' not in listing.text


def test_candidates_are_refused_the_jury_pages_and_strangers_sent_to_login(client, world):
    evaluation = world.evaluation_jury()
    urls = [reverse("juries:list"), reverse("juries:detail", args=[evaluation.pk])]
    client.force_login(_candidate())
    for url in urls:
        assert client.get(url).status_code == 403, url
    client.logout()
    for url in urls:
        assert _is_login_redirect(client.get(url)), url


# --- Composition ----------------------------------------------------------------------------------------


def test_the_admin_assigns_an_approved_member_through_the_page(client, world):
    jury = services.evaluation_jury_create(session=world.session, created_by=world.admin)
    client.force_login(world.admin)
    page = client.get(reverse("juries:detail", args=[jury.pk]))
    assert reverse("juries:assign", args=[jury.pk]) in page.text
    answer = client.post(reverse("juries:assign", args=[jury.pk]), {"member": world.trainer.pk}, follow=True)
    assert "Alex Formateur siège au jury." in answer.text
    assert JurySeat.objects.filter(jury=jury, member=world.trainer, college="trainer").exists()


def test_a_refused_assignment_names_the_rule_after_the_redirect(client, world):
    jury = world.evaluation_jury()
    client.force_login(world.admin)
    answer = client.post(reverse("juries:assign", args=[jury.pk]), {"member": world.cert_employees.pk}, follow=True)
    assert answer.redirect_chain == [(reverse("juries:detail", args=[jury.pk]), 302)]
    assert "Le jury a déjà son représentant des salariés (Alex Salarie) : un seul par jury." in answer.text
    assert not JurySeat.objects.filter(jury=jury, member=world.cert_employees).exists()


def test_only_the_certifier_admin_may_post_an_assignment(client, world):
    jury = services.evaluation_jury_create(session=world.session, created_by=world.admin)
    url = reverse("juries:assign", args=[jury.pk])
    for user in (world.staff, world.trainer.user, _candidate()):
        client.force_login(user)
        assert client.post(url, {"member": world.trainer.pk}).status_code == 403, user
    client.logout()
    assert _is_login_redirect(client.post(url, {"member": world.trainer.pk}))
    assert not JurySeat.objects.filter(jury=jury).exists()


# --- Recusal --------------------------------------------------------------------------------------------


def test_a_member_who_declares_a_conflict_is_recused_and_no_longer_sees_that_candidates_grid(client, world):
    jury = world.evaluation_jury()
    place, other = world.places[0], world.places[1]
    client.force_login(world.trainer.user)
    answer = client.post(reverse("juries:declare", args=[jury.pk]), {"place": place.pk, "note": "voisin"}, follow=True)
    assert Recusal.objects.filter(jury=jury, member=world.trainer, place=place, reason=RecusalReason.DECLARED).exists()
    name = escape(place.enrolment.candidate.display_name)
    assert f"Alex Formateur — {name} : a déclaré connaître le candidat (voisin)" in answer.text

    url = reverse("juries:grid", args=[jury.pk, place.pk])
    # A recused member takes no part in that candidate's grid: it is not theirs to see (404), read or write.
    for query in ("", "?grille=membre", "?grille=consensus"):
        assert client.get(url + query).status_code == 404, query
    assert client.post(url, {"grille": "membre", "action": "save", **_grades(place)}).status_code == 404
    assert client.post(url, {"grille": "consensus", "action": "save", **_grades(place)}).status_code == 404
    assert not Grid.objects.filter(place=place).exists()
    # Only that candidate: the others' grids stay open to them.
    assert "Valider la grille" in client.get(reverse("juries:grid", args=[jury.pk, other.pk])).text


def test_only_a_seated_member_declares_a_conflict(client, world):
    jury = world.evaluation_jury()
    url = reverse("juries:declare", args=[jury.pk])
    client.force_login(world.staff)
    assert client.post(url, {"place": world.places[0].pk}).status_code == 403
    client.force_login(_outsider())
    assert client.post(url, {"place": world.places[0].pk}).status_code == 404
    client.logout()
    assert _is_login_redirect(client.post(url, {"place": world.places[0].pk}))
    assert not Recusal.objects.filter(reason=RecusalReason.DECLARED).exists()


# --- Grids ----------------------------------------------------------------------------------------------


def test_the_trainer_enters_and_saves_their_individual_grid(client, world):
    jury = world.evaluation_jury()
    place = world.places[0]
    url = reverse("juries:grid", args=[jury.pk, place.pk])
    client.force_login(world.trainer.user)
    page = client.get(url)
    assert page.status_code == 200
    assert "Ma grille individuelle" in page.text
    assert "Valider la grille" in page.text
    answer = client.post(url, {"grille": "membre", "action": "save", **_grades(place, {"C1.1": "NA"})}, follow=True)
    assert "Grille enregistrée." in answer.text
    assert "Ma grille individuelle" in answer.text
    grids = Grid.objects.filter(place=place, member=world.trainer)
    assert grids.count() == 2
    assert set(grids.values_list("status", flat=True)) == {GridStatus.DRAFT}
    assert not Grid.objects.filter(place=place, member__isnull=True).exists()
    c11 = _row_html(answer.text, "C1.1")
    assert re.search(r'value="NA"[^>]*checked', c11)


def test_the_president_sees_the_trainers_grades_beside_the_consensus(client, world):
    jury = world.evaluation_jury()
    place = world.places[0]
    block = world.blocks["BC1"]
    services.grid_save(
        jury=jury, place=place, block=block, consensus=False, grades={"C1.1": "NA"}, saved_by=world.trainer.user
    )
    services.grid_save(
        jury=jury, place=place, block=block, consensus=True, grades={"C1.1": "A"}, saved_by=world.employers.user
    )
    client.force_login(world.employers.user)
    page = client.get(reverse("juries:grid", args=[jury.pk, place.pk]))
    assert "Grille de consensus du jury" in page.text
    assert 'title="Alex Formateur"' in page.text
    c11 = _row_html(page.text, "C1.1")
    assert '<td class="text-center small">NA</td>' in c11
    assert re.search(r'value="A"[^>]*checked', c11)
    assert '<td class="text-center small">—</td>' in _row_html(page.text, "C1.2")


def test_the_grid_page_is_read_only_for_staff_and_closed_to_others(client, world):
    jury = world.evaluation_jury()
    place = world.places[0]
    url = reverse("juries:grid", args=[jury.pk, place.pk])
    client.force_login(world.staff)
    page = client.get(url)
    assert page.status_code == 200
    assert "Valider la grille" not in page.text
    assert client.post(url, {"grille": "consensus", "action": "save", **_grades(place)}).status_code == 403
    client.force_login(_outsider())
    assert client.get(url).status_code == 404
    client.force_login(_candidate())
    assert client.get(url).status_code == 403
    client.logout()
    assert _is_login_redirect(client.get(url))
    assert not Grid.objects.exists()


def _submitted_grid(world: Any) -> tuple[Jury, Grid]:
    jury = world.evaluation_jury()
    world.grade(jury, world.places[0], {})
    return jury, Grid.objects.get(place=world.places[0], block=world.blocks["BC1"], member__isnull=True)


def test_the_certifier_admin_reopens_a_submitted_grid_with_a_reason(client, world):
    jury, grid = _submitted_grid(world)
    client.force_login(world.admin)
    page = client.get(reverse("juries:grid", args=[jury.pk, grid.place_id]))
    assert reverse("juries:grid_reopen", args=[jury.pk, grid.pk]) in page.text
    answer = client.post(
        reverse("juries:grid_reopen", args=[jury.pk, grid.pk]), {"reason": "erreur de saisie sur C1.2"}, follow=True
    )
    assert "Grille rouverte : le président peut la corriger." in answer.text
    grid.refresh_from_db()
    assert grid.status == GridStatus.DRAFT
    entry = AuditEntry.objects.get(action=AuditAction.GRID_REOPENED)
    assert entry.reason == "erreur de saisie sur C1.2"
    assert entry.actor == world.admin
    assert entry.place_id == grid.place_id


def test_a_reopening_without_a_reason_shows_the_french_error_and_keeps_the_grid_locked(client, world):
    jury, grid = _submitted_grid(world)
    client.force_login(world.admin)
    answer = client.post(reverse("juries:grid_reopen", args=[jury.pk, grid.pk]), {"reason": ""}, follow=True)
    assert "Indiquez le motif de la réouverture." in answer.text
    grid.refresh_from_db()
    assert grid.status == GridStatus.SUBMITTED
    assert not AuditEntry.objects.filter(action=AuditAction.GRID_REOPENED).exists()


def test_reopening_a_grid_through_another_jury_is_404(client, world):
    _, grid = _submitted_grid(world)
    other = world.certification_jury()
    client.force_login(world.admin)
    assert client.post(reverse("juries:grid_reopen", args=[other.pk, grid.pk]), {"reason": "x"}).status_code == 404
    grid.refresh_from_db()
    assert grid.status == GridStatus.SUBMITTED


def test_only_the_certifier_admin_reopens_a_grid(client, world):
    jury, grid = _submitted_grid(world)
    url = reverse("juries:grid_reopen", args=[jury.pk, grid.pk])
    for user in (world.employers.user, world.staff):
        client.force_login(user)
        assert client.post(url, {"reason": "je me suis trompé"}).status_code == 403, user
    client.logout()
    assert _is_login_redirect(client.post(url, {"reason": "je me suis trompé"}))
    grid.refresh_from_db()
    assert grid.status == GridStatus.SUBMITTED


# --- Certification jury ---------------------------------------------------------------------------------


def test_the_decision_page_opens_for_the_certification_jury_and_admins_only(client, world):
    _, certification = _transmitted(world)
    url = reverse("juries:decision", args=[certification.pk, world.places[0].pk])
    for user in (world.admin, world.cert_president.user, world.cert_employees.user, world.cert_employers.user):
        client.force_login(user)
        assert client.get(url).status_code == 200, user
    for user in (world.trainer.user, world.employers.user, world.staff):
        client.force_login(user)
        assert client.get(url).status_code == 404, user
    client.force_login(_candidate())
    assert client.get(url).status_code == 403
    client.logout()
    assert _is_login_redirect(client.get(url))


def test_an_open_dispute_blocks_the_decision_until_it_is_resolved(client, world):
    _, certification = _transmitted(world)
    place = world.places[0]
    decision_url = reverse("juries:decision", args=[certification.pk, place.pk])
    client.force_login(world.cert_president.user)
    answer = client.post(
        reverse("juries:dispute", args=[certification.pk, place.pk]),
        {"description": "Le candidat conteste la note de C2.1", "summon_evaluation_jury": "on"},
        follow=True,
    )
    assert "Litige enregistré : la décision attend sa clôture." in answer.text
    dispute = Dispute.objects.get(place=place)
    assert dispute.summon_evaluation_jury
    assert reverse("juries:dispute_resolve", args=[certification.pk, dispute.pk]) in answer.text

    refused = client.post(decision_url, {"kind": "total"})
    assert refused.status_code == 200
    assert "Un litige est ouvert sur ce candidat" in refused.text
    assert not Decision.objects.exists()

    answer = client.post(
        reverse("juries:dispute_resolve", args=[certification.pk, dispute.pk]),
        {"resolution": "Note confirmée après relecture du livret"},
        follow=True,
    )
    assert "Litige clos." in answer.text
    assert "Note confirmée après relecture du livret" in answer.text

    accepted = client.post(decision_url, {"kind": "total"})
    assert accepted.status_code == 302
    assert accepted["Location"] == reverse("juries:detail", args=[certification.pk])
    assert Decision.objects.get(place=place).kind == "total"


def test_only_the_certification_jury_records_and_resolves_a_dispute(client, world):
    _, certification = _transmitted(world)
    place = world.places[0]
    url = reverse("juries:dispute", args=[certification.pk, place.pk])
    for user in (world.trainer.user, world.staff):
        client.force_login(user)
        assert client.post(url, {"description": "contestation"}).status_code == 404, user
    client.force_login(world.cert_employees.user)
    client.post(url, {"description": "contestation"})
    dispute = Dispute.objects.get(place=place)
    resolve = reverse("juries:dispute_resolve", args=[certification.pk, dispute.pk])
    client.force_login(world.trainer.user)
    assert client.post(resolve, {"resolution": "clos"}).status_code == 404
    # Through another jury's address, even for an admin who sees every jury.
    evaluation = Jury.objects.get(session=world.session)
    client.force_login(world.admin)
    assert (
        client.post(
            reverse("juries:dispute_resolve", args=[evaluation.pk, dispute.pk]), {"resolution": "clos"}
        ).status_code
        == 404
    )
    client.logout()
    assert _is_login_redirect(client.post(resolve, {"resolution": "clos"}))
    dispute.refresh_from_db()
    assert dispute.resolved_at is None


# --- History --------------------------------------------------------------------------------------------


def test_the_certifier_admin_reads_a_candidates_history_with_its_actors(client, world):
    _, certification = _transmitted(world)
    place = world.places[0]
    services.decision_record(
        jury=certification, place=place, kind="total", blocks=[], reason="", decided_by=world.cert_president.user
    )
    client.force_login(world.admin)
    page = client.get(reverse("juries:history", args=[place.enrolment.candidate_id]))
    assert page.status_code == 200
    for action in ("Grille enregistrée", "Grille validée", "Préconisation", "Décision du jury de certification"):
        assert action in page.text, action
    assert "Alex Employeur" in page.text  # the evaluation jury's president saved and submitted the grids
    assert "Alex President" in page.text  # the certification jury's president decided
    entries = page.text.count('data-testid="history-entry"')
    assert entries == AuditEntry.objects.filter(candidate_id=place.enrolment.candidate_id).count()


def test_staff_and_jury_members_may_not_read_the_history(client, world):
    url = reverse("juries:history", args=[world.places[0].enrolment.candidate_id])
    for user in (world.staff, world.trainer.user, _candidate()):
        client.force_login(user)
        assert client.get(url).status_code == 403, user
    client.logout()
    assert _is_login_redirect(client.get(url))


# --- Livret parts ---------------------------------------------------------------------------------------


def test_a_member_of_the_evaluation_jury_downloads_a_livret_part_of_its_session(client, world):
    world.evaluation_jury()
    document = _livret_part(world, world.places[0])
    client.force_login(world.trainer.user)
    answer = client.get(reverse("candidates:document_download", args=[document.pk]))
    assert answer.status_code == 200
    assert b"".join(answer.streaming_content) == PDF


def test_a_jury_member_of_no_jury_gets_404_on_a_livret_part(client, world):
    world.evaluation_jury()
    document = _livret_part(world, world.places[0])
    client.force_login(_outsider())
    assert client.get(reverse("candidates:document_download", args=[document.pk])).status_code == 404
    client.force_login(world.cert_president.user)  # sits on a certification jury the session was not sent to
    world.certification_jury()
    assert client.get(reverse("candidates:document_download", args=[document.pk])).status_code == 404
    client.logout()
    assert _is_login_redirect(client.get(reverse("candidates:document_download", args=[document.pk])))


def test_a_member_who_declared_a_conflict_gets_404_on_that_candidates_livret(client, world):
    jury = world.evaluation_jury()
    recused_for = _livret_part(world, world.places[0])
    still_theirs = _livret_part(world, world.places[1])
    client.force_login(world.trainer.user)
    client.post(reverse("juries:declare", args=[jury.pk]), {"place": world.places[0].pk, "note": "cousin"})
    assert client.get(reverse("candidates:document_download", args=[recused_for.pk])).status_code == 404
    assert client.get(reverse("candidates:document_download", args=[still_theirs.pk])).status_code == 200
    page = client.get(reverse("juries:grid", args=[jury.pk, world.places[1].pk]))
    assert reverse("candidates:document_download", args=[still_theirs.pk]) in page.text
    # The recused candidate's grid page, which would list the livret, is not theirs to open either.
    assert client.get(reverse("juries:grid", args=[jury.pk, world.places[0].pk])).status_code == 404
