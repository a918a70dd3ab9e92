"""Login by e-mail, deny by default, password reset by mail, roles and the home page per role."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from accounts import services
from accounts.backends import RoleBackend
from accounts.models import Role, User
from cqp.models import TrainingOrganisation
from tests.factories import PASSWORD, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN_URL = "/compte/connexion/"
LOGOUT_URL = "/compte/deconnexion/"
RESET_URL = "/compte/mot-de-passe/oublie/"
HOME_SECTIONS = ("home-certifier-admin", "home-organisation-staff", "home-jury-member", "home-candidate")


def sections_shown(content: str) -> set[str]:
    return {testid for testid in HOME_SECTIONS if f'data-testid="{testid}"' in content}


# Login and logout


def test_it_logs_in_with_the_email_typed_in_capitals_and_with_spaces(client: Client, staff: User) -> None:
    response = client.post(LOGIN_URL, {"username": "  Staff@Example.ORG ", "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == "/"
    assert int(client.session[SESSION_KEY]) == staff.pk


def test_it_redisplays_the_form_with_a_french_error_on_a_wrong_password(client: Client, staff: User) -> None:
    response = client.post(LOGIN_URL, {"username": staff.email, "password": "pas-le-bon"})

    assert response.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_it_refuses_to_log_in_an_inactive_user(client: Client) -> None:
    inactive = UserFactory(email="parti@example.org", is_candidate=True, is_active=False)

    response = client.post(LOGIN_URL, {"username": inactive.email, "password": PASSWORD})

    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    assert client.login(email=inactive.email, password=PASSWORD) is False


def test_logging_out_by_post_ends_the_session(client: Client, staff: User) -> None:
    client.force_login(staff)
    assert client.get("/").status_code == 200

    response = client.post(LOGOUT_URL)

    assert response.status_code in (200, 302)
    assert SESSION_KEY not in client.session
    assert client.get("/").status_code == 302


# Deny by default


@pytest.mark.parametrize("path", ["/", "/referentiel/"])
def test_it_sends_an_anonymous_visitor_to_the_login_page(client: Client, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 302
    assert response.url == f"{LOGIN_URL}?next={path}"


@pytest.mark.parametrize("path", [LOGIN_URL, RESET_URL])
def test_the_login_and_password_reset_pages_are_public(client: Client, path: str) -> None:
    assert client.get(path).status_code == 200


# Password reset


def test_a_user_chooses_a_new_password_from_the_link_sent_by_mail(
    client: Client, staff: User, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RESET_URL, {"email": staff.email})

    assert response.status_code == 302
    assert response.url == "/compte/mot-de-passe/oublie/envoye/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [staff.email]
    assert message.subject == "CQP Manager : choisir un nouveau mot de passe"
    match = re.search(r"https?://[^/\s]+(/compte/mot-de-passe/nouveau/\S+/)", message.body)
    assert match is not None, message.body

    response = client.get(match.group(1))
    assert response.status_code == 302
    assert response.url.endswith("/set-password/")

    new_password = "un-tout-nouveau-secret-2026"
    response = client.post(response.url, {"new_password1": new_password, "new_password2": new_password})

    assert response.status_code == 302
    assert response.url == "/compte/mot-de-passe/nouveau/fait/"
    assert client.login(email=staff.email, password=new_password) is True
    assert client.login(email=staff.email, password=PASSWORD) is False


def test_an_unknown_email_gets_the_same_page_and_no_mail(
    client: Client, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RESET_URL, {"email": "inconnu@example.org"}, follow=True)

    assert response.redirect_chain == [("/compte/mot-de-passe/oublie/envoye/", 302)]
    assert response.status_code == 200
    assert mail.outbox == []


# Django admin


def test_the_admin_is_open_to_a_certifier_admin(client: Client, certifier_admin: User) -> None:
    client.force_login(certifier_admin)

    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("who", ["staff", "jury_member", "candidate_user"])
def test_the_admin_sends_other_roles_to_its_login(client: Client, who: str, request: pytest.FixtureRequest) -> None:
    client.force_login(request.getfixturevalue(who))

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def test_the_admin_sends_an_anonymous_visitor_to_its_login(client: Client) -> None:
    response = client.get("/admin/")

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


# Permissions and roles


def test_an_active_certifier_admin_holds_every_permission(certifier_admin: User) -> None:
    assert certifier_admin.has_perm("cqp.change_block") is True
    assert certifier_admin.has_module_perms("cqp") is True
    assert RoleBackend().has_perm(certifier_admin, "cqp.change_block") is True


@pytest.mark.parametrize("who", ["staff", "jury_member", "candidate_user"])
def test_other_roles_hold_no_permission(who: str, request: pytest.FixtureRequest) -> None:
    user = request.getfixturevalue(who)

    assert user.has_perm("cqp.change_block") is False
    assert user.has_module_perms("cqp") is False


def test_an_inactive_certifier_admin_holds_no_permission() -> None:
    user = UserFactory(email="ancien-admin@example.org", is_certifier_admin=True, is_active=False)

    assert user.has_perm("cqp.change_block") is False
    assert user.has_module_perms("cqp") is False
    assert RoleBackend().has_module_perms(user, "cqp") is False


def test_one_person_holds_several_roles_in_a_fixed_order(organisation: TrainingOrganisation) -> None:
    user = UserFactory(is_candidate=True, is_jury_member=True, organisation=organisation, is_certifier_admin=True)

    assert user.roles == [Role.CERTIFIER_ADMIN, Role.ORGANISATION_STAFF, Role.JURY_MEMBER, Role.CANDIDATE]


def test_staff_who_sits_on_juries_holds_both_roles(organisation: TrainingOrganisation) -> None:
    user = UserFactory(organisation=organisation, is_jury_member=True)

    assert user.roles == [Role.ORGANISATION_STAFF, Role.JURY_MEMBER]
    assert UserFactory().roles == []


def test_only_an_active_certifier_admin_is_django_staff(
    certifier_admin: User, staff: User, jury_member: User, candidate_user: User
) -> None:
    inactive_admin = UserFactory(is_certifier_admin=True, is_active=False)

    assert certifier_admin.is_staff is True
    assert [u.is_staff for u in (staff, jury_member, candidate_user, inactive_admin)] == [False] * 4


# Services


def test_user_create_lower_cases_the_email() -> None:
    user = services.user_create(email="  Jeanne.Martin@Example.ORG ", password=PASSWORD, is_candidate=True)

    user.refresh_from_db()
    assert user.email == "jeanne.martin@example.org"
    assert user.check_password(PASSWORD)
    assert user.roles == [Role.CANDIDATE]


def test_user_create_refuses_a_duplicate_email_differently_cased() -> None:
    services.user_create(email="jeanne@example.org", password=PASSWORD)

    with pytest.raises(ValidationError) as excinfo:
        services.user_create(email="JEANNE@Example.org", password=PASSWORD)

    assert "jeanne@example.org" in str(excinfo.value.message_dict["email"])
    assert User.objects.filter(email__iexact="jeanne@example.org").count() == 1


def test_user_create_without_a_password_leaves_an_unusable_one() -> None:
    user = services.user_create(email="sans-mdp@example.org", password=None, is_jury_member=True)

    user.refresh_from_db()
    assert user.has_usable_password() is False


def test_create_superuser_makes_a_certifier_admin() -> None:
    user = User.objects.create_superuser("Chef@Example.org", PASSWORD)

    assert user.email == "chef@example.org"
    assert user.is_certifier_admin is True
    assert user.is_superuser is True
    assert user.is_staff is True


# Home page per role


@pytest.mark.parametrize(
    ("who", "section"),
    [
        ("certifier_admin", "home-certifier-admin"),
        ("staff", "home-organisation-staff"),
        ("jury_member", "home-jury-member"),
        ("candidate_user", "home-candidate"),
    ],
)
def test_the_home_page_shows_only_the_section_of_the_role(
    client: Client, who: str, section: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(who))

    response = client.get("/")

    assert response.status_code == 200
    assert sections_shown(response.content.decode()) == {section}


def test_the_home_page_of_organisation_staff_names_the_organisation(client: Client, staff: User) -> None:
    client.force_login(staff)

    response = client.get("/")

    assert "BJO Formation" in response.content.decode()


def test_a_person_with_two_roles_sees_both_sections(client: Client) -> None:
    user = UserFactory(organisation=OrganisationFactory(name="Atelier Lumière"), is_jury_member=True)
    client.force_login(user)

    content = client.get("/").content.decode()

    assert sections_shown(content) == {"home-organisation-staff", "home-jury-member"}
    assert "Atelier Lumière" in content


def test_the_home_page_lists_the_certifications_in_few_queries(
    client: Client, referential: None, staff: User, django_assert_max_num_queries: Callable[..., Any]
) -> None:
    client.force_login(staff)

    with django_assert_max_num_queries(5):
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
