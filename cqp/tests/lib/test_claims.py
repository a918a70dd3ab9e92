from __future__ import annotations

import datetime as dt
import smtplib
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from cqp.lib import claims
from cqp.models import CertificationVersion
from evaluations.models import ConvocationStatus, SessionCandidate
from tests.factories import make_candidate, past_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(referential: None, staff: Any) -> SessionCandidate:
    version = CertificationVersion.objects.get(rncp_code="RNCP26850")
    session = past_session(staff, version, [make_candidate(staff.organisation)])
    row = session.candidates.get()
    SessionCandidate.objects.filter(pk=row.pk).update(convocation_status=ConvocationStatus.QUEUED)
    return row


CONVOCATION = claims.mail_claim(
    status="convocation_status",
    claimed_at="convocation_claimed_at",
    queued=ConvocationStatus.QUEUED,
    sending=ConvocationStatus.SENDING,
)


def _claim(place: SessionCandidate, *, retaking: bool = False) -> bool:
    return CONVOCATION.take(SessionCandidate.objects.all(), place.pk, retaking=retaking) is not None


def test_a_queued_row_is_claimed_once(place: SessionCandidate) -> None:
    assert _claim(place)
    assert not _claim(place)
    place.refresh_from_db()
    assert place.convocation_status == ConvocationStatus.SENDING


def test_a_claim_older_than_the_mail_setting_is_taken_over(place: SessionCandidate, settings: Any) -> None:
    settings.MAIL_CLAIM_STALE_SECONDS = 60
    assert _claim(place)
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=59)):
        assert not _claim(place)
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61)):
        assert _claim(place)


def test_a_retry_takes_its_claim_back_at_once(place: SessionCandidate) -> None:
    assert _claim(place)
    assert _claim(place, retaking=True)


def _task(*, retries: int = 0, max_retries: int = 3, eager: bool = False) -> Any:
    def retry(exc: Exception) -> Exception:
        return RuntimeError("retry")

    return SimpleNamespace(
        request=SimpleNamespace(retries=retries, is_eager=eager), max_retries=max_retries, retry=retry
    )


def test_a_sent_mail_is_marked_without_error() -> None:
    marks: list[str] = []
    assert claims.mail_deliver(_task(), send=lambda: None, mark=marks.append) == "sent"
    assert marks == [""]


def _refused() -> None:
    raise smtplib.SMTPException("boom")


def test_a_transient_error_is_retried_while_retries_remain() -> None:
    marks: list[str] = []
    with pytest.raises(RuntimeError, match="retry"):
        claims.mail_deliver(_task(), send=_refused, mark=marks.append)
    assert marks == []


@pytest.mark.parametrize("task", [_task(retries=3), _task(eager=True)], ids=["last-attempt", "inline"])
def test_the_last_attempt_or_an_inline_one_records_the_failure(task: Any) -> None:
    marks: list[str] = []
    assert claims.mail_deliver(task, send=_refused, mark=marks.append) == "failed"
    assert marks == ["SMTPException : boom"]


def test_a_worker_settles_its_row_only_while_it_holds_the_claim(place: SessionCandidate, settings: Any) -> None:
    settings.MAIL_CLAIM_STALE_SECONDS = 60
    first = CONVOCATION.take(SessionCandidate.objects.all(), place.pk)
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61)):
        second = CONVOCATION.take(SessionCandidate.objects.all(), place.pk)  # the first worker was thought dead
    rows = SessionCandidate.objects.all()
    assert not CONVOCATION.settle(rows, place.pk, first, convocation_status=ConvocationStatus.FAILED)
    assert CONVOCATION.settle(rows, place.pk, second, convocation_status=ConvocationStatus.SENT)
    place.refresh_from_db()
    assert place.convocation_status == ConvocationStatus.SENT


def test_a_convocation_taken_over_is_not_marked_by_the_worker_that_lost_it(place: SessionCandidate, settings) -> None:
    from evaluations import services
    from evaluations.convocation import convocation_claim

    settings.MAIL_CLAIM_STALE_SECONDS = 60
    lost = convocation_claim(place_id=place.pk)
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61)):
        kept = convocation_claim(place_id=place.pk)
    assert lost is not None and kept is not None
    assert not services.convocation_mark(place=lost, error="SMTPException : refusé")
    place.refresh_from_db()
    assert place.convocation_status == ConvocationStatus.SENDING and place.convocation_error == ""
    assert services.convocation_mark(place=kept)
    place.refresh_from_db()
    assert place.convocation_status == ConvocationStatus.SENT and place.convocation_sends == 1
