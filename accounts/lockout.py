"""Login throttling with django-axes: who is counted, when an account or an address is locked, and the page
that says until when.

Failed logins are counted per account (the e-mail typed, normalised) and per client address, in the database
(`axes.AccessAttempt`), so every worker and process shares one count on SQLite as on PostgreSQL. An account is
locked after `AXES_FAILURE_LIMIT` failures, an address after `AXES_IP_FAILURE_LIMIT` (higher, since an office
shares one address), each until `AXES_COOLOFF_TIME` after its last failure."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.db.models import Max, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from certificates.verification import client_address


def attempted_username(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str | None:
    """The account an attempt aims at, as the login backend reads it: e-mails are stored lower-case, so
    "Jury@Example.org " and "jury@example.org" count together."""
    value = None
    if credentials:
        value = credentials.get("username") or credentials.get("email")
    if value is None and request is not None:
        value = request.POST.get("username")
    return value.strip().lower()[:255] if isinstance(value, str) else None


def attempt_address(request: HttpRequest) -> str | None:
    """The client address counted, the same as the public verification's rate limit (trusted proxies only,
    an IPv6 /64 as one address, written as its first address)."""
    address = client_address(request.META, trusted_proxies=settings.TRUSTED_PROXY_COUNT)
    return address.split("/")[0] or None


class LockoutHandler(AxesDatabaseHandler):  # type: ignore[misc]
    """Axes' database handler with one limit per parameter, where Axes has one for all: the account's
    failures against `AXES_FAILURE_LIMIT`, the address's against `AXES_IP_FAILURE_LIMIT`. A successful login
    clears the failures of that account only: logging into one's own account must not wipe the count of an
    address that is trying others' passwords."""

    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        # Reported on the account's scale (Axes compares it with AXES_FAILURE_LIMIT): a locked address
        # reads as a locked account.
        by_account, by_address = (_failures(attempts) for attempts in self.get_user_attempts(request, credentials))
        if by_address >= settings.AXES_IP_FAILURE_LIMIT:
            return max(by_account, settings.AXES_FAILURE_LIMIT)
        return by_account

    def reset_user_attempts(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        by_account = self.get_user_attempts(request, credentials)[0]
        count, _deleted = by_account.delete()
        return int(count)

    def locked_until(self, request: Any, credentials: dict[str, Any] | None = None) -> dt.datetime:
        """When the lockout ends: the cool-off after the last failure of the locked account or address."""
        by_account, by_address = self.get_user_attempts(request, credentials)
        limits = ((by_account, settings.AXES_FAILURE_LIMIT), (by_address, settings.AXES_IP_FAILURE_LIMIT))
        now = timezone.now()
        last = max(
            (_last_failure(attempts) or now for attempts, limit in limits if _failures(attempts) >= limit),
            default=now,
        )
        cool_off: dt.timedelta = get_cool_off(request) or dt.timedelta(0)
        return last + cool_off


def _failures(attempts: QuerySet[Any]) -> int:
    return int(attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0)


def _last_failure(attempts: QuerySet[Any]) -> dt.datetime | None:
    last: dt.datetime | None = attempts.aggregate(last=Max("attempt_time"))["last"]
    return last


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """The lockout page (429): the login is suspended until a given time, with a Retry-After header."""
    retry_at = LockoutHandler().locked_until(request, credentials)
    seconds = max(1, math.ceil((retry_at - timezone.now()).total_seconds()))
    response = render(
        request, "accounts/lockout.html", {"retry_at": retry_at, "minutes": math.ceil(seconds / 60)}, status=429
    )
    response["Retry-After"] = str(seconds)
    return response
