"""The badge saying a result's state (`juries.lifecycle`: label, explanation as its title) and its carry-over
flag, on every page that shows a certification jury's result. Reads the annotations of
`juries.result_pages.with_state`: no query for a decision listed that way. Each distinct badge is rendered once
per page (a board lists many results of a few states)."""

from __future__ import annotations

from typing import Any, cast

from django import template
from django.template.loader import get_template
from django.utils.safestring import SafeString

from juries import result_pages, result_state
from juries.models import Decision

register = template.Library()


def _badge(context: template.Context, value: str, flag: int | None) -> SafeString:
    user = context.get("user")
    admin = bool(getattr(user, "is_certifier_admin", False))
    if "result_state_badges" not in context.render_context:
        context.render_context["result_state_badges"] = {}
    cache = cast(dict[tuple[str, int | None, bool], SafeString], context.render_context["result_state_badges"])
    key = (value, flag, admin)
    if key not in cache:
        # The template's own output, escaped as it renders.
        cache[key] = SafeString(
            get_template("juries/_result_state.html").render(
                {"state": result_state.StateView(value), "flag": flag, "admin": admin}
            )
        )
    return cache[key]


@register.simple_tag(takes_context=True)
def result_state_badge(context: template.Context, decision: Decision | None) -> Any:
    """The state of `decision` (nothing for None) and, when it has one, its unresolved carry-over flag."""
    if decision is None:
        return ""
    return _badge(context, result_state.state(decision), result_pages.open_flag(decision))


@register.simple_tag(takes_context=True)
def state_badge(context: template.Context, value: str) -> Any:
    """The badge of a state given by its value (`juries.lifecycle.STATES`)."""
    return _badge(context, value, None)
