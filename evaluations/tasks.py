"""Convocation e-mails, sent one per task: thin, idempotent, retried on transient errors."""

from __future__ import annotations

import smtplib

from celery import shared_task
from django.core.mail import EmailMessage

from evaluations import services
from evaluations.convocation import convocation_ics, convocation_text
from evaluations.models import ConvocationStatus, SessionCandidate


@shared_task(bind=True, max_retries=3, default_retry_delay=60)
def convocation_send(self, *, place_id: int) -> str:  # type: ignore[no-untyped-def]
    # Claim the row: a second delivery of the same task finds it no longer queued and sends nothing.
    claimable = [ConvocationStatus.QUEUED] + ([ConvocationStatus.SENDING] if self.request.retries else [])
    claimed = SessionCandidate.objects.filter(pk=place_id, convocation_status__in=claimable).update(
        convocation_status=ConvocationStatus.SENDING
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
        if self.request.retries < self.max_retries:
            raise self.retry(exc=exc) from exc
        services.convocation_mark(place_id=place_id, error=f"{type(exc).__name__} : {exc}")
        return "failed"
    services.convocation_mark(place_id=place_id)
    return "sent"
