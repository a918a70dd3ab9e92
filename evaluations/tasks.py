"""Convocation e-mails, sent one per task: thin, idempotent, retried on transient errors."""

from __future__ import annotations

import datetime as dt
import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Q
from django.utils import timezone

from evaluations import services
from evaluations.convocation import convocation_ics, convocation_text
from evaluations.models import ConvocationStatus, SessionCandidate

STALE_CLAIM = dt.timedelta(seconds=2 * settings.CELERY_TASK_TIME_LIMIT)


@shared_task(bind=True, max_retries=3, default_retry_delay=60)
def convocation_send(self, *, place_id: int) -> str:  # type: ignore[no-untyped-def]
    # Claim the row: a second delivery of the same task finds it being sent and sends nothing. A claim
    # older than the task's time limit was left by a worker that died: it may be taken over.
    now = timezone.now()
    claimable = Q(convocation_status=ConvocationStatus.QUEUED) | Q(
        convocation_status=ConvocationStatus.SENDING, convocation_claimed_at__lt=now - STALE_CLAIM
    )
    if self.request.retries:
        claimable |= Q(convocation_status=ConvocationStatus.SENDING)
    claimed = SessionCandidate.objects.filter(claimable, pk=place_id).update(
        convocation_status=ConvocationStatus.SENDING, convocation_claimed_at=now
    )
    if not claimed:
        return "skipped"
    place = SessionCandidate.objects.select_related(
        "session__version", "session__organisation", "enrolment__candidate"
    ).get(pk=place_id)
    subject, body = convocation_text(place)
    message = EmailMessage(subject=subject, body=body, to=[place.enrolment.candidate.email])
    message.attach("convocation.ics", convocation_ics(place), "text/calendar")
    try:
        message.send()
    except (smtplib.SMTPException, ConnectionError, TimeoutError) as exc:
        # Inline (no broker), a retry would raise out of the caller's commit: fail at once, visibly.
        if self.request.retries < self.max_retries and not self.request.is_eager:
            raise self.retry(exc=exc) from exc
        services.convocation_mark(place_id=place_id, error=f"{type(exc).__name__} : {exc}")
        return "failed"
    services.convocation_mark(place_id=place_id)
    return "sent"
