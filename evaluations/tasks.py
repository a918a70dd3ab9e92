"""Convocation e-mails, sent one per task: thin, idempotent, retried on transient errors."""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task

from cqp.lib.claims import mail_deliver
from evaluations import services
from evaluations.convocation import convocation_claim, convocation_message


@shared_task(bind=True, max_retries=3, default_retry_delay=60)
def convocation_send(self: Task[Any, str], *, place_id: int) -> str:
    # A retry holds the claim it made: it takes it back at once.
    place = convocation_claim(place_id=place_id, retaking=bool(self.request.retries))
    if place is None:
        return "skipped"
    too_late = services.convocation_too_late(place)
    if too_late is not None:
        services.convocation_mark(place=place, error=too_late)
        return "failed"
    message = convocation_message(place)
    return mail_deliver(self, send=message.send, mark=lambda error: services.convocation_mark(place=place, error=error))
