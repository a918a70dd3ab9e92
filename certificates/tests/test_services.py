"""The certifier's paper through its services: the PV and its signatures, the CPNEFP validation and the
notification of results, the numbered parchments (issue, cancellation, duplicate, sending) and the deadlines.

Celery runs inline; what a service enqueues after the commit runs inside `commit()`."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from typing import Any

import pytest
import time_machine
from django import forms
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from certificates import rules, selectors, services
from certificates.models import (
    CpnefpValidation,
    NoticeStatus,
    NumberSeries,
    Parchment,
    ParchmentKind,
    ParchmentStatus,
    ParchmentVersion,
    ProcesVerbal,
    PvStatus,
    RenderStatus,
    ResultNotice,
)
from certificates.tests.conftest import Commit, Decided
from cqp.models import CertificationVersion, Certifier
from juries import services as jury_services
from juries.models import Decision, Jury

pytestmark = pytest.mark.django_db

PARIS = dt.timezone(dt.timedelta(hours=1))


def outcomes(decided: Decided) -> tuple[Decision, Decision, Decision]:
    total, partial, failed = decided.decisions
    assert (total.kind, partial.kind, failed.kind) == ("total", "partial", "none")
    return total, partial, failed


def members(decided: Decided) -> list[Any]:
    return [seat.member.user for seat in decided.certification.seats.select_related("member__user").order_by("pk")]


def parchment_of(decision: Decision) -> Parchment:
    return Parchment.objects.get(decision=decision, status=ParchmentStatus.VALID)


# --- PV ------------------------------------------------------------------------------------------------


def test_the_pv_is_refused_while_a_candidate_is_undecided_and_names_them(decided: Decided) -> None:
    _total, partial, _failed = outcomes(decided)
    name = partial.place.enrolment.candidate.display_name
    Decision.objects.filter(pk=partial.pk).delete()

    with pytest.raises(ValidationError, match="Le jury doit d'abord statuer sur") as refusal:
        services.pv_sign(jury=decided.certification, user=decided.world.cert_president.user)

    assert name in str(refusal.value)
    assert not ProcesVerbal.objects.exists()


@pytest.mark.parametrize("who", ["admin", "employees", "staff"])
def test_only_members_of_the_certification_jury_sign_its_pv(decided: Decided, who: str) -> None:
    user = {
        "admin": decided.world.admin,
        "employees": decided.world.employees.user,  # member of the evaluation jury only
        "staff": decided.world.staff,
    }[who]

    with pytest.raises(PermissionDenied, match="Seuls les membres du jury de certification"):
        services.pv_sign(jury=decided.certification, user=user)

    assert not ProcesVerbal.objects.exists()


def test_each_signature_is_bound_to_the_sha256_of_the_content(decided: Decided) -> None:
    user = decided.world.cert_employees.user

    signature = services.pv_sign(jury=decided.certification, user=user)

    pv = ProcesVerbal.objects.get(jury=decided.certification)
    assert pv.status == PvStatus.SIGNING
    assert signature.user == user
    assert signature.content_sha256 == pv.content_sha256 == rules.fingerprint(pv.content)
    assert pv.content_sha256 == rules.fingerprint(selectors.pv_sheet(decided.certification))
    names = [c["name"] for c in pv.content["candidates"]]
    assert names == [d.place.enrolment.candidate.display_name for d in decided.decisions]
    assert [c["decision"] for c in pv.content["candidates"]] == ["total", "partial", "none"]
    assert pv.content["candidates"][1]["decision_blocks"] == "BC1"
    assert pv.signed_at is None


def test_after_the_last_signature_the_pv_is_locked_and_its_pdf_rendered(decided: Decided, commit: Commit) -> None:
    with commit():
        decided.sign_all()

    pv = ProcesVerbal.objects.get(jury=decided.certification)
    assert pv.status == PvStatus.SIGNED
    assert pv.signed_at is not None
    assert pv.signatures.count() == 3
    assert set(pv.signatures.values_list("content_sha256", flat=True)) == {pv.content_sha256}
    assert pv.render_status == RenderStatus.DONE
    with pv.pdf.open("rb") as handle:
        pdf = handle.read()
    assert pdf.startswith(b"%PDF")
    assert pv.pdf_sha256 == hashlib.sha256(pdf).hexdigest()


def test_a_decision_changed_between_two_signatures_asks_the_earlier_signers_to_sign_again(
    decided: Decided, commit: Commit
) -> None:
    jury = decided.certification
    first, second, third = members(decided)
    _total, partial, _failed = outcomes(decided)
    services.pv_sign(jury=jury, user=first)
    before = ProcesVerbal.objects.get(jury=jury).content_sha256

    jury_services.decision_record(
        jury=jury,
        place=partial.place,
        kind="none",
        blocks=[],
        reason="Le jury estime le bloc 1 insuffisamment démontré.",
        decided_by=jury.president.user,
    )
    with commit():
        services.pv_sign(jury=jury, user=second)
        services.pv_sign(jury=jury, user=third)

    pv = ProcesVerbal.objects.get(jury=jury)
    assert pv.content_sha256 != before
    assert pv.status == PvStatus.SIGNING, "the first signature was given to another content"
    state = {s.seat.member.user: s.valid for s in selectors.pv_state(jury).signatures}
    assert state == {first: False, second: True, third: True}

    with commit():
        services.pv_sign(jury=jury, user=first)

    pv.refresh_from_db()
    assert pv.status == PvStatus.SIGNED
    assert set(pv.signatures.values_list("content_sha256", flat=True)) == {pv.content_sha256}
    assert pv.content["candidates"][1]["decision"] == "none"
    assert pv.content["candidates"][1]["reason"] == "Le jury estime le bloc 1 insuffisamment démontré."
    assert pv.render_status == RenderStatus.DONE


def test_the_page_and_the_signatures_state_agree_once_a_decision_changes_after_a_signature(
    decided: Decided, client: Any
) -> None:
    jury = decided.certification
    first, second, third = members(decided)
    _total, partial, _failed = outcomes(decided)
    services.pv_sign(jury=jury, user=first)
    jury_services.decision_record(
        jury=jury,
        place=partial.place,
        kind="none",
        blocks=[],
        reason="Le jury estime le bloc 1 insuffisamment démontré.",
        decided_by=jury.president.user,
    )
    client.force_login(first)
    page = client.get(reverse("certificates:pv", args=[jury.pk]))
    shown = {s.seat.member.user: s.valid for s in page.context["state"]}
    computed = {s.seat.member.user: s.valid for s in selectors.pv_state(jury).signatures}
    assert shown == computed == {first: False, second: False, third: False}


def test_a_signed_pv_locks_the_decisions_and_disputes(signed: Decided) -> None:
    jury = signed.certification
    _total, partial, failed = outcomes(signed)

    with pytest.raises(ValidationError, match="Le procès-verbal est signé"):
        jury_services.decision_record(
            jury=jury, place=partial.place, kind="none", blocks=[], reason="Revu.", decided_by=jury.president.user
        )
    with pytest.raises(ValidationError, match="Le procès-verbal est signé"):
        jury_services.dispute_record(
            jury=jury,
            place=failed.place,
            description="Contestation",
            summon_evaluation_jury=False,
            recorded_by=signed.world.admin,
        )
    with pytest.raises(ValidationError, match="Le procès-verbal est signé par tous"):
        services.pv_sign(jury=jury, user=signed.world.cert_president.user)
    assert Decision.objects.get(pk=partial.pk).kind == "partial"


# --- CPNEFP validation and results ---------------------------------------------------------------------


def test_only_an_admin_records_the_cpnefp_validation(signed: Decided) -> None:
    with pytest.raises(PermissionDenied, match="Seul un administrateur"):
        services.cpnefp_validation_record(
            jury=signed.certification, meeting_on=timezone.localdate(), recorded_by=signed.world.cert_president.user
        )
    assert not CpnefpValidation.objects.exists()


def test_the_cpnefp_validation_is_refused_before_the_pv_is_signed(decided: Decided) -> None:
    services.pv_sign(jury=decided.certification, user=decided.world.cert_president.user)

    with pytest.raises(ValidationError, match="doit être signé par tous ses membres"):
        services.cpnefp_validation_record(
            jury=decided.certification, meeting_on=timezone.localdate(), recorded_by=decided.world.admin
        )
    assert not CpnefpValidation.objects.exists()


@pytest.mark.parametrize(
    ("shift", "message"), [(-1, "La CPNEFP valide après le jury"), (1, "la date est à venir")], ids=["before", "future"]
)
def test_a_validation_date_before_the_jury_or_to_come_is_refused(signed: Decided, shift: int, message: str) -> None:
    meeting_on = signed.certification.meets_on + dt.timedelta(days=shift)

    with pytest.raises(ValidationError, match=message) as refusal:
        services.cpnefp_validation_record(
            jury=signed.certification, meeting_on=meeting_on, recorded_by=signed.world.admin
        )

    assert "meeting_on" in refusal.value.message_dict
    assert not CpnefpValidation.objects.exists()
    assert not ResultNotice.objects.exists()


def test_the_validation_notifies_each_candidate_of_their_result(signed: Decided, commit: Commit) -> None:
    total, partial, failed = outcomes(signed)

    with commit():
        validation = services.cpnefp_validation_record(
            jury=signed.certification, meeting_on=timezone.localdate(), recorded_by=signed.world.admin
        )

    assert validation.recorded_by == signed.world.admin
    notices = ResultNotice.objects.filter(decision__jury=signed.certification)
    assert notices.count() == 3
    assert set(notices.values_list("status", flat=True)) == {NoticeStatus.SENT}
    assert all(n.sent_at is not None for n in notices)
    assert len(mail.outbox) == 3
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {d.place.enrolment.candidate.email for d in (total, partial, failed)}
    assert "attribution totale" in by_address[total.place.enrolment.candidate.email].body
    partial_body = by_address[partial.place.enrolment.candidate.email].body
    assert "attribution partielle" in partial_body
    assert "BC1" in partial_body
    assert "n'est pas attribuée" in by_address[failed.place.enrolment.candidate.email].body
    assert all("Vos résultats" in message.subject for message in mail.outbox)


def test_a_second_validation_is_refused(validated: Decided) -> None:
    with pytest.raises(ValidationError, match="déjà enregistrée"):
        services.cpnefp_validation_record(
            jury=validated.certification, meeting_on=timezone.localdate(), recorded_by=validated.world.admin
        )
    assert CpnefpValidation.objects.count() == 1
    assert ResultNotice.objects.count() == 3


# --- Parchments ----------------------------------------------------------------------------------------


def test_parchments_are_refused_before_the_cpnefp_validation(signed: Decided) -> None:
    with pytest.raises(ValidationError, match="après la validation des résultats par la CPNEFP"):
        services.parchments_issue_for_jury(jury=signed.certification, issued_by=signed.world.admin)
    assert not Parchment.objects.exists()


def test_only_an_admin_issues_parchments(validated: Decided) -> None:
    with pytest.raises(PermissionDenied, match="Seul un administrateur"):
        services.parchments_issue_for_jury(jury=validated.certification, issued_by=validated.world.staff)
    assert not Parchment.objects.exists()


@pytest.mark.parametrize(
    ("remove", "named"),
    [
        (lambda v: CertificationVersion.objects.filter(pk=v.pk).update(level=None), "le niveau"),
        (lambda v: CertificationVersion.objects.filter(pk=v.pk).update(nsf_codes=[]), "codes NSF"),
        (lambda v: CertificationVersion.objects.filter(pk=v.pk).update(decision_date=None), "date de la décision"),
        (lambda v: Certifier.objects.filter(pk=v.certifier_id).update(signatory_name=""), "signataire"),
        (lambda v: Certifier.objects.filter(pk=v.certifier_id).update(city=""), "lieu de délivrance"),
    ],
    ids=["level", "nsf", "decision-date", "signatory", "city"],
)
def test_parchments_are_refused_when_a_mandatory_mention_is_missing(validated: Decided, remove, named: str) -> None:
    remove(validated.world.version)
    jury = Jury.objects.get(pk=validated.certification.pk)  # as a page loads it, after the referential changed

    with pytest.raises(ValidationError, match="Mentions obligatoires manquantes") as refusal:
        services.parchments_issue_for_jury(jury=jury, issued_by=validated.world.admin)

    assert named in str(refusal.value)
    assert not Parchment.objects.exists()
    assert not NumberSeries.objects.filter(next_number__gt=1).exists()


def test_a_batch_issues_a_full_parchment_for_the_total_and_a_block_one_for_the_partial(issued: Decided) -> None:
    total, partial, failed = outcomes(issued)
    version = issued.world.version

    full, blocks = parchment_of(total), parchment_of(partial)

    assert not Parchment.objects.filter(decision=failed).exists()
    assert Parchment.objects.count() == 2
    assert (full.kind, blocks.kind) == (ParchmentKind.FULL, ParchmentKind.BLOCKS)
    assert [full.number, blocks.number] == [1, 2]
    assert full.certifier == blocks.certifier == version.certifier
    assert full.batch == blocks.batch is not None
    assert NumberSeries.objects.get(certifier=version.certifier).next_number == 3
    assert [b.code for b in blocks.blocks.all()] == ["BC1"]
    assert [b["code"] for b in blocks.mentions["blocks"]] == ["BC1"]
    assert sorted(b.code for b in full.blocks.all()) == sorted(b.code for b in version.blocks.all())
    mentions = full.mentions
    assert mentions["kind"] == "full"
    assert mentions["certification"]["rncp_code"] == "RNCP26850"
    assert mentions["certification"]["level"] == 3
    assert mentions["certification"]["nsf_codes"] == ["223"]
    assert mentions["certification"]["decision_date"] == "2016-12-15"
    assert mentions["certifier"]["signatory_name"] == "Jeanne Fabre"
    assert "MARTIN0" in mentions["holder"]["name"]
    assert mentions["issued_on"] == timezone.localdate().isoformat()
    for parchment in (full, blocks):
        assert rules.looks_like_a_code(parchment.verification_code)
        assert parchment.status == ParchmentStatus.VALID
        assert parchment.render_status == RenderStatus.DONE
        assert parchment.render_attempts == 1
        assert parchment.versions.count() == 1
        with parchment.pdf.open("rb") as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == parchment.pdf_sha256


def test_a_second_batch_issues_nothing_new(issued: Decided) -> None:
    with pytest.raises(ValidationError, match="ont déjà leur parchemin"):
        services.parchments_issue_for_jury(jury=issued.certification, issued_by=issued.world.admin)
    assert Parchment.objects.count() == 2
    assert issued.certification.parchment_batches.count() == 1


def test_a_failed_candidate_gets_no_parchment_even_asked_one_by_one(validated: Decided) -> None:
    _total, _partial, failed = outcomes(validated)
    with pytest.raises(ValidationError, match="non-attribution"):
        services.parchment_issue(decision=failed, issued_by=validated.world.admin)
    assert not Parchment.objects.exists()


def test_a_decision_with_a_valid_parchment_gets_no_second_one(issued: Decided) -> None:
    total, _partial, _failed = outcomes(issued)
    with pytest.raises(ValidationError, match="existe déjà"):
        services.parchment_issue(decision=total, issued_by=issued.world.admin)
    assert NumberSeries.objects.get().next_number == 3


def test_a_cancellation_needs_a_reason_and_keeps_the_number(issued: Decided) -> None:
    total, _partial, _failed = outcomes(issued)
    parchment = parchment_of(total)

    with pytest.raises(ValidationError, match="motif"):
        services.parchment_cancel(parchment=parchment, reason="  ", cancelled_by=issued.world.admin)
    with pytest.raises(PermissionDenied, match="Seul un administrateur"):
        services.parchment_cancel(parchment=parchment, reason="Erreur", cancelled_by=issued.world.staff)
    cancelled = services.parchment_cancel(
        parchment=parchment, reason="Erreur sur le nom de naissance", cancelled_by=issued.world.admin
    )

    assert cancelled.status == ParchmentStatus.CANCELLED
    assert cancelled.number == 1
    assert cancelled.cancel_reason == "Erreur sur le nom de naissance"
    assert cancelled.cancelled_by == issued.world.admin
    assert cancelled.cancelled_at is not None
    with pytest.raises(ValidationError, match="déjà annulé"):
        services.parchment_cancel(parchment=parchment, reason="Encore", cancelled_by=issued.world.admin)


def test_a_new_issue_after_a_cancellation_takes_the_next_number(issued: Decided, commit: Commit) -> None:
    total, _partial, _failed = outcomes(issued)
    services.parchment_cancel(parchment=parchment_of(total), reason="Erreur de prénom", cancelled_by=issued.world.admin)

    with commit():
        batch = services.parchments_issue_for_jury(jury=issued.certification, issued_by=issued.world.admin)

    replacement = parchment_of(total)
    assert replacement.number == 3, "a number is never given twice"
    assert list(batch.parchments.all()) == [replacement]
    assert sorted(Parchment.objects.values_list("number", flat=True)) == [1, 2, 3]
    assert Parchment.objects.get(number=1).status == ParchmentStatus.CANCELLED
    assert replacement.render_status == RenderStatus.DONE


def test_a_duplicate_keeps_the_number_with_a_new_rendered_version(issued: Decided, commit: Commit) -> None:
    total, _partial, _failed = outcomes(issued)
    parchment = parchment_of(total)
    first_sha = parchment.pdf_sha256

    with pytest.raises(ValidationError, match="motif du duplicata"):
        services.parchment_reissue(parchment=parchment, reason="", requested_by=issued.world.admin)
    with commit():
        services.parchment_reissue(parchment=parchment, reason="Parchemin perdu", requested_by=issued.world.admin)

    parchment.refresh_from_db()
    assert parchment.number == 1
    assert parchment.version == 2
    assert parchment.render_status == RenderStatus.DONE
    versions = list(ParchmentVersion.objects.filter(parchment=parchment).order_by("version"))
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].pdf_sha256 == first_sha
    assert versions[1].pdf_sha256 != first_sha
    assert versions[1].reason == "Parchemin perdu"
    assert versions[1].requested_by == issued.world.admin
    assert parchment.pdf_sha256 == versions[1].pdf_sha256
    assert versions[0].pdf.name != versions[1].pdf.name
    for version in versions:
        with version.pdf.open("rb") as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == version.pdf_sha256
    assert NumberSeries.objects.get().next_number == 3


def test_a_cancelled_parchment_is_not_duplicated(issued: Decided) -> None:
    total, _partial, _failed = outcomes(issued)
    parchment = services.parchment_cancel(
        parchment=parchment_of(total), reason="Erreur", cancelled_by=issued.world.admin
    )
    with pytest.raises(ValidationError, match="annulé ne se duplique pas"):
        services.parchment_reissue(parchment=parchment, reason="Perdu", requested_by=issued.world.admin)


def test_the_database_refuses_a_number_given_twice_by_the_same_certifier(issued: Decided) -> None:
    total, _partial, _failed = outcomes(issued)
    first = parchment_of(total)

    with pytest.raises(IntegrityError), transaction.atomic():
        Parchment.objects.create(
            certifier=first.certifier,
            number=first.number,
            kind=first.kind,
            decision=first.decision,
            place=first.place,
            mentions=first.mentions,
            verification_code=rules.new_verification_code(),
            status=ParchmentStatus.CANCELLED,
            cancel_reason="Doublon forcé",
            issued_by=issued.world.admin,
        )

    assert Parchment.objects.filter(number=first.number).count() == 1


def test_the_sending_is_recorded_by_an_admin_at_a_past_date(issued: Decided) -> None:
    total, _partial, _failed = outcomes(issued)
    parchment = parchment_of(total)
    today = timezone.localdate()

    with pytest.raises(ValidationError, match="à venir"):
        services.parchment_mark_sent(
            parchment=parchment, sent_on=today + dt.timedelta(days=1), recorded_by=issued.world.admin
        )
    with pytest.raises(PermissionDenied, match="Seul un administrateur"):
        services.parchment_mark_sent(parchment=parchment, sent_on=today, recorded_by=issued.world.staff)
    services.parchment_mark_sent(parchment=parchment, sent_on=today, recorded_by=issued.world.admin)

    parchment.refresh_from_db()
    assert parchment.sent_at == today


def test_batch_progress_counts_the_rendered_parchments(issued: Decided) -> None:
    batch = issued.certification.parchment_batches.get()
    assert services.batch_progress(batch) == {"total": 2, "done": 2, "failed": 0}
    Parchment.objects.filter(batch=batch, number=2).update(render_status=RenderStatus.FAILED)
    assert services.batch_progress(batch) == {"total": 2, "done": 1, "failed": 1}


# --- Deadlines -----------------------------------------------------------------------------------------


def at(day: dt.date) -> time_machine.travel:
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 10, tzinfo=PARIS), tick=False)


def row_of(decided: Decided, today: dt.date) -> selectors.JuryDeadlines:
    rows = selectors.deadlines(today)
    assert [row.jury for row in rows] == [decided.certification]
    return rows[0]


def test_results_not_notified_a_month_after_the_jury_are_overdue(decided: Decided) -> None:
    jury_day = decided.certification.meets_on
    later = jury_day + dt.timedelta(days=40)

    with at(later):
        row = row_of(decided, timezone.localdate())

    assert row.results.due == rules.results_due(jury_day)
    assert row.results.pending == 3
    assert row.results.overdue(later)
    assert not row.results.overdue(jury_day + dt.timedelta(days=10))
    assert row.parchments is None


def test_results_notified_in_time_are_not_overdue(validated: Decided) -> None:
    later = validated.certification.meets_on + dt.timedelta(days=40)
    with at(later):
        row = row_of(validated, timezone.localdate())
    assert row.results.pending == 0
    assert not row.results.overdue(later)


def test_a_parchment_not_sent_two_months_after_the_validation_is_overdue(issued: Decided) -> None:
    total, partial, _failed = outcomes(issued)
    validation_day = issued.certification.cpnefp_validation.meeting_on
    services.parchment_mark_sent(parchment=parchment_of(total), sent_on=validation_day, recorded_by=issued.world.admin)
    later = rules.months_after(validation_day, 2) + dt.timedelta(days=1)

    with at(later):
        row = row_of(issued, timezone.localdate())

    assert row.parchments is not None
    assert row.parchments.due == rules.parchments_due(validation_day)
    assert row.parchments.pending == 1
    assert row.parchments.overdue(later)
    assert not row.parchments.overdue(later - dt.timedelta(days=1))
    services.parchment_mark_sent(
        parchment=parchment_of(partial), sent_on=validation_day, recorded_by=issued.world.admin
    )
    with at(later):
        assert row_of(issued, timezone.localdate()).parchments.pending == 0


def test_the_deadlines_take_a_constant_number_of_queries(issued: Decided, django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(1):
        rows = selectors.deadlines(timezone.localdate())
        assert rows[0].parchments is not None


def test_a_cancelled_parchment_is_not_recorded_as_sent(issued: Decided) -> None:
    total, _partial, _failed = outcomes(issued)
    parchment = services.parchment_cancel(
        parchment=parchment_of(total), reason="Erreur sur le prénom.", cancelled_by=issued.world.admin
    )

    with pytest.raises(ValidationError, match="Un parchemin annulé ne s'envoie pas"):
        services.parchment_mark_sent(parchment=parchment, sent_on=timezone.localdate(), recorded_by=issued.world.admin)

    parchment.refresh_from_db()
    assert parchment.sent_at is None


def test_a_session_cannot_be_transmitted_to_a_certification_jury_whose_pv_is_signed(signed: Decided) -> None:
    from juries.forms import TransmitForm
    from tests.factories import make_candidate, past_session

    world = signed.world
    others = [make_candidate(world.organisation, n, created_by=world.staff) for n in range(10, 12)]
    session = past_session(world.staff, world.version, others)
    world.session, world.places = session, list(session.candidates.order_by("starts_at"))
    evaluation = world.evaluation_jury()
    for place in world.places:
        world.grade(evaluation, place, {})
        jury_services.recommendation_record(
            place=place, kind="total", blocks=[], comments="", recorded_by=evaluation.president.user
        )

    choice = TransmitForm(jury=evaluation).fields["certification_jury"]
    assert isinstance(choice, forms.ModelChoiceField)
    assert signed.certification not in choice.queryset
    with pytest.raises(ValidationError, match="Le procès-verbal de ce jury de certification est signé"):
        jury_services.deliberation_transmit(
            jury=evaluation, certification_jury=signed.certification, transmitted_by=evaluation.president.user
        )
    evaluation.refresh_from_db()
    assert evaluation.transmitted_at is None


# --- Renders that did not end --------------------------------------------------------------------------


def test_a_lasting_render_error_marks_the_parchment_failed_and_a_resume_renders_it_with_its_reason(
    issued: Decided, commit: Commit, monkeypatch: pytest.MonkeyPatch
) -> None:
    from certificates import rendering, tasks

    total, _partial, _failed = outcomes(issued)
    parchment = parchment_of(total)
    real_render = rendering.render_parchment

    def broken(_parchment: Parchment) -> bytes:
        raise ValueError("police illisible")

    monkeypatch.setattr(rendering, "render_parchment", broken)
    with commit():
        services.parchment_reissue(parchment=parchment, reason="Parchemin perdu", requested_by=issued.world.admin)

    parchment.refresh_from_db()
    assert parchment.render_status == RenderStatus.FAILED  # never left "rendering"
    assert parchment.render_error == "ValueError : police illisible"
    assert parchment.version == 2
    assert list(services.renders_to_resume(issued.certification)) == [parchment]
    with pytest.raises(PermissionDenied, match="Seul un administrateur"):
        services.renders_resume(jury=issued.certification, requested_by=issued.world.staff)

    monkeypatch.setattr(rendering, "render_parchment", real_render)
    with commit():
        assert services.renders_resume(jury=issued.certification, requested_by=issued.world.admin) == 1

    parchment.refresh_from_db()
    assert parchment.render_status == RenderStatus.DONE
    assert parchment.reissue_reason == ""
    duplicate = ParchmentVersion.objects.get(parchment=parchment, version=2)
    assert duplicate.reason == "Parchemin perdu"  # kept on the row, not in the lost message
    assert duplicate.requested_by == issued.world.admin
    assert not services.renders_to_resume(issued.certification).exists()
    assert tasks.parchment_render.apply(kwargs={"parchment_id": parchment.pk}).get() == "skipped"


def test_a_render_left_by_a_dead_worker_is_resumed_only_once_stale(
    issued: Decided, commit: Commit, settings: Any
) -> None:
    total, _partial, _failed = outcomes(issued)
    parchment = parchment_of(total)
    claimed = timezone.now()
    Parchment.objects.filter(pk=parchment.pk).update(render_status=RenderStatus.RENDERING, render_claimed_at=claimed)

    assert not services.renders_to_resume(issued.certification).exists()  # a live worker may still hold it
    stale = dt.timedelta(seconds=settings.CERTIFICATES_RENDER_STALE_SECONDS + 1)
    with time_machine.travel(claimed + stale, tick=False):
        assert list(services.renders_to_resume(issued.certification)) == [parchment]
        with commit():
            assert services.renders_resume(jury=issued.certification, requested_by=None) == 1
    parchment.refresh_from_db()
    assert parchment.render_status == RenderStatus.DONE
    assert parchment.number == 1


def test_the_resume_command_queues_the_unfinished_renders_of_every_signed_jury(issued: Decided, commit: Commit) -> None:
    from django.core.management import call_command

    total, partial, _failed = outcomes(issued)
    Parchment.objects.filter(decision__in=[total, partial]).update(render_status=RenderStatus.FAILED)
    out = io.StringIO()
    with commit():
        call_command("resume_renders", stdout=out)
    assert "Rendus relancés : 2" in out.getvalue()
    assert set(Parchment.objects.values_list("render_status", flat=True)) == {RenderStatus.DONE}
