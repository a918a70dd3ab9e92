"""The PV addendum of a revised result (`results.services.addenda`): signed like a PV by the certification jury's
members, it makes the revision final, and the consequences follow by themselves: the appealed decision's
parchment cancelled, a new one issued, the candidate notified, the declaration to resend.

Celery runs inline; what a service enqueues after the commit runs inside `commit()`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from certificates.models import NoticeStatus, Parchment, ParchmentKind, ParchmentStatus, ResultNotice
from certificates.tests import conftest as paper
from certificates.tests.conftest import Commit, Decided
from juries import lifecycle, result_state
from juries import services as jury_services
from juries.models import CarryOverFlag, Decision, JuryMember
from juries.tests.services.helpers import forbidden, refused
from results.models import AddendumStatus, Appeal, AppealStatus, PvAddendum, ReexaminationMode
from results.services import addenda

pytestmark = pytest.mark.django_db

# The certificates' fixtures: the world decided, its PV signed, validated, the parchments issued.
world, decided, signed, validated, issued, commit = (
    paper.world,
    paper.decided,
    paper.signed,
    paper.validated,
    paper.issued,
    paper.commit,
)


@dataclass
class Revised:
    decided: Decided
    appeal: Appeal
    old: Decision
    new: Decision

    @property
    def members(self) -> list[Any]:
        return [
            seat.member.user
            for seat in self.decided.certification.seats.select_related("member__user").order_by("college", "pk")
        ]


def appeal_reexamined(decided: Decided, decision: Decision) -> Appeal:
    """An appeal against `decision`, the CPNEF having ordered its re-examination on the existing grids."""
    today = timezone.localdate()
    return Appeal.objects.create(
        decision=decision,
        received_on=today,
        deadline=today + dt.timedelta(days=60),
        grounds="Le candidat conteste l'évaluation du bloc BC2.",
        status=AppealStatus.REEXAMINATION,
        cpnef_meeting_on=today,
        outcome_reason="La grille de BC2 mérite d'être relue.",
        reexamination_mode=ReexaminationMode.SAME_GRIDS,
        reexamination_scope="Bloc BC2",
        recorded_by=decided.world.admin,
        examined_by=decided.world.admin,
        examined_at=timezone.now(),
    )


def revise(decided: Decided, *, kind: str = "total", blocks: tuple[str, ...] = ()) -> Revised:
    """The partial holder (BC1) appeals; the jury decides again on the existing grids."""
    old = next(d for d in decided.decisions if d.kind == "partial")
    appeal = appeal_reexamined(decided, old)
    new = jury_services.revision_record(
        decision=old,
        kind=kind,
        blocks=[decided.world.blocks[code] for code in blocks],
        reason="La grille de BC2 relue : toutes les compétences sont acquises.",
        decided_by=decided.world.cert_president.user,
    )
    return Revised(decided=decided, appeal=appeal, old=old, new=new)


@pytest.fixture
def revised(issued: Decided) -> Revised:
    return revise(issued)


def sign_all(revised: Revised) -> None:
    for user in revised.members:
        addenda.addendum_sign(decision=revised.new, user=user)


# --- The content -----------------------------------------------------------------------------------------


def test_the_addendum_says_the_appealed_decision_the_revised_one_the_appeal_and_the_jury(revised: Revised) -> None:
    content = addenda.addendum_sheet(revised.new)
    assert content["appealed"] == {"id": revised.old.pk, "kind": "partial", "blocks": ["BC1"], "reason": ""}
    assert content["revised"]["kind"] == "total"
    assert content["revised"]["reason"].startswith("La grille de BC2 relue")
    assert content["appeal"]["id"] == revised.appeal.pk
    assert content["appeal"]["scope"] == "Bloc BC2"
    assert content["jury"]["date"] == revised.decided.certification.meets_on.isoformat()
    assert len(content["jury"]["members"]) == 3
    assert content["candidate"]["name"] == revised.new.examined_place.enrolment.candidate.display_name


def test_the_revised_result_is_provisional_until_the_addendum_is_signed(revised: Revised) -> None:
    assert result_state.state(revised.new) == lifecycle.PROVISIONAL
    assert result_state.state(revised.old) == lifecycle.REVISED


# --- Signing ---------------------------------------------------------------------------------------------


def test_the_first_signature_opens_the_addendum_bound_to_its_fingerprint(revised: Revised, commit: Commit) -> None:
    first = revised.members[0]
    digest = addenda.addendum_state(revised.new).digest
    signature = addenda.addendum_sign(decision=revised.new, user=first, expected_sha256=digest)
    addendum = PvAddendum.objects.get(decision=revised.new)
    assert addendum.status == AddendumStatus.SIGNING
    assert addendum.opened_by == first
    assert signature.content_sha256 == addendum.content_sha256 == digest
    assert result_state.state(revised.new) == lifecycle.PROVISIONAL


def test_signed_by_all_the_revision_is_final_and_its_consequences_follow(revised: Revised, commit: Commit) -> None:
    old_parchment = Parchment.objects.get(decision=revised.old)
    mail.outbox.clear()
    with commit():
        sign_all(revised)
    addendum = PvAddendum.objects.get(decision=revised.new)
    assert addendum.status == AddendumStatus.SIGNED
    assert addendum.signed_at is not None
    assert result_state.state(revised.new) == lifecycle.FINAL
    # The appealed decision's parchment is cancelled with the reason, kept with its number.
    old_parchment.refresh_from_db()
    assert old_parchment.status == ParchmentStatus.CANCELLED
    assert old_parchment.cancel_reason == "Décision révisée après recours"
    assert old_parchment.cancelled_by == revised.members[-1]
    # A new parchment for the revised decision: the full certification.
    new_parchment = Parchment.objects.get(decision=revised.new, status=ParchmentStatus.VALID)
    assert new_parchment.kind == ParchmentKind.FULL
    assert new_parchment.number > old_parchment.number
    # The candidate is told, in French, what changed.
    notice = ResultNotice.objects.get(decision=revised.new)
    assert notice.status == NoticeStatus.SENT
    candidate = revised.new.examined_place.enrolment.candidate
    [message] = [m for m in mail.outbox if m.to == [candidate.email]]
    assert "révisé après recours" in message.subject
    assert "attribution totale" in message.body
    assert "décision précédente est annulé" in message.body
    revised.new.refresh_from_db()
    assert revised.new.declaration_to_resend is True


def test_a_revision_to_no_award_cancels_the_parchment_and_issues_none(issued: Decided, commit: Commit) -> None:
    revised = revise(issued, kind="none")
    with commit():
        sign_all(revised)
    assert not Parchment.objects.filter(decision__in=[revised.old, revised.new], status=ParchmentStatus.VALID).exists()
    assert ResultNotice.objects.filter(decision=revised.new).exists()


def test_a_flagged_revision_is_final_but_issues_no_parchment(revised: Revised, commit: Commit) -> None:
    """`juries.carry.issue_refusal` is respected: a carried block under review blocks the new parchment."""
    CarryOverFlag.objects.create(decision=revised.new, source_decision=revised.old, reason="Acquis reporté retiré")
    with commit():
        sign_all(revised)
    assert Parchment.objects.get(decision=revised.old).status == ParchmentStatus.CANCELLED
    assert not Parchment.objects.filter(decision=revised.new).exists()
    assert result_state.state(revised.new) == lifecycle.FINAL


def test_a_content_changed_since_a_signature_asks_that_member_to_sign_again(revised: Revised, commit: Commit) -> None:
    first, *others = revised.members
    addenda.addendum_sign(decision=revised.new, user=first)
    Appeal.objects.filter(pk=revised.appeal.pk).update(reexamination_scope="Blocs BC1 et BC2")
    with commit():
        for user in others:
            addenda.addendum_sign(decision=revised.new, user=user)
    assert PvAddendum.objects.get(decision=revised.new).status == AddendumStatus.SIGNING
    state = addenda.addendum_state(revised.new)
    assert [s.valid for s in state.signatures if s.seat.member.user == first] == [False]
    with commit():
        addenda.addendum_sign(decision=revised.new, user=first)
    assert PvAddendum.objects.get(decision=revised.new).status == AddendumStatus.SIGNED


def test_a_withdrawn_member_neither_signs_nor_is_waited_for(revised: Revised, commit: Commit) -> None:
    world = revised.decided.world
    withdrawn = world.cert_employers
    JuryMember.objects.filter(pk=withdrawn.pk).update(status="withdrawn")
    with forbidden("Seuls les membres du jury de certification"):
        addenda.addendum_sign(decision=revised.new, user=withdrawn.user)
    with commit():
        for user in revised.members:
            if user != withdrawn.user:
                addenda.addendum_sign(decision=revised.new, user=user)
    assert PvAddendum.objects.get(decision=revised.new).status == AddendumStatus.SIGNED


# --- Refusals --------------------------------------------------------------------------------------------


def test_it_refuses_a_signature_from_someone_not_on_the_jury(revised: Revised) -> None:
    for user in (revised.decided.world.admin, revised.decided.world.employers.user):
        with forbidden("Seuls les membres du jury de certification signent l'avenant"):
            addenda.addendum_sign(decision=revised.new, user=user)
    assert not PvAddendum.objects.exists()


def test_it_refuses_a_content_changed_since_the_member_read_it(revised: Revised) -> None:
    read = addenda.addendum_state(revised.new).digest
    Decision.objects.filter(pk=revised.new.pk).update(reason="Autre motif")
    with refused("L'avenant a changé depuis que vous l'avez ouvert : relisez-le, puis signez à nouveau."):
        addenda.addendum_sign(decision=revised.new, user=revised.members[0], expected_sha256=read)
    assert not PvAddendum.objects.exists()


def test_it_refuses_to_sign_an_addendum_signed_by_all(revised: Revised, commit: Commit) -> None:
    with commit():
        sign_all(revised)
    with refused("L'avenant est signé par tous : il ne change plus."):
        addenda.addendum_sign(decision=revised.new, user=revised.members[0])
    assert Parchment.objects.filter(decision=revised.new).count() == 1


def test_it_refuses_an_addendum_for_a_decision_that_follows_its_pv(issued: Decided) -> None:
    decision = issued.decisions[0]
    with refused("Cette décision n'appelle pas d'avenant"):
        addenda.addendum_sign(decision=decision, user=issued.world.cert_president.user)


def test_it_refuses_to_ratify_a_revision_under_appeal(revised: Revised) -> None:
    appeal_reexamined(revised.decided, revised.new)
    with refused("Ce résultat est en recours : il ne peut pas devenir définitif."):
        addenda.addendum_sign(decision=revised.new, user=revised.members[0])


# --- The new-evaluation path: the CPNEFP validation of the revising jury ----------------------------------


def test_revision_consequences_cancel_the_appealed_parchment_once_the_new_decision_is_final(
    revised: Revised,
    commit: Commit,
) -> None:
    """`revision_consequences` as the CPNEFP validation of a new evaluation's jury calls it (`jury_validated`)."""
    Decision.objects.filter(pk=revised.new.pk).update(needs_addendum=False)  # as if decided after a new evaluation
    assert addenda.jury_validated(jury=revised.decided.certification, actor=revised.decided.world.admin) != []
    with commit():
        done = addenda.revision_consequences(new_decision=revised.new, actor=revised.decided.world.admin)
    assert done.cancelled == []  # already cancelled by `jury_validated` above
    old = Parchment.objects.get(decision=revised.old)
    assert (old.status, old.cancel_reason) == (ParchmentStatus.CANCELLED, "Décision révisée après recours")
    assert Parchment.objects.filter(decision=revised.new, status=ParchmentStatus.VALID).count() == 1


def test_the_cpnefp_validation_of_the_revising_jury_brings_the_consequences(signed: Decided, commit: Commit) -> None:
    """The hook in `certificates.services.cpnefp_validation_record`: a revision that follows its jury's PV (a new
    evaluation) is final on the validation, and its parchment is issued then."""
    from certificates import services as certificate_services

    revised = revise(signed)
    Decision.objects.filter(pk=revised.new.pk).update(needs_addendum=False)  # as if decided after a new evaluation
    with commit():
        certificate_services.cpnefp_validation_record(
            jury=signed.certification, meeting_on=timezone.localdate(), recorded_by=signed.world.admin
        )
    assert result_state.state(revised.new) == lifecycle.FINAL
    assert Parchment.objects.get(decision=revised.new).kind == ParchmentKind.FULL
    assert ResultNotice.objects.filter(decision=revised.new).count() == 1


# --- The addendum follows its PV --------------------------------------------------------------------------


def test_it_refuses_to_sign_the_addendum_before_the_pv_is_signed_by_all(decided: Decided) -> None:
    """An appeal may come before the PV is signed; the revision decided then waits for the PV it amends."""
    revised = revise(decided)
    with refused("Le procès-verbal du jury n'est pas encore signé par tous"):
        addenda.addendum_sign(decision=revised.new, user=revised.members[0])
    assert not PvAddendum.objects.exists()
    assert addenda.pv_awaited(revised.new.jury) is not None


def test_it_refuses_to_sign_the_addendum_before_the_cpnefp_validation(signed: Decided) -> None:
    revised = revise(signed)
    with refused("La validation des résultats par la CPNEFP n'est pas encore enregistrée"):
        addenda.addendum_sign(decision=revised.new, user=revised.members[0])
    assert not PvAddendum.objects.exists()


def test_once_the_pv_is_signed_and_validated_nothing_holds_the_addendum_back(revised: Revised) -> None:
    assert addenda.pv_awaited(revised.new.jury) is None


def test_a_replaced_decision_leaves_no_parchment_to_send_on_the_deadlines_page(
    revised: Revised, commit: Commit
) -> None:
    from certificates.selectors import deadlines

    def pending() -> tuple[int, int]:
        (row,) = [r for r in deadlines(timezone.localdate()) if r.jury.pk == revised.decided.certification.pk]
        assert row.parchments is not None
        return row.results.pending, row.parchments.pending

    with commit():
        sign_all(revised)
    # The revised decision's parchment is to send; the appealed one's is cancelled, and its notice was sent.
    valid = Parchment.objects.filter(decision__jury=revised.decided.certification, status=ParchmentStatus.VALID)
    assert valid.count() == 2
    assert pending() == (0, 2)
