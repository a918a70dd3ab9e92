"""The one place that hands VAE files to a user, or answers 403/404 (policy in `accounts.access`).

- The candidate prepares and sends their own files (candidate role, else 403; another's file is a 404).
- A file is read by its candidate, the staff of the candidate's organisation and the certifier's admins; the
  president of an evaluation jury before which the candidate is placed reads it to position them.
- The certifier's admins decide (403 for anyone else).
- The positioning is recorded by a certifier admin or that president (403 for other roles, 404 for a jury member
  who does not preside over the candidate's evaluation)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from accounts.access import check_any_role, check_certifier_admin, is_certifier_admin, is_jury_member
from accounts.models import Role, User
from candidates.models import Candidate
from vae.models import AdmissibilityFile, VaeDocument

READERS = (Role.CERTIFIER_ADMIN, Role.ORGANISATION_STAFF, Role.CANDIDATE)


def _presided(user: User | AnonymousUser) -> Q:
    """Files of the candidates placed by a VAE enrolment of the same version in a session whose evaluation jury
    `user` presides, while their habilitation is in force."""
    from evaluations.models import SessionCandidate
    from juries.rules import APPROVED

    places = SessionCandidate.objects.filter(
        session__jury__president__user_id=int(user.pk or 0),
        session__jury__president__status=APPROVED,
        enrolment__access_route="vae",
        enrolment__candidate_id=OuterRef("candidate_id"),
        enrolment__version_id=OuterRef("version_id"),
    )
    return Q(Exists(places))


def files_for(user: User | AnonymousUser) -> QuerySet[AdmissibilityFile]:
    """Certifier admins see every file; organisation staff their candidates'; a candidate their own; the
    president of an evaluation jury those of the VAE candidates placed before it."""
    files = AdmissibilityFile.objects.select_related("candidate__organisation", "version", "decided_by")
    if not user.is_authenticated:
        return files.none()
    if is_certifier_admin(user):
        return files
    allowed = Q(candidate__user_id=user.pk)
    if user.is_organisation_staff:
        allowed |= Q(candidate__organisation_id=user.organisation_id)
    if is_jury_member(user):
        allowed |= _presided(user)
    return files.filter(allowed)


def file_for_user(user: User | AnonymousUser, pk: int) -> AdmissibilityFile:
    check_any_role(
        user,
        *READERS,
        Role.JURY_MEMBER,
        message=_("Un dossier VAE se lit par son candidat, son organisme et le certificateur."),
    )
    return get_object_or_404(files_for(user), pk=pk)


def own_candidate(user: User | AnonymousUser) -> Candidate:
    """The candidate record of a candidate's account (403 for other roles, 404 without a record)."""
    check_any_role(user, Role.CANDIDATE, message=_("Le dossier VAE se dépose par le candidat, depuis son espace."))
    return get_object_or_404(Candidate.objects.select_related("organisation"), user_id=user.pk)


def own_file(user: User | AnonymousUser, pk: int) -> AdmissibilityFile:
    """A file the candidate changes: theirs (403 for other roles, 404 for another's)."""
    own_candidate(user)
    return get_object_or_404(
        AdmissibilityFile.objects.select_related("candidate", "version"), pk=pk, candidate__user_id=user.pk
    )


def check_file_owner(user: User, candidate: Candidate) -> None:
    """The services' check: a candidate's file is written by the candidate themselves."""
    if not user.is_authenticated or candidate.user_id != user.pk:
        raise PermissionDenied(_("Le dossier VAE se dépose par le candidat lui-même, depuis son espace."))


def check_decider(user: User | AnonymousUser) -> None:
    check_certifier_admin(user, _("Seul un administrateur du certificateur décide de la recevabilité."))


def file_for_decision(user: User | AnonymousUser, pk: int) -> AdmissibilityFile:
    check_decider(user)
    return get_object_or_404(files_for(user), pk=pk)


def may_position(user: User | AnonymousUser, file: AdmissibilityFile) -> bool:
    """A certifier admin, or the president of an evaluation jury before which the candidate is placed."""
    if is_certifier_admin(user):
        return True
    return is_jury_member(user) and AdmissibilityFile.objects.filter(_presided(user), pk=file.pk).exists()


def check_positioner(user: User, file: AdmissibilityFile) -> None:
    if not may_position(user, file):
        raise PermissionDenied(
            _("Le positionnement est enregistré par le certificateur ou le président du jury d'évaluation du candidat.")
        )


def file_for_positioning(user: User | AnonymousUser, pk: int) -> AdmissibilityFile:
    check_any_role(
        user,
        Role.CERTIFIER_ADMIN,
        Role.JURY_MEMBER,
        message=_("Le positionnement est enregistré par le certificateur ou le président du jury d'évaluation."),
    )
    files = AdmissibilityFile.objects.select_related("candidate", "version")
    if not is_certifier_admin(user):
        files = files.filter(_presided(user))
    return get_object_or_404(files, pk=pk)


def document_for_user(user: User | AnonymousUser, pk: int) -> VaeDocument:
    """A document of a file the user may read, or 404 (never 403)."""
    return get_object_or_404(
        VaeDocument.objects.select_related("file_of").filter(file_of__in=files_for(user).values("pk")), pk=pk
    )
