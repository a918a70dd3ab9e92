"""The certifier's pages stay light at ten years (issue 11): the deadlines page took 136 ms at p95 on the benchmark,
47 ms of it in one query that joined every decision of every certification jury to its notice and parchments,
then grouped and sorted those rows (with each PV's content) to count them. It now counts per jury in
one narrow pass over the decisions (no join that multiplies them), reads no PV content, and the history's count
and page count nothing again."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certificates.models import Parchment, ProcesVerbal
from certificates.tests.conftest import Decided

pytestmark = pytest.mark.django_db


def _deadlines_queries(client, decided: Decided, **params: str) -> list[str]:
    client.force_login(decided.world.admin)
    with CaptureQueriesContext(connection) as context:
        response = client.get(reverse("certificates:deadlines"), params)
    assert response.status_code == 200
    return [query["sql"] for query in context.captured_queries]


def test_the_deadlines_page_reads_no_pv_content(client, issued: Decided) -> None:
    """A signed PV holds every candidate's row (tens of kB): the page shows only its status."""
    assert ProcesVerbal.objects.get().content["candidates"]
    queries = _deadlines_queries(client, issued)
    assert not [sql for sql in queries if '"certificates_procesverbal"."content"' in sql]


@pytest.mark.parametrize("params", [{}, {"q": "2026"}])
def test_the_deadlines_page_counts_without_joining_the_parchments(client, issued: Decided, params) -> None:
    """Joining each decision to its parchments multiplied the rows grouped (and needed DISTINCT counts): the
    parchments sent are asked with a subquery instead."""
    queries = _deadlines_queries(client, issued, **params)
    assert not [sql for sql in queries if 'JOIN "certificates_parchment"' in sql]
    assert not [sql for sql in queries if "COUNT(DISTINCT" in sql]


def test_the_deadlines_history_count_counts_no_decision(client, issued: Decided) -> None:
    """The paginator's count says how many juries are done: the juries' counts are read once, by the page."""
    Parchment.objects.update(sent_at=timezone.localdate())  # every parchment sent: the jury is done
    queries = _deadlines_queries(client, issued)
    counts = [sql for sql in queries if sql.startswith("SELECT COUNT(*)")]
    assert len(counts) == 1
    assert len(re.findall(r"COUNT\(", counts[0])) == 1, counts[0]
    html = client.get(reverse("certificates:deadlines")).content.decode()
    assert html[html.index('data-testid="deadlines-history"') :].count('data-testid="deadline-row"') == 1


def test_a_holder_whose_parchment_was_cancelled_keeps_the_jury_open(client, issued: Decided) -> None:
    """Counted per decision: a holder is done once a valid parchment of theirs is sent, whatever else was issued."""
    first, second = Parchment.objects.order_by("number")
    Parchment.objects.filter(pk=first.pk).update(sent_at=timezone.localdate())
    Parchment.objects.filter(pk=second.pk).update(status="cancelled", cancel_reason="Erreur sur le prénom.")
    client.force_login(issued.world.admin)
    html = client.get(reverse("certificates:deadlines")).content.decode()
    open_part = html[html.index('data-testid="deadlines-open"') : html.index('data-testid="deadlines-history"')]
    assert open_part.count('data-testid="deadline-row"') == 1
    assert "1 à envoyer" in open_part
