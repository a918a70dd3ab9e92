from __future__ import annotations

from cqp.lib.blocks import codes_text, natural_sorted


def test_blocks_come_in_their_natural_order() -> None:
    assert natural_sorted(["BC10", "BC2", "BC1", "BC10a"]) == ["BC1", "BC2", "BC10", "BC10a"]


def test_codes_text_joins_them_with_commas() -> None:
    assert codes_text(["BC10", "BC2"]) == "BC2, BC10"
    assert codes_text([]) == ""


def test_codes_without_digits_or_only_digits_sort_without_error() -> None:
    assert natural_sorted(["B", "2", "A1"]) == ["2", "A1", "B"]
