from __future__ import annotations

import pytest

from cqp.lib import siret


@pytest.mark.parametrize("value", ["73282932000074", "35600000000048", "35600000049837"])
def test_a_siret_with_a_right_key_is_valid(value: str) -> None:
    assert siret.is_valid(value)
    assert siret.error(value) is None


@pytest.mark.parametrize("value", ["73282932000075", "7328293200007", "732829320000745", "7328293200007A", ""])
def test_a_siret_that_is_not_14_digits_with_a_right_key_is_refused_in_french(value: str) -> None:
    assert not siret.is_valid(value)
    assert siret.error(value) == "SIRET invalide : 14 chiffres dont la clé de contrôle est juste."


def test_la_poste_may_sum_its_digits_to_a_multiple_of_5_instead() -> None:
    assert siret.is_valid("35600000000048")  # Luhn wrong, digits sum to 25
    assert not siret.is_valid("35600000000012")


def test_the_siren_is_the_first_nine_digits() -> None:
    assert siret.siren("73282932000074") == "732829320"
    assert siret.siren("1234") == ""


def test_clean_drops_spaces() -> None:
    assert siret.clean(" 732 829 320 00074 ") == "73282932000074"


@pytest.mark.parametrize("value", ["00000000000000", "000 000 000 00000"])
def test_a_siret_of_zeros_is_refused_though_its_luhn_key_is_right(value: str) -> None:
    value = siret.clean(value)
    assert siret._luhn(value)  # the checksum alone lets it through
    assert not siret.is_valid(value)
    assert siret.error(value) == "SIRET invalide : 14 chiffres dont la clé de contrôle est juste."


def test_a_siret_whose_siren_is_zeros_is_refused() -> None:
    assert siret._luhn("00000000000018")
    assert not siret.is_valid("00000000000018")
