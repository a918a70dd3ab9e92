"""Formatting for the PV's content, whose dates are kept as ISO text (the signed fingerprint is over JSON)."""

from __future__ import annotations

import datetime as dt

from django import template

register = template.Library()


@register.filter
def isodate(value: str) -> dt.date | str:
    """« 2026-11-23 » → a date, for the `date` filter; anything else unchanged."""
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return value
