"""The one place that hands proposals, sessions and incident reports of dysfunctions to a user, or answers 403/404
(policy in `accounts.access`): a page reserved to a role the user lacks is a 403, then an object the user may not
see is a 404."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from accounts.access import (
    check_candidate_manager,
    check_certifier_admin,
    check_organisation_staff,
    is_certifier_admin,
    is_organisation_staff,
)
from accounts.models import User
from dysfunctions.models import IncidentReport, Proposal
from evaluations.models import EvaluationSession


def proposals_for(user: User) -> QuerySet[Proposal]:
    """The certifier's admins see every proposal, an organisation's staff those about its sessions."""
    proposals = Proposal.objects.all()
    if is_certifier_admin(user):
        return proposals
    if is_organisation_staff(user):
        return proposals.filter(session__organisation_id=user.organisation_id)
    return proposals.none()


def check_proposals_reader(user: User) -> None:
    check_candidate_manager(user, _("Les annulations et reports se lisent par l'organisme et le certificateur."))


def session_for_proposer(user: User, pk: int) -> EvaluationSession:
    """A session its organisation's staff may propose to cancel or postpone: 403 for other roles (the certifier
    decides, it does not propose), 404 for a session of another organisation."""
    organisation = check_organisation_staff(
        user, _("Une annulation ou un report se propose par l'organisme de formation qui organise la session.")
    )
    sessions = EvaluationSession.objects.select_related("version", "organisation")
    return get_object_or_404(sessions.filter(organisation=organisation), pk=pk)


def proposal_for_user(user: User, pk: int) -> Proposal:
    check_proposals_reader(user)
    proposals = proposals_for(user).select_related(
        "session__version", "session__organisation", "proposed_by", "decided_by"
    )
    return get_object_or_404(proposals, pk=pk)


def proposal_for_decision(user: User, pk: int) -> Proposal:
    check_certifier_admin(
        user, _("Seul un administrateur du certificateur décide d'annuler ou de reporter une session.")
    )
    return proposal_for_user(user, pk)


def session_for_reporter(user: User, pk: int) -> EvaluationSession:
    check_certifier_admin(user, _("Seul un administrateur du certificateur établit un rapport d'incident."))
    return get_object_or_404(EvaluationSession.objects.select_related("version", "organisation"), pk=pk)


def report_for_user(user: User, pk: int) -> IncidentReport:
    """A report as its candidate reads it, or as the certifier and the candidate's organisation do: 404 for
    anyone else, whatever their role."""
    reports = IncidentReport.objects.select_related(
        "place__session__version", "place__session__organisation", "place__enrolment__candidate", "written_by"
    )
    if not is_certifier_admin(user):
        mine = Q(place__enrolment__candidate__user_id=user.pk)
        if is_organisation_staff(user):
            mine |= Q(place__enrolment__candidate__organisation_id=user.organisation_id)
        reports = reports.filter(mine)
    return get_object_or_404(reports, pk=pk)
