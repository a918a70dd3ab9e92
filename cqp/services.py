"""Writes to the referential. Views, admin, commands and tasks all go through these functions.

A version that something else refers to (an enrolment, a grid, a parchment...) is *in use*: its rules
(blocks, competencies, thresholds, mandatory flags, partial award, validity) are frozen, and a change
needs a new version (`version_new`). Descriptive text stays editable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Field, Max
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.access import check_certifier_admin
from accounts.models import AuditAction, User
from accounts.services import audit_record
from cqp.models import (
    ApprovalStatus,
    Block,
    Certification,
    CertificationVersion,
    Certifier,
    Competency,
    TrainingOrganisation,
    VersionStatus,
)

# Fields whose change would alter how results are computed: frozen once the version is in use.
RULE_FIELDS = frozenset({"rncp_code", "partial_award_allowed", "block_validity_years"})
# The fields of a version that people edit, in the order forms show them.
VERSION_FIELDS = (
    "rncp_code",
    "title",
    "short_title",
    "certifier",
    "level",
    "eu_level",
    "nsf_codes",
    "decision_date",
    "decision_reference",
    "registration_start",
    "registration_end",
    "partial_award_allowed",
    "block_validity_years",
    "access_routes",
    "prerequisites_required",
    "prerequisites",
    "evaluation_methods",
    "exam_minutes",
    "to_verify",
)
VERSION_EDITABLE_FIELDS = frozenset(VERSION_FIELDS)
BLOCK_EDITABLE_FIELDS = frozenset(
    {"code", "rncp_code", "title", "title_is_draft", "order", "threshold_percent", "evaluation_methods"}
)
BLOCK_RULE_FIELDS = frozenset({"code", "threshold_percent"})
COMPETENCY_EDITABLE_FIELDS = frozenset({"code", "label", "label_is_draft", "order", "is_mandatory"})
COMPETENCY_RULE_FIELDS = frozenset({"code", "is_mandatory"})

# The version's own parts (its blocks, its juries' composition rules) and its successor do not freeze it.
_OWN_RELATIONS = {"blocks", "next_version", "jury_rules"}


def version_is_in_use(version: CertificationVersion) -> bool:
    """True when any row outside the referential itself refers to this version.

    Every model that points at a version (enrolments, sessions, juries, parchments, added by later
    apps) freezes it without having to be listed here.
    """
    for relation in version._meta.related_objects:
        if relation.get_accessor_name() in _OWN_RELATIONS:
            continue
        related = relation.related_model._default_manager.filter(**{relation.field.name: version})
        if related.exists():
            return True
    return False


def assert_rules_editable(version: CertificationVersion, *, what: str) -> None:
    """Refuses (ValidationError naming `what`) a change to the rules of an archived version or one in use."""
    _assert_rules_editable(version, what=what)


def _assert_rules_editable(version: CertificationVersion, *, what: str) -> None:
    if version.status == VersionStatus.ARCHIVED:
        raise ValidationError(
            _("%(version)s est archivée : %(what)s est impossible.") % {"version": _label(version), "what": what}
        )
    if version_is_in_use(version):
        raise ValidationError(
            _(
                "%(version)s est déjà utilisée (inscriptions ou résultats) : %(what)s changerait des résultats "
                "passés. Créez une nouvelle version pour la modifier."
            )
            % {"version": _label(version), "what": what}
        )


def _label(version: CertificationVersion) -> str:
    return f"{version.rncp_number} v{version.number}"


def _apply(instance: Any, fields: dict[str, Any], allowed: frozenset[str]) -> set[str]:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"Champs non modifiables : {', '.join(sorted(unknown))}")
    changed = {name for name, value in fields.items() if getattr(instance, name, None) != value}
    for name in changed:
        setattr(instance, name, fields[name])
    return changed


def _check_rncp_code_free(*, rncp_code: str, certification: Certification) -> None:
    clash = CertificationVersion.objects.filter(rncp_code=rncp_code).exclude(certification=certification)
    if clash.exists():
        raise ValidationError(
            {"rncp_code": _("Le code %(code)s est déjà celui d'une autre certification.") % {"code": rncp_code}}
        )


@transaction.atomic
def certification_create(*, slug: str, name: str, **version_fields: Any) -> CertificationVersion:
    """Create a certification with its first version (a draft)."""
    certification = Certification(slug=slug, name=name)
    certification.full_clean()
    certification.save()
    version = CertificationVersion(certification=certification, number=1, status=VersionStatus.DRAFT)
    _apply(version, version_fields, VERSION_EDITABLE_FIELDS)
    _check_rncp_code_free(rncp_code=version.rncp_code, certification=certification)
    version.full_clean()
    version.save()
    return version


@transaction.atomic
def version_update(*, version: CertificationVersion, **fields: Any) -> CertificationVersion:
    version = CertificationVersion.objects.select_for_update().get(pk=version.pk)
    changed = _apply(version, fields, VERSION_EDITABLE_FIELDS)
    if changed & RULE_FIELDS:
        _assert_rules_editable(
            version,
            what=_("changer %(fields)s")
            % {
                "fields": ", ".join(
                    str(cast("Field[Any, Any]", CertificationVersion._meta.get_field(name)).verbose_name)
                    for name in sorted(changed & RULE_FIELDS)
                )
            },
        )
    if "rncp_code" in changed:
        _check_rncp_code_free(rncp_code=version.rncp_code, certification=version.certification)
        # The blocks' RNCP codes are the version's code followed by BCnn: they follow it.
        old = CertificationVersion.objects.values_list("rncp_code", flat=True).get(pk=version.pk)
        for block in version.blocks.select_for_update():
            block.rncp_code = version.rncp_code + block.rncp_code.removeprefix(old)
            block.full_clean()
            block.save(update_fields=["rncp_code"])
    version.full_clean()
    version.save()
    return version


def version_problems(version: CertificationVersion, *, blocks: list[Block] | None = None) -> list[str]:
    """What prevents publishing this version, in French; empty when it is complete.

    `blocks`, when given, are the version's blocks with their competencies prefetched.
    """
    problems: list[str] = []
    if blocks is None:
        blocks = list(version.blocks.prefetch_related("competencies"))
    if not blocks:
        problems.append(_("La version n'a aucun bloc de compétences."))
    for block in blocks:
        if not block.competencies.all():
            problems.append(
                _("Le bloc %(block)s n'a aucune compétence : ajoutez-en au moins une.") % {"block": block.code}
            )
    return problems


@transaction.atomic
def version_publish(*, version: CertificationVersion) -> CertificationVersion:
    """Draft → published: the version becomes available for enrolments."""
    problems = version_problems(version)
    if problems:
        raise ValidationError(problems)
    moved = CertificationVersion.objects.filter(pk=version.pk, status=VersionStatus.DRAFT).update(
        status=VersionStatus.PUBLISHED
    )
    if moved != 1:
        raise ValidationError(_("Seule une version en préparation peut être publiée."))
    version.refresh_from_db()
    return version


@transaction.atomic
def version_archive(*, version: CertificationVersion) -> CertificationVersion:
    """Published → archived: no new enrolment; past results keep pointing at it."""
    moved = CertificationVersion.objects.filter(pk=version.pk, status=VersionStatus.PUBLISHED).update(
        status=VersionStatus.ARCHIVED
    )
    if moved != 1:
        raise ValidationError(_("Seule une version en vigueur peut être archivée."))
    version.refresh_from_db()
    return version


@transaction.atomic
def version_new(*, previous: CertificationVersion) -> CertificationVersion:
    """A renewal or an amendment: a draft copy of `previous` with its blocks, competencies and tests."""
    certification = Certification.objects.select_for_update().get(pk=previous.certification_id)
    if CertificationVersion.objects.filter(previous=previous).exists():
        raise ValidationError(_("La version %(number)s a déjà une version suivante.") % {"number": previous.number})
    last = certification.versions.aggregate(last=Max("number"))["last"] or 0
    new = CertificationVersion(
        certification=certification,
        number=last + 1,
        status=VersionStatus.DRAFT,
        previous=previous,
        **{name: getattr(previous, name) for name in VERSION_EDITABLE_FIELDS},
    )
    new.full_clean()
    new.save()
    for block in previous.blocks.prefetch_related("competencies", "tests"):
        competencies = list(block.competencies.all())
        source = Block(pk=block.pk)
        block.pk = None
        block.version = new
        block.save()
        from cqp.block_tests import copy_tests  # cqp.block_tests builds on this module

        copy_tests(source=source, target=block)
        Competency.objects.bulk_create(
            Competency(
                block=block,
                code=c.code,
                label=c.label,
                label_is_draft=c.label_is_draft,
                order=c.order,
                is_mandatory=c.is_mandatory,
            )
            for c in competencies
        )
    return new


def _check_competency_code_free(*, version: CertificationVersion, code: str, exclude_pk: int | None) -> None:
    clash = Competency.objects.filter(block__version=version, code=code)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        other = clash.select_related("block").get()
        raise ValidationError(
            {
                "code": _("Le code %(code)s est déjà utilisé dans le bloc %(block)s.")
                % {"code": code, "block": other.block.code}
            }
        )


def _check_block_rncp_prefix(block: Block) -> None:
    if block.rncp_code and not block.rncp_code.startswith(block.version.rncp_code + "BC"):
        raise ValidationError(
            {
                "rncp_code": _("Le code RNCP du bloc doit commencer par %(prefix)s.")
                % {"prefix": block.version.rncp_code + "BC"}
            }
        )


@transaction.atomic
def block_create(*, version: CertificationVersion, **fields: Any) -> Block:
    _assert_rules_editable(version, what=_("ajouter un bloc"))
    if version.status != VersionStatus.DRAFT:
        # A published version's blocks all have competencies; an empty new one would break that.
        raise ValidationError(_("On n'ajoute un bloc qu'à une version en préparation : créez une nouvelle version."))
    block = Block(version=version)
    _apply(block, fields, BLOCK_EDITABLE_FIELDS)
    _check_block_rncp_prefix(block)
    block.full_clean()
    block.save()
    return block


@transaction.atomic
def block_update(*, block: Block, mandatory: Iterable[str] | None = None, **fields: Any) -> Block:
    """Change a block and, when `mandatory` is given, its mandatory competencies: all or nothing."""
    block = Block.objects.select_for_update().select_related("version").get(pk=block.pk)
    changed = _apply(block, fields, BLOCK_EDITABLE_FIELDS)
    if changed & BLOCK_RULE_FIELDS:
        _assert_rules_editable(block.version, what=_("changer le code ou le seuil du bloc"))
    _check_block_rncp_prefix(block)
    block.full_clean()
    block.save()
    if mandatory is not None:
        block_set_mandatory(block=block, codes=mandatory)
    return block


@transaction.atomic
def block_delete(*, block: Block) -> None:
    _assert_rules_editable(block.version, what=_("supprimer un bloc"))
    if block.version.status != VersionStatus.DRAFT:
        raise ValidationError(_("On ne supprime un bloc que d'une version en préparation."))
    block.delete()


@transaction.atomic
def block_set_mandatory(*, block: Block, codes: Iterable[str]) -> Block:
    """Make exactly `codes` the mandatory competencies of `block`."""
    wanted = set(codes)
    competencies = list(block.competencies.select_for_update())
    known = {c.code for c in competencies}
    strangers = sorted(wanted - known)
    if strangers:
        raise ValidationError(
            ngettext(
                "%(codes)s n'appartient pas au bloc %(block)s : une compétence obligatoire doit être une compétence "
                "du bloc.",
                "%(codes)s n'appartiennent pas au bloc %(block)s : une compétence obligatoire doit être une "
                "compétence du bloc.",
                len(strangers),
            )
            % {"codes": ", ".join(strangers), "block": block.code}
        )
    if {c.code for c in competencies if c.is_mandatory} != wanted:
        _assert_rules_editable(block.version, what=_("changer les compétences obligatoires"))
        for competency in competencies:
            competency.is_mandatory = competency.code in wanted
        Competency.objects.bulk_update(competencies, ["is_mandatory"])
    return block


@transaction.atomic
def competency_create(*, block: Block, **fields: Any) -> Competency:
    _assert_rules_editable(block.version, what=_("ajouter une compétence"))
    competency = Competency(block=block)
    _apply(competency, fields, COMPETENCY_EDITABLE_FIELDS)
    _check_competency_code_free(version=block.version, code=competency.code, exclude_pk=None)
    competency.full_clean()
    competency.save()
    return competency


@transaction.atomic
def competency_update(*, competency: Competency, **fields: Any) -> Competency:
    competency = Competency.objects.select_for_update().select_related("block__version").get(pk=competency.pk)
    changed = _apply(competency, fields, COMPETENCY_EDITABLE_FIELDS)
    if changed & COMPETENCY_RULE_FIELDS:
        _assert_rules_editable(competency.block.version, what=_("changer le code ou le caractère obligatoire"))
    _check_competency_code_free(version=competency.block.version, code=competency.code, exclude_pk=competency.pk)
    competency.full_clean()
    competency.save()
    return competency


@transaction.atomic
def competency_delete(*, competency: Competency) -> None:
    block = competency.block
    _assert_rules_editable(block.version, what=_("supprimer une compétence"))
    if block.version.status != VersionStatus.DRAFT and block.competencies.count() == 1:
        raise ValidationError(
            _(
                "%(code)s est la dernière compétence du bloc %(block)s : un bloc d'une version en vigueur garde au "
                "moins une compétence."
            )
            % {"code": competency.code, "block": block.code}
        )
    competency.delete()


def certifier_get_or_create(*, name: str, **fields: Any) -> tuple[Certifier, bool]:
    existing = Certifier.objects.filter(name=name).first()
    if existing is not None:
        return existing, False
    certifier = Certifier(name=name, **fields)
    certifier.full_clean()
    certifier.save()
    return certifier, True


def organisation_get_or_create(*, name: str, **fields: Any) -> tuple[TrainingOrganisation, bool]:
    existing = TrainingOrganisation.objects.filter(name=name).first()
    if existing is not None:
        return existing, False
    organisation = TrainingOrganisation(name=name, **fields)
    organisation.full_clean()
    organisation.save()
    return organisation, True


def organisation_approval_state(organisation: TrainingOrganisation) -> dict[str, Any]:
    """An organisation's approval as the audit trail records it."""
    return {
        _("habilitation"): str(organisation.get_approval_status_display()),
        _("depuis le"): organisation.approval_start,
        _("jusqu'au"): organisation.approval_end,
    }


@transaction.atomic
def organisation_approve(
    *, organisation: TrainingOrganisation, actor: User, start: dt.date, end: dt.date | None, reason: str
) -> TrainingOrganisation:
    """Grant, renew or restore an organisation's approval from `start` until `end` (open-ended without one).

    Certifier admins only. The approval gates session scheduling (`approval_is_valid`); the change is audited.
    """
    check_certifier_admin(actor, _("Seul un administrateur du certificateur habilite un organisme de formation."))
    reason = reason.strip()
    errors: dict[str, str] = {}
    if end is not None and end < start:
        errors["end"] = _("La fin de l'habilitation ne peut pas précéder son début.")
    if not reason:
        errors["reason"] = _("Indiquez le motif de l'habilitation (décision, date de la commission…).")
    if errors:
        raise ValidationError(errors)
    organisation = TrainingOrganisation.objects.select_for_update().get(pk=organisation.pk)
    before = organisation_approval_state(organisation)
    organisation.approval_status = ApprovalStatus.ACTIVE
    organisation.approval_start = start
    organisation.approval_end = end
    organisation.full_clean()
    organisation.save(update_fields=["approval_status", "approval_start", "approval_end"])
    audit_record(
        actor=actor,
        target=organisation,
        action=AuditAction.ORGANISATION_APPROVED,
        before=before,
        after=organisation_approval_state(organisation),
        reason=reason,
    )
    return organisation


@transaction.atomic
def organisation_withdraw(
    *,
    organisation: TrainingOrganisation,
    actor: User,
    reason: str,
    status: ApprovalStatus = ApprovalStatus.WITHDRAWN,
) -> TrainingOrganisation:
    """Suspend or withdraw an organisation's approval: it can no longer schedule sessions.

    Certifier admins only; the reason is mandatory and the change is audited. Sessions already scheduled stay.
    """
    check_certifier_admin(actor, _("Seul un administrateur du certificateur retire l'habilitation d'un organisme."))
    reason = reason.strip()
    if status not in (ApprovalStatus.SUSPENDED, ApprovalStatus.WITHDRAWN):
        raise ValidationError({"status": _("Choisissez une suspension ou un retrait d'habilitation.")})
    if not reason:
        raise ValidationError({"reason": _("Indiquez le motif de la suspension ou du retrait.")})
    organisation = TrainingOrganisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.approval_status == status:
        raise ValidationError(
            _("L'habilitation de %(org)s est déjà dans cet état (%(status)s).")
            % {"org": organisation.name, "status": organisation.get_approval_status_display().lower()}
        )
    before = organisation_approval_state(organisation)
    organisation.approval_status = status
    organisation.full_clean()
    organisation.save(update_fields=["approval_status"])
    audit_record(
        actor=actor,
        target=organisation,
        action=AuditAction.ORGANISATION_WITHDRAWN,
        before=before,
        after=organisation_approval_state(organisation),
        reason=reason,
    )
    return organisation
