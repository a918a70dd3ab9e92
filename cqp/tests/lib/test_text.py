from __future__ import annotations

from cqp.lib.text import fold, words


def test_it_drops_accents_and_case() -> None:
    assert fold("Élodie LE-GOFF") == "elodie le-goff"


def test_it_spells_out_ligatures_unicode_does_not_decompose() -> None:
    assert fold("Cœur Strauß Æsir Łódź") == "coeur strauss aesir lodz"


def test_words_split_on_anything_but_letters_and_digits() -> None:
    assert words("  LE-GOFF,  Élodie n°2 ") == ["le", "goff", "elodie", "n", "2"]


def test_words_of_an_empty_text_are_none() -> None:
    assert words(" - ") == []
