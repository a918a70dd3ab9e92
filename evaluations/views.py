"""Session pages: organisation staff schedule and convoke; certifier admins see all and may
grant an override of the 15-day rule."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import check_candidate_manager
from accounts.types import AuthenticatedHttpRequest
from cqp.actions import run_action
from cqp.forms import add_service_errors
from cqp.lib.agreement import agree
from cqp.lib.downloads import private_download
from cqp.pagination import paginate
from dysfunctions.models import ProposalKind, ProposalStatus
from dysfunctions.selectors import session_proposals, with_cancelled
from evaluations import access, rules, selectors, services
from evaluations.convocation import convocation_ics
from evaluations.forms import (
    AddCandidateForm,
    EnrolmentSearchForm,
    IdentityCheckForm,
    IncidentForm,
    OverrideForm,
    SessionFilterForm,
    SessionForm,
)
from evaluations.models import Attendance, ConvocationOverride, ConvocationStatus, SessionCandidate
from juries.models import Jury

# A place whose convocation has not left and is not on its way.
UNSENT_CONVOCATIONS = (ConvocationStatus.NOT_SENT, ConvocationStatus.FAILED)


def session_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    check_candidate_manager(request.user)
    filters = SessionFilterForm(request.GET)
    if filters.is_valid():
        sessions = selectors.session_list(request.user, **filters.cleaned_data)
    else:  # the errors are shown by the form; a refused search lists nothing
        sessions = selectors.session_list(request.user).none()
    context = {"filters": filters, **paginate(request, with_cancelled(sessions))}
    return render(request, "evaluations/session_list.html", context)


def session_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisation = access.check_session_scheduler(request.user)
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_schedule(organisation=organisation, created_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Session programmée."))
            return redirect("evaluations:detail", pk=session.pk)
    return render(request, "evaluations/session_form.html", {"form": form})


def session_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = access.session_for_user(request.user, pk)
    override = ConvocationOverride.objects.filter(session=session).select_related("recorded_by").first()
    places = list(
        session.candidates.select_related("enrolment__candidate").prefetch_related("enrolment__accommodations")
    )
    # A candidate also placed in another session still to come (through another enrolment): a badge on their row.
    elsewhere = selectors.places_elsewhere(session)
    place_rows = [
        (place, [selectors.session_label(p.session) for p in elsewhere.get(place.enrolment.candidate_id, [])])
        for place in places
    ]
    proposals = session_proposals(session)  # its cancellation or postponement, shown on top
    # Read from the proposals the banner needs anyway: what `session_is_cancelled` asks, without another query.
    cancelled = any(p.kind == ProposalKind.CANCEL and p.status == ProposalStatus.ACCEPTED for p in proposals)
    today = timezone.localdate()
    first_day, last_day = session.starts_on, session.ends_on
    # What the dates or a cancellation no longer allow, said where the button would be (the services refuse it in
    # the same words).
    convocation_refusal = rules.convocation_refusal(
        today=today, first_day=first_day, last_day=last_day, override=override is not None, cancelled=cancelled
    )
    pending = any(p.attendance != Attendance.CANCELLED and p.convocation_status in UNSENT_CONVOCATIONS for p in places)
    context = {
        "session": session,
        "places": places,
        "place_rows": place_rows,
        "convocation_warning": (
            rules.convocation_deadline_warning(today=today, first_day=first_day, override=override is not None)
            if pending and not cancelled
            else None
        ),
        "timeline": rules.timeline(today=today, session_day=first_day),
        "can_convoke": convocation_refusal is None,
        # No convocation button at all: only an override could open it again, and none can.
        "convocations_closed": cancelled or rules.tests_begun(today=today, first_day=first_day),
        "convocation_refusal": convocation_refusal,
        "override_refusal": rules.override_refusal(
            today=today, first_day=first_day, last_day=last_day, cancelled=cancelled
        ),
        "jury_refusal": rules.jury_refusal(today=today, last_day=last_day, cancelled=cancelled),
        "placement_refusal": rules.placement_date_refusal(
            today=today, first_day=first_day, last_day=last_day, cancelled=cancelled
        ),
        "override": override,
        "session_jury": Jury.objects.filter(session=session).prefetch_related("seats__member__user").first(),
        "override_form": OverrideForm(),
        "dysfunctions": proposals,
        "session_cancelled": cancelled,
    }
    if request.user.is_organisation_staff and context["placement_refusal"] is None:
        search = EnrolmentSearchForm(request.GET)
        q = search.cleaned_data["q"] if search.is_valid() else ""
        context.update(
            search=search,
            searched=bool(q.strip()),
            enrolments=selectors.placeable_enrolments(session, q),
            picker_size=selectors.PICKER_SIZE,
        )
    return render(request, "evaluations/session_detail.html", context)


@require_POST
def session_add_candidate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = access.session_for_user(request.user, pk)
    form = AddCandidateForm(request.POST, session=session)
    if form.is_valid():
        place = run_action(
            request, lambda: services.session_add_candidate(session=session, enrolment=form.cleaned_data["enrolment"])
        )
        if place is not None:
            start = timezone.localtime(place.starts_at)
            candidate = place.enrolment.candidate
            messages.success(
                request,
                _("Créneau de %(name)s fixé au %(date)s à %(time)s ; la convocation n'est pas encore envoyée.")
                % {"name": candidate.display_name, "date": f"{start:%d/%m/%Y}", "time": f"{start:%H:%M}"},
            )
            others = selectors.places_elsewhere(session, candidate_ids=[candidate.pk]).get(candidate.pk, [])
            if others:
                messages.warning(
                    request,
                    agree(
                        candidate.sex,
                        _("%(name)s est aussi placé à une autre session qui n'est pas terminée : %(sessions)s."),
                        _("%(name)s est aussi placée à une autre session qui n'est pas terminée : %(sessions)s."),
                        _("%(name)s a aussi une place à une autre session qui n'est pas terminée : %(sessions)s."),
                    )
                    % {
                        "name": candidate.display_name,
                        "sessions": ", ".join(selectors.session_label(p.session) for p in others),
                    },
                )
    else:
        messages.error(request, _("Choisissez un candidat inscrit à cette certification."))
    # Back to the same search, for the next candidate of the list.
    search = EnrolmentSearchForm(request.POST)
    q = search.cleaned_data["q"] if search.is_valid() else ""
    url = reverse("evaluations:detail", args=[session.pk])
    return redirect(f"{url}?{urlencode({'q': q})}" if q else url)


@require_POST
def session_convoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = access.session_for_user(request.user, pk)
    resend = request.POST.get("resend") == "1"
    count = run_action(request, lambda: services.convocations_send(session=session, resend=resend))
    if count:
        messages.success(request, _("%(n)s convocation(s) en cours d'envoi.") % {"n": count})
        if rules.convocation_late(today=timezone.localdate(), first_day=session.starts_on):
            messages.warning(
                request,
                _(
                    "Ces convocations partent après l'échéance du %(date)s (15 jours avant les épreuves), grâce à la "
                    "dérogation du certificateur : les candidats ont moins de temps pour s'organiser, prévenez-les."
                )
                % {"date": f"{rules.convocation_deadline(session.starts_on):%d/%m/%Y}"},
            )
    elif count == 0:
        messages.info(request, _("Toutes les convocations sont déjà parties."))
    return redirect("evaluations:detail", pk=session.pk)


@require_POST
def session_override(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = access.session_for_override(request.user, pk)
    form = OverrideForm(request.POST)
    if form.is_valid():
        run_action(
            request,
            lambda: services.convocation_override_record(
                session=session, reason=form.cleaned_data["reason"], recorded_by=request.user
            ),
            success=_("Dérogation enregistrée : les convocations peuvent partir."),
        )
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
    return redirect("evaluations:detail", pk=session.pk)


def convocation_calendar(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    place = access.place_for_candidate(request.user, pk)
    return private_download(
        convocation_ics(place), filename="convocation.ics", content_type="text/calendar; charset=utf-8"
    )


def attendance_sheet(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = access.session_for_user(request.user, pk)
    context = {
        "session": session,
        "places": session.candidates.select_related("enrolment__candidate", "identity_checked_by"),
        "identity_form": IdentityCheckForm(),
        "incident_form": IncidentForm(session=session),
        "incidents": session.incidents.select_related("place__enrolment__candidate", "reported_by"),
        "is_exam_day": session.starts_on <= timezone.localdate() <= session.ends_on,
        "is_over": session.ends_on < timezone.localdate(),
    }
    return render(request, "evaluations/attendance_sheet.html", context)


def _place_action(
    request: AuthenticatedHttpRequest,
    pk: int,
    action: Callable[[SessionCandidate], object],
    success: str | Callable[[str], str],
) -> HttpResponse:
    """`success`: the message, or a function of the candidate's sex giving it (a message that agrees)."""
    place = access.place_for_manager(request.user, pk)
    candidate = place.enrolment.candidate
    message = success(candidate.sex) if callable(success) else success
    run_action(request, lambda: action(place), success=message % {"name": candidate.display_name})
    return redirect("evaluations:attendance", pk=place.session_id)


@require_POST
def attendance_identity(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    form = IdentityCheckForm(request.POST)
    document = form.cleaned_data["identity_document"] if form.is_valid() else ""
    return _place_action(
        request,
        pk,
        lambda place: services.identity_check(place=place, document=document, checked_by=request.user),
        _("Identité de %(name)s contrôlée."),
    )


@require_POST
def attendance_sign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _place_action(
        request,
        pk,
        lambda place: services.attendance_sign(place=place, recorded_by=request.user),
        _("%(name)s a émargé."),
    )


@require_POST
def attendance_absent(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _place_action(
        request,
        pk,
        lambda place: services.attendance_absent(place=place, recorded_by=request.user),
        lambda sex: agree(
            sex, _("%(name)s noté absent."), _("%(name)s notée absente."), _("%(name)s noté(e) absent(e).")
        ),
    )


@require_POST
def incident_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = access.session_for_user(request.user, pk)
    form = IncidentForm(request.POST, session=session)
    if form.is_valid():
        run_action(
            request,
            lambda: services.incident_report(session=session, reported_by=request.user, **form.cleaned_data),
            success=_("Incident enregistré et transmis au certificateur."),
        )
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
    return redirect("evaluations:attendance", pk=session.pk)


def attendance_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    from weasyprint import HTML

    session = access.session_for_user(request.user, pk)
    html = render_to_string(
        "evaluations/pdf/attendance_sheet.html",
        {
            "session": session,
            "places": session.candidates.select_related("enrolment__candidate", "identity_checked_by"),
            "incidents": session.incidents.select_related("place__enrolment__candidate"),
            "printed_at": timezone.localtime(),
        },
    )
    pdf = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    return private_download(
        pdf, filename=f"emargement-{session.starts_on:%Y-%m-%d}.pdf", content_type="application/pdf", inline=True
    )
