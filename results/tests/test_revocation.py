"""Revocation (`results.services.revocation.decision_revoke`): a certifier admin withdraws a final award with the
reason and the decision's reference; its parchments are cancelled with that reason, a fraud records the 3-year
ban, the later decisions that relied on it are flagged, the declaration is to be sent again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from candidates.models import FraudBan
from certificates.models import Parchment, ParchmentStatus
from certificates.tests import conftest as paper
from certificates.tests.conftest import Decided
from juries import lifecycle, result_state
from juries.models import AuditAction, AuditEntry, CarryOverFlag, Decision
from juries.tests.services.helpers import forbidden, refused
from results.services import revocation

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


def total_of(decided: Decided) -> Decision:
    return next(d for d in decided.decisions if d.kind == "total")


def revoke(decided: Decided, decision: Decision | None = None, **values: object) -> Decision:
    arguments: dict[str, object] = {
        "decision": decision or total_of(decided),
        "reason": "Fraude au livret établie après la délibération (copie d'un autre candidat).",
        "reference": "DEC-2026-014",
        "fraud": False,
        "decided_on": timezone.localdate(),
        "revoked_by": decided.world.admin,
    }
    arguments.update(values)
    return revocation.decision_revoke(**arguments)  # type: ignore[arg-type]


def test_a_revocation_withdraws_the_award_and_cancels_its_parchment_with_the_reason(issued: Decided) -> None:
    decision = total_of(issued)
    parchment = Parchment.objects.get(decision=decision)
    revoked = revoke(issued)
    assert result_state.state(revoked) == lifecycle.REVOKED
    assert revoked.revoked_by == issued.world.admin
    assert revoked.revocation_reference == "DEC-2026-014"
    assert revoked.revocation_fraud is False
    assert revoked.declaration_to_resend is True
    parchment.refresh_from_db()
    assert parchment.status == ParchmentStatus.CANCELLED
    assert parchment.cancel_reason.startswith("Certification retirée (décision DEC-2026-014) : Fraude au livret")
    assert not FraudBan.objects.exists()
    entry = AuditEntry.objects.get(action=AuditAction.REVOCATION)
    assert entry.place == decision.examined_place
    assert "DEC-2026-014" in entry.subject
    assert entry.after["parchemins annulés"] == [parchment.display_number]


def test_a_fraud_revocation_records_the_three_year_ban_from_the_decision(issued: Decided) -> None:
    decided_on = timezone.localdate()
    revoked = revoke(issued, fraud=True, decided_on=decided_on)
    candidate = revoked.examined_place.enrolment.candidate
    ban = FraudBan.objects.get(candidate=candidate)
    assert ban.decided_on == decided_on
    assert ban.ends_on == dt.date(decided_on.year + 3, decided_on.month, decided_on.day) - dt.timedelta(days=1)
    assert ban.reason.startswith("Fraude au livret")
    assert ban.recorded_by == issued.world.admin
    assert revoked.revocation_fraud is True


def test_a_revocation_flags_the_later_decisions_that_relied_on_it(issued: Decided) -> None:
    decision = total_of(issued)
    later = next(d for d in issued.decisions if d.kind == "none")
    later.relied_on.add(decision)  # as a resit's decision carrying the blocks over would
    revoke(issued)
    flag = CarryOverFlag.objects.get(decision=later)
    assert flag.source_decision == decision
    assert flag.reason == "Certification retirée (décision DEC-2026-014)"


def test_the_confirmation_says_what_will_happen(issued: Decided) -> None:
    decision = total_of(issued)
    later = next(d for d in issued.decisions if d.kind == "none")
    later.relied_on.add(decision)
    on = dt.date(2024, 2, 29)
    preview = revocation.preview(decision=decision, fraud=True, decided_on=on)
    assert [p.decision_id for p in preview.parchments] == [decision.pk]
    assert preview.dependants == [later]
    assert preview.ban_ends_on == dt.date(2027, 2, 28)


def test_the_reason_on_the_parchment_keeps_within_its_length() -> None:
    text = revocation.parchment_reason("R-1", "mot " * 200)
    assert len(text) <= 300
    assert text.endswith("…")


# --- Refusals --------------------------------------------------------------------------------------------


def test_only_a_certifier_admin_revokes(issued: Decided) -> None:
    for user in (issued.world.staff, issued.world.cert_president.user):
        with forbidden("Seul un administrateur du certificateur retire une certification."):
            revoke(issued, revoked_by=user)
    assert not Decision.objects.filter(revoked_at__isnull=False).exists()


def test_only_a_final_result_is_revoked(signed: Decided) -> None:
    with refused("Ce résultat est provisoire : seule une certification définitive peut être retirée."):
        revoke(signed)


def test_it_refuses_a_revocation_without_reason_or_reference(issued: Decided) -> None:
    with refused("Indiquez le motif du retrait.", "Indiquez la référence de la décision de retrait"):
        revoke(issued, reason="  ", reference="")
    with refused("La décision de retrait est prise : sa date ne peut pas être à venir."):
        revoke(issued, decided_on=timezone.localdate() + dt.timedelta(days=1))
    with refused("Le retrait suit la décision du jury"):
        revoke(issued, decided_on=issued.certification.meets_on - dt.timedelta(days=1))
    with refused("La référence tient en 100 caractères"):
        revoke(issued, reference="R" * 101)
    assert Parchment.objects.filter(status=ParchmentStatus.CANCELLED).count() == 0


def test_it_refuses_to_revoke_twice(issued: Decided) -> None:
    revoke(issued)
    with refused("Ce résultat est retiré : seule une certification définitive peut être retirée."):
        revoke(issued, reference="DEC-2026-015")
    assert AuditEntry.objects.filter(action=AuditAction.REVOCATION).count() == 1


def test_it_refuses_to_revoke_a_non_award(issued: Decided) -> None:
    failed = next(d for d in issued.decisions if d.kind == "none")
    with refused("Une non-attribution n'a rien à retirer."):
        revoke(issued, decision=failed)


def test_a_revoked_award_leaves_no_parchment_to_send_on_the_deadlines_page(issued: Decided) -> None:
    from certificates.selectors import deadlines

    def to_send() -> int:
        (row,) = [r for r in deadlines(timezone.localdate()) if r.jury.pk == issued.certification.pk]
        assert row.parchments is not None
        return row.parchments.pending

    assert to_send() == 2  # the two holders' parchments, issued, not sent yet
    revoke(issued)
    assert to_send() == 1  # the revoked award's parchment is cancelled: nothing to send for it
