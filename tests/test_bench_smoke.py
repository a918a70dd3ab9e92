"""The load benchmark's data set and pages (bench/dataset.py, bench/load.py) at a tiny scale, in process: the
build goes through the services it calls, every page the benchmark asks for answers 200 to the user it is asked
as (a renamed URL or a page that starts to refuse them would make the benchmark measure error pages), and the
percentile is the nearest rank. No server, no load: `bench/load.py --scale 0.02` is the smoke run of those."""

from __future__ import annotations

import pytest
from django.test import Client

from bench import dataset, load


def test_the_percentile_is_the_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert load.percentile(values, 50) == 50
    assert load.percentile(values, 95) == 95
    assert load.percentile([3.0], 99) == 3
    assert load.percentile(values[:20], 95) == 19


@pytest.mark.django_db
def test_every_page_of_the_benchmark_answers_its_user_on_the_tiny_data_set(referential) -> None:
    actors = dataset.build(0.01, log=lambda *_: None)

    volumes = dataset.counts()
    assert volumes["candidates"] == 100
    assert volumes["sessions"] == 6
    assert volumes["grids"] > volumes["decisions"] > volumes["parchments"] > 0
    assert volumes["grades"] > volumes["grids"]
    users = {
        "admin": actors.admin.pk,
        "staff": actors.staff.pk,
        "evaluation_president": actors.evaluation_president.pk,
        "certification_president": actors.certification_president.pk,
        "candidate": actors.candidate.pk,
    }
    cookies = load.sessions_for(users)
    objects = {
        "candidate": actors.candidate_pk,
        "open_evaluation_jury": actors.open_evaluation_jury,
        "decided_evaluation_jury": actors.decided_evaluation_jury,
        "deciding_certification_jury": actors.deciding_certification_jury,
        "busiest_certification_jury": actors.busiest_certification_jury,
        "parchments_jury": actors.parchments_jury,
        "upcoming_session": actors.upcoming_session,
        "past_session": actors.past_session,
        "version": actors.version,
    }
    answers = {}
    for page in load.pages(objects):
        if page.path.endswith(".pdf"):
            continue  # WeasyPrint's first render costs seconds: the benchmark times it
        client = Client(HTTP_COOKIE=cookies[page.role])
        answers[page.name] = client.get(page.path).status_code
    assert answers == dict.fromkeys(answers, 200)
