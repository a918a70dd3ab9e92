"""`{{ kind|outcome_words:blocks }}`: an outcome in the words of `cqp.lib.outcomes`."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from cqp.lib import outcomes

register = template.Library()


@register.filter
def outcome_words(kind: str | None, blocks: Iterable[str] | str = ()) -> str:
    return outcomes.outcome_words(kind, blocks or ())
