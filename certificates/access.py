"""The one place that hands PVs, parchments and batches to a user, or answers 404/403 (policy in `accounts.access`).

Certifier admins manage everything: their pages pass the role gate `check_certifier_admin` (403) before the object
is looked up (404). A PV is read and signed by the members of its certification jury. A
parchment's PDF is downloaded by certifier admins and by its holder (their own, from their space; a cancelled one
too, stamped "ANNULÉ" by the view: the holder learns it from the paper itself)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from accounts.access import check_any_role, check_certifier_admin
from accounts.models import Role, User
from certificates.models import Parchment, ParchmentBatch
from juries import rules as jury_rules
from juries.models import Jury, JuryKind


def certification_jury_for(user: User, pk: int) -> Jury:
    """A certification jury for its members and certifier admins; 404 for other jury members, 403 otherwise."""
    check_any_role(
        user,
        Role.CERTIFIER_ADMIN,
        Role.JURY_MEMBER,
        message=_("Le procès-verbal est réservé au jury de certification et au certificateur."),
    )
    juries = Jury.objects.filter(kind=JuryKind.CERTIFICATION).select_related(
        "version__certification", "version__certifier", "president__user"
    )
    if not user.is_certifier_admin:
        # `juries.rules.sits` as a query (one filter() call: the seat and its member's status are the same row): a
        # member whose habilitation was withdrawn no longer reads nor signs the PV.
        juries = juries.filter(seats__member__user=user, seats__member__status=jury_rules.APPROVED).distinct()
    return get_object_or_404(juries, pk=pk)


def admin_jury(user: User, pk: int) -> Jury:
    check_certifier_admin(user)
    return get_object_or_404(
        Jury.objects.filter(kind=JuryKind.CERTIFICATION).select_related("version__certifier"), pk=pk
    )


def parchments_for(user: User | AnonymousUser) -> QuerySet[Parchment]:
    parchments = Parchment.objects.select_related("certifier", "place__enrolment__candidate")
    if not user.is_authenticated:
        return parchments.none()
    if user.is_certifier_admin:
        return parchments
    return parchments.filter(place__enrolment__candidate__user=user)


def parchment_for_user(user: User | AnonymousUser, pk: int) -> Parchment:
    return get_object_or_404(parchments_for(user), pk=pk)


def parchment_for_admin(user: User, pk: int) -> Parchment:
    check_certifier_admin(user)
    return get_object_or_404(Parchment.objects.select_related("decision__jury"), pk=pk)


def batch_for_admin(user: User, pk: int) -> ParchmentBatch:
    check_certifier_admin(user)
    return get_object_or_404(ParchmentBatch, pk=pk)
