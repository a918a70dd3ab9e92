"""Proposing a jury member with the e-mail of an existing account: the registry neither shows that account nor
links it. It keeps the names the proposer typed and e-mails an invitation; the account is linked once its
owner, signed in, confirms from the link."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django import forms
from django.core import mail
from django.urls import reverse

from juries import services
from juries.forms import AssignForm
from juries.models import JuryMember, MemberStatus
from tests.factories import UserFactory
from tests.worlds import World

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^/\s]+(/jurys/invitation/[^/\s]+/)")


def _form(world: World, email: str) -> dict[str, Any]:
    return {
        "first_name": "Dominique",
        "last_name": "Orfèvre",
        "email": email,
        "college": "employees",
        "company_name": "Orfèvrerie Dupuis",
        "certifications": [world.version.certification_id],
    }


@pytest.fixture
def existing() -> Any:
    """Someone who already has an account (a candidate here), under their real name."""
    return UserFactory(
        email="camille.reelle@example.org", first_name="Camille", last_name="Véritable", is_candidate=True
    )


def _propose(client: Any, world: World, email: str, capture: Any) -> JuryMember:
    client.force_login(world.staff)
    with capture(execute=True):
        answer = client.post(reverse("juries:member_create"), _form(world, email))
    assert answer.status_code == 302
    return JuryMember.objects.get(proposed_by=world.staff, company_name="Orfèvrerie Dupuis")


def _link(to: str) -> str:
    sent = [m for m in mail.outbox if to in m.to]
    assert len(sent) == 1
    found = LINK.search(str(sent[0].body))
    assert found, sent[0].body
    return found.group(1)


def test_the_registry_neither_shows_nor_links_an_existing_account(
    client: Any, world: World, existing: Any, django_capture_on_commit_callbacks: Any
) -> None:
    member = _propose(client, world, "Camille.Reelle@example.org", django_capture_on_commit_callbacks)
    assert member.user_id is None
    existing.refresh_from_db()
    assert not existing.is_jury_member
    for viewer in (world.staff, world.admin):
        client.force_login(viewer)
        page = client.get(reverse("juries:members")).text
        assert "Dominique Orfèvre" in page
        assert "Véritable" not in page
    # The invitation goes to that address, naming who proposed them and the names they typed.
    _link("camille.reelle@example.org")
    body = mail.outbox[-1].body
    assert "BJO Formation" in body
    assert "Dominique Orfèvre" in body


def test_the_owner_of_the_account_confirms_from_the_link_and_is_linked(
    client: Any, world: World, existing: Any, django_capture_on_commit_callbacks: Any
) -> None:
    member = _propose(client, world, "camille.reelle@example.org", django_capture_on_commit_callbacks)
    services.jury_member_approve(member=member, approved_by=world.admin)
    link = _link("camille.reelle@example.org")
    client.force_login(existing)
    page = client.get(link)
    assert page.status_code == 200
    assert "Dominique Orfèvre" in page.text
    assert "BJO Formation" in page.text
    answer = client.post(link, follow=True)
    assert answer.status_code == 200
    member.refresh_from_db()
    existing.refresh_from_db()
    assert member.user_id == existing.pk
    assert existing.is_jury_member  # approved before the confirmation: the role comes with it
    # The link serves once.
    assert client.post(link).status_code == 404


def test_another_account_opening_the_link_gets_404_and_links_nothing(
    client: Any, world: World, existing: Any, django_capture_on_commit_callbacks: Any
) -> None:
    member = _propose(client, world, "camille.reelle@example.org", django_capture_on_commit_callbacks)
    link = _link("camille.reelle@example.org")
    for intruder in (world.staff, world.trainer.user, UserFactory(email="intrus@example.org")):
        client.force_login(intruder)
        assert client.get(link).status_code == 404
        assert client.post(link).status_code == 404
    member.refresh_from_db()
    assert member.user_id is None
    client.logout()
    answer = client.get(link)
    assert answer.status_code == 302 and answer["Location"].startswith(reverse("login"))


def test_a_tampered_or_expired_link_links_nothing(
    client: Any, world: World, existing: Any, django_capture_on_commit_callbacks: Any
) -> None:
    member = _propose(client, world, "camille.reelle@example.org", django_capture_on_commit_callbacks)
    link = _link("camille.reelle@example.org")
    client.force_login(existing)
    assert client.post(link[:-3] + "x/").status_code == 404
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(days=31)):
        client.force_login(existing)
        assert client.post(link).status_code == 404
    member.refresh_from_db()
    assert member.user_id is None


def test_an_unconfirmed_member_is_not_offered_a_seat(
    client: Any, world: World, existing: Any, django_capture_on_commit_callbacks: Any
) -> None:
    member = _propose(client, world, "camille.reelle@example.org", django_capture_on_commit_callbacks)
    services.jury_member_approve(member=member, approved_by=world.admin)
    jury = services.evaluation_jury_create(session=world.session, created_by=world.admin)
    choice = AssignForm(jury=jury).fields["member"]
    assert isinstance(choice, forms.ModelChoiceField)
    assert member not in choice.queryset
    with pytest.raises(Exception, match="confirm"):
        services.jury_assign(jury=jury, member=member, assigned_by=world.admin)


def test_a_new_address_gets_an_account_under_the_typed_names(
    client: Any, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    member = _propose(client, world, "nouvelle.personne@example.org", django_capture_on_commit_callbacks)
    assert member.user is not None
    assert member.user.email == "nouvelle.personne@example.org"
    assert (member.user.first_name, member.user.last_name) == ("Dominique", "Orfèvre")
    assert member.name == "Dominique Orfèvre"
    assert member.status == MemberStatus.PROPOSED


def test_an_address_already_proposed_and_waiting_is_refused(
    client: Any, world: World, existing: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _propose(client, world, "camille.reelle@example.org", django_capture_on_commit_callbacks)
    answer = client.post(reverse("juries:member_create"), _form(world, "camille.reelle@example.org"))
    assert answer.status_code == 200
    assert "camille.reelle@example.org est déjà dans le registre des membres de jury." in answer.text
    assert JuryMember.objects.filter(email="camille.reelle@example.org").count() == 1
