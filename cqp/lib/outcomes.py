"""A jury's outcome in words, the same on the pages, in the exports, on the PV and in messages.

The outcome is a plain string, the values of `juries.models.OutcomeKind` (and of `cqp.rules.OutcomeKind`): the
library knows their words without depending on a domain app."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cqp.lib.blocks import codes_text

PARTIAL = "partial"
LABELS: dict[str, Promise] = {
    "total": _("Attribution totale"),
    PARTIAL: _("Attribution partielle"),
    "none": _("Non-attribution"),
}


def outcome_words(kind: str | None, blocks: Iterable[str] | str = (), *, empty: str = "—", lower: bool = False) -> str:
    """« Attribution totale », « Attribution partielle : BC1, BC10 » (the blocks in their natural order, or
    already written out when `blocks` is a string), « Non-attribution »; `empty` for no outcome. `lower`: the
    label in lower case for the middle of a sentence (the block codes keep theirs)."""
    if not kind:
        return empty
    if kind not in LABELS:
        raise ValueError(f"{kind!r} is not an outcome")
    label = str(LABELS[kind])
    if lower:
        label = label.lower()
    if kind != PARTIAL:
        return label
    text = blocks if isinstance(blocks, str) else codes_text(blocks)
    return f"{label} : {text}" if text else label
