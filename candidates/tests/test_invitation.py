"""A candidate's account: the invitation, the password chosen from its link, and what the candidate
then sees of their file (enrolments, convocations sent, calendar file)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from accounts.models import AuditAction, User
from accounts.selectors import audit_trail
from candidates import services
from candidates.models import Candidate
from cqp.models import CertificationVersion
from evaluations import services as evaluation_services
from evaluations.models import ConvocationStatus, SessionCandidate, SessionMode
from tests.factories import OrganisationFactory, UserFactory, make_candidate

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
SITE = "https://cqp.example.org/"
NEW_PASSWORD = "Polissage-bijou-2026!"
LINK = re.compile(r"https://cqp\.example\.org(/compte/mot-de-passe/nouveau/[^/\s]+/[^/\s]+/)")


@pytest.fixture(autouse=True)
def _today() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=PARIS), tick=False):
        yield


@pytest.fixture
def candidate(staff: User) -> Candidate:
    return make_candidate(staff.organisation)


def invite(candidate: Candidate, capture: Any) -> User:
    with capture(execute=True):
        return services.candidate_invite(candidate=candidate, site_url=SITE).user


def test_an_invitation_creates_a_candidate_account_without_password(
    candidate, django_capture_on_commit_callbacks
) -> None:
    user = invite(candidate, django_capture_on_commit_callbacks)
    user.refresh_from_db()
    candidate.refresh_from_db()
    assert candidate.user == user
    assert user.email == "julie0@example.org"
    assert (user.first_name, user.last_name) == ("Julie", "Martin0")
    assert user.is_candidate
    assert not user.is_organisation_staff and not user.is_certifier_admin and not user.is_jury_member
    assert not user.has_usable_password()
    [message] = mail.outbox
    assert message.to == ["julie0@example.org"]
    assert message.subject == "Votre espace candidat CQP Manager"
    assert "BJO Formation vous a ouvert un espace candidat" in message.body
    assert LINK.search(str(message.body))


def test_the_invitation_leaves_only_once_the_transaction_commits(candidate, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.candidate_invite(candidate=candidate, site_url=SITE)
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_inviting_twice_reuses_the_same_account(candidate, django_capture_on_commit_callbacks) -> None:
    first = invite(candidate, django_capture_on_commit_callbacks)
    second = invite(candidate, django_capture_on_commit_callbacks)
    assert first.pk == second.pk
    assert User.objects.filter(email="julie0@example.org").count() == 1
    assert len(mail.outbox) == 2


def test_an_email_already_used_by_another_candidates_account_is_refused(
    candidate, django_capture_on_commit_callbacks
) -> None:
    invite(candidate, django_capture_on_commit_callbacks)
    namesake = make_candidate(candidate.organisation, n=1, email="JULIE0@example.org")
    with pytest.raises(ValidationError) as exc:
        invite(namesake, django_capture_on_commit_callbacks)
    assert "julie0@example.org est déjà celle d'un autre candidat" in exc.value.messages[0]
    namesake.refresh_from_db()
    assert namesake.user is None
    assert len(mail.outbox) == 1


def test_the_invited_candidate_sets_a_password_logs_in_and_sees_their_file(
    client, staff, referential, django_capture_on_commit_callbacks
) -> None:
    organisation = staff.organisation
    organisation.approval_start = dt.date(2025, 1, 1)
    organisation.save()
    version = CertificationVersion.objects.get(rncp_code="RNCP26850")
    candidate = make_candidate(organisation)
    enrolment = services.candidate_enrol(
        candidate=candidate, version=version, blocks=None, access_route="formation_continue", created_by=staff
    )
    invite(candidate, django_capture_on_commit_callbacks)
    path = LINK.search(str(mail.outbox[0].body)).group(1)

    form = client.get(path, follow=True)
    assert form.status_code == 200
    set_password_url = form.redirect_chain[-1][0]
    done = client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done.url == "/compte/mot-de-passe/nouveau/fait/"
    assert (
        client.post("/compte/connexion/", {"username": "julie0@example.org", "password": NEW_PASSWORD}).status_code
        == 302
    )

    home = client.get("/").content.decode()
    assert home.count('data-testid="my-enrolment"') == 1
    enrolment_block = home.split('data-testid="my-enrolment"', 1)[1].split("</div>", 2)
    assert "RNCP 26850 — CQP Opérateur en polissage" in enrolment_block[0]
    assert "Inscrit" in enrolment_block[0]
    assert 'data-testid="my-convocation"' not in home

    session = evaluation_services.session_schedule(
        version=version,
        organisation=organisation,
        starts_on=dt.date(2026, 4, 1),
        ends_on=None,
        mode=SessionMode.ON_SITE,
        address="12 rue de Turbigo\n75003 Paris",
        created_by=staff,
    )
    place = evaluation_services.session_add_candidate(session=session, enrolment=enrolment)
    home = client.get("/").content.decode()
    assert 'data-testid="my-convocation"' not in home  # not sent yet

    with django_capture_on_commit_callbacks(execute=True):
        evaluation_services.convocations_send(session=session)
    assert SessionCandidate.objects.get(pk=place.pk).convocation_status == ConvocationStatus.SENT
    home = client.get("/").content.decode()
    assert home.count('data-testid="my-convocation"') == 1
    assert "12 rue de Turbigo" in home
    calendar_url = f"/sessions/convocations/{place.pk}/calendrier.ics"
    assert calendar_url in home
    calendar = client.get(calendar_url)
    assert calendar.status_code == 200
    assert b"BEGIN:VEVENT" in calendar.content


def test_the_link_works_only_once(candidate, client, django_capture_on_commit_callbacks) -> None:
    invite(candidate, django_capture_on_commit_callbacks)
    path = LINK.search(str(mail.outbox[0].body)).group(1)
    set_password_url = client.get(path, follow=True).redirect_chain[-1][0]
    client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    client.logout()
    again = client.get(path, follow=True).content.decode()
    assert 'name="new_password1"' not in again


def test_staff_invite_their_candidate_through_the_page(
    client, staff, candidate, django_capture_on_commit_callbacks
) -> None:
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/candidats/{candidate.pk}/inviter/")
    assert response.status_code == 302 and response.url == f"/candidats/{candidate.pk}/"
    candidate.refresh_from_db()
    assert candidate.user is not None and candidate.user.is_candidate
    assert [m.to for m in mail.outbox] == [["julie0@example.org"]]
    assert "http://testserver/compte/mot-de-passe/nouveau/" in mail.outbox[0].body
    page = client.get(response.url).content.decode()
    assert "Invitation envoyée à julie0@example.org." in page


def test_staff_of_another_organisation_cannot_invite(client, candidate, django_capture_on_commit_callbacks) -> None:
    stranger = UserFactory(email="autre@example.org", organisation=OrganisationFactory(name="Autre organisme"))
    client.force_login(stranger)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/candidats/{candidate.pk}/inviter/").status_code == 404
    candidate.refresh_from_db()
    assert candidate.user is None
    assert mail.outbox == []


def test_inviting_is_a_post_only_action(client, staff, candidate) -> None:
    client.force_login(staff)
    assert client.get(f"/candidats/{candidate.pk}/inviter/").status_code == 405
    candidate.refresh_from_db()
    assert candidate.user is None


# An invitation never takes over an existing account: its owner confirms, signed in, from the e-mail.
CONSENT_LINK = re.compile(r"https://cqp\.example\.org(/candidats/invitation/[^/\s]+/)")
OTHER_ROLES: dict[str, dict[str, Any]] = {
    "staff of another organisation": {"organisation": "other"},
    "staff of the same organisation": {"organisation": "same"},
    "jury member": {"is_jury_member": True},
    "certifier admin": {"is_certifier_admin": True},
}


def account_with_role(email: str, role: str, organisation: Any) -> User:
    fields = dict(OTHER_ROLES[role])
    if "organisation" in fields:
        fields["organisation"] = (
            organisation if fields["organisation"] == "same" else OrganisationFactory(name="Autre organisme")
        )
    return UserFactory(email=email, first_name="Paul", last_name="Durand", **fields)


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_an_invitation_does_not_take_over_an_account_of_another_role(
    role, candidate, django_capture_on_commit_callbacks
) -> None:
    account = account_with_role(candidate.email, role, candidate.organisation)
    before = User.objects.filter(pk=account.pk).values().get()
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.candidate_invite(candidate=candidate, site_url=SITE)
    assert sent.awaiting_consent and sent.user == account
    assert User.objects.filter(pk=account.pk).values().get() == before  # no role, no name, no password changed
    candidate.refresh_from_db()
    assert candidate.user is None
    [message] = mail.outbox
    assert message.to == [candidate.email]
    assert message.subject == "Confirmez votre espace candidat CQP Manager"
    assert "connectez-vous avec ce compte puis ouvrez ce lien (valable 30 jours)" in message.body
    assert CONSENT_LINK.search(str(message.body))
    assert not LINK.search(str(message.body))  # no password link: the account is not the invitation's to reset


def test_the_owner_of_the_account_confirms_signed_in_and_becomes_candidate(
    client, candidate, django_capture_on_commit_callbacks
) -> None:
    account = account_with_role(candidate.email, "staff of another organisation", candidate.organisation)
    organisation = account.organisation
    with django_capture_on_commit_callbacks(execute=True):
        services.candidate_invite(candidate=candidate, site_url=SITE)
    path = CONSENT_LINK.search(str(mail.outbox[0].body)).group(1)

    assert client.get(path).status_code == 302  # signed out: the login page first
    client.force_login(account)
    page = client.get(path)
    assert page.status_code == 200
    assert "BJO Formation vous a inscrite comme candidate" in page.text
    done = client.post(path, follow=True)
    assert done.redirect_chain[-1][0] == "/"
    assert "Votre espace candidat est relié à votre compte." in done.text
    account.refresh_from_db()
    candidate.refresh_from_db()
    assert candidate.user == account
    assert account.is_candidate and account.organisation == organisation  # keeps their other role
    assert client.get(path).status_code == 404  # used
    [granted] = audit_trail(account)
    assert granted.action == AuditAction.ROLES_CHANGED and granted.actor == account
    assert "Candidat" not in granted.before["rôles"] and "Candidat" in granted.after["rôles"]
    assert granted.reason == "Invitation à l'espace candidat confirmée"


def test_another_account_cannot_use_the_confirmation_link(
    client, staff, candidate, django_capture_on_commit_callbacks
) -> None:
    account_with_role(candidate.email, "jury member", candidate.organisation)
    with django_capture_on_commit_callbacks(execute=True):
        services.candidate_invite(candidate=candidate, site_url=SITE)
    path = CONSENT_LINK.search(str(mail.outbox[0].body)).group(1)
    client.force_login(staff)
    assert client.get(path).status_code == 404
    assert client.post(path).status_code == 404
    candidate.refresh_from_db()
    assert candidate.user is None


NEUTRAL = (
    "Une invitation à confirmer a été envoyée à julie0@example.org : la personne reliera elle-même son compte à "
    "son espace candidat. Corrigez l&#x27;adresse sur la fiche si elle n&#x27;est pas celle du candidat."
)


@pytest.mark.parametrize("role", [*OTHER_ROLES, "no role"])
def test_staff_are_told_the_same_neutral_message_whatever_the_existing_accounts_roles(
    role, client, staff, candidate, django_capture_on_commit_callbacks
) -> None:
    if role == "no role":
        account = UserFactory(email=candidate.email)
    else:
        account = account_with_role(candidate.email, role, candidate.organisation)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(f"/candidats/{candidate.pk}/inviter/", follow=True)
    assert NEUTRAL in page.text
    assert "autre rôle" not in page.text
    assert "Invitation envoyée" not in page.text
    candidate.refresh_from_db()
    account.refresh_from_db()
    assert candidate.user is None and not account.is_candidate


@pytest.mark.parametrize(
    "fields",
    [
        {"is_candidate": True},  # a former candidate's account
        {},  # no role at all: a jury proposal not yet approved, former staff
    ],
    ids=["former candidate", "no role"],
)
def test_an_existing_account_with_no_other_role_is_not_linked_at_once_either(
    fields, client, candidate, django_capture_on_commit_callbacks
) -> None:
    orphan = UserFactory(email=candidate.email, **fields)
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.candidate_invite(candidate=candidate, site_url=SITE)
    assert sent.awaiting_consent and sent.user == orphan
    candidate.refresh_from_db()
    assert candidate.user is None
    orphan.refresh_from_db()
    assert orphan.is_candidate is bool(fields)  # untouched
    [message] = mail.outbox
    assert message.subject == "Confirmez votre espace candidat CQP Manager"
    assert not LINK.search(str(message.body))
    client.force_login(orphan)
    assert 'data-testid="my-enrolment"' not in client.get("/").text
    path = CONSENT_LINK.search(str(message.body)).group(1)
    client.post(path)
    candidate.refresh_from_db()
    orphan.refresh_from_db()
    assert candidate.user_id == orphan.pk
    assert orphan.is_candidate
