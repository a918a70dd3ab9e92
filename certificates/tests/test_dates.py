"""Dates that hold on the certifier's paper: the CPNEFP validates a signed PV, so its meeting is not before the
PV's last signature; a parchment is not sent before it was issued. A refused date is said in French, and the
validation form comes back with the date typed."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from certificates import services
from certificates.models import CpnefpValidation, Parchment, ParchmentStatus, ProcesVerbal, ResultNotice
from certificates.tests.conftest import Decided
from juries.models import Jury

pytestmark = pytest.mark.django_db


def jury_met_days_ago(decided: Decided, days: int) -> Jury:
    """The certification jury as if it had met `days` days ago (its PV signed today, by the fixture)."""
    jury = decided.certification
    Jury.objects.filter(pk=jury.pk).update(meets_on=timezone.localdate() - dt.timedelta(days=days))
    jury.refresh_from_db()
    return jury


def test_a_cpnefp_meeting_before_the_pvs_last_signature_is_refused(signed: Decided) -> None:
    jury = jury_met_days_ago(signed, 10)
    signed_on = timezone.localdate(ProcesVerbal.objects.get(jury=jury).signed_at)
    meeting_on = signed_on - dt.timedelta(days=1)
    assert jury.meets_on <= meeting_on  # after the jury: only the signature rule refuses it

    with pytest.raises(ValidationError) as refusal:
        services.cpnefp_validation_record(jury=jury, meeting_on=meeting_on, recorded_by=signed.world.admin)

    assert refusal.value.message_dict == {
        "meeting_on": [
            "La CPNEFP valide un procès-verbal signé : sa réunion ne peut pas précéder la dernière signature du "
            f"procès-verbal (le {date_format(signed_on)})."
        ]
    }
    assert not CpnefpValidation.objects.exists()
    assert not ResultNotice.objects.exists()


def test_a_cpnefp_meeting_on_the_day_of_the_last_signature_is_recorded(signed: Decided) -> None:
    jury = jury_met_days_ago(signed, 10)
    signed_on = timezone.localdate(ProcesVerbal.objects.get(jury=jury).signed_at)

    validation = services.cpnefp_validation_record(jury=jury, meeting_on=signed_on, recorded_by=signed.world.admin)

    assert validation.meeting_on == signed_on


def test_a_refused_validation_date_comes_back_in_the_form_with_the_reason(client: Client, signed: Decided) -> None:
    jury = jury_met_days_ago(signed, 10)
    meeting_on = timezone.localdate() - dt.timedelta(days=3)
    client.force_login(signed.world.admin)

    answer = client.post(reverse("certificates:validation", args=[jury.pk]), {"meeting_on": meeting_on.isoformat()})

    assert answer.status_code == 200
    page = html.unescape(answer.text)
    assert f'value="{meeting_on.isoformat()}"' in page
    assert "sa réunion ne peut pas précéder la dernière signature du procès-verbal" in page
    assert "is-invalid" in page  # said on the field
    assert not CpnefpValidation.objects.exists()


def test_a_validation_without_a_date_asks_for_it_on_the_form(client: Client, signed: Decided) -> None:
    client.force_login(signed.world.admin)

    answer = client.post(reverse("certificates:validation", args=[signed.certification.pk]), {"meeting_on": ""})

    assert answer.status_code == 200
    assert "Indiquez la date de la réunion de la CPNEFP." in html.unescape(answer.text)
    assert not CpnefpValidation.objects.exists()


def test_a_parchment_is_not_recorded_as_sent_before_it_was_issued(issued: Decided) -> None:
    parchment = Parchment.objects.get(decision=issued.decisions[0], status=ParchmentStatus.VALID)
    issued_on = timezone.localdate(parchment.issued_at)

    with pytest.raises(ValidationError) as refusal:
        services.parchment_mark_sent(
            parchment=parchment, sent_on=issued_on - dt.timedelta(days=1), recorded_by=issued.world.admin
        )

    assert refusal.value.message_dict == {
        "sent_on": [f"Le parchemin a été émis le {date_format(issued_on)} : il n'a pas pu être envoyé avant."]
    }
    parchment.refresh_from_db()
    assert parchment.sent_at is None
    services.parchment_mark_sent(parchment=parchment, sent_on=issued_on, recorded_by=issued.world.admin)
    parchment.refresh_from_db()
    assert parchment.sent_at == issued_on


def test_a_sending_date_before_the_issue_is_said_on_the_parchments_page(client: Client, issued: Decided) -> None:
    parchment = Parchment.objects.get(decision=issued.decisions[0], status=ParchmentStatus.VALID)
    client.force_login(issued.world.admin)
    before = timezone.localdate(parchment.issued_at) - dt.timedelta(days=1)

    url = reverse("certificates:sent", args=[parchment.pk])

    answer = client.post(url, {"sent_on": before.isoformat()}, follow=True)

    assert "il n'a pas pu être envoyé avant" in html.unescape(answer.text)
    parchment.refresh_from_db()
    assert parchment.sent_at is None
