"""What a jury member's home says of each jury is true (issue 14): an empty certification jury has nothing to decide
yet, it is not "all decided"."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.worlds import World

pytestmark = pytest.mark.django_db


def test_an_empty_certification_jury_says_nothing_was_transmitted_not_that_all_is_decided(client, world: World) -> None:
    world.certification_jury()
    client.force_login(world.cert_president.user)
    text = client.get(reverse("home")).content.decode()
    assert "Aucune session transmise pour l&#x27;instant : rien à décider." in text or (
        "Aucune session transmise pour l'instant : rien à décider." in text
    )
    assert "Toutes les décisions sont prises" not in text


def test_a_recusal_shows_on_the_jury_page_as_soon_as_the_composition_reveals_it_before_the_attendance(
    client, world: World
) -> None:
    import datetime as dt

    from django.utils import timezone

    from demo.builders import enrol, make_candidate
    from evaluations import services as evaluation_services
    from evaluations.models import SessionMode
    from juries import services
    from juries.tests.services.helpers import jury_member_for

    candidate = make_candidate(world.organisation, 9, created_by=world.staff, company_name="Maison Verlaine")
    session = evaluation_services.session_schedule(
        version=world.version,
        organisation=world.organisation,
        starts_on=timezone.localdate() + dt.timedelta(days=40),
        ends_on=None,
        mode=SessionMode.ON_SITE,
        address="58 rue du Louvre, 75002 Paris",
        created_by=world.staff,
    )
    evaluation_services.session_add_candidate(session=session, enrolment=enrol(candidate, world.version))
    jury = services.evaluation_jury_create(session=session, created_by=world.admin)
    colleague = jury_member_for(world, "collegue@example.org", "employees", company_name=candidate.company_name)
    services.jury_assign(jury=jury, member=colleague, assigned_by=world.admin)
    client.force_login(world.admin)
    recusals = client.get(reverse("juries:detail", args=[jury.pk])).content.decode().split('data-testid="recusal-list"')
    assert colleague.name in recusals[1].split("</ul>")[0]
    assert candidate.display_name in recusals[1].split("</ul>")[0]
