"""The home page's « À faire » (issue 14): per role, what waits, each item a link to where it is done, with its
deadline, the overdue first; counts read by aggregate queries, so the page reads as many queries whatever the data
size."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts.todo import TodoItem, ordered
from candidates.models import Candidate, Enrolment
from certificates import rules as certificate_rules
from demo.builders import Decided, enrol, make_candidate
from evaluations import rules as evaluation_rules
from evaluations import services as evaluation_services
from evaluations.models import Attendance, ConvocationStatus, EvaluationSession, SessionCandidate
from juries import services as jury_services
from juries.models import College, Jury
from juries.tests.scale_data import add_juries
from tests.factories import UserFactory
from tests.worlds import World

pytestmark = pytest.mark.django_db


def _todo(client: Any, user: Any) -> dict[str, TodoItem]:
    """The user's to-do items by label (the roles' lists merged), as the home page received them."""
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return {item.label: item for _role, items in response.context["todo_lists"] for item in items}


def _item(items: dict[str, TodoItem], start: str) -> TodoItem:
    found = [item for label, item in items.items() if label.startswith(start)]
    assert len(found) == 1, (start, list(items))
    return found[0]


# --- Ordering ------------------------------------------------------------------------------------------


def test_the_overdue_come_first_then_the_nearest_deadline_and_nothing_empty() -> None:
    today = dt.date(2026, 12, 4)
    items = [
        TodoItem("sans échéance", 2, "/a"),
        TodoItem("lointaine", 1, "/b", today + dt.timedelta(days=40)),
        TodoItem("vide", 0, "/c", today),
        TodoItem("proche", 1, "/d", today + dt.timedelta(days=3)),
        TodoItem("en retard", 5, "/e", today - dt.timedelta(days=1), overdue=True),
    ]
    assert [i.label for i in ordered(items)] == ["en retard", "proche", "lointaine", "sans échéance"]


# --- Certifier admin -----------------------------------------------------------------------------------


def test_the_admin_sees_the_session_without_a_jury_and_the_organisations_not_covered(client, world: World) -> None:
    items = _todo(client, world.admin)
    session = _item(items, "Sessions sans jury d'évaluation complet")
    # The world's session is held today without a jury: overdue, on the session's page.
    assert (session.count, session.url, session.due, session.overdue) == (
        1,
        reverse("evaluations:detail", args=[world.session.pk]),
        world.session.starts_on,
        True,
    )
    organisations = _item(items, "Organismes dont l'habilitation ne couvre pas aujourd'hui")
    assert organisations.url == reverse("organisations:list") and organisations.count == 2
    # The overdue item is first on the page.
    first = next(iter(items.values()))
    assert first is session


def test_a_jury_with_fewer_members_than_its_rules_ask_is_not_complete(client, world: World) -> None:
    jury = jury_services.evaluation_jury_create(session=world.session, created_by=world.admin)
    jury_services.jury_assign(jury=jury, member=world.employers, assigned_by=world.admin)
    jury_services.jury_president_designate(jury=jury, member=world.employers, designated_by=world.admin)
    item = _item(_todo(client, world.admin), "Sessions sans jury d'évaluation complet")
    assert (item.count, item.url) == (1, reverse("evaluations:detail", args=[world.session.pk]))
    for member in (world.employees, world.trainer):
        jury_services.jury_assign(jury=jury, member=member, assigned_by=world.admin)
    assert not [label for label in _todo(client, world.admin) if label.startswith("Sessions sans jury")]


def test_the_admin_sees_the_results_to_notify_with_the_deadlines_page_rule(client, decided: Decided) -> None:
    items = _todo(client, decided.world.admin)
    notify = _item(items, "Résultats à notifier")
    assert notify.count == 3
    assert notify.url == reverse("certificates:deadlines")
    assert notify.due == certificate_rules.results_due(decided.certification.meets_on) and not notify.overdue
    # The jury now has a president and members: no session left without a complete jury.
    assert not [label for label in items if label.startswith("Sessions sans jury")]


def test_results_not_notified_a_month_after_the_jury_are_overdue_and_come_first(client, decided: Decided) -> None:
    Jury.objects.filter(pk=decided.certification.pk).update(meets_on=F("meets_on") - dt.timedelta(days=40))
    client.force_login(decided.world.admin)
    html = client.get(reverse("home")).text
    items = _todo(client, decided.world.admin)
    first = next(iter(items.values()))
    assert first.label.startswith("Résultats à notifier") and first.overdue
    assert "list-group-item-danger" in html and "en retard" in html


def test_a_signed_pv_waits_for_the_cpnefp_on_its_page(client, signed: Decided) -> None:
    item = _item(_todo(client, signed.world.admin), "Procès-verbaux signés")
    assert (item.count, item.url) == (1, reverse("certificates:pv", args=[signed.certification.pk]))


def test_once_validated_the_parchments_are_to_issue_and_send(client, validated: Decided) -> None:
    items = _todo(client, validated.world.admin)
    parchments = _item(items, "Parchemins à éditer")
    assert parchments.count == 2  # the total and the partial award; the non-attribution has none
    assert parchments.url == reverse("certificates:jury_parchments", args=[validated.certification.pk])
    assert parchments.due == certificate_rules.parchments_due(timezone.localdate())
    assert not [label for label in items if label.startswith(("Résultats à notifier", "Procès-verbaux"))]


def test_a_proposed_member_is_to_approve_on_the_registry(client, world: World) -> None:
    jury_services.jury_member_register(
        email="nouveau@example.org",
        first_name="Noé",
        last_name="Nouveau",
        college=College.EMPLOYEES,
        certifications=[world.version.certification],
        proposed_by=world.staff,
    )
    item = _item(_todo(client, world.admin), "Membres de jury proposés")
    assert (item.count, item.url) == (1, reverse("juries:members"))


# --- Organisation staff --------------------------------------------------------------------------------


def _upcoming_session(world: World, enrolments: list[Enrolment], days: int = 30) -> EvaluationSession:
    return world.session_to_come(days, enrolments)


def test_a_session_past_its_convocation_deadline_asks_the_admin_for_a_derogation(client, world: World) -> None:
    enrolment = enrol(make_candidate(world.organisation, 75, created_by=world.staff), world.version)
    session = _upcoming_session(world, [enrolment], days=10)  # convocations were due 5 days ago
    late = _item(_todo(client, world.admin), "Sessions à moins de 15 jours")
    assert (late.count, late.url, late.due, late.overdue) == (
        1,
        reverse("evaluations:detail", args=[session.pk]),
        session.starts_on,
        True,
    )
    evaluation_services.convocation_override_record(
        session=session, reason="Candidat inscrit tardivement.", recorded_by=world.admin
    )
    assert not [label for label in _todo(client, world.admin) if label.startswith("Sessions à moins de 15 jours")]


def test_the_staff_sees_whom_to_enrol_convoke_and_mark(client, world: World) -> None:
    make_candidate(world.organisation, 50, created_by=world.staff)  # not enrolled
    enrolled = [
        enrol(make_candidate(world.organisation, 60 + n, created_by=world.staff), world.version) for n in (0, 1)
    ]
    session = _upcoming_session(world, enrolled)
    # The world's session held today: one candidate still « attendu » on its sheet.
    SessionCandidate.objects.filter(pk=world.places[0].pk).update(attendance=Attendance.EXPECTED, signed_at=None)
    items = _todo(client, world.staff)
    assert _item(items, "Candidats sans inscription").count == 1
    assert _item(items, "Candidats sans inscription").url == reverse("candidates:list")
    convoke = _item(items, "Candidats à convoquer")
    assert (convoke.count, convoke.url, convoke.due, convoke.overdue) == (
        2,
        reverse("evaluations:detail", args=[session.pk]),
        evaluation_rules.convocation_deadline(session.starts_on),
        False,
    )
    # RNCP 26850's tests ask for the livret's parts: neither candidate to come sent them yet, nor the one still
    # awaited today.
    documents = _item(items, "Candidats attendus en session dont un document")
    assert (documents.count, documents.url, documents.due) == (3, reverse("candidates:list"), world.session.starts_on)
    mark = _item(items, "Émargement à compléter")
    assert (mark.count, mark.url) == (1, reverse("evaluations:attendance", args=[world.session.pk]))


def test_the_staff_sees_the_grids_to_collect_from_the_jury_of_a_session_begun(client, world: World) -> None:
    jury = world.evaluation_jury()
    grids = _item(_todo(client, world.staff), "Grilles d'évaluation à recueillir")
    assert (grids.count, grids.url, grids.due) == (3, reverse("juries:detail", args=[jury.pk]), jury.meets_on)


def test_a_failed_convocation_is_overdue_for_the_staff(client, world: World) -> None:
    enrolment = enrol(make_candidate(world.organisation, 70, created_by=world.staff), world.version)
    session = _upcoming_session(world, [enrolment])
    SessionCandidate.objects.filter(session=session).update(convocation_status=ConvocationStatus.FAILED)
    items = _todo(client, world.staff)
    failed = _item(items, "Convocations en échec")
    assert (failed.count, failed.url, failed.overdue) == (1, reverse("evaluations:detail", args=[session.pk]), True)
    # One candidate without their documents: their page, where they are sent.
    documents = _item(items, "Candidats attendus en session dont un document")
    assert documents.url == reverse("candidates:detail", args=[enrolment.candidate_id])
    assert next(iter(items.values())) is failed


# --- Jury member and candidate -------------------------------------------------------------------------


def test_the_jury_member_sees_the_grids_to_enter_and_the_pv_to_sign(client, world: World, decided: Decided) -> None:
    items = _todo(client, decided.world.cert_president.user)
    pv = _item(items, "Procès-verbal à signer")
    assert pv.url == reverse("certificates:pv", args=[decided.certification.pk])


def test_the_pv_leaves_the_list_of_the_member_who_signed_it(client, decided: Decided) -> None:
    from certificates import services as certificate_services

    president = decided.world.cert_president.user
    certificate_services.pv_sign(jury=decided.certification, user=president)
    assert not [label for label in _todo(client, president) if label.startswith("Procès-verbal à signer")]
    other = decided.world.cert_employees.user
    assert _item(_todo(client, other), "Procès-verbal à signer").count == 1


def test_a_member_whose_signature_a_changed_decision_voids_is_asked_to_sign_again(client, decided: Decided) -> None:
    from certificates import services as certificate_services
    from certificates.tests.test_pages import refuse_the_partial_award

    president = decided.world.cert_president.user
    certificate_services.pv_sign(jury=decided.certification, user=president)
    refuse_the_partial_award(decided)  # the president changes a decision after signing

    item = _item(_todo(client, president), "Procès-verbal à signer de nouveau")
    assert (item.count, item.url) == (1, reverse("certificates:pv", args=[decided.certification.pk]))
    certificate_services.pv_sign(jury=decided.certification, user=president)
    assert not [label for label in _todo(client, president) if label.startswith("Procès-verbal à signer")]


def test_an_evaluation_member_sees_the_grids_to_enter(client, world: World) -> None:
    jury = world.evaluation_jury()
    grids = _item(_todo(client, world.employees.user), "Grilles à saisir")
    assert (grids.count, grids.url) == (3, reverse("juries:detail", args=[jury.pk]))


def test_the_decided_candidate_sees_the_results_and_nothing_left_to_send(client, validated: Decided) -> None:
    candidate: Candidate = validated.world.places[0].enrolment.candidate
    candidate.user = UserFactory(email="titulaire@example.org", is_candidate=True)
    candidate.save(update_fields=["user"])
    items = _todo(client, candidate.user)
    result = _item(items, "Résultat RNCP")
    assert (result.label, result.url) == ("Résultat RNCP 26850 : Certifiée (définitif)", "#mes-resultats")
    # Decided: nothing is left to hand in for the tests it sat (no upload offered once the result is in).
    assert not [label for label in items if label.startswith("Documents à déposer")]


def test_nothing_waiting_says_so(client, world: World) -> None:
    trainer = world.trainer.user
    client.force_login(trainer)
    html = client.get(reverse("home")).text
    assert "À faire" in html and "Rien en attente" in html


# --- Query counts --------------------------------------------------------------------------------------


def _more(world: World, count: int) -> None:
    """More of everything the lists count: juries (with a signed PV), sessions to come without a jury and their
    candidates to convoke, some convocations failed, candidates without an enrolment."""
    add_juries(world, count, 2 * count)
    for n in range(count):
        enrolments = [
            enrol(make_candidate(world.organisation, 1000 * count + 10 * n + k, created_by=world.staff), world.version)
            for k in range(2)
        ]
        session = _upcoming_session(world, enrolments, days=20 + n)
        SessionCandidate.objects.filter(session=session, enrolment=enrolments[0]).update(
            convocation_status=ConvocationStatus.FAILED
        )
        make_candidate(world.organisation, 1000 * count + 10 * n + 9, created_by=world.staff)


# The admin's home: session, user, certifications and their versions (2), the deadlines sheet (1), then one
# aggregate per other item (9: members, organisations not covered, approvals ending, sessions, proposals, disputes,
# appeals, carry-over flags, VAE files, sessions late for their convocations).
ADMIN_HOME_QUERIES = 15
# The staff's home: session, user, organisation, certifications (2), and one aggregate per item (5: candidates
# without an enrolment, to convoke, convocations failed, documents missing, attendance to fill), and two for the
# grids to collect (the open evaluation juries of its sessions begun, their progress).
STAFF_HOME_QUERIES = 12


@pytest.mark.parametrize(("who", "budget"), [("admin", ADMIN_HOME_QUERIES), ("staff", STAFF_HOME_QUERIES)])
def test_the_home_page_reads_as_many_queries_whatever_the_data(
    client, world: World, django_assert_num_queries, who: str, budget: int
) -> None:
    client.force_login(getattr(world, who))
    client.get(reverse("home"))  # the first request after the login saves the session
    counts = []
    for count in (1, 6):
        _more(world, count)
        with django_assert_num_queries(budget) as captured:
            response = client.get(reverse("home"))
        assert response.status_code == 200
        assert response.context["todo_lists"][0][1]  # something to do, so the items are read
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
