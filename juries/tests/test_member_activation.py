"""A member added to the registry with a new address can log in (issue 13, part 5): their account is created
without a password, so they are e-mailed a link to choose one (again when they are approved, if they have not yet);
"Mot de passe oublié" answers every active account with an e-mail, a password chosen or not; the registry says who
has not activated their account and resends the invitation."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from juries import services
from juries.models import JuryMember
from juries.tests.test_member_invitation import _form
from tests.factories import PASSWORD
from tests.worlds import World

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^/\s]+(/compte/mot-de-passe/[^\s]+/)")


def _propose(client: Any, world: World, capture: Any, email: str = "nouveau.membre@example.org") -> JuryMember:
    client.force_login(world.staff)
    with capture(execute=True):
        answer = client.post(reverse("juries:member_create"), _form(world, email))
    assert answer.status_code == 302
    return JuryMember.objects.select_related("user").get(email=email)


def _links(to: str) -> list[str]:
    return [m.group(1) for m in (LINK.search(str(e.body)) for e in mail.outbox if to in e.to) if m]


def test_a_new_member_is_invited_to_choose_a_password_and_logs_in(
    client: Any, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    member = _propose(client, world, django_capture_on_commit_callbacks)
    assert member.user is not None and not member.user.has_usable_password()
    (sent,) = [m for m in mail.outbox if member.email in m.to]
    assert sent.subject == "Choisissez votre mot de passe de membre de jury CQP"
    assert "BJO Formation vous a proposé(e) comme membre de jury" in str(sent.body)
    (link,) = _links(member.email)
    client.logout()
    form = client.get(link, follow=True)
    assert form.status_code == 200
    answer = client.post(
        form.redirect_chain[-1][0], {"new_password1": "Un-Tres-Bon-Mot2026", "new_password2": "Un-Tres-Bon-Mot2026"}
    )
    assert answer.status_code == 302
    member.user.refresh_from_db()
    assert member.user.has_usable_password()
    assert client.login(email=member.email, password="Un-Tres-Bon-Mot2026")


def test_approval_invites_again_an_account_not_yet_activated(
    client: Any, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    member = _propose(client, world, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.jury_member_approve(member=member, approved_by=world.admin)
    (sent,) = [m for m in mail.outbox if member.email in m.to]
    assert "Le certificateur vous a habilité(e) comme membre de jury" in str(sent.body)
    assert len(_links(member.email)) == 1


def test_approval_sends_nothing_to_an_account_already_activated(
    client: Any, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    member = _propose(client, world, django_capture_on_commit_callbacks)
    member.user.set_password(PASSWORD)
    member.user.save(update_fields=["password"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.jury_member_approve(member=member, approved_by=world.admin)
    assert [m for m in mail.outbox if member.email in m.to] == []


def test_password_forgotten_answers_an_account_without_a_password(
    client: Any, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    member = _propose(client, world, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": member.email})
    assert len(_links(member.email)) == 1


def test_the_registry_says_who_has_not_activated_and_resends_the_invitation(
    client: Any, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    member = _propose(client, world, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    client.force_login(world.admin)
    waiting = [m for m in JuryMember.objects.select_related("user") if m.user and not m.user.has_usable_password()]
    assert member in waiting
    page = client.get(reverse("juries:members")).text
    assert page.count('data-testid="not-activated"') == len(waiting)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("juries:member_activation", args=[member.pk]), follow=True)
    assert "Invitation renvoyée à nouveau.membre@example.org." in answer.text
    assert len(_links(member.email)) == 1

    member.user.set_password(PASSWORD)
    member.user.save(update_fields=["password"])
    assert client.get(reverse("juries:members")).text.count('data-testid="not-activated"') == len(waiting) - 1
    answer = client.post(reverse("juries:member_activation", args=[member.pk]), follow=True)
    assert "a déjà choisi son mot de passe" in answer.text


def test_only_an_admin_resends_an_invitation(
    client: Any, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    member = _propose(client, world, django_capture_on_commit_callbacks)
    client.force_login(world.staff)
    assert client.post(reverse("juries:member_activation", args=[member.pk])).status_code == 403
