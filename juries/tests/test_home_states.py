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
