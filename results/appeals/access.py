"""Who reads and handles appeals. The policy of `accounts.access`: what a user may not see is a 404, a page
reserved to a role they lack a 403.

Appeals are the certifier's: its admins record them, the CPNEF's examination and the letters. A candidate reads
the letters of their own appeals. The certification jury decides again on a re-examination: that page is read
like the jury's decision page (`juries.access`: the certifier, the members who sit and are not recused for the
candidate) and written by the jury's keeper (the service checks it)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from accounts.access import check_certifier_admin, is_certifier_admin
from accounts.models import User
from juries import access as jury_access
from juries.models import Decision
from results.models import Appeal, AppealDocument

_RESERVED = "Les recours sont enregistrés et suivis par les administrateurs du certificateur."


def check_appeals(user: User | AnonymousUser) -> None:
    check_certifier_admin(user, _(_RESERVED))


def _appeals() -> object:
    return Appeal.objects.select_related(
        "decision__jury__version__certifier",
        "decision__examined_place__session__organisation",
        "decision__examined_place__enrolment__candidate",
        "reexamination_place__session",
        "revised_decision",
        "recorded_by",
        "examined_by",
    )


def appeal_for_admin(user: User, pk: int) -> Appeal:
    check_appeals(user)
    return get_object_or_404(_appeals(), pk=pk)  # type: ignore[arg-type]


def decision_for_appeal(user: User, pk: int) -> Decision:
    """A certification jury's decision an admin records an appeal against."""
    check_appeals(user)
    return get_object_or_404(
        Decision.objects.select_related("jury__version", "examined_place__enrolment__candidate").prefetch_related(
            "blocks"
        ),
        pk=pk,
    )


def document_for_admin(user: User, pk: int) -> AppealDocument:
    check_appeals(user)
    return get_object_or_404(AppealDocument.objects.select_related("appeal"), pk=pk)


def appeal_for_letter(user: User | AnonymousUser, pk: int) -> Appeal:
    """An appeal whose letters the user reads: any for a certifier admin, their own for a candidate; 404 else."""
    appeal: Appeal = get_object_or_404(_appeals(), pk=pk)  # type: ignore[arg-type]
    if is_certifier_admin(user):
        return appeal
    candidate = appeal.decision.examined_place.enrolment.candidate
    if user.is_authenticated and candidate.user_id is not None and candidate.user_id == user.pk:
        return appeal
    raise Http404


def appeal_for_jury_reader(user: User, pk: int) -> Appeal:
    """An appeal seen from its certification jury: 403 for a role without jury pages, 404 for an appeal on a jury
    the user does not see or on a candidate they are recused for (`juries.access`)."""
    jury_access.require_jury_pages(user)
    appeal: Appeal = get_object_or_404(
        _appeals().filter(decision__jury__in=jury_access.juries_for(user)),  # type: ignore[attr-defined]
        pk=pk,
    )
    jury_access.place_for_user(user, appeal.decision.jury, appeal.decision.examined_place_id)
    return appeal
