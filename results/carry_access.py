"""Who may see and act on prior acquisitions and resits (policy in `accounts.access`): the certifier admin
records, withdraws and imports prior acquisitions (403 for others); the staff of the candidate's organisation
read them and their scans, and enrol in a resit, like the certifier; a candidate of another organisation, or one
that does not exist, is a 404."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.shortcuts import get_object_or_404

from accounts.access import check_candidate_manager, check_certifier_admin
from accounts.models import User
from candidates.access import candidates_for
from candidates.models import Candidate
from juries.models import Decision, PriorAcquisition


def candidate_for_admin(user: User | AnonymousUser, pk: int) -> Candidate:
    """A candidate a certifier admin records a prior acquisition for: 403 for others, then 404."""
    check_certifier_admin(user)
    return get_object_or_404(Candidate.objects.select_related("organisation"), pk=pk)


def prior_for_admin(user: User | AnonymousUser, pk: int) -> PriorAcquisition:
    check_certifier_admin(user)
    return get_object_or_404(PriorAcquisition.objects.select_related("candidate", "block__version"), pk=pk)


def prior_scan_for_user(user: User | AnonymousUser, pk: int) -> PriorAcquisition:
    """A prior acquisition with a scanned PV that the user may read: the certifier, the candidate's
    organisation; 404 otherwise (whether it exists is not for others to learn)."""
    check_candidate_manager(user)
    priors = PriorAcquisition.objects.filter(candidate__in=candidates_for(user)).exclude(scan="")
    return get_object_or_404(priors, pk=pk)


def decision_for_resit(user: User | AnonymousUser, pk: int) -> Decision:
    """A candidate's current result (not one replaced by a revision), for the certifier or the candidate's
    organisation; 404 otherwise."""
    check_candidate_manager(user)
    decisions = Decision.objects.filter(
        place__isnull=False, examined_place__enrolment__candidate__in=candidates_for(user)
    ).select_related(
        "jury",
        "examined_place__session",
        "examined_place__enrolment__candidate__organisation",
        "examined_place__enrolment__version",
    )
    return get_object_or_404(decisions, pk=pk)
