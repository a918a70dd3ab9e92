"""Presentation helpers of the referential models."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from cqp.models import block_rule_in_words
from tests.factories import VersionFactory


def test_the_rule_of_a_block_is_stated_in_words_with_the_exact_minimum() -> None:
    assert block_rule_in_words(threshold_percent=60, total=5, mandatory_codes=["C1.1", "C1.2", "C1.3"]) == (
        "Bloc validé si au moins 60 % des compétences sont acquises (soit 3 sur 5) "
        "et si les compétences C1.1, C1.2 et C1.3 sont acquises."
    )
    assert block_rule_in_words(threshold_percent=60, total=6, mandatory_codes=["C2.4"]) == (
        "Bloc validé si au moins 60 % des compétences sont acquises (soit 4 sur 6) "
        "et si la compétence C2.4 est acquise."
    )
    assert block_rule_in_words(threshold_percent=75, total=12, mandatory_codes=[]) == (
        "Bloc validé si au moins 75 % des compétences sont acquises (soit 9 sur 12)."
    )


def test_a_block_without_competency_says_it_cannot_be_assessed() -> None:
    assert "ne peut pas encore être évalué" in block_rule_in_words(threshold_percent=60, total=0, mandatory_codes=[])


@pytest.mark.django_db
def test_a_registration_is_expired_only_after_its_end_date() -> None:
    version = VersionFactory.build(registration_start=dt.date(2018, 8, 7), registration_end=dt.date(2023, 8, 7))
    with time_machine.travel(dt.datetime(2023, 8, 7, 12, tzinfo=dt.UTC)):
        assert version.registration_expired is False
    with time_machine.travel(dt.datetime(2023, 8, 8, 12, tzinfo=dt.UTC)):
        assert version.registration_expired is True
    assert VersionFactory.build(registration_end=None).registration_expired is False


@pytest.mark.django_db
def test_rncp_number_is_written_with_a_space() -> None:
    assert VersionFactory.build(rncp_code="RNCP31313").rncp_number == "RNCP 31313"
