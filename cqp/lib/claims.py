"""Claiming a row for a task, so that a task delivered twice (or by a worker that died) does its work once.

The row is the truth: a task takes it with a conditional update from a waiting status to a taken one, stamped
with the time of the claim; a claim older than `stale` was left by a worker that died and may be taken over.
The time of the claim is the task's token: it marks the row done only if the row still holds it."""

from __future__ import annotations

import datetime as dt
import smtplib
from collections.abc import Callable, Collection
from typing import Any

from django.conf import settings
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

# What a mail server or the network answers when it may answer otherwise later.
MAIL_ERRORS = (smtplib.SMTPException, ConnectionError, TimeoutError)


def claimable(
    now: dt.datetime, *, status: str, claimed_at: str, waiting: Collection[str], taken: str, stale: dt.timedelta
) -> Q:
    """Rows a task may take: in a waiting status, or taken longer ago than `stale`."""
    return Q(**{f"{status}__in": list(waiting)}) | Q(**{status: taken, f"{claimed_at}__lt": now - stale})


def claim(
    rows: QuerySet[Any],
    pk: int,
    *,
    status: str,
    claimed_at: str,
    waiting: Collection[str],
    taken: str,
    stale: dt.timedelta,
    retaking: bool = False,
    **also: Any,
) -> dt.datetime | None:
    """Take row `pk` (status → `taken`, `claimed_at` → now, plus `also`) if it is claimable; `retaking`, a retry
    of the task that holds the claim, takes it back whatever its age. The time of the claim, or None when the
    row is done or held by another worker."""
    now = timezone.now()
    condition = claimable(now, status=status, claimed_at=claimed_at, waiting=waiting, taken=taken, stale=stale)
    if retaking:
        condition |= Q(**{status: taken})
    changes = {status: taken, claimed_at: now, **also}
    return now if rows.filter(condition, pk=pk).update(**changes) == 1 else None


def mail_stale() -> dt.timedelta:
    """How old a mail claim must be to be taken over: `MAIL_CLAIM_STALE_SECONDS`."""
    return dt.timedelta(seconds=settings.MAIL_CLAIM_STALE_SECONDS)


def mail_claim(
    model: type[Model], pk: int, *, status: str, claimed_at: str, queued: str, sending: str, retaking: bool
) -> bool:
    """Take an e-mail to send (queued → sending); a claim older than `MAIL_CLAIM_STALE_SECONDS` was left by a
    worker that died."""
    rows = model._default_manager.all()
    return (
        claim(
            rows,
            pk,
            status=status,
            claimed_at=claimed_at,
            waiting=[queued],
            taken=sending,
            stale=mail_stale(),
            retaking=retaking,
        )
        is not None
    )


def mail_deliver(task: Any, *, send: Callable[[], object], mark: Callable[[str], None]) -> str:
    """Send a claimed e-mail and record the outcome with `mark(error)` ("" once sent). A transient error is
    retried by Celery while retries remain; inline (no broker), a retry would raise out of the caller's commit,
    so the failure is recorded at once, visibly. Returns "sent" or "failed"."""
    try:
        send()
    except MAIL_ERRORS as exc:
        if task.request.retries < task.max_retries and not task.request.is_eager:
            raise task.retry(exc=exc) from exc
        mark(f"{type(exc).__name__} : {exc}")
        return "failed"
    mark("")
    return "sent"
