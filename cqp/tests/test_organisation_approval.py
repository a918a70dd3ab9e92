"""An organisation's approval: granted, suspended or withdrawn by certifier admins through a service and a page,
audited, and read by session scheduling. No longer editable in the Django admin."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from accounts.models import AuditAction, User
from accounts.selectors import audit_trail
from cqp import services
from cqp.models import ApprovalStatus, CertificationVersion, TrainingOrganisation
from evaluations import services as evaluation_services
from evaluations.models import EvaluationSession, SessionMode
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=PARIS), tick=False):
        yield


@pytest.fixture
def approved(organisation: TrainingOrganisation) -> TrainingOrganisation:
    organisation.approval_start = dt.date(2025, 1, 1)
    organisation.approval_end = dt.date(2027, 12, 31)
    organisation.save()
    return organisation


def schedule(organisation: TrainingOrganisation, staff: User) -> EvaluationSession:
    version = CertificationVersion.objects.get(rncp_code="RNCP26850")
    return evaluation_services.session_schedule(
        version=version,
        organisation=organisation,
        starts_on=dt.date(2026, 4, 1),
        ends_on=None,
        mode=SessionMode.ON_SITE,
        address="12 rue de Turbigo\n75003 Paris",
        created_by=staff,
    )


# Services ----------------------------------------------------------------------------------------


def test_a_withdrawal_is_audited_with_who_before_after_and_why(approved, certifier_admin) -> None:
    services.organisation_withdraw(
        organisation=approved, actor=certifier_admin, status=ApprovalStatus.SUSPENDED, reason="Audit défavorable"
    )
    approved.refresh_from_db()
    assert approved.approval_status == ApprovalStatus.SUSPENDED
    (event,) = audit_trail(approved)
    assert event.action == AuditAction.ORGANISATION_WITHDRAWN
    assert event.actor == certifier_admin
    assert event.before == {
        "habilitation": "Habilitation en cours",
        "depuis le": "2025-01-01",
        "jusqu'au": "2027-12-31",
    }
    assert event.after == {
        "habilitation": "Habilitation suspendue",
        "depuis le": "2025-01-01",
        "jusqu'au": "2027-12-31",
    }
    assert event.reason == "Audit défavorable"


def test_an_approval_restores_and_sets_the_dates_and_is_audited(approved, certifier_admin) -> None:
    approved.approval_status = ApprovalStatus.WITHDRAWN
    approved.save()
    services.organisation_approve(
        organisation=approved, actor=certifier_admin, start=dt.date(2026, 3, 1), end=None, reason="CPNEFP du 1er mars"
    )
    approved.refresh_from_db()
    assert (approved.approval_status, approved.approval_start, approved.approval_end) == (
        ApprovalStatus.ACTIVE,
        dt.date(2026, 3, 1),
        None,
    )
    (event,) = audit_trail(approved)
    assert event.action == AuditAction.ORGANISATION_APPROVED
    assert event.actor == certifier_admin
    assert (event.before or {})["habilitation"] == "Habilitation retirée"
    assert event.after == {"habilitation": "Habilitation en cours", "depuis le": "2026-03-01", "jusqu'au": None}
    assert event.reason == "CPNEFP du 1er mars"


@pytest.mark.parametrize("who", ["staff", "jury_member", "candidate_user"])
def test_only_a_certifier_admin_changes_an_approval(approved, who, request) -> None:
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.organisation_withdraw(organisation=approved, actor=actor, reason="x")
    with pytest.raises(PermissionDenied):
        services.organisation_approve(
            organisation=approved, actor=actor, start=dt.date(2026, 1, 1), end=None, reason="x"
        )
    approved.refresh_from_db()
    assert approved.approval_status == ApprovalStatus.ACTIVE
    assert audit_trail(approved) == []


def test_a_reason_is_required_and_the_end_cannot_precede_the_start(approved, certifier_admin) -> None:
    with pytest.raises(ValidationError) as exc:
        services.organisation_withdraw(organisation=approved, actor=certifier_admin, reason="  ")
    assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.organisation_approve(
            organisation=approved, actor=certifier_admin, start=dt.date(2026, 3, 1), end=dt.date(2026, 2, 1), reason=""
        )
    assert set(exc.value.message_dict) == {"end", "reason"}
    assert audit_trail(approved) == []


def test_withdrawing_twice_is_refused(approved, certifier_admin) -> None:
    services.organisation_withdraw(organisation=approved, actor=certifier_admin, reason="Fermeture")
    with pytest.raises(ValidationError, match="déjà"):
        services.organisation_withdraw(organisation=approved, actor=certifier_admin, reason="Fermeture")
    assert len(audit_trail(approved)) == 1


def test_a_withdrawal_stops_scheduling_and_a_new_approval_allows_it_again(
    referential, approved, staff, certifier_admin
) -> None:
    schedule(approved, staff)
    services.organisation_withdraw(organisation=approved, actor=certifier_admin, reason="Audit défavorable")
    approved.refresh_from_db()
    with pytest.raises(ValidationError, match="une session ne peut pas être programmée"):
        schedule(approved, staff)
    approved = services.organisation_approve(
        organisation=approved, actor=certifier_admin, start=dt.date(2026, 3, 1), end=None, reason="Mise en conformité"
    )
    schedule(approved, staff)
    assert EvaluationSession.objects.filter(organisation=approved).count() == 2


# Pages -------------------------------------------------------------------------------------------


def test_the_pages_are_for_certifier_admins(client: Client, approved, staff) -> None:
    urls = [reverse("organisations:list"), reverse("organisations:detail", args=[approved.pk])]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(staff)
    for url in urls:
        assert client.get(url).status_code == 403
    for name in ("organisations:approve", "organisations:withdraw"):
        data = {
            "withdraw-status": "withdrawn",
            "approve-start": "2026-01-01",
            "withdraw-reason": "x",
            "approve-reason": "x",
        }
        assert client.post(reverse(name, args=[approved.pk]), data).status_code == 403
    approved.refresh_from_db()
    assert approved.approval_status == ApprovalStatus.ACTIVE
    assert audit_trail(approved) == []


def test_the_list_shows_each_organisation_s_approval_and_last_change(
    client: Client, approved, certifier_admin, django_assert_max_num_queries
) -> None:
    for n in range(5):
        other = OrganisationFactory(name=f"École {n}")
        services.organisation_withdraw(organisation=other, actor=UserFactory(is_certifier_admin=True), reason="x")
    services.organisation_withdraw(
        organisation=approved, actor=certifier_admin, status=ApprovalStatus.SUSPENDED, reason="Audit"
    )
    client.force_login(certifier_admin)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("organisations:list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "BJO Formation" in html and "École 4" in html
    assert "Habilitation suspendue" in html and "Habilitation retirée" in html
    assert "01/01/2025" in html and "31/12/2027" in html
    assert "02/03/2026" in html


def test_an_admin_withdraws_then_approves_from_the_page_and_sees_the_history(
    client: Client, approved, certifier_admin
) -> None:
    client.force_login(certifier_admin)
    url = reverse("organisations:detail", args=[approved.pk])
    assert "Aucun événement" in client.get(url).content.decode()

    response = client.post(
        reverse("organisations:withdraw", args=[approved.pk]),
        {"withdraw-status": "withdrawn", "withdraw-reason": "Locaux fermés"},
    )
    assert response.status_code == 302 and response["Location"] == url
    approved.refresh_from_db()
    assert approved.approval_status == ApprovalStatus.WITHDRAWN

    response = client.post(
        reverse("organisations:approve", args=[approved.pk]),
        {"approve-start": "2026-03-02", "approve-end": "2028-03-01", "approve-reason": "Réouverture validée"},
    )
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert "Habilitation de l&#x27;organisme suspendue ou retirée" in html
    assert "Habilitation de l&#x27;organisme accordée" in html
    assert "Locaux fermés" in html and "Réouverture validée" in html
    assert "02/03/2026 à 10:00" in html
    assert "jusqu&#x27;au : 31/12/2027" in html and "jusqu&#x27;au : 01/03/2028" in html
    assert str(certifier_admin) in html


def test_a_refused_change_shows_the_form_errors(client: Client, approved, certifier_admin) -> None:
    client.force_login(certifier_admin)
    url = reverse("organisations:approve", args=[approved.pk])
    response = client.post(url, {"approve-start": "2026-03-02", "approve-reason": ""})
    assert response.status_code == 200
    assert set(response.context["approve_form"].errors) == {"reason"}
    response = client.post(
        url, {"approve-start": "2026-03-02", "approve-end": "2026-01-01", "approve-reason": "Renouvellement"}
    )
    assert response.status_code == 200
    assert "ne peut pas précéder son début" in str(response.context["approve_form"].errors["end"])
    response = client.post(
        reverse("organisations:withdraw", args=[approved.pk]), {"withdraw-status": "active", "withdraw-reason": "x"}
    )
    assert set(response.context["withdraw_form"].errors) == {"status"}
    approved.refresh_from_db()
    assert approved.approval_start == dt.date(2025, 1, 1)
    assert audit_trail(approved) == []


def test_the_django_admin_no_longer_edits_the_approval(client: Client, approved, certifier_admin) -> None:
    client.force_login(certifier_admin)
    url = reverse("admin:cqp_trainingorganisation_change", args=[approved.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert not {"approval_status", "approval_start", "approval_end"} & set(form.fields)
    client.post(url, {"name": approved.name, "approval_status": "withdrawn", "approval_start": "2030-01-01"})
    approved.refresh_from_db()
    assert approved.approval_status == ApprovalStatus.ACTIVE
    assert approved.approval_start == dt.date(2025, 1, 1)
