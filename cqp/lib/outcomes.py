"""A jury's outcome in words, the same on the pages, in the exports, on the PV and in messages."""

from __future__ import annotations

from collections.abc import Iterable

from cqp.lib.blocks import codes_text
from juries.models import OutcomeKind


def outcome_words(kind: str | None, blocks: Iterable[str] | str = (), *, empty: str = "—", lower: bool = False) -> str:
    """« Attribution totale », « Attribution partielle : BC1, BC10 » (the blocks in their natural order, or
    already written out when `blocks` is a string), « Non-attribution »; `empty` for no outcome. `lower`: the
    label in lower case for the middle of a sentence (the block codes keep theirs)."""
    if not kind:
        return empty
    label = str(OutcomeKind(kind).label)
    if lower:
        label = label.lower()
    if kind != OutcomeKind.PARTIAL:
        return label
    text = blocks if isinstance(blocks, str) else codes_text(blocks)
    return f"{label} : {text}" if text else label
