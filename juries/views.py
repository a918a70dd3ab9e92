"""Jury pages: the member registry, a jury's composition and board, the A/NA grid of a candidate (keyboard
entry with the blocks' status computed live by `cqp.rules`), the deliberation grid and its exports, the
certification jury's disputes and decisions, and the history of a candidate's results."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import require_certifier_admin
from accounts.models import AuditAction, User
from accounts.selectors import audit_trail, audit_trails
from accounts.types import AuthenticatedHttpRequest
from candidates.access import candidates_for, documents_for
from cqp.actions import run_action
from cqp.forms import add_service_errors
from cqp.lib.downloads import private_download
from cqp.lib.text import fold
from cqp.models import CertificationVersion
from cqp.pagination import paginate, search_terms
from cqp.services import assert_rules_editable
from evaluations import rules as session_rules
from evaluations.access import session_for_user
from evaluations.models import SessionCandidate
from evaluations.selectors import CandidateFile, candidate_file
from juries import access, exports, result_pages, rule_sets, rules, selectors, services
from juries.forms import (
    AssignForm,
    CertificationJuryForm,
    DeclareForm,
    DisputeForm,
    MemberForm,
    OutcomeForm,
    ReasonForm,
    ResolutionForm,
    RuleSetForm,
    SeatChoiceForm,
    TransmitForm,
)
from juries.models import AuditEntry, Dispute, Grid, GridStatus, Jury, JuryKind, JuryMember, OutcomeKind


# A search on a list: a few words are enough to find a jury or a candidate.
def _refuse(request: AuthenticatedHttpRequest, form: forms.Form, fallback: str) -> None:
    """Say what to fix in a refused form posted from a page that shows no form errors: the field's label and
    its message (too long, a date out of range), or `fallback` when a choice is just missing."""
    said = False
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        for error in errors:
            if form.has_error(name, "required") and error == form.fields[name].error_messages["required"]:
                continue
            messages.error(request, f"{label} : {error}" if label else str(error))
            said = True
    if not said:
        messages.error(request, fallback)


# --- Registry ------------------------------------------------------------------------------------------


def member_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require_registry(request.user)
    members = list(
        access.members_for(request.user)
        .select_related("user")
        .prefetch_related("certifications")
        .order_by("status", "last_name")
    )
    # Each member's line carries their trail: proposal, habilitation, withdrawal (one query for the page).
    trails = audit_trails(JuryMember, [m.pk for m in members])
    # Each event with its action in words, translated once for the page (`get_action_display` hashes every
    # choice's lazy label on each call: most of the page's time with a trail per member).
    actions = {value: str(label) for value, label in AuditAction.choices}
    rows = [(m, [(e, actions.get(e.action, e.action)) for e in trails.get(m.pk, [])]) for m in members]
    headings = [_("Date"), _("Action"), _("Par"), _("Avant"), _("Après"), _("Motif")]
    context = {"members": members, "rows": rows, "reason_form": ReasonForm(), "trail_headings": headings}
    return render(request, "juries/member_list.html", context)


def member_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require_registry(request.user)
    form = MemberForm(request.POST or None, candidates=candidates_for(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            member = services.jury_member_register(proposed_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("%(name)s est proposé(e) au certificateur pour habilitation.") % {"name": member.name}
            )
            return redirect("juries:members")
    return render(request, "juries/member_form.html", {"form": form})


@require_POST
@require_certifier_admin
def member_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = access.member_for_admin(request.user, pk)
    run_action(
        request,
        lambda: services.jury_member_approve(member=member, approved_by=request.user),
        success=_("%(name)s est habilité(e).") % {"name": member.name},
    )
    return redirect("juries:members")


@require_POST
@require_certifier_admin
def member_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = access.member_for_admin(request.user, pk)
    run_action(
        request,
        lambda: services.jury_member_withdraw(
            member=member, withdrawn_by=request.user, reason=request.POST.get("reason", "")
        ),
        success=_("Habilitation de %(name)s retirée.") % {"name": member.name},
    )
    return redirect("juries:members")


@require_POST
@require_certifier_admin
def member_activation(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Send again the link to choose a password to a member who has not chosen one."""
    member = access.member_for_admin(request.user, pk)
    run_action(
        request,
        lambda: services.jury_member_activation_resend(member=member, sent_by=request.user),
        success=_("Invitation renvoyée à %(email)s.") % {"email": member.email},
    )
    return redirect("juries:members")


@require_certifier_admin
def version_rules(request: AuthenticatedHttpRequest, version_pk: int) -> HttpResponse:
    """The composition rules of a version's two juries, edited by certifier admins while the version is
    neither archived nor in use (then frozen, like its blocks)."""
    version = get_object_or_404(CertificationVersion.objects.select_related("certification"), pk=version_pk)
    posted_kind = request.POST.get("kind") if request.method == "POST" else None
    frozen = None
    try:
        assert_rules_editable(version, what=_("changer la composition de ses jurys"))
    except ValidationError as refusal:
        frozen = " ".join(refusal.messages)
    sections = []
    for value, source, stored in rule_sets.rule_sets_of(version):
        form = RuleSetForm(initial=RuleSetForm.initial_for(value, source))
        if posted_kind == value.kind and frozen is None:
            form = RuleSetForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    rule_sets.rule_set_save(
                        version=version,
                        kind=value.kind,
                        name=data["name"],
                        seats=form.seat_rules(),
                        presiding=data["presiding"],
                        min_members=data["min_members"],
                        max_members=data["max_members"],
                        trainers_linked_allowed=data["trainers_linked_allowed"],
                        external_percent=data["external_percent"],
                        source=data["source"],
                        saved_by=request.user,
                    )
                except ValidationError as refusal:
                    add_service_errors(form, refusal)
                else:
                    messages.success(request, _("Composition du %(jury)s enregistrée.") % {"jury": data["name"]})
                    return redirect("juries:version_rules", version_pk=version.pk)
        sections.append(
            {
                "rules": value,
                "words": rules.rules_in_words(value),
                "source": source,
                "stored": stored,
                "form": form,
                "kind_label": JuryKind(value.kind).label,
            }
        )
    status = 400 if posted_kind and frozen is None else 200
    return render(
        request,
        "juries/version_rules.html",
        {"version": version, "sections": sections, "frozen": frozen},
        status=status,
    )


def member_invitation(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    """The owner of an existing account, signed in, confirms the proposal e-mailed to its address."""
    member = access.invitation_for_user(request.user, token)
    if request.method == "POST":
        done = run_action(
            request,
            lambda: services.jury_member_confirm(member=member, user=request.user),
            success=_("Votre compte est rattaché au registre des membres de jury."),
        )
        return redirect("home") if done else redirect("juries:member_invitation", token=token)
    by = member.proposed_by
    proposer = by.organisation if by is not None and by.organisation is not None else _("Le certificateur")
    return render(request, "juries/member_invitation.html", {"member": member, "proposer": proposer})


# --- Juries --------------------------------------------------------------------------------------------


def jury_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The juries still at work, then with `?history=1` the closed ones; both paginated, searchable (`?q=`)."""
    access.require_jury_pages(request.user)
    juries = (
        access.juries_for(request.user)
        .select_related("version", "session__organisation", "president__user")
        .order_by("-meets_on", "pk")
    )
    history = request.GET.get("history") == "1"
    shown = selectors.juries_closed(juries) if history else selectors.juries_open(juries)
    search = search_terms(request)
    if search:
        shown = selectors.juries_search(shown, search)
    context = {
        **paginate(request, shown),
        "history": history,
        "q": search,
        "create_form": CertificationJuryForm() if request.user.is_certifier_admin else None,
    }
    return render(request, "juries/jury_list.html", context)


@require_POST
@require_certifier_admin
def certification_jury_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = CertificationJuryForm(request.POST)
    if not form.is_valid():
        _refuse(request, form, _("Choisissez une certification en vigueur et la date du jury."))
        return redirect("juries:list")
    jury = run_action(
        request,
        lambda: services.certification_jury_create(created_by=request.user, **form.cleaned_data),
        success=_("Jury de certification créé : composez-le."),
    )
    return redirect("juries:detail", pk=jury.pk) if jury else redirect("juries:list")


@require_POST
@require_certifier_admin
def evaluation_jury_create(request: AuthenticatedHttpRequest, session_pk: int) -> HttpResponse:
    session = session_for_user(request.user, session_pk)
    jury = run_action(
        request,
        lambda: services.evaluation_jury_create(session=session, created_by=request.user),
        success=_("Jury d'évaluation créé : composez-le."),
    )
    return redirect("juries:detail", pk=jury.pk) if jury else redirect("evaluations:detail", pk=session.pk)


def with_html(rows: list[selectors.Row]) -> list[selectors.Row]:
    """`rows` with their cells and outcome rendered (`includes/cell.html`, `includes/outcome.html`): each distinct
    content once, the same HTML reused for every cell showing it (a board of 50 candidates has a few kinds)."""
    cell_template = get_template("juries/includes/cell.html")
    outcome_template = get_template("juries/includes/outcome.html")
    cells: dict[Any, str] = {}
    outcomes: dict[Any, str] = {}
    for row in rows:
        row.cells_html = []
        for cell in row.cells:
            live = cell.live
            key = (
                cell.earlier,
                cell.origin,
                cell.sat,
                None if live is None else (live.state, live.acquired, live.total, live.missing_mandatory),
                cell.submitted,
                cell.grid is not None,
            )
            html = cells.get(key)
            if html is None:
                html = cells[key] = cell_template.render({"cell": cell})
            row.cells_html.append(html)
        codes = tuple(row.acquired_codes) if row.outcome else ()
        outcome_key = (row.outcome.kind if row.outcome else None, codes)
        html = outcomes.get(outcome_key)
        if html is None:
            html = outcomes[outcome_key] = outcome_template.render({"outcome": row.outcome, "row": row})
        row.outcome_html = html
    return rows


# A jury's board and decisions table: one page of candidates at a time (a certification jury may rule on hundreds),
# 25 so that a page's deliberation and HTML stay light (issue 11: 50 cost a worker 60 to 95 ms of CPU).
BOARD_PAGE_SIZE = 25
# What the board's search and the declare select read of every candidate: `Candidate.display_name`, the order.
NAME_FIELDS = (
    "pk",
    "starts_at",
    "enrolment__candidate__usage_name",
    "enrolment__candidate__birth_name",
    "enrolment__candidate__first_name",
)


def _board_page(request: AuthenticatedHttpRequest, places: list[SessionCandidate]) -> dict[str, Any]:
    """The page of `places` asked for, narrowed to the candidates whose name holds `?q=`, and the query string
    without `page` for the links (`includes/pagination.html`)."""
    search = search_terms(request)
    if search:
        words = fold(search).split()
        places = [p for p in places if all(w in fold(p.enrolment.candidate.display_name) for w in words)]
    return {**paginate(request, places, per_page=BOARD_PAGE_SIZE), "q": search}


def _options(field: Any) -> list[tuple[Any, str]]:
    """The choices of a model choice field, its empty label first, read by one query (the field's iterator counts
    then reads through a server-side cursor: three)."""
    return [("", str(field.empty_label))] + [(obj.pk, field.label_from_instance(obj)) for obj in field.queryset]


def jury_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    jury = access.jury_for_user(request.user, pk)
    me = access.sitting_member(request.user, jury)
    seats = selectors.jury_seats(jury)
    my_seat = next((s for s in seats if me and s.member_id == me.pk), None)
    # Every candidate the reader sees, light (their pk; their name when searching), then the deliberation of one
    # page of them, read in full: a certification jury may rule on hundreds, and instances cost.
    # Their names are read when searching, and for a member's « je connais personnellement » select.
    light = selectors.jury_places(jury).prefetch_related(None).select_related(None)
    named = bool(search_terms(request)) or my_seat is not None
    light = light.select_related("enrolment__candidate").only(*NAME_FIELDS) if named else light.only("pk")
    places = access.visible_places(request.user, jury, light)
    board = _board_page(request, places)
    wanted = [place.pk for place in board["page"].object_list]
    full = {place.pk: place for place in selectors.jury_places(jury).prefetch_related(None).filter(pk__in=wanted)}
    shown: list[SessionCandidate] = [full[pk] for pk in wanted]
    enrolled = selectors.enrolled_block_ids(shown)
    rows = with_html(selectors.deliberation_rows(shown, jury.version, enrolled=enrolled))
    reader = None if request.user.is_certifier_admin or me is None else me
    progress = selectors.juries_progress([jury], member=reader)[jury.pk]
    jury_rules = rule_sets.rules_for(jury.version_id, jury.kind)
    for seat in seats:
        seat.rule_label = jury_rules.label(seat.college)  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        **board,
        "jury": jury,
        "jury_rules": jury_rules,
        "rules_words": rules.rules_in_words(jury_rules),
        "seats": seats,
        "my_seat": my_seat,
        "problems": selectors.composition_problems(jury, seats, jury_rules),
        "rows": rows,
        "progress": progress,
        # Every recusal for who sees every candidate, as soon as the composition reveals it; a member, those of
        # the candidates they see.
        "recusals": selectors.jury_recusals(jury, None if access.sees_every_place(request.user, jury) else places),
        "blocks": [cell.block for cell in rows[0].cells] if rows else selectors.version_blocks(jury.version),
        "is_admin": request.user.is_certifier_admin,
        "is_president": bool(me and jury.president_id == me.pk),
        # A certification jury's decisions are offered while the decision service would take them; otherwise the
        # rows are only to read.
        "decisions_open": services.decisions_open(jury),
    }
    if request.user.is_certifier_admin:
        context["assign_form"] = AssignForm(jury=jury, jury_rules=jury_rules)
        context["assign_options"] = _options(context["assign_form"].fields["member"])
    if access.may_designate_president(request.user, jury):
        context["president_form"] = SeatChoiceForm(jury=jury)
    if my_seat and not request.user.is_certifier_admin:
        # Their own recusals for the candidates they no longer see stay listed.
        context["own_recusals"] = access.own_hidden_recusals(me, jury, places)
    if my_seat:
        # The candidates they see, in the order of the form's field (`conflict_declare` validates the choice).
        context["declare_options"] = [
            (place.pk, place.enrolment.candidate.display_name)
            for place in sorted(places, key=lambda place: (place.starts_at, place.pk))
        ]
    if jury.kind == JuryKind.EVALUATION:
        # A candidate graded without the livret their tests ask for: said on their row and before the transmission.
        selectors.with_livrets_missing(rows)
        context["livrets_missing"] = selectors.livrets_missing_names(rows)
        context["transmit_form"] = TransmitForm(jury=jury)
        context["transmit_options"] = _options(context["transmit_form"].fields["certification_jury"])[1:]
        context["left_to_grade"] = progress.grids_to_validate
    else:
        context["disputes"] = selectors.jury_disputes(jury, places)
        # Re-examinations on the existing grids the CPNEF sent back to this jury (results app).
        from results.appeals.selectors import revisions_to_decide

        context["appeal_revisions"] = list(revisions_to_decide(jury))
        context["sessions"] = list(
            Jury.objects.filter(certification_jury=jury).select_related("session__organisation", "president__user")
        )
        # A member of the certification jury who did not sit on an evaluation jury does not open its page.
        context["open_deliberations"] = access.juries_open_to(request.user, context["sessions"])
    context["events"] = audit_trail(jury)  # who presided, designated by whom and when
    return render(request, "juries/jury_detail.html", context)


@require_POST
@require_certifier_admin
def jury_assign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    jury = access.jury_for_user(request.user, pk)
    form = AssignForm(request.POST, jury=jury)
    if form.is_valid():
        member = form.cleaned_data["member"]
        run_action(
            request,
            lambda: services.jury_assign(jury=jury, member=member, assigned_by=request.user),
            success=_("%(name)s siège au jury.") % {"name": member.name},
        )
    else:
        messages.error(request, _("Choisissez un membre habilité pour cette certification."))
    return redirect("juries:detail", pk=jury.pk)


@require_POST
@require_certifier_admin
def jury_unassign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    jury = access.jury_for_user(request.user, pk)
    form = SeatChoiceForm(request.POST, jury=jury)
    if form.is_valid():
        member = form.cleaned_data["member"]
        run_action(
            request,
            lambda: services.jury_unassign(jury=jury, member=member, removed_by=request.user),
            success=_("%(name)s ne siège plus au jury.") % {"name": member.name},
        )
    return redirect("juries:detail", pk=jury.pk)


@require_POST
def jury_president(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    jury = access.jury_for_user(request.user, pk)
    access.check_president_designation(request.user, jury, None)
    form = SeatChoiceForm(request.POST, jury=jury)
    if form.is_valid():
        member = form.cleaned_data["member"]
        access.check_president_designation(request.user, jury, member)
        run_action(
            request,
            lambda: services.jury_president_designate(jury=jury, member=member, designated_by=request.user),
            success=_("%(name)s préside le jury.") % {"name": member.name},
        )
    return redirect("juries:detail", pk=jury.pk)


@require_POST
def conflict_declare(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    jury = access.jury_for_user(request.user, pk)
    me = access.check_sitting_member(
        request.user, jury, _("Seul un membre du jury déclare ses liens avec un candidat.")
    )
    form = DeclareForm(request.POST, places=selectors.jury_places(jury))
    if form.is_valid():
        place = form.cleaned_data["place"]
        run_action(
            request,
            lambda: services.conflict_declare(
                jury=jury, place=place, member=me, note=form.cleaned_data["note"], declared_by=request.user
            ),
            success=_("Déport enregistré : vous ne prenez part ni à la grille ni à la délibération de ce candidat."),
        )
    return redirect("juries:detail", pk=jury.pk)


# --- Grids ---------------------------------------------------------------------------------------------


def _posted_grades(data: Any, blocks: list[Any]) -> dict[int, selectors.BlockEntry]:
    """{block pk: (grades, comments, block comment)} from the grid form."""
    posted: dict[int, selectors.BlockEntry] = {}
    for block in blocks:
        grades: dict[str, str] = {}
        comments: dict[str, str] = {}
        for competency in block.competencies.all():
            grades[competency.code] = data.get(f"g-{block.pk}-{competency.code}", "")
            comments[competency.code] = data.get(f"c-{block.pk}-{competency.code}", "")
        posted[block.pk] = (grades, comments, data.get(f"bc-{block.pk}", ""))
    return posted


def _livret_missing(file: CandidateFile, name: str, consequence: str) -> str | None:
    """The warning (never a refusal) when the tests of a candidate ask for documents not handed in: the jury grades,
    decides or transmits without them, and says so."""
    if not file.missing:
        return None
    return _("Aucun livret remis pour %(name)s (%(documents)s) : %(consequence)s") % {
        "name": name,
        "documents": file.missing_label,
        "consequence": consequence,
    }


def _place_file(user: User, place: SessionCandidate, blocks: list[Any]) -> CandidateFile:
    documents = documents_for(user).filter(enrolment=place.enrolment).select_related("block", "test__block")
    return candidate_file(blocks, documents)


def grid_entry(request: AuthenticatedHttpRequest, pk: int, place_pk: int) -> HttpResponse:
    jury = access.evaluation_jury_for(request.user, pk)
    place = access.place_for_user(request.user, jury, place_pk)
    grid_access = access.grid_access(request.user, jury, place, request.GET.get("grille") or request.POST.get("grille"))
    mode, editable = grid_access.mode, grid_access.editable
    places = list(selectors.session_places(jury))
    index = next((i for i, p in enumerate(places) if p.pk == place.pk), None)
    posted = None
    if request.method == "POST":
        access.check_grid_editable(grid_access)
        sat = selectors.blocks_sat(place)
        posted = _posted_grades(request.POST, sat)
        action = request.POST.get("action", "save")
        try:
            services.grids_enter(
                jury=jury,
                place=place,
                consensus=mode == "consensus",
                entries=posted,
                submit=action in ("submit", "submit_next"),
                entered_by=request.user,
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            if action in ("submit", "submit_next"):
                messages.success(request, _("Grille validée et verrouillée."))
            else:
                messages.success(request, _("Grille enregistrée."))
            missing = _livret_missing(
                _place_file(request.user, place, sat),
                place.enrolment.candidate.display_name,
                _("la grille est saisie sans lui."),
            )
            if missing:
                messages.warning(request, missing)
            target = place
            if action.endswith("_next") and index is not None and index + 1 < len(places):
                target = places[index + 1]
            url = reverse("juries:grid", args=[jury.pk, target.pk])
            return redirect(f"{url}?grille={'consensus' if mode == 'consensus' else 'membre'}")
    me = access.member_of(request.user)
    sheet = selectors.grid_sheet(
        jury, place, consensus=mode == "consensus", member_id=me.pk if me else None, posted=posted
    )
    # Before the first exam day the page says so instead of offering the form (the services refuse it too).
    date_refusal = session_rules.grids_refusal(today=timezone.localdate(), first_day=place.session.starts_on)
    file = _place_file(request.user, place, [section.block for section in sheet.sections])
    context = {
        "jury": jury,
        "place": place,
        "mode": mode,
        "editable": editable and date_refusal is None,
        "date_refusal": date_refusal,
        "previous": places[index - 1] if index else None,
        "next": places[index + 1] if index is not None and index + 1 < len(places) else None,
        "position": (index or 0) + 1,
        "count": len(places),
        "row": sheet.row,
        "sections": sheet.sections,
        "members": sheet.members,
        "recusals": sheet.recusals,
        "file": file,
        "livret_missing": _livret_missing(file, sheet.row.candidate.display_name, _("la grille est saisie sans lui.")),
        "reopen_form": ReasonForm() if request.user.is_certifier_admin else None,
        "recommendation_form": _recommendation_form(sheet.row) if mode == "consensus" else None,
    }
    return render(request, "juries/grid.html", context)


def _recommendation_form(row: selectors.Row) -> OutcomeForm:
    """The recommendation as recorded, else the result the rules compute, else empty."""
    initial: dict[str, Any] = {}
    if row.recommendation:
        initial = {
            "kind": row.recommendation.kind,
            "blocks": [str(b.pk) for b in row.recommendation.blocks.all()],
            "text": row.recommendation.comments,
        }
    elif row.outcome:
        initial = {"kind": row.outcome.kind, "blocks": [str(c.block.pk) for c in row.cells if c.acquired]}
    return OutcomeForm(
        initial=initial, blocks=[c.block for c in row.cells], text_label=_("Commentaires et annotations")
    )


@require_POST
def grid_status(request: AuthenticatedHttpRequest, pk: int, place_pk: int) -> JsonResponse:
    """The live status of each block for the grades typed so far (nothing saved), as HTML fragments."""
    jury = access.jury_for_user(request.user, pk)
    place = access.place_for_user(request.user, jury, place_pk)
    blocks = selectors.blocks_sat(place)
    posted = _posted_grades(request.POST, blocks)
    statuses = selectors.live_statuses(blocks, {pk: grades for pk, (grades, _comments, _comment) in posted.items()})
    fragments = {
        str(pk): render_to_string("juries/includes/block_status.html", {"status": status})
        for pk, status in statuses.items()
    }
    return JsonResponse({"blocks": fragments})


@require_POST
@require_certifier_admin
def grid_reopen(request: AuthenticatedHttpRequest, pk: int, grid_pk: int) -> HttpResponse:
    jury = access.jury_for_user(request.user, pk)
    grid = access.grid_of_jury(request.user, jury, grid_pk)
    run_action(
        request,
        lambda: services.grid_reopen(grid=grid, reopened_by=request.user, reason=request.POST.get("reason", "")),
        success=_("Grille rouverte : le président peut la corriger."),
    )
    url = reverse("juries:grid", args=[jury.pk, grid.place_id])
    return redirect(f"{url}?grille={'consensus' if grid.is_consensus else 'membre'}")


@require_POST
def recommendation_record(request: AuthenticatedHttpRequest, pk: int, place_pk: int) -> HttpResponse:
    jury = access.jury_for_user(request.user, pk)
    place = access.place_for_user(request.user, jury, place_pk)
    form = OutcomeForm(
        request.POST, blocks=selectors.version_blocks(jury.version), text_label=_("Commentaires et annotations")
    )
    if form.is_valid():
        run_action(
            request,
            lambda: services.recommendation_record(
                place=place,
                kind=form.cleaned_data["kind"],
                blocks=form.chosen_blocks(),
                comments=form.cleaned_data["text"],
                recorded_by=request.user,
            ),
            success=_("Préconisation enregistrée."),
        )
    else:
        _refuse(request, form, _("Choisissez la préconisation : totale, partielle ou non-attribution."))
    return redirect(reverse("juries:grid", args=[jury.pk, place.pk]) + "?grille=consensus")


# --- Deliberation --------------------------------------------------------------------------------------


def _evaluation_rows(request: AuthenticatedHttpRequest, pk: int) -> tuple[Jury, list[selectors.Row]]:
    jury = access.evaluation_jury_for(request.user, pk)
    # A recused member deliberates without that candidate: their row is left out of the page and the exports.
    places = access.visible_places(request.user, jury, selectors.session_places(jury).prefetch_related(None))
    return jury, selectors.deliberation_rows(places, jury.version, enrolled=selectors.enrolled_block_ids(places))


def deliberation(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    jury, rows = _evaluation_rows(request, pk)
    with_html(rows)
    context = {
        "jury": jury,
        "rows": rows,
        "seats": selectors.jury_seats(jury),
        "blocks": [cell.block for cell in rows[0].cells] if rows else [],
    }
    return render(request, "juries/deliberation.html", context)


def deliberation_xlsx(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    jury, rows = _evaluation_rows(request, pk)
    return private_download(
        exports.deliberation_xlsx(jury, rows),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename=f"deliberation-{jury.evaluated_session.starts_on:%Y%m%d}-{jury.pk}.xlsx",
    )


def deliberation_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    jury, rows = _evaluation_rows(request, pk)
    return private_download(
        exports.deliberation_pdf_cached(jury, rows),
        content_type="application/pdf",
        filename=f"deliberation-{jury.evaluated_session.starts_on:%Y%m%d}-{jury.pk}.pdf",
    )


@require_POST
def deliberation_transmit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    jury = access.jury_for_user(request.user, pk)
    form = TransmitForm(request.POST, jury=jury)
    if form.is_valid():
        transmitted = run_action(
            request,
            lambda: services.deliberation_transmit(
                jury=jury, certification_jury=form.cleaned_data["certification_jury"], transmitted_by=request.user
            ),
        )
        if transmitted is not None:
            # Said as it is: the livrets go with the grids only when they were handed in.
            places = selectors.session_places(jury).prefetch_related(None)
            rows = selectors.with_livrets_missing(selectors.deliberation_rows(places, jury.version))
            missing = selectors.livrets_missing_names(rows)
            if missing:
                messages.success(request, _("Grilles et grille de délibération transmises au jury de certification."))
                messages.warning(
                    request,
                    _("Aucun livret remis pour %(candidates)s : leurs résultats sont transmis sans lui.")
                    % {"candidates": " ; ".join(missing)},
                )
            else:
                messages.success(
                    request, _("Grilles, livrets et grille de délibération transmis au jury de certification.")
                )
    else:
        messages.error(request, _("Choisissez le jury de certification."))
    return redirect("juries:detail", pk=jury.pk)


# --- Certification jury --------------------------------------------------------------------------------


def decision_page(request: AuthenticatedHttpRequest, pk: int, place_pk: int) -> HttpResponse:
    jury = access.certification_jury_for(request.user, pk)
    place = access.place_for_user(request.user, jury, place_pk)
    row = selectors.deliberation_rows([place], jury.version)[0]
    blocks = [cell.block for cell in row.cells]
    form = OutcomeForm(request.POST or None, blocks=blocks, text_label=_("Motif (obligatoire si la décision s'écarte)"))
    file = _place_file(request.user, place, [cell.block for cell in row.cells if cell.sat])
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_record(
                jury=jury,
                place=place,
                kind=form.cleaned_data["kind"],
                blocks=form.chosen_blocks(),
                reason=form.cleaned_data["text"],
                decided_by=request.user,
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "reason" in exc.error_dict:
                exc = ValidationError({"text": exc.error_dict.pop("reason"), **exc.error_dict})
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Décision enregistrée pour %(name)s.") % {"name": row.candidate.display_name})
            missing = _livret_missing(file, row.candidate.display_name, _("la décision est prise sans lui."))
            if missing:
                messages.warning(request, missing)
            return redirect("juries:detail", pk=jury.pk)
    elif request.method != "POST":
        if row.decision:
            form.initial = {
                "kind": row.decision.kind,
                "blocks": [str(b.pk) for b in row.decision.blocks.all()],
                "text": row.decision.reason,
            }
        elif row.recommendation:
            form.initial = {
                "kind": row.recommendation.kind,
                "blocks": [str(b.pk) for b in row.recommendation.blocks.all()],
            }
    grids = list(
        Grid.objects.filter(place=place, member__isnull=True)
        .select_related("block")
        .prefetch_related("grades__competency")
        .order_by("block__order")
    )
    context = {
        "jury": jury,
        "place": place,
        "row": row,
        "form": form,
        "grids": grids,
        "file": file,
        "livret_missing": _livret_missing(file, row.candidate.display_name, _("la décision est prise sans lui.")),
        "disputes": list(Dispute.objects.filter(place=place, jury=jury).select_related("recorded_by", "resolved_by")),
        "dispute_form": DisputeForm(),
        "resolution_form": ResolutionForm(),
        "flags": result_pages.decision_flags(row.decision) if row.decision else [],  # no query when none
        # The service's own checks: a decision the user may not record is not offered, its reason is shown.
        "blocker": services.decision_blocker(jury=jury, place=place, user=request.user),
    }
    return render(request, "juries/decision.html", context)


@require_POST
def dispute_create(request: AuthenticatedHttpRequest, pk: int, place_pk: int) -> HttpResponse:
    jury = access.jury_for_user(request.user, pk)
    place = access.place_for_user(request.user, jury, place_pk)
    form = DisputeForm(request.POST)
    if form.is_valid():
        run_action(
            request,
            lambda: services.dispute_record(jury=jury, place=place, recorded_by=request.user, **form.cleaned_data),
            success=_("Litige enregistré : la décision attend sa clôture."),
        )
    else:
        _refuse(request, form, _("Décrivez l'objet du litige."))
    return redirect("juries:decision", pk=jury.pk, place_pk=place.pk)


@require_POST
def dispute_resolve(request: AuthenticatedHttpRequest, pk: int, dispute_pk: int) -> HttpResponse:
    jury = access.jury_for_user(request.user, pk)
    dispute = access.dispute_of_jury(request.user, jury, dispute_pk)
    form = ResolutionForm(request.POST)
    if form.is_valid():
        run_action(
            request,
            lambda: services.dispute_resolve(
                dispute=dispute, resolution=form.cleaned_data["resolution"], resolved_by=request.user
            ),
            success=_("Litige clos."),
        )
    else:
        _refuse(request, form, _("Indiquez l'issue du litige."))
    return redirect("juries:decision", pk=jury.pk, place_pk=dispute.place_id)


# --- History -------------------------------------------------------------------------------------------


def candidate_history(request: AuthenticatedHttpRequest, candidate_pk: int) -> HttpResponse:
    candidate = access.candidate_for_history(request.user, candidate_pk)
    entries = [
        {"entry": entry, "before": describe(entry.before), "after": describe(entry.after)}
        for entry in AuditEntry.objects.filter(candidate=candidate)
        .select_related("actor", "place__session")
        .order_by("-at", "-pk")
    ]
    return render(request, "juries/history.html", {"candidate": candidate, "entries": entries})


# The snapshots' fields that hold an enumeration's value (stored as it is: "draft", "total"), shown by its
# label. A value that is none of the choices' (a dispute's "issue", typed by a person) is shown as it is.
SNAPSHOT_CHOICES: dict[str, type[models.TextChoices]] = {"statut": GridStatus, "issue": OutcomeKind}


def describe(value: Any, field: str | None = None) -> str:
    """An audit snapshot in words: « notes : C1.1 A, C1.2 NA ; statut : Validée » (not the stored "submitted");
    the rows themselves are not rewritten."""
    if value is None or value == {} or value == []:
        return "—"
    if isinstance(value, dict):
        parts = [f"{key} : {describe(item, key)}" for key, item in value.items() if item not in ("", None, {}, [])]
        return " ; ".join(parts) if parts else "—"
    if isinstance(value, list):
        return ", ".join(describe(item) for item in value) or "—"
    if isinstance(value, bool):
        return str(_("oui") if value else _("non"))
    choices = SNAPSHOT_CHOICES.get(field or "")
    if choices is not None and value in choices.values:
        return str(choices(value).label)
    return str(value)


def jury_home(user: User) -> dict[str, Any]:
    """For a jury member's home page: the juries still open on which they sit, with what is left to do in each
    (aggregate counts, no deliberation computed), and how many closed ones the history holds."""
    member = access.member_of(user)
    if member is None:
        return {"my_juries": [], "history_count": 0}
    sitting = access.sitting_juries(user)
    juries = list(selectors.juries_open(sitting))
    progress = selectors.juries_progress(juries, member=member)
    today = timezone.localdate()
    items = [
        {
            "jury": jury,
            "is_president": jury.president_id == member.pk,
            "upcoming": jury.session is not None and jury.session.starts_on > today,
            "candidates": progress[jury.pk].candidates,
            "convoked": progress[jury.pk].convoked,
            "to_grade": progress[jury.pk].to_grade,
            "to_recommend": progress[jury.pk].to_recommend,
            "to_decide": progress[jury.pk].to_decide,
        }
        for jury in juries
    ]
    return {"my_juries": items, "history_count": selectors.juries_closed(sitting).count()}
