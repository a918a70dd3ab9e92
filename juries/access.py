"""The one place that hands juries, candidates, grids, disputes and members to a user, or answers 404/403.

Certifier admins see every jury. A jury member sees the juries they sit on while their habilitation is in force
(`rules.sits`: a withdrawn member sees none), and in each the candidates they take part in (`rules.sees_place`:
none of a candidate they are recused for). Organisation staff see the evaluation juries of their own sessions,
read only. Candidates and strangers see none. The policy of `accounts.access` applies: what a user may not
see is a 404, a page reserved to a role they lack a 403. The same functions answer the views and the services,
so a read and a write get the same answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import check_certifier_admin, is_certifier_admin, is_organisation_staff
from accounts.models import User
from candidates.models import Candidate
from cqp.lib import invitations
from evaluations.models import SessionCandidate
from juries import rules, selectors
from juries.models import CarryOverFlag, Dispute, Grid, Jury, JuryKind, JuryMember, JurySeat, Recusal

# --- Members -------------------------------------------------------------------------------------------


def member_of(user: User | AnonymousUser) -> JuryMember | None:
    """The user's entry in the registry, whatever its status (None for someone who is not in it)."""
    if not user.is_authenticated:
        return None
    return JuryMember.objects.filter(user=user).select_related("user").first()


def sitting_member(user: User | AnonymousUser, jury: Jury) -> JuryMember | None:
    """The member through whom the user sits on this jury (`rules.sits`: seated, habilitation in force)."""
    if not user.is_authenticated:
        return None
    seat = JurySeat.objects.filter(jury=jury, member__user=user).select_related("member__user").first()
    if seat is None or not rules.sits(seated=True, member_status=seat.member.status):
        return None
    return seat.member


def check_sitting_member(user: User | AnonymousUser, jury: Jury, message: str | None = None) -> JuryMember:
    """The member the user sits as, or 403 (an action of the jury's members only)."""
    member = sitting_member(user, jury)
    if member is None:
        raise PermissionDenied(message or _("Cette action est réservée aux membres du jury."))
    return member


def check_jury_actor(user: User | AnonymousUser, jury: Jury, message: str) -> None:
    """403 unless the user is a certifier admin or sits on the jury (an act of the jury the certifier may
    record for it: a dispute)."""
    if not (is_certifier_admin(user) or sitting_member(user, jury) is not None):
        raise PermissionDenied(message)


def check_president_or_certifier(user: User | AnonymousUser, jury: Jury, message: str) -> None:
    """403 unless the user is a certifier admin or the jury's president, sitting (`rules.sits`: a president whose
    habilitation is withdrawn no longer acts for the jury), e.g. the transmission of its results."""
    if is_certifier_admin(user):
        return
    me = sitting_member(user, jury)
    if me is None or me.pk != jury.president_id:
        raise PermissionDenied(message)


def check_speaks_for(user: User | AnonymousUser, member: JuryMember) -> None:
    """403 unless the user is `member` themselves or a certifier admin (a member declares their own links with a
    candidate)."""
    if not (is_certifier_admin(user) or (user.is_authenticated and member.user_id == user.pk)):
        raise PermissionDenied(_("Un membre déclare ses propres liens avec un candidat."))


# --- Juries --------------------------------------------------------------------------------------------


def juries_for(user: User | AnonymousUser) -> QuerySet[Jury]:
    juries = Jury.objects.all()
    if not user.is_authenticated:
        return juries.none()
    if user.is_certifier_admin:
        return juries
    # `rules.sits` as a query: one filter() call, so that the seat and its member's status are the same row.
    allowed = Q(seats__member__user=user, seats__member__status=rules.APPROVED)
    if user.is_organisation_staff:
        allowed |= Q(kind=JuryKind.EVALUATION, session__organisation_id=user.organisation_id)
    return juries.filter(allowed).distinct()


def sitting_juries(user: User | AnonymousUser) -> QuerySet[Jury]:
    """The juries a member sits on (habilitation in force), for their home page."""
    if not user.is_authenticated:
        return Jury.objects.none()
    return (
        Jury.objects.filter(seats__member__user=user, seats__member__status=rules.APPROVED)
        .select_related("version", "session__organisation", "president__user")
        .order_by("-meets_on", "pk")
        .distinct()
    )


def require_jury_pages(user: User) -> None:
    if not (user.is_certifier_admin or user.is_organisation_staff or user.is_jury_member):
        raise PermissionDenied(_("Cette page est réservée aux jurys, aux organismes et au certificateur."))


def jury_for_user(user: User, pk: int) -> Jury:
    require_jury_pages(user)
    return get_object_or_404(
        juries_for(user).select_related("version__certification", "session__organisation", "president__user"), pk=pk
    )


def evaluation_jury_for(user: User, pk: int) -> Jury:
    """A jury the user sees that is an evaluation jury (grids, deliberation); 403 on a certification jury."""
    jury = jury_for_user(user, pk)
    if jury.kind != JuryKind.EVALUATION:
        raise PermissionDenied(_("Cette page est celle d'un jury d'évaluation."))
    return jury


def juries_open_to(user: User, juries: list[Jury]) -> set[int]:
    """Which of `juries` the user opens (`juries_for`): the evaluation juries a certification jury lists, whose
    deliberation its members read only if they sat on them. No query for the certifier, who opens them all."""
    if user.is_certifier_admin:
        return {jury.pk for jury in juries}
    return set(juries_for(user).filter(pk__in=[jury.pk for jury in juries]).values_list("pk", flat=True))


def certification_jury_for(user: User, pk: int) -> Jury:
    """A jury the user sees that is a certification jury (decisions); 403 on an evaluation jury."""
    jury = jury_for_user(user, pk)
    if jury.kind != JuryKind.CERTIFICATION:
        raise PermissionDenied(_("Seul le jury de certification décide."))
    return jury


# --- Candidates of a jury ------------------------------------------------------------------------------


def _staff_of(user: User, jury: Jury) -> bool:
    return bool(
        is_organisation_staff(user)
        and jury.kind == JuryKind.EVALUATION
        and jury.session is not None
        and jury.session.organisation_id == user.organisation_id
    )


def sees_every_place(user: User, jury: Jury) -> bool:
    """The certifier and the session's staff see every candidate of the jury (`rules.sees_place`)."""
    return is_certifier_admin(user) or _staff_of(user, jury)


def visible_places(user: User, jury: Jury, places: Iterable[SessionCandidate]) -> list[SessionCandidate]:
    """The candidates among `places` of this jury that the user sees (`rules.sees_place`): every one for the
    certifier and the session's staff; for a member, those they are not recused for. Two queries at most."""
    admin, staff = is_certifier_admin(user), _staff_of(user, jury)
    if admin or staff:
        return list(places)
    me = sitting_member(user, jury)
    recused = set(Recusal.objects.filter(jury=jury, member=me).values_list("place_id", flat=True)) if me else set()
    return [
        place
        for place in places
        if rules.sees_place(admin=admin, organisation_staff=staff, sits=me is not None, recused=place.pk in recused)
    ]


def own_hidden_recusals(member: JuryMember | None, jury: Jury, shown: Iterable[SessionCandidate]) -> list[Recusal]:
    """A member's own recusals for the candidates they are no longer shown, so that they still read them."""
    if member is None:
        return []
    return list(
        Recusal.objects.filter(jury=jury, member=member)
        .exclude(place_id__in=[place.pk for place in shown])
        .select_related("member__user", "place__enrolment__candidate")
    )


def place_for_user(user: User, jury: Jury, pk: int) -> SessionCandidate:
    """A candidate this jury assesses (its session's, or transmitted to it) that the user sees, or 404."""
    places = SessionCandidate.objects.of_jury(jury).select_related(
        "session__version", "session__organisation", "enrolment__candidate"
    )
    place = get_object_or_404(places, pk=pk)
    if not visible_places(user, jury, [place]):
        raise Http404
    return place


def grid_of_jury(user: User, jury: Jury, pk: int) -> Grid:
    """A grid of this jury, of a candidate the user sees, or 404."""
    grid = get_object_or_404(Grid.objects.filter(jury=jury).select_related("place"), pk=pk)
    if not visible_places(user, jury, [grid.place]):
        raise Http404
    return grid


def dispute_of_jury(user: User, jury: Jury, pk: int) -> Dispute:
    """A dispute of this jury, on a candidate the user sees, or 404."""
    dispute = get_object_or_404(Dispute.objects.filter(jury=jury).select_related("place"), pk=pk)
    if not visible_places(user, jury, [dispute.place]):
        raise Http404
    return dispute


# --- Grids ---------------------------------------------------------------------------------------------

CONSENSUS = "consensus"
MEMBER = "member"


@dataclass(frozen=True, slots=True)
class GridAccess:
    """Which grid of a candidate a user opens (the consensus or their own) and whether they may enter it."""

    mode: str  # CONSENSUS | MEMBER
    editable: bool
    member: JuryMember | None


def grid_access(user: User, jury: Jury, place: SessionCandidate, wanted: str | None) -> GridAccess:
    """The consensus grid is entered by whoever keeps it for this candidate (the president, or the other
    representative when the president is recused); a sitting member enters their own grid, unless recused."""
    me = sitting_member(user, jury)
    keeper = selectors.keeper(jury, place)
    is_keeper = keeper is not None and me is not None and keeper.pk == me.pk
    if me is not None and (wanted == "membre" or (not is_keeper and wanted != "consensus")):
        recused = me.pk in selectors.recused_member_ids(jury, place)
        return GridAccess(mode=MEMBER, editable=not recused, member=me)
    return GridAccess(mode=CONSENSUS, editable=is_keeper, member=me)


def check_grid_editable(grid: GridAccess) -> None:
    if not grid.editable:
        raise PermissionDenied(_("Vous ne pouvez pas saisir cette grille."))


def check_grid_member(user: User, jury: Jury, place: SessionCandidate) -> JuryMember:
    """The member whose own grid of `place` the user enters, or 403: they sit on the jury (`rules.sits`) and are
    not recused for the candidate."""
    member = check_sitting_member(user, jury, _("Vous ne siégez pas dans ce jury."))
    if member.pk in selectors.recused_member_ids(jury, place):
        raise PermissionDenied(
            _("Vous êtes déporté(e) pour %(name)s : vous ne prenez part ni à sa grille ni à sa délibération.")
            % {"name": place.enrolment.candidate.display_name}
        )
    return member


def check_own_grid(user: User, grid: Grid) -> None:
    """403 unless `grid` is the user's own (each member validates their own grid) and they may still enter it
    (`check_grid_member`)."""
    if grid.member is None or grid.member.user_id != user.pk:
        raise PermissionDenied(_("Chacun valide sa propre grille."))
    check_grid_member(user, grid.jury, grid.place)


def check_keeper(user: User | AnonymousUser, jury: Jury, keeper: JuryMember) -> None:
    """403 unless the user is `keeper` (`selectors.keeper`: who enters a candidate's consensus grid and the
    jury's conclusions, a member who sits: `rules.sits`), naming the keeper when it is not the president."""
    sits = rules.sits(seated=True, member_status=keeper.status)
    if sits and user.is_authenticated and keeper.user_id == user.pk:
        return
    if jury.president_id and keeper.pk != jury.president_id:
        raise PermissionDenied(
            _("Le président est déporté pour ce candidat : c'est %(name)s qui saisit pour le jury.")
            % {"name": keeper.name}
        )
    raise PermissionDenied(_("Seul le président du jury saisit la grille de consensus et les conclusions du jury."))


# --- Presidency ----------------------------------------------------------------------------------------

_DESIGNATION_REFUSALS = {
    rules.NOT_SEATED: gettext_lazy("Seuls les membres du jury et le certificateur désignent le président."),
    rules.CERTIFIER_DESIGNATES: gettext_lazy("Le président du jury de certification est désigné par le certificateur."),
    rules.ALREADY_DESIGNATED: gettext_lazy(
        "Le président du jury est déjà désigné : seul le certificateur peut le remplacer."
    ),
    rules.SELF_DESIGNATION: gettext_lazy(
        "Un membre ne se désigne pas lui-même président : un autre membre du jury enregistre le choix du jury, "
        "ou le certificateur."
    ),
}


def designation_refusal(user: User, jury: Jury, member: JuryMember | None) -> str | None:
    """Why the user may not designate `member` (None: anyone) president of the jury, in words, or None."""
    admin = is_certifier_admin(user)
    me = None if admin else sitting_member(user, jury)
    reason = rules.designation_refusal(
        kind=jury.kind,
        by_admin=admin,
        by_member_id=me.pk if me else None,
        member_id=member.pk if member else 0,
        president_id=jury.president_id,
    )
    return str(_DESIGNATION_REFUSALS[reason]) if reason else None


def may_designate_president(user: User, jury: Jury) -> bool:
    """Whether the page offers the user the designation form."""
    return designation_refusal(user, jury, None) is None


def check_president_designation(user: User, jury: Jury, member: JuryMember | None) -> None:
    """403 unless the user may designate `member` (None: anyone) president (`rules.designation_refusal`)."""
    refusal = designation_refusal(user, jury, member)
    if refusal:
        raise PermissionDenied(refusal)


# --- Registry and history ------------------------------------------------------------------------------


def require_registry(user: User | AnonymousUser) -> None:
    if not (user.is_authenticated and (user.is_certifier_admin or user.is_organisation_staff)):
        raise PermissionDenied(_("Le registre des membres de jury est tenu par le certificateur et les organismes."))


def members_for(user: User) -> QuerySet[JuryMember]:
    """Certifier admins see the whole registry; organisation staff the people they proposed."""
    members = JuryMember.objects.select_related("user", "organisation")
    if user.is_certifier_admin:
        return members
    if user.is_organisation_staff:
        return members.filter(proposed_by__organisation_id=user.organisation_id)
    return members.none()


def member_for_admin(user: User, pk: int) -> JuryMember:
    """A member of the registry for a certifier admin's act on it (habilitation): 403 for anyone else, 404 for
    a member that does not exist."""
    check_certifier_admin(user, _("Seul un administrateur du certificateur habilite les membres de jury."))
    return get_object_or_404(JuryMember.objects.select_related("user"), pk=pk)


# An invitation links an existing account to a proposal once its owner, signed in, confirms from the link sent
# to the proposal's address: the link proves the mailbox, the session proves the account.
INVITATION_SALT = "juries.member-invitation"
INVITATION_DAYS = invitations.DAYS


def invitation_token(member: JuryMember) -> str:
    return invitations.token(salt=INVITATION_SALT, key="member", pk=member.pk, email=member.email)


def invitation_for_user(user: User | AnonymousUser, token: str) -> JuryMember:
    """The proposal this invitation is for, when it waits for this very account; 404 otherwise (a bad or expired
    link, a proposal already linked, or another account: whose address was proposed is not for others to learn)."""
    pk = invitations.invited_pk(user, token, salt=INVITATION_SALT, key="member", days=INVITATION_DAYS)
    if pk is None or not user.is_authenticated:  # never a pk for an anonymous visitor; said for the type checker
        raise Http404
    return get_object_or_404(
        JuryMember.objects.select_related("proposed_by__organisation"),
        pk=pk,
        email__iexact=user.email,
        user__isnull=True,
    )


def candidate_for_history(user: User, pk: int) -> Candidate:
    """The history of a candidate's results is read by certifier admins."""
    check_certifier_admin(user, _("L'historique des résultats est réservé au certificateur."))
    return get_object_or_404(Candidate.objects.select_related("organisation"), pk=pk)


def flag_for_admin(user: User, pk: int) -> CarryOverFlag:
    """A carry-over flag, for the certifier admins who review it (403 for others, 404 for an unknown one)."""
    check_certifier_admin(user, _("Les reports d'acquis à revoir sont l'affaire du certificateur."))
    return get_object_or_404(
        CarryOverFlag.objects.select_related(
            "decision__jury__version",
            "decision__examined_place__enrolment__candidate",
            "decision__examined_place__session__organisation",
            "source_decision__jury",
            "source_decision__examined_place__session",
            "source_prior__block",
            "resolved_by",
        ),
        pk=pk,
    )
