"""The one place that says which candidates a user may see and change, or answers 404/403 (policy in
`accounts.access`): pages reserved to candidate managers (certifier admins and organisation staff) pass the role
gate first (403), then the getter answers 404 for a candidate of another organisation or one that does not exist."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from accounts.access import check_any_role, check_candidate_manager, check_organisation_staff, organisation_scope
from accounts.models import Role, User
from candidates.models import Candidate, CandidateDocument, DocumentKind, Enrolment
from cqp.lib import invitations
from cqp.models import TrainingOrganisation


def check_candidate_creator(user: User) -> TrainingOrganisation:
    """A candidate is registered by their training organisation (403 for certifier admins and other roles):
    the organisation they are registered for."""
    check_candidate_manager(user)
    return check_organisation_staff(user, _("Un candidat est enregistré par son organisme de formation."))


def check_candidate_importer(user: User) -> TrainingOrganisation:
    """Candidates are imported by their training organisation (403 for certifier admins and other roles): the
    organisation they are imported for."""
    check_candidate_manager(user)
    return check_organisation_staff(user, _("Les candidats sont importés par leur organisme de formation."))


def candidates_for(user: User | AnonymousUser) -> QuerySet[Candidate]:
    """Certifier admins see every candidate; organisation staff their organisation's; others none."""
    return organisation_scope(user, Candidate.objects.all())


def candidate_for_user(user: User | AnonymousUser, pk: int) -> Candidate:
    check_candidate_manager(user)
    return get_object_or_404(candidates_for(user).select_related("organisation"), pk=pk)


def jury_documents_filter(user: User) -> Q | None:
    """The livret parts and formative evaluations a jury member may read: those of the candidates their
    evaluation jury assesses, or whose results were transmitted to their certification jury, unless they are
    recused for them."""
    if not user.is_jury_member:
        return None
    from evaluations.models import SessionCandidate
    from juries.models import Jury, Recusal
    from juries.rules import APPROVED

    # A member sits while their habilitation is in force (`juries.rules.sits`): a withdrawn member reads none.
    # The seat and its member's status in one filter(), so that they are the same row.
    sitting = Jury.objects.filter(seats__member__user=user, seats__member__status=APPROVED)
    evaluated = SessionCandidate.objects.of_juries(sitting).exclude(
        pk__in=Recusal.objects.filter(member__user=user).values("place_id")
    )
    # A subquery, not a join: a candidate in several sessions must not repeat their documents.
    readable = CandidateDocument.objects.filter(
        kind__in=[DocumentKind.LIVRET_PART, DocumentKind.FORMATIVE], enrolment__session_places__in=evaluated
    )
    return Q(pk__in=readable.values("pk"))


def documents_for(user: User | AnonymousUser) -> QuerySet[CandidateDocument]:
    """The candidate themselves, their organisation's staff and certifier admins; nobody else yet."""
    documents = CandidateDocument.objects.select_related("candidate", "block")
    if not user.is_authenticated:
        return documents.none()
    if user.is_certifier_admin:
        return documents
    allowed = Q(candidate__user_id=user.pk)
    if user.is_organisation_staff:
        allowed |= Q(candidate__organisation_id=user.organisation_id)
    jury = jury_documents_filter(user)
    if jury is not None:
        allowed |= jury
    return documents.filter(allowed)


def document_for_user(user: User | AnonymousUser, pk: int) -> CandidateDocument:
    """The document, or 404 (never 403: whether a document exists is not for strangers to learn)."""
    return get_object_or_404(documents_for(user), pk=pk)


def own_candidate(user: User | AnonymousUser) -> Candidate:
    """The candidate record of a candidate's account: 403 for an account without the candidate role, 404 when
    the account has no candidate record."""
    check_any_role(user, Role.CANDIDATE, message=_("Cette page est réservée aux candidats."))
    return get_object_or_404(Candidate, user_id=user.pk)


def enrolment_for_user(user: User | AnonymousUser, pk: int) -> Enrolment:
    check_candidate_manager(user)
    enrolments = Enrolment.objects.select_related("candidate", "version").filter(candidate__in=candidates_for(user))
    return get_object_or_404(enrolments, pk=pk)


# A candidate's invitation reaches an account that existed before it (whatever its roles, or none) only
# through this link: it is sent to the candidate's address, the account's owner opens it signed in and confirms.
# The link proves the mailbox, the session proves the account.
INVITATION_SALT = "candidates.account-invitation"
INVITATION_DAYS = invitations.DAYS


def invitation_token(candidate: Candidate) -> str:
    return invitations.token(salt=INVITATION_SALT, key="candidate", pk=candidate.pk, email=candidate.email)


def invitation_for_user(user: User | AnonymousUser, token: str) -> Candidate:
    """The candidate this invitation is for, when it waits for this very account; 404 otherwise (a bad or expired
    link, a candidate already linked, or another account: whose address it is is not for others to learn)."""
    pk = invitations.invited_pk(user, token, salt=INVITATION_SALT, key="candidate", days=INVITATION_DAYS)
    if pk is None or not user.is_authenticated:  # never a pk for an anonymous visitor; said for the type checker
        raise Http404
    return get_object_or_404(
        Candidate.objects.select_related("organisation"),
        pk=pk,
        email__iexact=user.email,
        user__isnull=True,
    )
