"""The one place that hands sessions to a user, or answers 404/403 (policy in `accounts.access`): pages reserved to
a role pass its gate first (403), then the getter answers 404 for a session of another organisation."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from accounts.access import check_candidate_manager, check_certifier_admin, check_organisation_staff, organisation_scope
from accounts.models import User
from cqp.models import TrainingOrganisation
from evaluations.models import ConvocationStatus, EvaluationSession, SessionCandidate


def sessions_for(user: User) -> QuerySet[EvaluationSession]:
    return organisation_scope(user, EvaluationSession.objects.all())


def check_session_scheduler(user: User) -> TrainingOrganisation:
    """A session is scheduled by its training organisation (403 for certifier admins and other roles): the
    organisation it is scheduled for."""
    check_candidate_manager(user)
    return check_organisation_staff(user, _("Une session est programmée par l'organisme de formation."))


def session_for_user(user: User, pk: int) -> EvaluationSession:
    check_candidate_manager(user)
    return get_object_or_404(sessions_for(user).select_related("version", "organisation"), pk=pk)


def session_for_override(user: User, pk: int) -> EvaluationSession:
    """An override of the 15-day rule is the certifier's: 403 for any other role, then 404 for an unknown session."""
    check_certifier_admin(user, _("Seul un administrateur du certificateur peut déroger au délai de 15 jours."))
    return session_for_user(user, pk)


def place_for_candidate(user: User, pk: int) -> SessionCandidate:
    """A convocation as its candidate sees it (calendar file), or one managed by the user."""
    places = SessionCandidate.objects.select_related(
        "session__version", "session__organisation", "enrolment__candidate"
    )
    if user.is_certifier_admin:
        return get_object_or_404(places, pk=pk)
    mine = Q(enrolment__candidate__user=user, convocation_status=ConvocationStatus.SENT)
    if user.is_organisation_staff:
        mine |= Q(session__organisation_id=user.organisation_id)
    return get_object_or_404(places.filter(mine), pk=pk)


def place_for_manager(user: User, pk: int) -> SessionCandidate:
    """A candidate's place in a session the user runs (their organisation's) or oversees (certifier)."""
    check_candidate_manager(user)
    places = SessionCandidate.objects.select_related("session", "enrolment__candidate")
    return get_object_or_404(places.filter(session__in=sessions_for(user)), pk=pk)
