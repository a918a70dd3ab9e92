"""Rendering PVs and parchments, notifying results: thin tasks that take ids, claim their row and call the
services (`certificates.services`, Renders and results), and can run twice without harm.

A duplicate delivery finds the row done, or claimed, and does nothing. Tasks are acknowledged late: a message
whose worker died is delivered again, and its claim, once stale, is taken over."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError

from certificates import services
from certificates.models import Parchment, ProcesVerbal
from cqp.lib.claims import mail_deliver

# Retried by Celery; any other error marks the row failed at once (a resume queues it again).
TRANSIENT = (OperationalError, OSError, ConnectionError, TimeoutError, SoftTimeLimitExceeded)
logger = logging.getLogger(__name__)
_Row = TypeVar("_Row", Parchment, ProcesVerbal)


def _failed(task: Any, row: Parchment | ProcesVerbal, exc: Exception, what: str) -> str:
    """Said on the row, never left "rendering"; a transient error is retried by Celery."""
    services.render_fail(row, exc)
    if isinstance(exc, TRANSIENT) and not task.request.is_eager and task.request.retries < task.max_retries:
        raise task.retry(exc=exc) from exc
    logger.exception("Rendu %s %s en échec", what, row.pk)
    return "failed"


def _render(task: Any, row: _Row | None, render: Callable[[_Row], str], what: str) -> str:
    if row is None:
        return "skipped"
    try:
        return render(row)
    except Exception as exc:
        return _failed(task, row, exc, what)


@shared_task(bind=True, acks_late=True, max_retries=5, default_retry_delay=5)
def parchment_render(self: Task[Any, str], *, parchment_id: int) -> str:
    claimed = services.parchment_render_claim(parchment_id=parchment_id)
    return _render(self, claimed, services.parchment_render, "du parchemin")


@shared_task(bind=True, acks_late=True, max_retries=5, default_retry_delay=5)
def pv_render(self: Task[Any, str], *, pv_id: int) -> str:
    return _render(self, services.pv_render_claim(pv_id=pv_id), services.pv_render, "du procès-verbal")


@shared_task(bind=True, acks_late=True, max_retries=3, default_retry_delay=60)
def result_notify(self: Task[Any, str], *, notice_id: int) -> str:
    # A retry holds the claim it made: it takes it back at once.
    notice = services.notice_claim(notice_id=notice_id, retaking=bool(self.request.retries))
    if notice is None:
        return "skipped"
    message = services.notice_message(notice)
    return mail_deliver(self, send=message.send, mark=lambda error: services.notice_mark(notice=notice, error=error))
