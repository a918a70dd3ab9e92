"""Once the PV is signed by all, the decisions are locked: the pages no longer offer to change them (issue 14), they
say why — the same check the decision service makes (`juries.services.decision_blocker`)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from certificates.tests.conftest import Decided

pytestmark = pytest.mark.django_db


def _president(decided: Decided):
    president = decided.certification.president
    assert president is not None and president.user is not None
    return president.user


def test_before_the_signatures_the_president_is_offered_the_decision_form(client, decided: Decided) -> None:
    client.force_login(_president(decided))
    place = decided.decisions[0].place
    page = client.get(reverse("juries:decision", args=[decided.certification.pk, place.pk])).content.decode()
    assert "Enregistrer la décision" in page and 'data-testid="decision-blocked"' not in page
    board = client.get(reverse("juries:detail", args=[decided.certification.pk])).content.decode()
    assert ">Revoir<" in board


def test_a_signed_pv_locks_the_decisions_and_the_pages_say_so_instead_of_offering_them(client, signed: Decided) -> None:
    client.force_login(_president(signed))
    place = signed.decisions[0].place
    page = client.get(reverse("juries:decision", args=[signed.certification.pk, place.pk])).content.decode()
    assert "Enregistrer la décision" not in page
    assert "Le procès-verbal est signé par tous les membres : les décisions ne changent plus." in page
    board = client.get(reverse("juries:detail", args=[signed.certification.pk])).content.decode()
    assert ">Voir<" in board and ">Revoir<" not in board


def test_someone_who_does_not_keep_the_decision_is_not_offered_the_form(client, decided: Decided) -> None:
    client.force_login(decided.world.admin)
    place = decided.decisions[0].place
    page = client.get(reverse("juries:decision", args=[decided.certification.pk, place.pk])).content.decode()
    assert "Enregistrer la décision" not in page and 'data-testid="decision-blocked"' in page
