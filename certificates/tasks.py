"""Rendering PVs and parchments, notifying results: thin tasks that can run twice without harm.

Each task claims its row with a conditional update (pending or failed → rendering, or a rendering claim left by
a worker that died longer ago than `STALE`), renders outside any transaction, stores the file through Django's
storage API and marks the row done only if it still holds the claim. A duplicate delivery finds the row done,
or claimed, and does nothing. Tasks are acknowledged late: a message whose worker died is delivered again."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import smtplib
import time

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.core.mail import EmailMessage
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from certificates import rendering, services
from certificates.models import (
    NoticeStatus,
    Parchment,
    ParchmentVersion,
    ProcesVerbal,
    RenderStatus,
    ResultNotice,
    document_storage,
    render_unfinished,
)

STALE = dt.timedelta(seconds=settings.CERTIFICATES_RENDER_STALE_SECONDS)
# Retried by Celery; any other error marks the row failed at once (a resume queues it again).
TRANSIENT = (OperationalError, OSError, ConnectionError, TimeoutError, SoftTimeLimitExceeded)
logger = logging.getLogger(__name__)


def _claim(model: type, pk: int, **also: object) -> bool:
    now = timezone.now()
    changes = {"render_status": RenderStatus.RENDERING, "render_claimed_at": now, **also}
    return model.objects.filter(render_unfinished(now), pk=pk).update(**changes) == 1


def _failed(task, model: type, pk: int, claimed_at: dt.datetime | None, exc: Exception, what: str) -> str:  # type: ignore[no-untyped-def]
    """Said on the row (the page shows it, `renders_resume` queues it again), never left "rendering"; a
    transient error is retried by Celery."""
    model.objects.filter(pk=pk, render_claimed_at=claimed_at).update(
        render_status=RenderStatus.FAILED, render_error=f"{type(exc).__name__} : {exc}"[:2000]
    )
    if isinstance(exc, TRANSIENT) and not task.request.is_eager and task.request.retries < task.max_retries:
        raise task.retry(exc=exc) from exc
    logger.exception("Rendu %s %s en échec", what, pk)
    return "failed"


def _discard(storage: Storage, name: str | None) -> None:
    """Delete a file this render stored, unless it is issued paper (a recorded version points at it)."""
    if name and not ParchmentVersion.objects.filter(pdf=name).exists():
        storage.delete(name)


def _pause() -> None:
    # Only for the reliability tests: widens the window in which a worker can be stopped mid-render.
    if settings.CERTIFICATES_RENDER_PAUSE:
        time.sleep(settings.CERTIFICATES_RENDER_PAUSE)


@shared_task(bind=True, acks_late=True, max_retries=5, default_retry_delay=5)
def parchment_render(self, *, parchment_id: int) -> str:  # type: ignore[no-untyped-def]
    if not _claim(Parchment, parchment_id, render_attempts=F("render_attempts") + 1):
        return "skipped"
    parchment = Parchment.objects.get(pk=parchment_id)
    claimed_at = parchment.render_claimed_at
    storage = document_storage()
    name = None
    try:
        pdf = rendering.render_parchment(parchment)
        _pause()
        digest = hashlib.sha256(pdf).hexdigest()
        upload_to = Parchment._meta.get_field("pdf").upload_to
        name = storage.save(
            f"{upload_to}{parchment.certifier_id}-{parchment.display_number}-v{parchment.version}.pdf", ContentFile(pdf)
        )
        rendered_at = timezone.now()
        with transaction.atomic():
            # A version already recorded (its row written, then this one re-queued by hand) is issued paper:
            # it stands, and the row points at it again rather than at a second file of the same version.
            issued = ParchmentVersion.objects.filter(parchment_id=parchment_id, version=parchment.version).first()
            if issued is not None:
                _discard(storage, name)
                name, digest, rendered_at = issued.pdf.name, issued.pdf_sha256, issued.rendered_at
            # The claim is checked and the row marked done in one conditional update: if another worker took
            # the claim over (this one was thought dead), its result stands and this one is undone.
            done = Parchment.objects.filter(
                pk=parchment_id, render_status=RenderStatus.RENDERING, render_claimed_at=claimed_at
            ).update(
                pdf=name,
                pdf_sha256=digest,
                rendered_at=rendered_at,
                render_status=RenderStatus.DONE,
                render_error="",
                reissue_reason="",
                reissue_requested_by=None,
            )
            if done and issued is None:
                ParchmentVersion.objects.create(
                    parchment_id=parchment_id,
                    version=parchment.version,
                    reason=parchment.reissue_reason,
                    pdf=name,
                    pdf_sha256=digest,
                    rendered_at=rendered_at,
                    requested_by_id=parchment.reissue_requested_by_id,
                )
        if not done:
            _discard(storage, name)
            return "superseded"
    except IntegrityError:
        # This version was recorded by another worker meanwhile (the unique version constraint): its file stands.
        _discard(storage, name)
        return "superseded"
    except Exception as exc:
        _discard(storage, name)
        return _failed(self, Parchment, parchment_id, claimed_at, exc, "du parchemin")
    return "rendered"


@shared_task(bind=True, acks_late=True, max_retries=5, default_retry_delay=5)
def pv_render(self, *, pv_id: int) -> str:  # type: ignore[no-untyped-def]
    if not _claim(ProcesVerbal, pv_id):
        return "skipped"
    pv = ProcesVerbal.objects.select_related("jury__version").get(pk=pv_id)
    claimed_at = pv.render_claimed_at
    try:
        pdf = rendering.render_pv(pv)
        digest = hashlib.sha256(pdf).hexdigest()
        with transaction.atomic():
            current = ProcesVerbal.objects.select_for_update().get(pk=pv_id)
            if current.render_claimed_at != claimed_at or current.render_status != RenderStatus.RENDERING:
                return "superseded"
            current.pdf.save(f"pv-jury-{current.jury_id}.pdf", ContentFile(pdf), save=False)  # under upload_to
            current.pdf_sha256 = digest
            current.rendered_at = timezone.now()
            current.render_status = RenderStatus.DONE
            current.render_error = ""
            current.save(update_fields=["pdf", "pdf_sha256", "rendered_at", "render_status", "render_error"])
    except Exception as exc:
        return _failed(self, ProcesVerbal, pv_id, claimed_at, exc, "du procès-verbal")
    return "rendered"


@shared_task(bind=True, acks_late=True, max_retries=3, default_retry_delay=60)
def result_notify(self, *, notice_id: int) -> str:  # type: ignore[no-untyped-def]
    now = timezone.now()
    claimable = Q(status=NoticeStatus.QUEUED) | Q(status=NoticeStatus.SENDING, claimed_at__lt=now - STALE)
    if self.request.retries:
        claimable |= Q(status=NoticeStatus.SENDING)
    if not ResultNotice.objects.filter(claimable, pk=notice_id).update(status=NoticeStatus.SENDING, claimed_at=now):
        return "skipped"
    notice = ResultNotice.objects.select_related(
        "decision__place__enrolment__candidate", "decision__place__session__version", "decision__jury"
    ).get(pk=notice_id)
    decision = notice.decision
    candidate = decision.place.enrolment.candidate
    context = {"decision": decision, "candidate": candidate, "site_url": settings.SITE_URL}
    subject = render_to_string("certificates/result_subject.txt", context).strip()
    body = render_to_string("certificates/result_email.txt", context)
    try:
        EmailMessage(subject=subject, body=body, to=[candidate.email]).send()
    except (smtplib.SMTPException, ConnectionError, TimeoutError) as exc:
        if self.request.retries < self.max_retries and not self.request.is_eager:
            raise self.retry(exc=exc) from exc
        services.notice_mark(notice_id=notice_id, error=f"{type(exc).__name__} : {exc}")
        return "failed"
    services.notice_mark(notice_id=notice_id)
    return "sent"
