"""Appeals through their services: recorded (admissible or not), examined by the CPNEF, re-examined on the same
grids or by a new evaluation, closed by the revised decision; every refusal with its French message."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from certificates.tests.conftest import decided, world  # noqa: F401 - fixtures
from demo.builders import Decided
from evaluations import services as evaluation_services
from evaluations.models import Attendance, EvaluationSession, SessionCandidate, SessionMode
from juries import lifecycle, result_state, selectors
from juries import services as jury_services
from juries.models import AuditAction, AuditEntry, Decision, Jury
from juries.tests.services.helpers import forbidden, ratify, refused
from results import rules
from results.models import Appeal, AppealStatus, ReexaminationMode
from results.services import appeals
from tests.factories import UserFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 20


def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def final(decided: Decided) -> Decided:  # noqa: F811
    ratify(decided.world, decided.certification)
    return decided


def failed(d: Decided) -> Decision:
    return next(x for x in d.decisions if x.kind == "none")


def record(d: Decided, decision: Decision | None = None, **kw: Any) -> Appeal:
    values: dict[str, Any] = {
        "decision": decision or failed(d),
        "received_on": today(),
        "grounds": "Le candidat conteste l'évaluation de C1.1.",
        "recorded_by": d.world.admin,
        **kw,
    }
    return appeals.appeal_record(**values)


def examine(d: Decided, appeal: Appeal, **kw: Any) -> Appeal:
    values: dict[str, Any] = {
        "appeal": appeal,
        "meeting_on": today(),
        "outcome": "reexamination",
        "reason": "Les grilles ne motivent pas le NA de C1.1.",
        "mode": ReexaminationMode.SAME_GRIDS,
        "scope": "BC1",
        "examined_by": d.world.admin,
        **kw,
    }
    return appeals.appeal_examine(**values)


def move_jury(d: Decided, days_ago: int) -> None:
    Jury.objects.filter(pk=d.certification.pk).update(meets_on=today() - dt.timedelta(days=days_ago))
    d.certification.refresh_from_db()


def appeal_audits(decision: Decision) -> list[str]:
    return list(
        AuditEntry.objects.filter(place=decision.examined_place, action=AuditAction.APPEAL)
        .order_by("pk")
        .values_list("subject", flat=True)
    )


# --- Recording ------------------------------------------------------------------------------------------


def test_an_appeal_in_time_is_received_and_puts_the_result_under_appeal(final: Decided) -> None:
    decision = failed(final)
    appeal = record(final, documents=[SimpleUploadedFile("lettre.pdf", PDF), SimpleUploadedFile("scan.png", PNG)])
    assert appeal.status == AppealStatus.RECEIVED
    assert appeal.deadline == rules.appeal_deadline(final.certification.meets_on)
    assert result_state.state(decision) == lifecycle.UNDER_APPEAL
    assert [(d.original_name, d.content_type) for d in appeal.documents.all()] == [
        ("lettre.pdf", "application/pdf"),
        ("scan.png", "image/png"),
    ]
    assert appeal.documents.first().file.read() == PDF
    assert [subject.startswith("Recours reçu le ") for subject in appeal_audits(decision)] == [True]


def test_a_provisional_result_may_be_appealed(decided: Decided) -> None:  # noqa: F811
    appeal = record(decided)
    assert appeal.status == AppealStatus.RECEIVED


def test_a_late_appeal_is_kept_as_inadmissible_with_the_deadline(final: Decided) -> None:
    move_jury(final, 90)
    deadline = rules.appeal_deadline(final.certification.meets_on)
    appeal = record(final)
    assert appeal.status == AppealStatus.INADMISSIBLE
    assert appeal.closed_at is not None
    assert "après la date limite du" in appeal.inadmissible_reason
    assert str(deadline.year) in appeal.inadmissible_reason
    assert result_state.state(failed(final)) == lifecycle.FINAL  # the result is not under appeal
    assert "irrecevable" in appeal_audits(failed(final))[0]
    # It does not stand in the way of another (admissible in another world): it is closed.
    second = record(final)
    assert second.status == AppealStatus.INADMISSIBLE


def test_the_deadline_day_itself_is_in_time(final: Decided) -> None:
    move_jury(final, 70)
    deadline = rules.appeal_deadline(final.certification.meets_on)
    if deadline > today():
        pytest.skip("the deadline is still to come")
    appeal = record(final, received_on=deadline)
    assert appeal.status == AppealStatus.RECEIVED


def test_it_refuses_an_appeal_from_someone_else_than_a_certifier_admin(final: Decided) -> None:
    with forbidden("Seul un administrateur du certificateur enregistre un recours."):
        record(final, recorded_by=final.world.staff)


def test_it_refuses_a_second_appeal_while_one_is_open(final: Decided) -> None:
    record(final)
    with refused("Ce résultat est en recours : aucun recours ne peut être enregistré sur lui."):
        record(final)


def test_it_refuses_an_appeal_on_a_revoked_result(final: Decided) -> None:
    Decision.objects.filter(pk=failed(final).pk).update(revoked_at=timezone.now(), revocation_reason="Fraude")
    with refused("Ce résultat est retiré : aucun recours ne peut être enregistré sur lui."):
        record(final)


def test_it_refuses_an_appeal_on_a_revised_result(final: Decided) -> None:
    old = failed(final)
    examine(final, record(final))
    jury_services.revision_record(decision=old, kind="none", blocks=[], reason="Confirmé", decided_by=president(final))
    with refused("Ce résultat est révisé : aucun recours ne peut être enregistré sur lui."):
        record(final, decision=old)


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"grounds": "   "}, "Indiquez les motifs du recours"),
        ({"received_on": dt.date(2020, 1, 1)}, "ne peut pas avoir été reçu avant"),
        ({"received_on": timezone.localdate() + dt.timedelta(days=2)}, "ne peut pas être dans le futur"),
        ({"documents": [SimpleUploadedFile(f"p{n}.pdf", PDF) for n in range(11)]}, "10 pièces au plus"),
        ({"documents": [SimpleUploadedFile("page.html", b"<html>")]}, "n'est ni un PDF, ni une image PNG ou JPEG"),
        ({"documents": [SimpleUploadedFile("vide.pdf", b"")]}, "Le fichier est vide"),
        ({"documents": [SimpleUploadedFile("gros.pdf", PDF + b"0" * (10 * 1024 * 1024))]}, "10 Mo au plus"),
    ],
)
def test_it_refuses_a_bad_record(final: Decided, kw: dict[str, Any], message: str) -> None:
    with refused(message):
        record(final, **kw)
    assert not Appeal.objects.exists()


# --- Examination by the CPNEF ---------------------------------------------------------------------------


def test_a_rejected_appeal_is_closed_and_the_result_is_final_again(final: Decided) -> None:
    appeal = examine(final, record(final), outcome="rejected", mode="", scope="")
    assert appeal.status == AppealStatus.REJECTED
    assert appeal.closed_at is not None and appeal.cpnef_meeting_on == today()
    assert result_state.state(failed(final)) == lifecycle.FINAL
    assert "Recours rejeté par la CPNEF" in appeal_audits(failed(final))[-1]


def test_a_rejected_appeal_leaves_a_provisional_result_provisional(decided: Decided) -> None:  # noqa: F811
    examine(decided, record(decided), outcome="rejected")
    assert result_state.state(failed(decided)) == lifecycle.PROVISIONAL


def test_a_reexamination_keeps_the_result_under_appeal(final: Decided) -> None:
    appeal = examine(final, record(final))
    assert appeal.status == AppealStatus.REEXAMINATION
    assert appeal.reexamination_mode == ReexaminationMode.SAME_GRIDS and appeal.reexamination_scope == "BC1"
    assert result_state.state(failed(final)) == lifecycle.UNDER_APPEAL
    assert "Réexamen ordonné" in appeal_audits(failed(final))[-1]


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"meeting_on": dt.date(2020, 1, 1)}, "avant sa réception"),
        ({"meeting_on": timezone.localdate() + dt.timedelta(days=3)}, "ne peut pas être dans le futur"),
        ({"reason": " "}, "Indiquez la motivation de la CPNEF"),
        ({"outcome": "maybe"}, "Choisissez l'issue"),
        ({"mode": ""}, "Choisissez la modalité du réexamen"),
        ({"scope": ""}, "Précisez l'étendue du réexamen"),
    ],
)
def test_it_refuses_a_bad_examination(final: Decided, kw: dict[str, Any], message: str) -> None:
    appeal = record(final)
    with refused(message):
        examine(final, appeal, **kw)
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.RECEIVED


def test_it_refuses_to_examine_twice_or_an_inadmissible_appeal(final: Decided) -> None:
    appeal = examine(final, record(final), outcome="rejected")
    with refused("Ce recours est « Rejeté par la CPNEF » : il n'attend plus l'examen de la CPNEF."):
        examine(final, appeal)
    move_jury(final, 90)
    late = record(final)
    with refused("Ce recours est « Irrecevable »"):
        examine(final, late)


def test_only_a_certifier_admin_records_the_examination(final: Decided) -> None:
    appeal = record(final)
    with forbidden("Seul un administrateur du certificateur enregistre l'examen d'un recours."):
        examine(final, appeal, examined_by=final.world.cert_president.user)


# --- Re-examination on the same grids --------------------------------------------------------------------


def president(d: Decided) -> Any:
    return d.world.cert_president.user


def test_the_president_decides_again_and_the_appeal_is_closed_revised(final: Decided) -> None:
    old = failed(final)
    appeal = examine(final, record(final))
    new = jury_services.revision_record(
        decision=old,
        kind="partial",
        blocks=[final.world.blocks["BC1"]],
        reason="C1.1 acquise au vu des grilles.",
        decided_by=president(final),
    )
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.REVISED
    assert appeal.revised_decision == new and appeal.closed_at is not None
    assert result_state.state(old) == lifecycle.REVISED
    assert new.revises == old and new.needs_addendum
    assert appeal_audits(old)[-1] == "Recours clos par la décision révisée"


def test_no_revision_before_the_cpnef_orders_it(final: Decided) -> None:
    old = failed(final)
    appeal = record(final)
    with refused("La CPNEF n'a pas ordonné de réexamen de ce résultat"):
        jury_services.revision_record(decision=old, kind="none", blocks=[], reason="Revu", decided_by=president(final))
    appeal.refresh_from_db()
    old.refresh_from_db()
    assert appeal.status == AppealStatus.RECEIVED and old.place_id is not None
    assert not Decision.objects.filter(revises=old).exists()


def test_no_revision_on_the_grids_when_a_new_evaluation_was_ordered(final: Decided) -> None:
    old = failed(final)
    examine(final, record(final), mode=ReexaminationMode.NEW_EVALUATION)
    with refused("La CPNEF a ordonné une nouvelle évaluation"):
        jury_services.revision_record(decision=old, kind="none", blocks=[], reason="Revu", decided_by=president(final))


# --- Re-examination by a new evaluation ------------------------------------------------------------------


def later_session(d: Decided, days: int = 30) -> EvaluationSession:
    return evaluation_services.session_schedule(
        version=d.world.version,
        organisation=d.world.organisation,
        starts_on=today() + dt.timedelta(days=days),
        ends_on=None,
        mode=SessionMode.ON_SITE,
        address="58 rue du Louvre, 75002 Paris",
        created_by=d.world.staff,
    )


def test_a_new_evaluation_places_the_candidate_and_its_decision_revises_the_appealed_one(final: Decided) -> None:
    w, old = final.world, failed(final)
    appeal = examine(final, record(final), mode=ReexaminationMode.NEW_EVALUATION, scope="Toutes les épreuves")
    session = later_session(final)
    place = appeals.appeal_reexamination_place(appeal=appeal, session=session, by=w.admin)
    appeal.refresh_from_db()
    assert appeal.reexamination_place == place and place.session == session
    assert place.enrolment_id == old.examined_place.enrolment_id
    assert "Nouvelle évaluation" in appeal_audits(old)[-1]

    # The day comes: the session is held, graded, transmitted and decided.
    EvaluationSession.objects.filter(pk=session.pk).update(starts_on=today(), ends_on=today())
    SessionCandidate.objects.filter(pk=place.pk).update(attendance=Attendance.PRESENT, signed_at=timezone.now())
    Jury.objects.filter(pk=final.certification.pk).update(meets_on=today() - dt.timedelta(days=1))
    evaluation = jury_services.evaluation_jury_create(session=session, created_by=w.admin)
    for member in (w.employees, w.employers, w.trainer):
        jury_services.jury_assign(jury=evaluation, member=member, assigned_by=w.admin)
    jury_services.jury_president_designate(jury=evaluation, member=w.employers, designated_by=w.admin)
    place.refresh_from_db()
    w.grade(evaluation, place, {})
    blocks = list(selectors.blocks_sat(place))
    jury_services.recommendation_record(
        place=place, kind="total", blocks=blocks, comments="", recorded_by=w.employers.user
    )
    second = jury_services.certification_jury_create(version=w.version, meets_on=today(), created_by=w.admin)
    for member in (w.cert_employees, w.cert_employers, w.cert_president):
        jury_services.jury_assign(jury=second, member=member, assigned_by=w.admin)
    jury_services.jury_president_designate(jury=second, member=w.cert_president, designated_by=w.admin)
    jury_services.deliberation_transmit(jury=evaluation, certification_jury=second, transmitted_by=w.employers.user)
    new = jury_services.decision_record(
        jury=second, place=place, kind="total", blocks=[], reason="", decided_by=w.cert_president.user
    )
    appeal.refresh_from_db()
    assert new.revises == old
    assert appeal.status == AppealStatus.REVISED and appeal.revised_decision == new
    assert result_state.state(old) == lifecycle.REVISED


def test_it_refuses_a_new_evaluation_place_out_of_order(final: Decided) -> None:
    w = final.world
    appeal = record(final)
    session = later_session(final)
    with refused("La CPNEF n'a pas ordonné de nouvelle évaluation sur ce recours."):
        appeals.appeal_reexamination_place(appeal=appeal, session=session, by=w.admin)
    examine(final, appeal, mode=ReexaminationMode.NEW_EVALUATION)
    with forbidden("Seul un administrateur du certificateur organise la nouvelle évaluation."):
        appeals.appeal_reexamination_place(appeal=appeal, session=session, by=w.staff)
    with refused("Choisissez une session qui commence après le jury de délibération"):
        appeals.appeal_reexamination_place(appeal=appeal, session=w.session, by=w.admin)
    appeals.appeal_reexamination_place(appeal=appeal, session=session, by=w.admin)
    with refused("La nouvelle évaluation a déjà sa place dans une session."):
        appeals.appeal_reexamination_place(appeal=appeal, session=later_session(final, 40), by=w.admin)


def test_it_refuses_a_session_of_another_certification(final: Decided) -> None:
    from juries.tests.services.helpers import other_version

    appeal = examine(final, record(final), mode=ReexaminationMode.NEW_EVALUATION)
    session = later_session(final)
    EvaluationSession.objects.filter(pk=session.pk).update(version=other_version(final.world))
    session.refresh_from_db()
    with refused("une session de la même certification"):
        appeals.appeal_reexamination_place(appeal=appeal, session=session, by=final.world.admin)


def test_a_user_without_role_is_refused_everything(final: Decided) -> None:
    stranger = UserFactory(email="inconnu@example.org")
    with forbidden("enregistre un recours"):
        record(final, recorded_by=stranger)


def test_every_step_of_an_appeal_is_in_the_candidates_history(final: Decided) -> None:
    old = failed(final)
    appeal = examine(final, record(final))
    jury_services.revision_record(decision=old, kind="none", blocks=[], reason="Confirmé", decided_by=president(final))
    entries = list(
        AuditEntry.objects.filter(candidate_id=old.examined_place.enrolment.candidate_id)
        .filter(action__in=[AuditAction.APPEAL, AuditAction.REVISION])
        .order_by("pk")
    )
    assert [(e.action, e.actor_id) for e in entries] == [
        (AuditAction.APPEAL, final.world.admin.pk),
        (AuditAction.APPEAL, final.world.admin.pk),
        (AuditAction.REVISION, president(final).pk),
        (AuditAction.APPEAL, president(final).pk),
    ]
    assert entries[0].reason == appeal.grounds
    assert entries[1].after["réexamen"] == str(ReexaminationMode.SAME_GRIDS.label)
    assert entries[-1].after["statut"] == str(AppealStatus.REVISED.label)
