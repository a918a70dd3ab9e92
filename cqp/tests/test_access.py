"""The referential's getters (`cqp.access`): an admin-only page refuses another role with a 403 before any lookup,
then answers 404 to an admin for an object that does not exist."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from cqp.access import block_for_admin, competency_for_admin
from tests.factories import BlockFactory, CompetencyFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("getter", [block_for_admin, competency_for_admin])
@pytest.mark.parametrize("role", ["staff", "jury_member", "candidate_user"])
def test_other_roles_get_a_403_whether_the_object_exists_or_not(request, getter, role) -> None:
    user = request.getfixturevalue(role)
    existing = (BlockFactory if getter is block_for_admin else CompetencyFactory)().pk
    for pk in (existing, existing + 1000):
        with pytest.raises(PermissionDenied, match="réservée aux administrateurs du certificateur"):
            getter(user, pk)


@pytest.mark.parametrize("getter", [block_for_admin, competency_for_admin])
def test_the_admin_gets_the_object_or_a_404(certifier_admin, getter) -> None:
    existing = (BlockFactory if getter is block_for_admin else CompetencyFactory)()
    assert getter(certifier_admin, existing.pk) == existing
    with pytest.raises(Http404):
        getter(certifier_admin, existing.pk + 1000)
