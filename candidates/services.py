"""Writes about candidates: creation with duplicate detection, enrolment with its rules,
accommodations and fraud bans. Views, imports and commands all come through here."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts import services as account_services
from accounts.access import check_organisation_manager
from accounts.models import Role, User
from candidates import documents, rules
from candidates.models import (
    Accommodation,
    AccommodationKind,
    Candidate,
    CandidateDocument,
    DocumentKind,
    Enrolment,
    EnrolmentStatus,
    FraudBan,
    PrerequisitesOutcome,
    private_storage,
)
from cqp import block_tests
from cqp.lib import siret
from cqp.lib.agreement import agree
from cqp.models import Block, BlockTest, CertificationVersion, TrainingOrganisation, VersionStatus

CANDIDATE_FIELDS = (
    "birth_name",
    "usage_name",
    "first_name",
    "second_first_name",
    "third_first_name",
    "sex",
    "birth_date",
    "birth_commune",
    "birth_insee_code",
    "birth_country",
    "email",
    "phone",
    "company_name",
    "company_siret",
    "company_address",
)


def _normalise(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(CANDIDATE_FIELDS)
    if unknown:
        raise TypeError(f"Champs inconnus : {', '.join(sorted(unknown))}")
    clean = {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}
    for key in ("birth_insee_code",):
        if clean.get(key):
            clean[key] = clean[key].upper()
    if clean.get("company_siret"):
        clean["company_siret"] = siret.clean(clean["company_siret"])
    if clean.get("email"):
        clean["email"] = clean["email"].lower()
    return clean


def _check_identity(candidate: Candidate) -> None:
    errors: dict[str, str] = {}
    born_in_france = candidate.birth_country.strip().casefold() == "france"
    if candidate.birth_insee_code and not rules.insee_code_is_valid(candidate.birth_insee_code):
        errors["birth_insee_code"] = _(
            "Code INSEE invalide : 5 chiffres (ou 2A/2B suivis de 3 chiffres pour la Corse)."
        )
    elif born_in_france and not candidate.birth_insee_code:
        errors["birth_insee_code"] = _("Pour une naissance en France, indiquez le code INSEE de la commune.")
    siret_error = siret.error(candidate.company_siret) if candidate.company_siret else None
    if siret_error:
        errors["company_siret"] = siret_error
    if candidate.birth_date and candidate.birth_date >= timezone.localdate():
        errors["birth_date"] = _("La date de naissance doit être passée.")
    if errors:
        raise ValidationError(errors)


def _check_duplicate(candidate: Candidate) -> None:
    twin = (
        Candidate.objects.filter(identity_key=candidate.identity_key)
        .exclude(pk=candidate.pk)
        .select_related("organisation")
        .first()
    )
    error = duplicate_error(candidate, twin)
    if error is not None:
        raise error


def twins_by_identity(keys: Iterable[str]) -> dict[str, Candidate]:
    """One query for many candidates: the existing candidate of each identity key among `keys` (the first by
    pk when there are several)."""
    twins: dict[str, Candidate] = {}
    wanted = sorted({key for key in keys if key})
    if wanted:
        for twin in Candidate.objects.filter(identity_key__in=wanted).order_by("pk"):
            twins.setdefault(twin.identity_key, twin)
    return twins


def duplicate_error(candidate: Candidate, twin: Candidate | None) -> ValidationError | None:
    """The refusal of a candidate whose identity is already `twin`'s, in words that tell another organisation's
    candidate nothing about them."""
    if twin is None or twin.pk == candidate.pk:
        return None
    if twin.organisation_id == candidate.organisation_id:
        return ValidationError(
            agree(
                twin.sex,
                _("Ce candidat existe déjà : %(name)s, né le %(date)s (fiche n° %(pk)s)."),
                _("Cette candidate existe déjà : %(name)s, née le %(date)s (fiche n° %(pk)s)."),
                _("Ce candidat existe déjà : %(name)s, né(e) le %(date)s (fiche n° %(pk)s)."),
            )
            % {"name": twin.display_name, "date": date_format(twin.birth_date), "pk": twin.pk}
        )
    return ValidationError(
        _(
            "Une personne de même identité (nom de naissance, prénom, date de naissance) est déjà suivie par un "
            "autre organisme : contactez le certificateur."
        )
    )


def candidate_build(*, organisation: TrainingOrganisation, **fields: Any) -> Candidate:
    """Validate a candidate without saving it (used by `candidate_create`)."""
    candidate = Candidate(organisation=organisation, **_normalise(fields))
    _validate(candidate)
    return candidate


def candidate_prepare(*, organisation: TrainingOrganisation, **fields: Any) -> Candidate:
    """Validate a new candidate without any query, for imports that check many at once: the fields, the identity
    rules and the identity key, but neither that `organisation` exists (the caller holds it) nor duplicates
    (`twins_by_identity` and `duplicate_error` do them for all the rows in one query)."""
    candidate = Candidate(organisation=organisation, **_normalise(fields))
    _validate_fields(candidate, exclude=["identity_key", "organisation"])
    return candidate


def _validate(candidate: Candidate) -> None:
    """Identity key, model validation, identity rules and duplicates, for a new or a changed candidate."""
    _validate_fields(candidate, exclude=["identity_key"])
    _check_duplicate(candidate)


def _validate_fields(candidate: Candidate, *, exclude: list[str]) -> None:
    candidate.identity_key = (
        rules.identity_key(
            birth_name=candidate.birth_name, first_name=candidate.first_name, birth_date=candidate.birth_date
        )
        if candidate.birth_date and candidate.birth_name and candidate.first_name
        else ""  # full_clean names the missing field
    )
    candidate.full_clean(exclude=exclude)
    _check_identity(candidate)


@transaction.atomic
def candidate_create(*, organisation: TrainingOrganisation, created_by: User | None, **fields: Any) -> Candidate:
    candidate = candidate_build(organisation=organisation, **fields)
    candidate.created_by = created_by
    candidate.save()
    return candidate


@transaction.atomic
def candidate_update(*, candidate: Candidate, **fields: Any) -> Candidate:
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    for name, value in _normalise(fields).items():
        setattr(candidate, name, value)
    _validate(candidate)
    candidate.save()
    return candidate


def active_fraud_ban(candidate: Candidate, *, on: dt.date) -> FraudBan | None:
    return (
        FraudBan.objects.filter(identity_key=candidate.identity_key, decided_on__lte=on, ends_on__gte=on)
        .order_by("-ends_on")
        .first()
    )


@transaction.atomic
def fraud_ban_record(*, candidate: Candidate, decided_on: dt.date, reason: str, recorded_by: User) -> FraudBan:
    """Exclude a candidate from the certification for 3 years from the decision; active enrolments end."""
    if not reason.strip():
        raise ValidationError({"reason": _("Indiquez le motif de l'exclusion.")})
    ban = FraudBan(
        candidate=candidate,
        identity_key=candidate.identity_key,
        decided_on=decided_on,
        ends_on=rules.fraud_ban_end(decided_on),
        reason=reason.strip(),
        recorded_by=recorded_by,
    )
    ban.full_clean()
    ban.save()
    Enrolment.objects.filter(candidate__identity_key=candidate.identity_key, status=EnrolmentStatus.ACTIVE).update(
        status=EnrolmentStatus.WITHDRAWN
    )
    return ban


@transaction.atomic
def candidate_enrol(
    *,
    candidate: Candidate,
    version: CertificationVersion,
    blocks: Iterable[Block] | None,
    access_route: str,
    created_by: User | None,
    prerequisites_interview_on: dt.date | None = None,
    prerequisites_outcome: str = "",
    prerequisites_notes: str = "",
) -> Enrolment:
    """Enrol a candidate for one certification version, for all its blocks (`blocks=None`) or some."""
    today = timezone.localdate()
    ban = active_fraud_ban(candidate, on=today)
    if ban is not None:
        raise ValidationError(
            agree(
                candidate.sex,
                _(
                    "Inscription impossible : %(name)s est exclu de la certification pour fraude "
                    "jusqu'au %(date)s inclus."
                ),
                _(
                    "Inscription impossible : %(name)s est exclue de la certification pour fraude "
                    "jusqu'au %(date)s inclus."
                ),
                _(
                    "Inscription impossible : %(name)s est exclu(e) de la certification pour fraude "
                    "jusqu'au %(date)s inclus."
                ),
            )
            % {"name": candidate.display_name, "date": date_format(ban.ends_on)}
        )
    if version.status != VersionStatus.PUBLISHED:
        raise ValidationError(
            {
                "version": _("On ne s'inscrit qu'à une certification en vigueur (%(rncp)s est « %(status)s »).")
                % {"rncp": version.rncp_number, "status": version.get_status_display()}
            }
        )
    all_blocks = list(version.blocks.all())
    # Each block once, however it was given (a form cannot repeat one; an import or a script could).
    chosen = all_blocks if blocks is None else list({block.pk: block for block in blocks}.values())
    strangers = [b.code for b in chosen if b.version_id != version.pk]
    if strangers:
        raise ValidationError(
            {"blocks": _("Blocs d'une autre certification : %(codes)s.") % {"codes": ", ".join(strangers)}}
        )
    if not chosen:
        raise ValidationError({"blocks": _("Choisissez au moins un bloc de compétences.")})
    if len(chosen) < len(all_blocks) and not version.partial_award_allowed:
        raise ValidationError(
            {
                "blocks": _("%(rncp)s ne se présente pas par blocs : inscrivez le candidat à tous les blocs.")
                % {"rncp": version.rncp_number}
            }
        )
    if access_route not in version.access_routes:
        raise ValidationError(
            {"access_route": _("Cette voie d'accès n'est pas ouverte pour %(rncp)s.") % {"rncp": version.rncp_number}}
        )
    if version.prerequisites_required:
        if prerequisites_outcome != PrerequisitesOutcome.MET or prerequisites_interview_on is None:
            raise ValidationError(
                {
                    "prerequisites_outcome": _(
                        "Cette certification a des prérequis : indiquez la date de l'entretien "
                        "et des prérequis satisfaits."
                    )
                }
            )
    else:
        prerequisites_outcome = PrerequisitesOutcome.NOT_REQUIRED
    enrolment = Enrolment(
        candidate=candidate,
        version=version,
        access_route=access_route,
        prerequisites_interview_on=prerequisites_interview_on,
        prerequisites_outcome=prerequisites_outcome,
        prerequisites_notes=prerequisites_notes,
        created_by=created_by,
    )
    enrolment.full_clean()
    enrolment.save()
    enrolment.blocks.set(chosen)
    return enrolment


@transaction.atomic
def accommodation_add(
    *, enrolment: Enrolment, kind: str, measure: str, referent: str, approved_on: dt.date, extra_minutes: int = 0
) -> Accommodation:
    """Record the measure granted (never medical documents) and the disability referent who approved it; refused
    for a withdrawn or certified enrolment (`results.standing.accommodation_refusal`)."""
    from results import standing  # results reads candidates: asked here, not at import

    refusal = standing.accommodation_refusal(standing.enrolment_state(enrolment))
    if refusal is not None:
        raise ValidationError(refusal)
    if kind != AccommodationKind.EXTRA_TIME and extra_minutes:
        raise ValidationError(
            {"extra_minutes": _("Les minutes supplémentaires vont avec un aménagement « temps supplémentaire ».")}
        )
    accommodation = Accommodation(
        enrolment=enrolment,
        kind=kind,
        measure=measure.strip(),
        referent=referent.strip(),
        approved_on=approved_on,
        extra_minutes=extra_minutes,
    )
    accommodation.full_clean()
    accommodation.save()
    return accommodation


@dataclass(frozen=True)
class InvitationSent:
    """What `candidate_invite` did: `user` is the candidate's account, linked; or, when `awaiting_consent`, an
    account that existed before the invitation, left untouched until its owner confirms from the e-mail."""

    user: User
    awaiting_consent: bool = False


@transaction.atomic
def candidate_invite(*, candidate: Candidate, site_url: str) -> InvitationSent:
    """Give the candidate a new account and e-mail a link to set a password (again, for the account already
    linked).

    An account that already exists at the candidate's address, whatever its roles (staff, jury member, admin, or
    none), is never taken over: its owner is e-mailed a link to open signed in, and the candidate is linked once
    they confirm (`candidate_invitation_accept`)."""
    from django.template.loader import render_to_string
    from django.urls import reverse

    from accounts.tasks import email_send
    from candidates.access import INVITATION_DAYS, invitation_token

    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    user = candidate.user or User.objects.filter(email__iexact=candidate.email).first()
    if user is None:
        user = User(
            email=candidate.email,
            first_name=candidate.first_name,
            last_name=candidate.usage_name or candidate.birth_name,
        )
        user.set_unusable_password()
    elif rules.invitation_needs_consent(account_exists=True, linked_to_candidate=candidate.user is not None):
        if Candidate.objects.filter(user=user).exists():
            raise ValidationError(
                _("L'adresse %(email)s est déjà celle d'un autre candidat.") % {"email": candidate.email}
            )
        link = site_url.rstrip("/") + reverse(
            "candidates:invitation_accept", kwargs={"token": invitation_token(candidate)}
        )
        body = render_to_string(
            "candidates/invitation_consent_email.txt",
            {"candidate": candidate, "link": link, "days": INVITATION_DAYS},
        )
        subject = str(_("Confirmez votre espace candidat CQP Manager"))
        to = [user.email]
        transaction.on_commit(lambda: email_send.delay(subject=subject, body=body, to=to))
        return InvitationSent(user=user, awaiting_consent=True)
    user.is_candidate = True
    user.full_clean(exclude=["password"])
    user.save()
    candidate.user = user
    candidate.save(update_fields=["user"])
    link = account_services.password_link(user, site_url=site_url)
    body = render_to_string("candidates/invitation_email.txt", {"candidate": candidate, "link": link})
    subject = _("Votre espace candidat CQP Manager")
    transaction.on_commit(lambda: email_send.delay(subject=str(subject), body=body, to=[user.email]))
    return InvitationSent(user=user)


@transaction.atomic
def candidate_invitation_accept(*, candidate: Candidate, user: User) -> Candidate:
    """The owner of an existing account, signed in, confirms the invitation sent to its address: the account
    gains the candidate role and is linked to the candidate. Its e-mail, names and password stay as they are."""
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.user_id is not None:
        raise ValidationError(_("Cet espace candidat est déjà relié à un compte."))
    if candidate.email.lower() != user.email.lower():
        raise PermissionDenied(_("Cette invitation a été envoyée à une autre adresse."))
    if Candidate.objects.filter(user=user).exists():
        raise ValidationError(_("Votre compte est déjà celui d'un autre candidat."))
    account_services.user_role_grant(
        user_id=user.pk, role=Role.CANDIDATE, actor=user, reason=_("Invitation à l'espace candidat confirmée")
    )
    user.is_candidate = True
    candidate.user = user
    candidate.save(update_fields=["user"])
    return candidate


def _placed_in_remote_session(candidate: Candidate) -> bool:
    """A copy of an identity document is asked for only when the candidate sits a remote session to come."""
    from candidates.selectors import upcoming_remote_places

    return upcoming_remote_places().filter(enrolment__candidate=candidate).exists()


def _delete_files_on_commit(names: list[str]) -> None:
    # After commit only: if the transaction rolls back, the rows still point at these files.
    storage = private_storage()

    def delete() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete)


def _refuse_if_decided(enrolment: Enrolment, block: Block | None) -> None:
    """A document the enrolment's result closes (certification obtained, block acquired for good, the jury's ruling
    on the place it was for) is refused: the document board's rule (`results.standing.document_refusal`)."""
    from results import standing  # results reads candidates: asked here, not at import

    refusal = standing.document_refusal(standing.enrolment_state(enrolment), block)
    if refusal is not None:
        raise ValidationError(refusal)


@transaction.atomic
def document_upload(
    *,
    candidate: Candidate,
    uploaded_by: User | None,
    kind: str,
    file: UploadedFile[bytes],
    enrolment: Enrolment | None = None,
    block: Block | None = None,
    test: BlockTest | None = None,
) -> CandidateDocument:
    """Store a file sent for a candidate in the private storage, under a random name, after checking its
    content (PDF, PNG or JPEG, 20 Mo at most). A livret part goes with a block of an active enrolment of the
    candidate; formative evaluations with an active enrolment, sent by the candidate's training organisation
    or a certifier admin only; an identity copy only with a remote session. A new upload replaces the
    previous one, whose file is deleted once the transaction commits."""
    problem = documents.declared_problem(size=file.size or 0, name=file.name or "")
    if problem is not None:
        raise ValidationError({"file": problem})
    head = documents.read_head(file)
    problem = documents.upload_problem(size=file.size or 0, head=head)
    file_type = documents.file_type(head)
    if problem is not None or file_type is None:
        raise ValidationError({"file": problem})
    # One upload at a time per candidate: two replacements racing would otherwise both insert.
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if kind == DocumentKind.LIVRET_PART:
        if test is not None and block is None:
            block = test.block
        if enrolment is None or block is None:
            raise ValidationError(_("Indiquez l'inscription et l'épreuve (ou le bloc) de ce document."))
        enrolment = _active_enrolment_of(
            candidate,
            enrolment,
            withdrawn=_("Le candidat n'est plus inscrit à cette certification : le document ne peut plus être déposé."),
        )
        if not enrolment.blocks.filter(pk=block.pk).exists():
            raise ValidationError(
                _("Le bloc %(code)s n'est pas présenté dans cette inscription.") % {"code": block.code}
            )
        _refuse_if_decided(enrolment, block)
        test = _document_test(block, test)
        if test is not None:
            previous = CandidateDocument.objects.filter(kind=kind, enrolment=enrolment, test=test)
        else:
            previous = CandidateDocument.objects.filter(kind=kind, enrolment=enrolment, block=block, test__isnull=True)
    elif kind == DocumentKind.FORMATIVE:
        # The jury reads formative evaluations as the organisation's account of the training: not the candidate's.
        check_organisation_manager(
            uploaded_by,
            candidate.organisation_id,
            _(
                "Les évaluations formatives sont déposées par l'organisme de formation du candidat "
                "ou par le certificateur."
            ),
        )
        if enrolment is None:
            raise ValidationError(_("Indiquez l'inscription de ces évaluations formatives."))
        if block is not None:
            raise ValidationError(_("Les évaluations formatives se rattachent à une inscription, pas à un bloc."))
        enrolment = _active_enrolment_of(
            candidate,
            enrolment,
            withdrawn=_(
                "Le candidat n'est plus inscrit à cette certification : "
                "ses évaluations formatives ne peuvent plus être déposées."
            ),
        )
        _refuse_if_decided(enrolment, None)
        previous = CandidateDocument.objects.filter(kind=kind, enrolment=enrolment)
    elif kind == DocumentKind.IDENTITY_COPY:
        if enrolment is not None or block is not None:
            raise ValidationError(
                _("La copie d'une pièce d'identité ne se rattache ni à une inscription ni à un bloc.")
            )
        if not _placed_in_remote_session(candidate):
            raise ValidationError(
                _(
                    "La copie d'une pièce d'identité n'est demandée que pour une session d'évaluation à distance : "
                    "le candidat n'est prévu dans aucune."
                )
            )
        previous = CandidateDocument.objects.filter(kind=kind, candidate=candidate)
    else:
        raise ValidationError(_("Type de document inconnu."))

    replaced = list(previous)
    for old in replaced:
        old.delete()
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks():
        digest.update(chunk)
    document = CandidateDocument(
        candidate=candidate,
        enrolment=enrolment,
        block=block,
        test=test if kind == DocumentKind.LIVRET_PART else None,
        kind=kind,
        original_name=_original_name(file.name),
        content_type=file_type.content_type,
        size=file.size or 0,
        sha256=digest.hexdigest(),
        uploaded_by=uploaded_by,
    )
    file.seek(0)
    document.file.save(file_type.extension, file, save=False)
    try:
        document.full_clean()
        document.save()
    except BaseException:
        document.file.delete(save=False)
        raise
    _delete_files_on_commit([old.file.name for old in replaced if old.file.name])
    return document


def _document_test(block: Block, test: BlockTest | None) -> BlockTest | None:
    """The test a document of `block` is for: the one given (of this block, asking for a document), else the block's
    first test asking for one. None only for a version without any test, where a livret part goes with its block."""
    if test is not None:
        block_tests.refuse_unknown_test(test, block)
        return test
    found = BlockTest.objects.filter(block=block, document_required=True).order_by("order", "pk").first()
    if found is None and BlockTest.objects.filter(block__version_id=block.version_id).exists():
        raise ValidationError(
            _("Aucune épreuve du bloc %(code)s ne demande de document : rien à déposer pour ce bloc.")
            % {"code": block.code}
        )
    return found


def _active_enrolment_of(candidate: Candidate, enrolment: Enrolment, *, withdrawn: str) -> Enrolment:
    """The enrolment read again, checked to be the candidate's and still active."""
    found = Enrolment.objects.filter(pk=enrolment.pk, candidate=candidate).first()
    if found is None:
        raise ValidationError(_("Cette inscription n'est pas celle du candidat."))
    if found.status != EnrolmentStatus.ACTIVE:
        raise ValidationError(withdrawn)
    return found


def _original_name(name: str | None) -> str:
    """The sender's file name, for the download only: no folders, no control characters, 255 at most."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return base[-255:] or "document"


def identity_copy_for(candidate: Candidate) -> CandidateDocument | None:
    return CandidateDocument.objects.filter(candidate=candidate, kind=DocumentKind.IDENTITY_COPY).first()


@transaction.atomic
def identity_copy_delete(*, candidate: Candidate) -> bool:
    """Delete the candidate's identity copy, row and file, once identity has been checked on the exam day.
    The file goes when the transaction commits. Returns whether there was one."""
    copies = list(
        # No default ordering here: it joins the nullable block, and PostgreSQL refuses FOR UPDATE on an outer join.
        CandidateDocument.objects.select_for_update()
        .filter(candidate=candidate, kind=DocumentKind.IDENTITY_COPY)
        .order_by("pk")
    )
    for copy in copies:
        copy.delete()
    _delete_files_on_commit([copy.file.name for copy in copies if copy.file.name])
    return bool(copies)
