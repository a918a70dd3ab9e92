"""Fixed-window counters in the shared cache: how many requests under a key this hour."""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.utils import timezone

HOUR = 3600


def within_hourly_limit(key: str, limit: int, *, now: dt.datetime | None = None) -> bool:
    """Count one request under `key` in the current hour and say whether it is still within `limit`. The count
    lives in the shared cache (`add` then `incr`, both atomic): per process without Redis, shared with it. A
    fixed window keyed by the hour keeps it to one key per counted thing."""
    window = int((now or timezone.now()).timestamp()) // HOUR
    full_key = f"{key}:{window}"
    # A little longer than the window: the key must not expire while its hour is still running.
    cache.add(full_key, 0, timeout=HOUR + 60)
    try:
        count = cache.incr(full_key)
    except ValueError:  # evicted between add and incr: this request starts the count again
        cache.add(full_key, 1, timeout=HOUR + 60)
        count = 1
    return count <= limit
