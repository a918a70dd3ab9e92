"""`{% load bounds %}` then `{{ comment|breakable }}`: long unbroken words made breakable for the PDF renderers."""

from __future__ import annotations

from django import template

from cqp.lib.bounds import breakable as _breakable

register = template.Library()


@register.filter
def breakable(text: object) -> str:
    return _breakable("" if text is None else str(text))
