"""Writes about juries and results, by sub-domain: the member registry, composition, impartiality (recusals),
grids, outcomes (recommendation, transmission) and the certification jury (disputes, decisions). Every change
to a result leaves an audit entry (who, when, before, after). A refusal by a rule is a ValidationError in French
that names the rule broken; a refused actor (role, seat, presidency, recusal) is a PermissionDenied raised by the
gates of `accounts.access` and `juries.access`, so that a view answers 403. Reads live in `juries.selectors`.

`from juries import services; services.grid_save(...)` keeps working: the public names are re-exported here."""

from __future__ import annotations

from juries.services.audit import audit
from juries.services.certification import (
    decision_blocker,
    decision_record,
    decisions_open,
    dispute_record,
    dispute_resolve,
    revision_record,
)
from juries.services.composition import (
    certification_jury_create,
    evaluation_jury_create,
    jury_assign,
    jury_president_designate,
    jury_unassign,
)
from juries.services.grids import grid_reopen, grid_save, grids_enter, grids_submit
from juries.services.impartiality import conflict_declare, recusals_refresh
from juries.services.outcomes import deliberation_transmit, recommendation_record
from juries.services.prior import prior_acquisition_record, prior_acquisition_withdraw
from juries.services.registry import (
    jury_member_activation_resend,
    jury_member_approve,
    jury_member_confirm,
    jury_member_register,
    jury_member_withdraw,
)

__all__ = [
    "audit",
    "certification_jury_create",
    "conflict_declare",
    "decision_blocker",
    "decision_record",
    "decisions_open",
    "deliberation_transmit",
    "dispute_record",
    "dispute_resolve",
    "evaluation_jury_create",
    "grid_reopen",
    "grid_save",
    "grids_enter",
    "grids_submit",
    "jury_assign",
    "jury_member_activation_resend",
    "jury_member_approve",
    "jury_member_confirm",
    "jury_member_register",
    "jury_member_withdraw",
    "jury_president_designate",
    "jury_unassign",
    "prior_acquisition_record",
    "prior_acquisition_withdraw",
    "recommendation_record",
    "recusals_refresh",
    "revision_record",
]
