"""Claiming a row for a task, so that a task delivered twice (or by a worker that died) does its work once.

The row is the truth: a task takes it with a conditional update from a waiting status to a taken one, stamped
with the time of the claim; a claim older than the stale delay was left by a worker that died and may be taken
over. The time of the claim is the task's token: it marks the row done only if the row still holds it."""

from __future__ import annotations

import datetime as dt
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

_M = TypeVar("_M", bound=Model)

# What a mail server or the network answers when it may answer otherwise later.
MAIL_ERRORS = (smtplib.SMTPException, ConnectionError, TimeoutError)


@dataclass(frozen=True)
class Claim:
    """How rows of one kind are claimed: their status and claim-time fields, the statuses a task may take, the
    status a claimed row has, and the setting (seconds) after which a claim was abandoned."""

    status: str
    claimed_at: str
    waiting: tuple[str, ...]
    taken: str
    stale_setting: str

    def stale(self) -> dt.timedelta:
        return dt.timedelta(seconds=getattr(settings, self.stale_setting))

    def claimable(self, now: dt.datetime) -> Q:
        """Rows a task may take: waiting, or taken longer ago than the stale delay."""
        return Q(**{f"{self.status}__in": list(self.waiting)}) | Q(
            **{self.status: self.taken, f"{self.claimed_at}__lt": now - self.stale()}
        )

    def take(self, rows: QuerySet[Any], pk: int, *, retaking: bool = False, **also: Any) -> dt.datetime | None:
        """Take row `pk` if it is claimable (status → taken, claim time → now, plus `also`); `retaking`, a retry
        of the task that holds the claim, takes it back whatever its age. The time of the claim, or None when
        the row is done or held by another worker."""
        now = timezone.now()
        condition = self.claimable(now)
        if retaking:
            condition |= Q(**{self.status: self.taken})
        changes = {self.status: self.taken, self.claimed_at: now, **also}
        return now if rows.filter(condition, pk=pk).update(**changes) == 1 else None

    def settle(self, rows: QuerySet[Any], pk: int, claimed_at: dt.datetime | None, **changes: Any) -> bool:
        """Record the outcome of the work on row `pk` (`changes`), only if the row still holds the claim taken at
        `claimed_at`: a worker whose claim was taken over (it was thought dead) leaves the other one's result."""
        held = Q(**{self.status: self.taken, self.claimed_at: claimed_at}, pk=pk)
        return rows.filter(held).update(**changes) == 1

    def claimed(self, rows: QuerySet[_M], pk: int, *, retaking: bool = False, **also: Any) -> _M | None:
        """`take`, then the row read from `rows` (with what it selects); None when it was not taken."""
        return None if self.take(rows, pk, retaking=retaking, **also) is None else rows.get(pk=pk)


def mail_claim(*, status: str, claimed_at: str, queued: str, sending: str) -> Claim:
    """The claim of an e-mail to send (queued → sending), abandoned after `MAIL_CLAIM_STALE_SECONDS`."""
    return Claim(
        status=status,
        claimed_at=claimed_at,
        waiting=(queued,),
        taken=sending,
        stale_setting="MAIL_CLAIM_STALE_SECONDS",
    )


def mail_deliver(task: Any, *, send: Callable[[], object], mark: Callable[[str], object]) -> str:
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
