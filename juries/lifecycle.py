"""The life of a certification jury's result, as one pure rule (no database): its states, the events that move
it, and which event each state allows. Services ask `refusal()` before they act and raise its French message.

    provisional --(PV signed + CPNEFP validation)--> final
    final --(admissible appeal)--> under appeal --(rejected)--> final (or provisional if it was not final yet)
    under appeal --(re-examination decided)--> revised        (the old result is kept, never edited)
    final --(award withdrawn)--> revoked

Only a final result counts anywhere else (carry-over, parchments, statistics, declarations): `counts()`."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

PROVISIONAL = "provisional"
FINAL = "final"
UNDER_APPEAL = "under_appeal"
REVISED = "revised"
REVOKED = "revoked"
STATES = (PROVISIONAL, FINAL, UNDER_APPEAL, REVISED, REVOKED)

LABELS = {
    PROVISIONAL: _("Provisoire"),
    FINAL: _("Définitif"),
    UNDER_APPEAL: _("En recours"),
    REVISED: _("Révisé"),
    REVOKED: _("Retiré"),
}
EXPLANATIONS = {
    PROVISIONAL: _("Provisoire jusqu'à la signature du procès-verbal et la validation de la CPNEFP."),
    FINAL: _("Définitif : procès-verbal signé et validation de la CPNEFP enregistrée."),
    UNDER_APPEAL: _("Un recours recevable est en cours d'examen : le résultat ne compte pas pour l'instant."),
    REVISED: _("Remplacé par une décision prise après réexamen : il est conservé, il ne compte plus."),
    REVOKED: _("La certification a été retirée par le certificateur : ce résultat ne compte plus."),
}
# Bootstrap badge colour of each state.
BADGES = {PROVISIONAL: "secondary", FINAL: "success", UNDER_APPEAL: "warning", REVISED: "dark", REVOKED: "danger"}

EDIT = "edit"  # the certification jury records or changes its decision
RATIFY = "ratify"  # PV fully signed and CPNEFP validation recorded (or PV addendum signed)
APPEAL = "appeal"  # an admissible appeal is recorded
REJECT = "reject"  # the appeal is rejected (or found inadmissible after all)
REVISE = "revise"  # a re-examination replaces the result
REVOKE = "revoke"  # the certifier withdraws the award
EVENTS = (EDIT, RATIFY, APPEAL, REJECT, REVISE, REVOKE)

ALLOWED_FROM: dict[str, frozenset[str]] = {
    EDIT: frozenset({PROVISIONAL}),
    RATIFY: frozenset({PROVISIONAL}),
    # The 2-month delay runs from the deliberation: a candidate may appeal before the CPNEFP validates.
    APPEAL: frozenset({PROVISIONAL, FINAL}),
    REJECT: frozenset({UNDER_APPEAL}),
    REVISE: frozenset({UNDER_APPEAL}),
    REVOKE: frozenset({FINAL}),
}

_REFUSALS = {
    EDIT: _("Ce résultat est %(state)s : il ne se modifie plus. Un changement passe par un recours ou un retrait."),
    RATIFY: _("Ce résultat est %(state)s : il ne peut pas devenir définitif."),
    APPEAL: _("Ce résultat est %(state)s : aucun recours ne peut être enregistré sur lui."),
    REJECT: _("Ce résultat est %(state)s : aucun recours n'est en cours sur lui."),
    REVISE: _("Ce résultat est %(state)s : seul un réexamen ordonné sur recours peut le remplacer."),
    REVOKE: _("Ce résultat est %(state)s : seule une certification définitive peut être retirée."),
}


def refusal(state: str, event: str) -> str | None:
    """None when `event` may happen to a result in `state`, else the French reason it may not."""
    if state not in STATES or event not in EVENTS:
        raise ValueError(f"état ou événement inconnu : {state!r}, {event!r}")
    if state in ALLOWED_FROM[event]:
        return None
    return str(_REFUSALS[event] % {"state": str(LABELS[state]).lower()})


@dataclass(frozen=True)
class Facts:
    """What the database knows of one result, enough to say its state."""

    ratified: bool  # PV signed and CPNEFP validation recorded, or its PV addendum signed
    open_appeal: bool  # an admissible appeal not yet closed
    superseded: bool  # a revised decision replaces it
    revoked: bool


def state_of(facts: Facts) -> str:
    if facts.revoked:
        return REVOKED
    if facts.superseded:
        return REVISED
    if facts.open_appeal:
        return UNDER_APPEAL
    return FINAL if facts.ratified else PROVISIONAL


def apply(facts: Facts, event: str) -> Facts:
    """The facts after `event`; raises ValueError with the French refusal when the state does not allow it."""
    reason = refusal(state_of(facts), event)
    if reason is not None:
        raise ValueError(reason)
    if event == RATIFY:
        return Facts(ratified=True, open_appeal=False, superseded=False, revoked=False)
    if event == APPEAL:
        return Facts(ratified=facts.ratified, open_appeal=True, superseded=False, revoked=False)
    if event == REJECT:
        return Facts(ratified=facts.ratified, open_appeal=False, superseded=False, revoked=False)
    if event == REVISE:
        return Facts(ratified=facts.ratified, open_appeal=False, superseded=True, revoked=False)
    if event == REVOKE:
        return Facts(ratified=facts.ratified, open_appeal=facts.open_appeal, superseded=False, revoked=True)
    return facts  # EDIT changes the decision, not its state


def counts(state: str) -> bool:
    """Only a final result counts elsewhere: carry-over, parchments, statistics, declarations."""
    return state == FINAL


def terminal(state: str) -> bool:
    return state in (REVISED, REVOKED)
