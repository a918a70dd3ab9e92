"""Writes about the certifier's paper: the PV and its signatures, the CPNEFP validation and the notification
of results, the numbering and issue of parchments, their cancellation and duplicates.

Numbers are taken in a short transaction that locks the certifier's series row and writes the parchment in the
same transaction: a rollback gives the number back, so the series has neither duplicate nor gap. Rendering
happens afterwards, in Celery tasks enqueued once the transaction has committed."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.access import check_certifier_admin
from accounts.models import User
from certificates import rendering, rules, selectors
from certificates.models import (
    RENDER_CLAIM,
    CpnefpValidation,
    NoticeStatus,
    NumberSeries,
    Parchment,
    ParchmentBatch,
    ParchmentKind,
    ParchmentStatus,
    ParchmentVersion,
    ProcesVerbal,
    PvSignature,
    PvStatus,
    RenderStatus,
    ResultNotice,
    document_storage,
    render_unfinished,
)
from cqp.lib import bounds, claims
from cqp.models import Certifier
from juries import carry
from juries import rules as jury_rules
from juries.models import Decision, Jury, JuryKind, OutcomeKind

# --- PV ------------------------------------------------------------------------------------------------


def pv_for(jury: Jury) -> ProcesVerbal | None:
    return ProcesVerbal.objects.filter(jury=jury).first()


def pv_is_signed(jury: Jury) -> bool:
    return ProcesVerbal.objects.filter(jury=jury, status=PvStatus.SIGNED).exists()


def _check_pv_ready(jury: Jury, content: dict[str, Any]) -> None:
    if jury.kind != JuryKind.CERTIFICATION:
        raise ValidationError(_("Un procès-verbal est celui d'un jury de certification."))
    if not content["candidates"]:
        raise ValidationError(_("Aucun candidat n'a été transmis à ce jury : pas de procès-verbal."))
    undecided = [c["name"] for c in content["candidates"] if c["decision"] is None]
    if undecided:
        raise ValidationError(_("Le jury doit d'abord statuer sur : %(names)s.") % {"names": ", ".join(undecided)})


@transaction.atomic
def pv_sign(*, jury: Jury, user: User, expected_sha256: str | None = None) -> PvSignature:
    """A member of the certification jury signs the PV as it stands now (logged in, timestamped, bound to the
    SHA-256 of its content). If the content changed since others signed, their signatures no longer count
    and they sign again; when every member has signed the same content, the PV and decisions are locked and
    its PDF is rendered by a worker. `expected_sha256`, the fingerprint of the content the member read (the
    page sends it): a PV changed since is refused, so nobody signs a content they have not seen."""
    jury = Jury.objects.select_for_update(of=("self",)).select_related("version").get(pk=jury.pk)
    seat = (
        jury.seats.select_related("member__user")
        .filter(member__user=user, member__status=jury_rules.APPROVED)  # a withdrawn member signs nothing
        .first()
    )
    if seat is None:
        raise PermissionDenied(_("Seuls les membres du jury de certification signent son procès-verbal."))
    pv = ProcesVerbal.objects.select_for_update().filter(jury=jury).first()
    if pv is not None and pv.status == PvStatus.SIGNED:
        raise ValidationError(_("Le procès-verbal est signé par tous : il ne change plus."))
    content = selectors.pv_sheet(jury)
    _check_pv_ready(jury, content)
    digest = rules.fingerprint(content)
    if expected_sha256 is not None and expected_sha256 != digest:
        raise ValidationError(
            _("Le procès-verbal a changé depuis que vous l'avez ouvert : relisez-le, puis signez à nouveau.")
        )
    if pv is None:
        pv = ProcesVerbal(jury=jury, content=content, content_sha256=digest, opened_by=user)
        pv.full_clean()
        pv.save()
    elif pv.content_sha256 != digest:
        pv.content, pv.content_sha256 = content, digest
        pv.save(update_fields=["content", "content_sha256"])
    signature, _created = PvSignature.objects.update_or_create(
        pv=pv, member=seat.member, defaults={"user": user, "content_sha256": digest, "signed_at": timezone.now()}
    )
    # Every member still approved signs; a member withdrawn since the jury sat (its composition no longer
    # changes once it has decided) is not waited for, as for a PV addendum.
    members = set(jury.seats.filter(member__status=jury_rules.APPROVED).values_list("member_id", flat=True))
    signed = set(pv.signatures.filter(content_sha256=digest).values_list("member_id", flat=True))
    if members and members <= signed:
        pv.status = PvStatus.SIGNED
        pv.signed_at = timezone.now()
        pv.save(update_fields=["status", "signed_at"])
        from certificates import tasks

        transaction.on_commit(lambda: tasks.pv_render.delay(pv_id=pv.pk))
    return signature


# --- CPNEFP validation and results ---------------------------------------------------------------------


@transaction.atomic
def cpnefp_validation_record(*, jury: Jury, meeting_on: dt.date, recorded_by: User) -> CpnefpValidation:
    """The CPNEFP validated the results of a certification jury whose PV is signed; every candidate's result
    is then notified (e-mail, and their space shows it)."""
    check_certifier_admin(
        recorded_by, _("Seul un administrateur du certificateur enregistre la validation de la CPNEFP.")
    )
    # Locked: a second submission of the same form waits for the first, then finds the validation recorded.
    jury = Jury.objects.select_for_update(of=("self",)).get(pk=jury.pk)
    pv = ProcesVerbal.objects.filter(jury=jury, status=PvStatus.SIGNED).first()
    if pv is None or pv.signed_at is None:
        raise ValidationError(_("Le procès-verbal du jury doit être signé par tous ses membres avant la validation."))
    if CpnefpValidation.objects.filter(jury=jury).exists():
        raise ValidationError(_("La validation de la CPNEFP est déjà enregistrée pour ce jury."))
    errors = {}
    last_signature_on = timezone.localdate(pv.signed_at)
    if meeting_on < jury.meets_on:
        errors["meeting_on"] = _("La CPNEFP valide après le jury (le %(date)s).") % {"date": date_format(jury.meets_on)}
    elif meeting_on < last_signature_on:
        errors["meeting_on"] = _(
            "La CPNEFP valide un procès-verbal signé : sa réunion ne peut pas précéder la dernière signature "
            "du procès-verbal (le %(date)s)."
        ) % {"date": date_format(last_signature_on)}
    elif meeting_on > timezone.localdate():
        errors["meeting_on"] = _("Une validation s'enregistre une fois la réunion tenue : la date est à venir.")
    if errors:
        raise ValidationError(errors)
    validation = CpnefpValidation(jury=jury, meeting_on=meeting_on, recorded_by=recorded_by)
    validation.full_clean()
    validation.save()
    # Not a decision replaced after re-examination (no place), nor a revision awaiting its PV addendum: the
    # revision is notified once final (`results.services.addenda.revision_consequences`).
    current = Decision.objects.filter(jury=jury, place__isnull=False, needs_addendum=False)
    notices = [ResultNotice(decision=d) for d in current.exclude(notice__isnull=False)]
    ResultNotice.objects.bulk_create(notices)
    from results.services.addenda import jury_validated

    jury_validated(jury=jury, actor=recorded_by)  # revisions decided by this jury: their consequences follow
    ids = list(
        ResultNotice.objects.filter(decision__jury=jury, status=NoticeStatus.QUEUED).values_list("pk", flat=True)
    )
    from certificates import tasks

    transaction.on_commit(lambda: [tasks.result_notify.delay(notice_id=pk) for pk in ids])
    return validation


# A result notice being sent is claimed on its row: a second delivery of the task finds it taken and sends nothing.
NOTICE_CLAIM = claims.mail_claim(
    status="status", claimed_at="claimed_at", queued=NoticeStatus.QUEUED, sending=NoticeStatus.SENDING
)


def notice_claim(*, notice_id: int, retaking: bool = False) -> ResultNotice | None:
    """The result notice this task now sends, or None (sent, or being sent by another worker)."""
    rows = ResultNotice.objects.select_related(
        "decision__place__enrolment__candidate", "decision__place__session__version", "decision__jury"
    )
    return NOTICE_CLAIM.claimed(rows, notice_id, retaking=retaking)


def notice_message(notice: ResultNotice) -> EmailMessage:
    """The e-mail telling a candidate the decision on their result."""
    decision = notice.decision
    candidate = decision.examined_place.enrolment.candidate
    context = {"decision": decision, "candidate": candidate, "site_url": settings.SITE_URL}
    # A result revised after an appeal says what changed (the results app's templates).
    prefix = "results/addenda/revised" if decision.revises_id else "certificates/result"
    subject = render_to_string(f"{prefix}_subject.txt", context).strip()
    body = render_to_string(f"{prefix}_email.txt", context)
    return EmailMessage(subject=subject, body=body, to=[candidate.email])


def notice_mark(*, notice: ResultNotice, error: str = "") -> bool:
    """Record the outcome of the sending that holds `notice`'s claim (called by the task); False when another
    worker took the claim over."""
    outcome: dict[str, Any] = {"status": NoticeStatus.FAILED, "error": error}
    if not error:
        outcome = {"status": NoticeStatus.SENT, "error": "", "sent_at": timezone.now()}
    return NOTICE_CLAIM.settle(ResultNotice.objects.all(), notice.pk, notice.claimed_at, **outcome)


# --- Parchments ----------------------------------------------------------------------------------------


def _mention_problems(jury: Jury, certifier: Certifier) -> list[str]:
    version = jury.version
    missing = []
    if version.decision_date is None:
        missing.append(_("la date de la décision d'enregistrement au RNCP"))
    if version.level is None or version.eu_level is None:
        missing.append(_("le niveau et son équivalent européen"))
    if not version.nsf_codes:
        missing.append(_("le ou les codes NSF"))
    if not certifier.signatory_name or not certifier.signatory_title:
        missing.append(_("le nom et la qualité du signataire du certificateur"))
    if not certifier.city:
        missing.append(_("le lieu de délivrance (ville du certificateur)"))
    return missing


def parchment_mentions(
    *, decision: Decision, kind: str, blocks: list[Any], issued_on: dt.date, certifier: Certifier
) -> dict[str, Any]:
    """Every mandatory mention of a parchment, copied at issue: RNCP registration and decision date,
    certifier's legal name, exact title, level and European level, NSF codes, the holder's identity, date and
    place of issue, the signatory; and for a block certificate, the blocks."""
    place = decision.examined_place
    candidate = place.enrolment.candidate
    version = place.session.version
    surname = rules.surname_caps(candidate.birth_name)
    if candidate.usage_name and candidate.usage_name != candidate.birth_name:
        born = _("née") if candidate.sex == "F" else _("né")
        surname = f"{rules.surname_caps(candidate.usage_name)} ({born} {surname})"
    return {
        "kind": kind,
        "certification": {
            "rncp_code": version.rncp_code,
            "rncp_number": version.rncp_number,
            "title": version.title,
            "level": version.level,
            "eu_level": version.eu_level,
            "nsf_codes": list(version.nsf_codes),
            "decision_date": version.decision_date.isoformat() if version.decision_date else None,
            "decision_reference": version.decision_reference,
        },
        "certifier": {
            "legal_name": certifier.legal_name,
            "delegate_name": certifier.delegate_name,
            "signatory_name": certifier.signatory_name,
            "signatory_title": certifier.signatory_title,
        },
        "holder": {
            "name": f"{' '.join(candidate.first_names)} {surname}",
            "sex": candidate.sex,  # the words that agree with the holder ("née le"), not "né(e)"
            "birth_date": candidate.birth_date.isoformat(),
            "birth_place": candidate.birth_commune
            + ("" if candidate.birth_country in ("", "France") else f" ({candidate.birth_country})"),
        },
        "blocks": [{"code": b.code, "rncp_code": b.rncp_code, "title": b.title} for b in blocks],
        "jury_date": decision.jury.meets_on.isoformat(),
        "issued_on": issued_on.isoformat(),
        "issued_at": certifier.city,
    }


def _parchment_plan(decision: Decision, version_blocks: list[Any] | None = None) -> tuple[str, list[Any]] | None:
    """(kind, blocks) of the parchment a decision calls for, or None (no award). `version_blocks`, the
    version's blocks in order, when the caller has read them once for a whole batch."""
    if decision.kind == OutcomeKind.TOTAL:
        if version_blocks is None:
            version_blocks = list(decision.jury.version.blocks.order_by("order"))
        return ParchmentKind.FULL, version_blocks
    if decision.kind == OutcomeKind.PARTIAL:
        return ParchmentKind.BLOCKS, sorted(decision.blocks.all(), key=lambda b: b.order)
    return None


# The code of the refusal of a second valid parchment for a decision (a batch skips such a holder).
ALREADY_ISSUED = "already_issued"

# Checked by the database (foreign keys, unique number, one valid parchment per decision, unique code), not
# by a query each before the insert: a parchment is written in the shortest transaction that keeps the series
# without gap, and a violation comes back as an IntegrityError, turned into a message below.
_CHECKED_BY_THE_DATABASE = ["certifier", "decision", "place", "batch", "issued_by", "verification_code"]


def parchment_issue(
    *,
    decision: Decision,
    issued_by: User,
    batch: ParchmentBatch | None = None,
    issued_on: dt.date | None = None,
    version_blocks: list[Any] | None = None,
) -> Parchment:
    """Take the next number of the certifier's series and write the parchment, in one short transaction;
    its PDF is rendered by a worker once the transaction commits. Only from a final result with no carried
    block under review (`juries.carry.issue_refusal`; a batch reads its holders through that same rule)."""
    if batch is None:
        refusal = carry.issue_refusal(decision)
        if refusal is not None:
            raise ValidationError(refusal)
    plan = _parchment_plan(decision, version_blocks)
    if plan is None:
        raise ValidationError(_("Une non-attribution ne donne pas de parchemin."))
    kind, blocks = plan
    certifier = decision.jury.version.certifier
    issued_on = issued_on or timezone.localdate()
    mentions = parchment_mentions(decision=decision, kind=kind, blocks=blocks, issued_on=issued_on, certifier=certifier)
    if batch is None:
        NumberSeries.objects.get_or_create(certifier=certifier)  # a batch made sure of it once for all
    for _attempt in range(5):
        code = rules.new_verification_code()
        try:
            with transaction.atomic():
                series = NumberSeries.objects.select_for_update().get(certifier=certifier)
                parchment = Parchment(
                    certifier=certifier,
                    number=series.next_number,
                    prefix=series.prefix,
                    kind=kind,
                    decision=decision,
                    place=decision.place,
                    batch=batch,
                    mentions=mentions,
                    verification_code=code,
                    issued_by=issued_by,
                )
                parchment.full_clean(
                    exclude=_CHECKED_BY_THE_DATABASE, validate_unique=False, validate_constraints=False
                )
                parchment.save(force_insert=True)
                Parchment.blocks.through.objects.bulk_create(
                    [Parchment.blocks.through(parchment_id=parchment.pk, block_id=b.pk) for b in blocks]
                )
                NumberSeries.objects.filter(pk=series.pk).update(next_number=series.next_number + 1)
                from certificates import tasks

                transaction.on_commit(partial(tasks.parchment_render.delay, parchment_id=parchment.pk))
                return parchment
        except IntegrityError:
            # Rolled back, number given back. A valid parchment already issued for this decision: say so; a
            # verification code already taken (one chance in 10^15): draw another one.
            if Parchment.objects.filter(decision=decision, kind=kind, status=ParchmentStatus.VALID).exists():
                raise ValidationError(
                    _("Un parchemin valide existe déjà pour cette décision."), code=ALREADY_ISSUED
                ) from None
            if Parchment.objects.filter(verification_code=code).exists():
                continue
            if Parchment.objects.filter(certifier=certifier, number=parchment.number).exists():
                continue  # SQLite has no row lock: another process took this number first, take the next one
            raise
    raise ValidationError(_("Impossible d'attribuer un code de vérification : réessayez."))


def parchments_issue_for_jury(*, jury: Jury, issued_by: User) -> ParchmentBatch:
    """Issue the parchments of every holder of a certification jury whose results the CPNEFP validated: one
    short transaction each; a holder who already has a valid parchment keeps it."""
    check_certifier_admin(issued_by, _("Seul un administrateur du certificateur fait éditer les parchemins."))
    if not CpnefpValidation.objects.filter(jury=jury).exists():
        raise ValidationError(_("Les parchemins s'éditent après la validation des résultats par la CPNEFP."))
    certifier = jury.version.certifier
    missing = _mention_problems(jury, certifier)
    if missing:
        raise ValidationError(
            _("Mentions obligatoires manquantes : %(what)s. Complétez le référentiel avant d'éditer les parchemins.")
            % {"what": " ; ".join(missing)}
        )
    decisions = list(
        holders_without_parchment(jury)
        .select_related("place__enrolment__candidate", "place__session__version", "jury__version__certifier")
        .prefetch_related("blocks")
        .order_by("place__enrolment__candidate__birth_name", "pk")
    )
    if not decisions:
        raise ValidationError(_("Tous les titulaires de ce jury ont déjà leur parchemin."))
    NumberSeries.objects.get_or_create(certifier=certifier)
    version_blocks = list(jury.version.blocks.order_by("order"))
    # The batch is written in the transaction of its first parchment, never alone: a second submission that read
    # the holders before the first one committed (each of its parchments then refused), or a first parchment that
    # fails (a locked database), leaves no empty batch behind.
    batch: ParchmentBatch | None = None
    for decision in decisions:
        try:
            with transaction.atomic():
                if batch is None:
                    created = ParchmentBatch.objects.create(jury=jury, created_by=issued_by)
                    parchment_issue(
                        decision=decision, issued_by=issued_by, batch=created, version_blocks=version_blocks
                    )
                    batch = created
                else:
                    parchment_issue(decision=decision, issued_by=issued_by, batch=batch, version_blocks=version_blocks)
        except ValidationError as error:
            if error.code != ALREADY_ISSUED:
                raise
            # Issued meanwhile (a double submission): this holder keeps the parchment they have.
    if batch is None:
        raise ValidationError(_("Tous les titulaires de ce jury ont déjà leur parchemin."))
    return batch


def holders_without_parchment(jury: Jury) -> QuerySet[Decision]:
    """The decisions of a jury that award something, are final with no carried block under review
    (`juries.carry.carriable_decisions`) and have no valid parchment yet."""
    return carry.carriable_decisions(Decision.objects.filter(jury=jury)).exclude(
        parchments__status=ParchmentStatus.VALID
    )


def batch_progress(batch: ParchmentBatch) -> dict[str, int]:
    """How far a batch's rendering went, counted by the database (polled every few seconds by the page)."""
    counts = batch.parchments.aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(render_status=RenderStatus.DONE)),
        failed=Count("pk", filter=Q(render_status=RenderStatus.FAILED)),
    )
    return {"total": counts["total"], "done": counts["done"], "failed": counts["failed"]}


def _check_reason(reason: str) -> None:
    """A reason written by `.update()` (no `pre_save` check): bounded here, as the model's field says."""
    try:
        bounds.check_length(reason.strip(), bounds.SHORT_TEXT_LENGTH, _("Motif"))
        bounds.refuse_control_characters(reason)
    except ValidationError as error:
        raise ValidationError({"reason": error.messages}) from None


@transaction.atomic
def parchment_cancel(*, parchment: Parchment, reason: str, cancelled_by: User, by_rule: bool = False) -> Parchment:
    """A cancelled parchment keeps its number, with its status and the reason; the verification page says so.
    `by_rule`: the consequence of a revised result made final (`results.services.addenda`), not an admin's
    choice: `cancelled_by` is whoever made it final (the last member signing the addendum)."""
    if not by_rule:
        check_certifier_admin(cancelled_by, _("Seul un administrateur du certificateur annule un parchemin."))
    if not reason.strip():
        raise ValidationError({"reason": _("Indiquez le motif de l'annulation.")})
    _check_reason(reason)
    moved = Parchment.objects.filter(pk=parchment.pk, status=ParchmentStatus.VALID).update(
        status=ParchmentStatus.CANCELLED,
        cancel_reason=reason.strip(),
        cancelled_at=timezone.now(),
        cancelled_by=cancelled_by,
    )
    if moved != 1:
        raise ValidationError(_("Ce parchemin est déjà annulé."))
    parchment.refresh_from_db()
    return parchment


@transaction.atomic
def parchment_reissue(*, parchment: Parchment, reason: str, requested_by: User) -> Parchment:
    """A duplicate: the same number and mentions, a new version rendered again (the earlier versions stay
    recognised by the verification page, marked as replaced)."""
    check_certifier_admin(requested_by, _("Seul un administrateur du certificateur fait éditer un duplicata."))
    if not reason.strip():
        raise ValidationError({"reason": _("Indiquez le motif du duplicata.")})
    _check_reason(reason)
    parchment = Parchment.objects.select_for_update().get(pk=parchment.pk)
    if parchment.status != ParchmentStatus.VALID:
        raise ValidationError(_("Un parchemin annulé ne se duplique pas."))
    if parchment.render_status != RenderStatus.DONE:
        raise ValidationError(_("Le parchemin n'est pas encore produit : attendez la fin du rendu."))
    parchment.version += 1
    parchment.render_status = RenderStatus.PENDING
    parchment.render_error = ""
    parchment.reissue_reason = reason.strip()
    parchment.reissue_requested_by = requested_by
    parchment.save(update_fields=["version", "render_status", "render_error", "reissue_reason", "reissue_requested_by"])
    from certificates import tasks

    transaction.on_commit(lambda: tasks.parchment_render.delay(parchment_id=parchment.pk))
    return parchment


def renders_to_resume(jury: Jury) -> QuerySet[Parchment]:
    """A jury's valid parchments whose render did not end: failed (its retries spent, or a lasting error),
    still waiting (its message lost: a broker down at commit), or claimed by a worker that died longer ago
    than `CERTIFICATES_RENDER_STALE_SECONDS` (its message already acknowledged)."""
    unfinished = render_unfinished(timezone.now())
    return Parchment.objects.filter(unfinished, decision__jury=jury, status=ParchmentStatus.VALID)


def renders_resume(*, jury: Jury, requested_by: User | None) -> int:
    """Queue again the renders of a jury that did not end, its PV's included (`requested_by` None: the
    `resume_renders` command). Harmless twice over: each task claims its row, a second one finds it taken or
    done. Returns how many renders were queued."""
    if requested_by is not None:
        check_certifier_admin(requested_by, _("Seul un administrateur du certificateur relance les rendus."))
    from certificates import tasks

    parchments = list(renders_to_resume(jury).values_list("pk", flat=True))
    pv = (
        ProcesVerbal.objects.filter(render_unfinished(timezone.now()), jury=jury, status=PvStatus.SIGNED)
        .values_list("pk", flat=True)
        .first()
    )

    def enqueue() -> None:
        for pk in parchments:
            tasks.parchment_render.delay(parchment_id=pk)
        if pv is not None:
            tasks.pv_render.delay(pv_id=pv)

    transaction.on_commit(enqueue)
    return len(parchments) + (pv is not None)


@transaction.atomic
def parchment_mark_sent(*, parchment: Parchment, sent_on: dt.date, recorded_by: User) -> Parchment:
    check_certifier_admin(recorded_by, _("Seul un administrateur du certificateur enregistre l'envoi d'un parchemin."))
    if parchment.status != ParchmentStatus.VALID:
        raise ValidationError(_("Un parchemin annulé ne s'envoie pas."))
    if sent_on > timezone.localdate():
        raise ValidationError({"sent_on": _("La date d'envoi ne peut pas être à venir.")})
    issued_on = timezone.localdate(parchment.issued_at)
    if sent_on < issued_on:
        raise ValidationError(
            {
                "sent_on": _("Le parchemin a été émis le %(date)s : il n'a pas pu être envoyé avant.")
                % {"date": date_format(issued_on)}
            }
        )
    try:
        bounds.past_event_date(sent_on)
    except ValidationError as error:
        raise ValidationError({"sent_on": error.messages}) from None
    Parchment.objects.filter(pk=parchment.pk).update(sent_at=sent_on)
    parchment.refresh_from_db()
    return parchment


# --- Renders -------------------------------------------------------------------------------------------
# A render claims its row (pending or failed → rendering, or a claim left by a worker that died longer ago than
# `CERTIFICATES_RENDER_STALE_SECONDS`), renders outside any transaction, stores the file through Django's
# storage API and marks the row done only if it still holds the claim: a duplicate delivery finds the row
# done, or claimed, and does nothing.


def parchment_render_claim(*, parchment_id: int) -> Parchment | None:
    """The parchment this task now renders (its attempt counted), or None (done, or rendered by another)."""
    return RENDER_CLAIM.claimed(Parchment.objects.all(), parchment_id, render_attempts=F("render_attempts") + 1)


def pv_render_claim(*, pv_id: int) -> ProcesVerbal | None:
    """The signed PV this task now renders, or None (done, or rendered by another worker)."""
    return RENDER_CLAIM.claimed(ProcesVerbal.objects.select_related("jury__version"), pv_id)


def parchment_render(parchment: Parchment) -> str:
    """Render a claimed parchment, store its PDF and record its version, if the row still holds this claim:
    "rendered", or "superseded" (another worker took the claim over, or recorded this version meanwhile: its
    file stands). Any error propagates, the file stored by this render deleted."""
    storage = document_storage()
    claimed_at = parchment.render_claimed_at
    name = None
    try:
        pdf = rendering.render_parchment(parchment)
        _render_pause()
        digest = hashlib.sha256(pdf).hexdigest()
        upload_to = Parchment._meta.get_field("pdf").upload_to
        name = storage.save(
            f"{upload_to}{parchment.certifier_id}-{parchment.display_number}-v{parchment.version}.pdf", ContentFile(pdf)
        )
        rendered_at = timezone.now()
        with transaction.atomic():
            # A version already recorded (its row written, then this one re-queued by hand) is issued paper:
            # it stands, and the row points at it again rather than at a second file of the same version.
            issued = ParchmentVersion.objects.filter(parchment_id=parchment.pk, version=parchment.version).first()
            if issued is not None:
                _discard(storage, name)
                name, digest, rendered_at = issued.pdf.name, issued.pdf_sha256, issued.rendered_at
            # The claim is checked and the row marked done in one conditional update: if another worker took
            # the claim over (this one was thought dead), its result stands and this one is undone.
            done = RENDER_CLAIM.settle(
                Parchment.objects.all(),
                parchment.pk,
                claimed_at,
                pdf=name,
                pdf_sha256=digest,
                rendered_at=rendered_at,
                render_status=RenderStatus.DONE,
                render_error="",
                reissue_reason="",
                reissue_requested_by=None,
            )
            if done and issued is None:
                ParchmentVersion.objects.create(
                    parchment_id=parchment.pk,
                    version=parchment.version,
                    reason=parchment.reissue_reason,
                    pdf=name,
                    pdf_sha256=digest,
                    rendered_at=rendered_at,
                    requested_by_id=parchment.reissue_requested_by_id,
                )
        if not done:
            _discard(storage, name)
            return "superseded"
    except IntegrityError:
        # This version was recorded by another worker meanwhile (the unique version constraint): its file stands.
        _discard(storage, name)
        return "superseded"
    except BaseException:
        _discard(storage, name)
        raise
    return "rendered"


def pv_render(pv: ProcesVerbal) -> str:
    """Render a claimed PV to PDF/A and store it, if the row still holds this claim: "rendered" or
    "superseded"."""
    claimed_at = pv.render_claimed_at
    pdf = rendering.render_pv(pv)
    digest = hashlib.sha256(pdf).hexdigest()
    with transaction.atomic():
        current = ProcesVerbal.objects.select_for_update().get(pk=pv.pk)
        if current.render_claimed_at != claimed_at or current.render_status != RenderStatus.RENDERING:
            return "superseded"
        current.pdf.save(f"pv-jury-{current.jury_id}.pdf", ContentFile(pdf), save=False)  # under upload_to
        current.pdf_sha256 = digest
        current.rendered_at = timezone.now()
        current.render_status = RenderStatus.DONE
        current.render_error = ""
        current.save(update_fields=["pdf", "pdf_sha256", "rendered_at", "render_status", "render_error"])
    return "rendered"


def render_fail(row: Parchment | ProcesVerbal, exc: BaseException) -> None:
    """Said on the row, if it still holds this render's claim (the page shows it, `renders_resume` queues it
    again): never left "rendering"."""
    type(row).objects.filter(pk=row.pk, render_claimed_at=row.render_claimed_at).update(
        render_status=RenderStatus.FAILED, render_error=f"{type(exc).__name__} : {exc}"[:2000]
    )


def _discard(storage: Storage, name: str | None) -> None:
    """Delete a file this render stored, unless it is issued paper (a recorded version points at it)."""
    if name and not ParchmentVersion.objects.filter(pdf=name).exists():
        storage.delete(name)


def _render_pause() -> None:
    # Only for the reliability tests: widens the window in which a worker can be stopped mid-render.
    if settings.CERTIFICATES_RENDER_PAUSE:
        time.sleep(settings.CERTIFICATES_RENDER_PAUSE)
