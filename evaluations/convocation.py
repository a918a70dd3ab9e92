"""The convocation itself: the e-mail (text) and its calendar file (.ics)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone
from icalendar import Calendar, Event

from cqp.lib import claims
from evaluations.models import ConvocationStatus, SessionCandidate, SessionMode


def convocation_ics(place: SessionCandidate) -> bytes:
    session = place.session
    calendar = Calendar()
    calendar.add("prodid", "-//CQP Manager//convocation//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"convocation-{place.pk}@cqp-manager")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", place.starts_at)
    event.add("dtend", place.ends_at)
    event.add("summary", f"Épreuves du {session.version.short_title}")
    if session.mode == SessionMode.ON_SITE:
        event.add("location", session.address.replace("\n", ", "))
    else:
        event.add("location", "À distance")
    event.add(
        "description", f"{session.version.rncp_number} — {session.version.title}. Organisme : {session.organisation}."
    )
    calendar.add_component(event)
    ical: bytes = calendar.to_ical()
    return ical


def convocation_text(place: SessionCandidate) -> tuple[str, str]:
    """Subject and body of the convocation e-mail: when and where, the tests of the blocks the candidate sits (with
    their length and the documents to hand in), the accommodations, the rules against fraud."""
    from evaluations.selectors import place_tests

    session = place.session
    tests = place_tests(place)
    context = {
        "tests": tests,
        "documents": [t for t in tests if t.document_required],
        "place": place,
        "session": session,
        "candidate": place.enrolment.candidate,
        "version": session.version,
        "accommodations": list(place.enrolment.accommodations.all()),
        "remote": session.mode == SessionMode.REMOTE,
        "site_url": settings.SITE_URL,
        "starts_at": timezone.localtime(place.starts_at),
        "ends_at": timezone.localtime(place.ends_at),
    }
    subject = f"Convocation aux épreuves du {session.version.short_title}"
    return subject, render_to_string("evaluations/convocation_email.txt", context)


# A convocation being sent is claimed on its row: a second delivery of the task finds it taken and sends nothing.
CONVOCATION_CLAIM = claims.mail_claim(
    status="convocation_status",
    claimed_at="convocation_claimed_at",
    queued=ConvocationStatus.QUEUED,
    sending=ConvocationStatus.SENDING,
)


def convocation_claim(*, place_id: int, retaking: bool = False) -> SessionCandidate | None:
    """The place whose convocation this task now sends, or None (sent, not queued, or being sent by another)."""
    rows = SessionCandidate.objects.select_related("session__version", "session__organisation", "enrolment__candidate")
    return CONVOCATION_CLAIM.claimed(rows, place_id, retaking=retaking)


def convocation_message(place: SessionCandidate) -> EmailMessage:
    """The convocation e-mail with its calendar file."""
    subject, body = convocation_text(place)
    message = EmailMessage(subject=subject, body=body, to=[place.enrolment.candidate.email])
    message.attach("convocation.ics", convocation_ics(place), "text/calendar")
    return message
