"""The generic audit trail: recorded by one service, read by one selector, shown by one include."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import ProtectedError
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import AuditAction, AuditEvent
from accounts.selectors import audit_trail, audit_trails
from accounts.services import audit_record
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_it_records_who_when_before_after_and_why(certifier_admin) -> None:
    organisation = OrganisationFactory(name="BJO Formation")
    event = audit_record(
        actor=certifier_admin,
        target=organisation,
        action=AuditAction.ORGANISATION_WITHDRAWN,
        before={"habilitation": "active", "jusqu'au": dt.date(2027, 6, 30)},
        after={"habilitation": "suspendue"},
        reason="Audit annuel défavorable",
    )
    event.refresh_from_db()
    assert event.actor == certifier_admin
    assert event.target == organisation
    assert event.subject == "BJO Formation"
    assert event.before == {"habilitation": "active", "jusqu'au": "2027-06-30"}
    assert event.after == {"habilitation": "suspendue"}
    assert event.reason == "Audit annuel défavorable"
    assert abs(event.at - timezone.now()) < dt.timedelta(minutes=1)


def test_the_trail_of_an_object_is_its_own_events_oldest_first_with_actor_in_one_query(
    certifier_admin, django_assert_num_queries
) -> None:
    mine, other = OrganisationFactory(), OrganisationFactory()
    user = UserFactory()
    first = audit_record(actor=certifier_admin, target=mine, action=AuditAction.ORGANISATION_WITHDRAWN)
    audit_record(actor=certifier_admin, target=other, action=AuditAction.ORGANISATION_WITHDRAWN)
    second = audit_record(actor=None, target=mine, action=AuditAction.ORGANISATION_APPROVED)
    # Same id, another model: not part of the organisation's trail.
    user.pk = mine.pk
    audit_record(actor=certifier_admin, target=user, action=AuditAction.ROLES_CHANGED)
    for _ in range(3):
        audit_record(actor=UserFactory(), target=mine, action=AuditAction.ORGANISATION_APPROVED)

    with django_assert_num_queries(1):
        events = audit_trail(mine)
        assert [e.actor for e in events[:2]] == [certifier_admin, None]
        assert [e.actor.email for e in events[2:] if e.actor]
    assert events[:2] == [first, second]
    assert len(events) == 5

    with django_assert_num_queries(1):
        trails = audit_trails(type(mine), [mine.pk, other.pk])
        assert [e.actor for e in trails[mine.pk][:2]] == [certifier_admin, None]
    assert len(trails[other.pk]) == 1


def test_an_event_cannot_lose_its_actor(certifier_admin) -> None:
    audit_record(actor=certifier_admin, target=OrganisationFactory(), action=AuditAction.ORGANISATION_APPROVED)
    with pytest.raises(ProtectedError):
        certifier_admin.delete()


def test_the_include_shows_the_trail_in_french(certifier_admin) -> None:
    organisation = OrganisationFactory()
    event = audit_record(
        actor=certifier_admin,
        target=organisation,
        action=AuditAction.ORGANISATION_WITHDRAWN,
        before={"habilitation": "Active"},
        after={"habilitation": "Suspendue", "rôles": ["a", "b"], "président": None},
        reason="Locaux non conformes",
    )
    AuditEvent.objects.filter(pk=event.pk).update(at=dt.datetime(2026, 3, 5, 13, 7, tzinfo=dt.UTC))
    html = render_to_string("includes/audit_trail.html", {"events": audit_trail(organisation)})
    assert "05/03/2026 à 14:07" in html  # Paris time
    assert "Habilitation de l&#x27;organisme suspendue ou retirée" in html
    assert str(certifier_admin) in html
    assert "habilitation : Active" in html
    assert "habilitation : Suspendue ; président : — ; rôles : a, b" in html  # the same order on every database
    assert "Locaux non conformes" in html
    assert "Aucun événement" in render_to_string("includes/audit_trail.html", {"events": []})


def test_the_django_admin_shows_events_read_only(client, certifier_admin) -> None:
    event = audit_record(actor=certifier_admin, target=OrganisationFactory(), action=AuditAction.ORGANISATION_APPROVED)
    client.force_login(certifier_admin)
    assert client.get("/admin/accounts/auditevent/").status_code == 200
    assert client.get(f"/admin/accounts/auditevent/{event.pk}/change/").status_code == 200
    assert client.post(f"/admin/accounts/auditevent/{event.pk}/delete/").status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_a_role_change_is_audited_with_the_roles_before_and_after(certifier_admin) -> None:
    from accounts.services import user_set_roles

    organisation = OrganisationFactory(name="Lycée Jean Jaurès")
    user = UserFactory(is_jury_member=True)
    user_set_roles(
        user=user,
        actor=certifier_admin,
        is_certifier_admin=False,
        organisation=organisation,
        is_jury_member=False,
        is_candidate=False,
        reason="Rejoint l'organisme",
    )
    (event,) = audit_trail(user)
    assert event.action == AuditAction.ROLES_CHANGED
    assert event.actor == certifier_admin
    assert event.before == {"rôles": ["Membre de jury"], "organisme": None}
    assert event.after == {"rôles": ["Personnel d'organisme de formation"], "organisme": "Lycée Jean Jaurès"}
    assert event.reason == "Rejoint l'organisme"


def test_setting_the_same_roles_records_nothing(certifier_admin) -> None:
    from accounts.services import user_set_roles

    user = UserFactory(is_candidate=True)
    user_set_roles(
        user=user,
        actor=certifier_admin,
        is_certifier_admin=False,
        organisation=None,
        is_jury_member=False,
        is_candidate=True,
    )
    assert audit_trail(user) == []


def test_roles_changed_in_the_django_admin_are_audited_and_shown_there(client, certifier_admin) -> None:
    user = UserFactory(email="lea@example.org", first_name="Léa", last_name="Martin", is_candidate=True)
    client.force_login(certifier_admin)
    url = f"/admin/accounts/user/{user.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k not in {"password", "groups"}}
    data.update(
        {
            "email": "lea@example.org",
            "first_name": "Léa",
            "last_name": "Martin",
            "is_candidate": "on",
            "is_jury_member": "on",
            "is_active": "on",
            "date_joined_0": "01/01/2026",
            "date_joined_1": "10:00:00",
        }
    )
    data.pop("is_certifier_admin", None)
    data.pop("date_joined", None)
    data.pop("last_login", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert user.is_jury_member and user.is_candidate
    (event,) = audit_trail(user)
    assert event.actor == certifier_admin
    assert event.before == {"rôles": ["Candidat"], "organisme": None}
    assert event.after == {"rôles": ["Membre de jury", "Candidat"], "organisme": None}
    assert event.reason == "Modifié dans l'administration Django"
    assert "Rôles modifiés" in client.get(url).content.decode()
