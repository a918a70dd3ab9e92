"""Logging in by e-mail, logging out, deny by default, password reset by mail, the Django admin's door,
permissions that follow roles, and creating people."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY, authenticate
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from accounts import services
from accounts.backends import RoleBackend
from accounts.models import Role, User
from tests.factories import PASSWORD, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN_URL = "/compte/connexion/"
LOGOUT_URL = "/compte/deconnexion/"
RESET_URL = "/compte/mot-de-passe/oublie/"
WRONG_LOGIN = "Adresse e-mail ou mot de passe incorrect."
OTHER_ROLES = ["staff", "jury_member", "candidate_user"]


def logged_in_user_id(client: Client) -> int | None:
    value = client.session.get(SESSION_KEY)
    return int(value) if value is not None else None


# Login


@pytest.mark.parametrize(
    "typed",
    ["staff@example.org", "STAFF@EXAMPLE.ORG", "Staff@Example.org", "  staff@example.org ", "  Staff@Example.ORG "],
)
def test_it_logs_in_with_the_email_however_it_is_typed(client: Client, staff: User, typed: str) -> None:
    response = client.post(LOGIN_URL, {"username": typed, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert logged_in_user_id(client) == staff.pk


def test_it_follows_next_after_login(client: Client, staff: User) -> None:
    response = client.post(LOGIN_URL, {"username": staff.email, "password": PASSWORD, "next": "/referentiel/"})

    assert response.status_code == 302
    assert response["Location"] == "/referentiel/"


def test_it_refuses_a_wrong_password_with_a_french_error(client: Client, staff: User) -> None:
    response = client.post(LOGIN_URL, {"username": staff.email, "password": "mauvais-mot-de-passe"})

    assert response.status_code == 200
    page = response.content.decode()
    assert WRONG_LOGIN in page
    assert "le mot de passe distingue majuscules et minuscules" in page
    assert 'value="staff@example.org"' in page
    assert logged_in_user_id(client) is None


def test_it_refuses_an_unknown_email_with_the_same_error(client: Client, staff: User) -> None:
    response = client.post(LOGIN_URL, {"username": "personne@example.org", "password": PASSWORD})

    assert response.status_code == 200
    assert WRONG_LOGIN in response.content.decode()
    assert logged_in_user_id(client) is None


def test_the_password_is_case_sensitive(client: Client, staff: User) -> None:
    response = client.post(LOGIN_URL, {"username": staff.email, "password": PASSWORD.upper()})

    assert response.status_code == 200
    assert logged_in_user_id(client) is None


def test_it_refuses_an_inactive_account(client: Client) -> None:
    UserFactory(email="parti@example.org", is_jury_member=True, is_active=False)

    response = client.post(LOGIN_URL, {"username": "parti@example.org", "password": PASSWORD})

    assert response.status_code == 200
    assert logged_in_user_id(client) is None
    assert client.login(email="parti@example.org", password=PASSWORD) is False


def test_the_backend_finds_the_user_from_an_email_in_capitals(staff: User) -> None:
    assert authenticate(None, username="STAFF@example.org", password=PASSWORD) == staff
    assert authenticate(None, username="STAFF@example.org", password="faux") is None


def test_the_backend_finds_the_user_from_an_email_keyword_in_capitals(client: Client, staff: User) -> None:
    assert authenticate(None, email="STAFF@example.org", password=PASSWORD) == staff
    assert client.login(email="Staff@Example.org", password=PASSWORD) is True


# Logout


def test_logging_out_by_post_ends_the_session(client: Client, staff: User) -> None:
    client.force_login(staff)
    assert client.get("/").status_code == 200

    response = client.post(LOGOUT_URL)

    assert response.status_code == 302
    assert response["Location"] == LOGIN_URL
    assert logged_in_user_id(client) is None
    assert client.get("/").status_code == 302


def test_logging_out_by_get_is_refused_and_keeps_the_session(client: Client, staff: User) -> None:
    client.force_login(staff)

    response = client.get(LOGOUT_URL)

    assert response.status_code == 405
    assert logged_in_user_id(client) == staff.pk


# Deny by default


@pytest.mark.parametrize(
    "path",
    ["/", "/referentiel/", "/referentiel/nouvelle/", "/referentiel/versions/1/", "/compte/mot-de-passe/changer/"],
)
def test_an_anonymous_visitor_is_sent_to_the_login_page(client: Client, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN_URL}?next={path}"


@pytest.mark.parametrize("path", [LOGIN_URL, RESET_URL, "/compte/mot-de-passe/oublie/envoye/"])
def test_the_pages_needed_to_get_in_are_public(client: Client, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 200


def test_a_logged_in_user_opening_the_login_page_goes_home(client: Client, staff: User) -> None:
    client.force_login(staff)

    response = client.get(LOGIN_URL)

    assert response.status_code == 302
    assert response["Location"] == "/"


# Password reset


def reset_link(body: str) -> str:
    match = re.search(r"https?://[^/\s]+(/compte/mot-de-passe/nouveau/[^/\s]+/[^/\s]+/)", body)
    assert match is not None, body
    return match.group(1)


def test_a_password_reset_mails_a_link_that_sets_a_new_password(
    client: Client, jury_member: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(RESET_URL, {"email": "JURY@example.org"})

    assert response.status_code == 302
    assert response["Location"] == "/compte/mot-de-passe/oublie/envoye/"
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["jury@example.org"]
    assert message.subject == "CQP Manager : choisir un nouveau mot de passe"
    link = reset_link(str(message.body))

    form = client.get(link, follow=True)
    assert form.status_code == 200
    assert "Choisissez un nouveau mot de passe" in form.content.decode()
    set_password_url = form.redirect_chain[-1][0]
    assert set_password_url.endswith("/set-password/")

    new_password = "une-montre-a-complications-2026"
    done = client.post(set_password_url, {"new_password1": new_password, "new_password2": new_password})

    assert done.status_code == 302
    assert done["Location"] == "/compte/mot-de-passe/nouveau/fait/"
    client.logout()
    assert client.post(LOGIN_URL, {"username": "jury@example.org", "password": new_password}).status_code == 302
    assert logged_in_user_id(client) == jury_member.pk
    jury_member.refresh_from_db()
    assert not jury_member.check_password(PASSWORD)


def test_a_reset_link_serves_only_once(
    client: Client, staff: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post(RESET_URL, {"email": staff.email})
    link = reset_link(str(mail.outbox[0].body))
    set_password_url = client.get(link)["Location"]
    client.post(set_password_url, {"new_password1": "premier-choix-2026", "new_password2": "premier-choix-2026"})

    again = client.get(link, follow=True)

    assert "Ce lien a déjà servi ou a expiré." in again.content.decode()


def test_a_reset_for_an_unknown_email_sends_nothing_and_says_the_same(
    client: Client, staff: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RESET_URL, {"email": "inconnu@example.org"})

    assert response.status_code == 302
    assert response["Location"] == "/compte/mot-de-passe/oublie/envoye/"
    assert mail.outbox == []


def test_the_reset_mail_waits_for_the_commit(
    client: Client, staff: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(RESET_URL, {"email": staff.email})

    assert len(callbacks) == 1
    assert mail.outbox == []


# The Django admin


def test_the_django_admin_opens_for_a_certifier_admin(client: Client, certifier_admin: User) -> None:
    client.force_login(certifier_admin)

    response = client.get("/admin/")

    assert response.status_code == 200
    assert "CQP Manager — administration" in response.content.decode()


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_the_django_admin_is_closed_to_other_roles(client: Client, request: pytest.FixtureRequest, role: str) -> None:
    client.force_login(request.getfixturevalue(role))

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/"


def test_the_django_admin_is_closed_to_strangers(client: Client) -> None:
    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/"


def test_the_django_admin_is_closed_to_an_inactive_certifier_admin(client: Client) -> None:
    former = UserFactory(email="ancien-admin@example.org", is_certifier_admin=True, is_active=False)

    assert former.is_staff is False
    client.force_login(former)
    assert client.get("/admin/").status_code == 302


# Permissions follow roles


PERMISSIONS = ["cqp.change_block", "cqp.delete_certificationversion", "accounts.add_user", "auth.view_group"]


def test_an_active_certifier_admin_holds_every_permission(certifier_admin: User) -> None:
    backend = RoleBackend()

    for perm in PERMISSIONS:
        assert backend.has_perm(certifier_admin, perm) is True
        assert certifier_admin.has_perm(perm) is True
    assert certifier_admin.has_perms(PERMISSIONS) is True
    assert backend.has_module_perms(certifier_admin, "cqp") is True
    assert certifier_admin.has_module_perms("accounts") is True


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_hold_no_permission(request: pytest.FixtureRequest, role: str) -> None:
    user = request.getfixturevalue(role)
    backend = RoleBackend()

    for perm in PERMISSIONS:
        assert backend.has_perm(user, perm) is False
        assert user.has_perm(perm) is False
    assert backend.has_module_perms(user, "cqp") is False
    assert user.has_module_perms("cqp") is False


def test_an_inactive_certifier_admin_holds_no_permission() -> None:
    former = UserFactory(email="ancien-admin@example.org", is_certifier_admin=True, is_active=False)

    assert RoleBackend().has_perm(former, "cqp.change_block") is False
    assert former.has_perm("cqp.change_block") is False
    assert former.has_module_perms("cqp") is False
    assert RoleBackend().has_module_perms(former, "cqp") is False


def test_only_an_active_certifier_admin_is_django_staff(
    certifier_admin: User, staff: User, jury_member: User, candidate_user: User
) -> None:
    inactive_admin = UserFactory(is_certifier_admin=True, is_active=False)

    assert certifier_admin.is_staff is True
    assert [u.is_staff for u in (staff, jury_member, candidate_user, inactive_admin)] == [False] * 4


def test_a_person_holding_every_role_but_admin_still_holds_no_permission(organisation: Any) -> None:
    busy = UserFactory(email="multi@example.org", organisation=organisation, is_jury_member=True, is_candidate=True)

    assert busy.has_perm("cqp.change_block") is False
    assert busy.is_staff is False


# Roles


def test_a_person_may_hold_several_roles(organisation: Any) -> None:
    trainer = UserFactory(email="formateur@example.org", organisation=organisation, is_jury_member=True)
    everything = UserFactory(
        email="tout@example.org",
        is_certifier_admin=True,
        organisation=organisation,
        is_jury_member=True,
        is_candidate=True,
    )

    assert trainer.roles == [Role.ORGANISATION_STAFF, Role.JURY_MEMBER]
    assert everything.roles == [Role.CERTIFIER_ADMIN, Role.ORGANISATION_STAFF, Role.JURY_MEMBER, Role.CANDIDATE]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("certifier_admin", [Role.CERTIFIER_ADMIN]),
        ("staff", [Role.ORGANISATION_STAFF]),
        ("jury_member", [Role.JURY_MEMBER]),
        ("candidate_user", [Role.CANDIDATE]),
    ],
)
def test_each_fixture_holds_exactly_its_role(request: pytest.FixtureRequest, role: str, expected: list[Role]) -> None:
    assert request.getfixturevalue(role).roles == expected


def test_a_person_without_role_has_an_empty_list() -> None:
    assert UserFactory(email="personne@example.org").roles == []


# Creating people


def test_user_create_stores_the_email_in_lower_case_with_its_roles() -> None:
    organisation = OrganisationFactory(name="Lycée Jean Jaurès")

    user = services.user_create(
        email="  Sophie.Bernard@Example.ORG ", password=PASSWORD, organisation=organisation, is_jury_member=True
    )

    user.refresh_from_db()
    assert user.email == "sophie.bernard@example.org"
    assert user.roles == [Role.ORGANISATION_STAFF, Role.JURY_MEMBER]
    assert user.check_password(PASSWORD)


def test_user_create_without_password_needs_a_reset_to_log_in() -> None:
    user = services.user_create(email="nouveau@example.org", password=None, is_candidate=True)

    assert user.has_usable_password() is False
    user.refresh_from_db()
    assert user.has_usable_password() is False


@pytest.mark.parametrize("email", ["staff@example.org", "STAFF@example.org", "Staff@Example.Org"])
def test_user_create_refuses_an_email_already_taken_whatever_its_case(staff: User, email: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.user_create(email=email, password=PASSWORD, is_candidate=True)

    assert excinfo.value.message_dict["email"] == ["Un compte existe déjà pour staff@example.org."]
    assert User.objects.filter(email__iexact="staff@example.org").count() == 1


def test_user_create_refuses_a_malformed_email() -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.user_create(email="pas-une-adresse", password=PASSWORD)

    assert "email" in excinfo.value.message_dict
    assert not User.objects.exists()


def test_create_superuser_makes_a_certifier_admin() -> None:
    user = User.objects.create_superuser("Chef@Example.org", PASSWORD)

    assert user.email == "chef@example.org"
    assert user.is_certifier_admin is True
    assert user.is_superuser is True
    assert user.is_staff is True


# Home page (its sections per role are tested with the other pages in cqp/tests/test_views.py)


def test_the_home_page_lists_the_certifications_in_few_queries(
    client: Client, referential: None, staff: User, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    client.force_login(staff)

    # 5, and the staff's to-do list (issue 14): one aggregate per item (candidates without an enrolment, to convoke,
    # convocations failed, documents missing, attendance to fill), and the open evaluation juries of its sessions
    # begun (their progress is read when there are some), whatever the data (accounts/tests/test_todo.py pins it
    # with more).
    with django_assert_max_num_queries(11):
        response = client.get("/")

    content = response.content.decode()
    for label in (
        "RNCP 31313 — CQP Horloger qualifié",
        "RNCP 26850 — CQP Opérateur en polissage",
        "RNCP 26849 — CQP Concepteur 3D",
        "RNCP 31394 — CQP Chargé en gemmologie appliquée",
    ):
        assert label in content
    assert "Aucune certification" not in content
