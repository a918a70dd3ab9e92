"""Pages of appeals: the list (open first), the decisions an appeal is recorded against, the record form, an
appeal with the CPNEF's examination and the re-examination's actions, its documents and letters; and the page on
which the certification jury decides again on the existing grids."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, URLResolver, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.types import AuthenticatedHttpRequest
from cqp.forms import add_service_errors
from cqp.lib.downloads import private_download, private_file
from cqp.pagination import paginate, search_terms
from juries import lifecycle, result_state
from juries import services as jury_services
from juries.forms import OutcomeForm
from juries.models import AuditAction, AuditEntry, Decision, Grid, Jury, JuryKind
from results import rules
from results.appeals import access, letters, selectors
from results.appeals.forms import AppealForm, ExamineForm, PlaceForm
from results.models import Appeal, AppealStatus, ReexaminationMode
from results.services import appeals as services

APPEALS_PER_PAGE = 50


# --- Lists ---------------------------------------------------------------------------------------------


def appeal_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.check_appeals(request.user)
    q = search_terms(request)
    today = timezone.localdate()
    context: dict[str, Any] = {**paginate(request, selectors.appeal_list(q), per_page=APPEALS_PER_PAGE), "q": q}
    context["rows"] = [
        {"appeal": appeal, "age": selectors.age_in_days(appeal, today) if appeal.is_open else None}
        for appeal in context["page"]
    ]
    return render(request, "results/appeals/list.html", context)


def appeal_decisions(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The decisions an appeal may be recorded against: one jury's (`?jury=`), or found by the candidate's name."""
    access.check_appeals(request.user)
    q = search_terms(request)
    wanted = request.GET.get("jury", "")
    jury = None
    if wanted.isdecimal() and len(wanted) < 12:
        jury = get_object_or_404(Jury.objects.select_related("version"), pk=int(wanted), kind=JuryKind.CERTIFICATION)
    decisions = selectors.decisions_for_appeal(jury=jury, q=q) if jury or q else Decision.objects.none()
    context: dict[str, Any] = {**paginate(request, decisions, per_page=APPEALS_PER_PAGE), "q": q, "jury": jury}
    context["rows"] = [
        {
            "decision": d,
            "state": result_state.view(d),
            "appealable": lifecycle.refusal(result_state.state(d), "appeal") is None,
        }
        for d in context["page"]
    ]
    return render(request, "results/appeals/decisions.html", context)


# --- Recording -----------------------------------------------------------------------------------------


def appeal_create(request: AuthenticatedHttpRequest, decision_pk: int) -> HttpResponse:
    decision = access.decision_for_appeal(request.user, decision_pk)
    form = AppealForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            appeal = services.appeal_record(
                decision=decision,
                received_on=form.cleaned_data["received_on"],
                grounds=form.cleaned_data["grounds"],
                documents=form.cleaned_data["documents"],
                recorded_by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if appeal.status == AppealStatus.INADMISSIBLE:
                messages.warning(
                    request,
                    _("Recours enregistré comme irrecevable : %(reason)s") % {"reason": appeal.inadmissible_reason},
                )
            else:
                messages.success(
                    request, _("Recours enregistré : le résultat est en recours jusqu'à la décision de la CPNEF.")
                )
            return redirect("results:appeal", pk=appeal.pk)
    elif request.method != "POST":
        form.initial = {"received_on": timezone.localdate()}
    context = {
        "decision": decision,
        "state": result_state.view(decision),
        "deadline": rules.appeal_deadline(decision.jury.meets_on),
        "form": form,
    }
    return render(request, "results/appeals/create.html", context)


# --- One appeal ----------------------------------------------------------------------------------------


def _detail(
    request: AuthenticatedHttpRequest,
    appeal: Appeal,
    *,
    examine_form: ExamineForm | None = None,
    place_form: PlaceForm | None = None,
    status: int = 200,
) -> HttpResponse:
    decision = appeal.decision
    context: dict[str, Any] = {
        "appeal": appeal,
        "decision": decision,
        "state": result_state.view(decision),
        "documents": list(appeal.documents.all()),
        "letters": letters.letters(appeal),
        "age": selectors.age_in_days(appeal) if appeal.is_open else None,
        "history": list(
            AuditEntry.objects.filter(
                candidate_id=decision.examined_place.enrolment.candidate_id, action=AuditAction.APPEAL
            ).select_related("actor")
        ),
    }
    if appeal.status == AppealStatus.RECEIVED:
        context["examine_form"] = examine_form or ExamineForm(initial={"meeting_on": timezone.localdate()})
    reexamining = appeal.status == AppealStatus.REEXAMINATION
    if (
        reexamining
        and appeal.reexamination_mode == ReexaminationMode.NEW_EVALUATION
        and not appeal.reexamination_place_id
    ):
        context["place_form"] = place_form or PlaceForm(sessions=_sessions(appeal))
    context["to_revise"] = reexamining and appeal.reexamination_mode == ReexaminationMode.SAME_GRIDS
    if appeal.revised_decision_id:
        context["revised_state"] = result_state.view(appeal.revised_decision)  # type: ignore[arg-type]
    return render(request, "results/appeals/detail.html", context, status=status)


def _sessions(appeal: Appeal) -> Any:
    return services.sessions_for_reexamination(appeal).select_related("version", "organisation")


def appeal_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _detail(request, access.appeal_for_admin(request.user, pk))


@require_POST
def appeal_examine(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    appeal = access.appeal_for_admin(request.user, pk)
    form = ExamineForm(request.POST)
    if form.is_valid():
        try:
            services.appeal_examine(appeal=appeal, examined_by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Examen de la CPNEF enregistré."))
            return redirect("results:appeal", pk=appeal.pk)
    return _detail(request, appeal, examine_form=form)


@require_POST
def appeal_place(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    appeal = access.appeal_for_admin(request.user, pk)
    form = PlaceForm(request.POST, sessions=_sessions(appeal))
    if form.is_valid():
        try:
            services.appeal_reexamination_place(appeal=appeal, session=form.cleaned_data["session"], by=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Le candidat est placé dans la session de la nouvelle évaluation."))
            return redirect("results:appeal", pk=appeal.pk)
    return _detail(request, appeal, place_form=form)


def appeal_document_download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    document = access.document_for_admin(request.user, pk)
    return private_file(document.file.open("rb"), filename=document.original_name, content_type=document.content_type)


def appeal_letter_pdf(request: AuthenticatedHttpRequest, pk: int, kind: str) -> HttpResponse:
    appeal = access.appeal_for_letter(request.user, pk)
    if not letters.has_letter(appeal, kind):
        raise Http404
    return private_download(
        letters.render_letter(appeal, kind), filename=letters.filename(appeal, kind), content_type="application/pdf"
    )


# --- The certification jury decides again ---------------------------------------------------------------


def appeal_revision(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The certification jury's keeper (its president) decides again on the existing grids, as the CPNEF ordered;
    read by whoever reads the jury's decision page."""
    appeal = access.appeal_for_jury_reader(request.user, pk)
    decision = appeal.decision
    jury = decision.jury
    place = decision.examined_place
    blocks = list(jury.version.blocks.order_by("order"))
    form = OutcomeForm(request.POST or None, blocks=blocks, text_label=_("Motif de la nouvelle décision"))
    open_to_revise = (
        appeal.status == AppealStatus.REEXAMINATION and appeal.reexamination_mode == ReexaminationMode.SAME_GRIDS
    )
    if request.method == "POST" and form.is_valid():
        try:
            jury_services.revision_record(
                decision=decision,
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
            messages.success(request, _("Nouvelle décision enregistrée : elle remplace la décision contestée."))
            return redirect("results:appeal_revision", pk=appeal.pk)
    elif request.method != "POST":
        form.initial = {"kind": decision.kind, "blocks": [str(b.pk) for b in decision.blocks.all()]}
    appeal.refresh_from_db(fields=["status", "revised_decision"])
    revised = None
    if appeal.revised_decision_id is not None:
        revised = (
            Decision.objects.select_related("decided_by")
            .prefetch_related("blocks")
            .filter(pk=appeal.revised_decision_id)
            .first()
        )
    context = {
        "appeal": appeal,
        "decision": decision,
        "jury": jury,
        "place": place,
        "state": result_state.view(decision),
        "revised": revised,
        "revised_state": result_state.view(revised) if revised else None,
        # Shown while the jury has to decide, and after a refused post (with its errors).
        "form": form if (open_to_revise and revised is None) or form.errors else None,
        "grids": list(
            Grid.objects.filter(place=place, member__isnull=True)
            .select_related("block")
            .prefetch_related("grades__competency")
            .order_by("block__order")
        ),
        "is_admin": request.user.is_certifier_admin,
    }
    return render(request, "results/appeals/revision.html", context)


urlpatterns: list[URLPattern | URLResolver] = [
    path("recours/", appeal_list, name="appeals"),
    path("recours/decisions/", appeal_decisions, name="appeal_decisions"),
    path("recours/decisions/<int:decision_pk>/nouveau/", appeal_create, name="appeal_create"),
    path("recours/<int:pk>/", appeal_detail, name="appeal"),
    path("recours/<int:pk>/examen/", appeal_examine, name="appeal_examine"),
    path("recours/<int:pk>/nouvelle-evaluation/", appeal_place, name="appeal_place"),
    path("recours/<int:pk>/reexamen/", appeal_revision, name="appeal_revision"),
    path("recours/<int:pk>/courriers/<slug:kind>.pdf", appeal_letter_pdf, name="appeal_letter_pdf"),
    path("recours/pieces/<int:pk>/", appeal_document_download, name="appeal_document_download"),
]
