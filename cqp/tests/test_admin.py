"""The Django admin shows the referential but does not bypass the services that freeze its rules."""

from __future__ import annotations

import pytest

from cqp.models import Competency

pytestmark = pytest.mark.django_db


def test_the_referential_is_read_only_in_the_django_admin(client, certifier_admin, referential) -> None:
    competency = Competency.objects.get(block__version__rncp_code="RNCP26850", code="C1.4")
    client.force_login(certifier_admin)

    assert client.get("/admin/cqp/block/").status_code == 200
    assert client.get(f"/admin/cqp/competency/{competency.pk}/change/").status_code in (302, 403, 404)
    assert client.get("/admin/cqp/certificationversion/add/").status_code == 403
    page = client.get(f"/admin/cqp/block/{competency.block_id}/change/")
    assert page.status_code == 200
    assert b'name="threshold_percent"' not in page.content  # shown, not editable

    response = client.post(f"/admin/cqp/block/{competency.block_id}/change/", {"threshold_percent": "10"})
    assert response.status_code == 403
    competency.block.refresh_from_db()
    assert competency.block.threshold_percent == 60


def test_organisations_remain_editable_in_the_admin(client, certifier_admin, referential) -> None:
    client.force_login(certifier_admin)
    assert client.get("/admin/cqp/trainingorganisation/add/").status_code == 200
