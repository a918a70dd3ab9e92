"""The composition rules of each certification version's juries, as data: read (`rules_for`), edited by
certifier admins (`rule_set_save`), frozen with the version, copied to its next version, and loaded for the
branch's certifications (`referential_load`).

The rules themselves (what a seat, a composition, a presidency must satisfy) are `juries.rules`, pure; this
module turns the stored rows into its `JuryRules` values and back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from accounts.access import check_certifier_admin
from accounts.models import User
from cqp.models import CertificationVersion
from cqp.services import assert_rules_editable
from juries import rules
from juries.models import College, JuryRuleSet, SeatRuleRow
from juries.rules import (
    CERTIFICATION,
    EMPLOYEES,
    EMPLOYERS,
    EVALUATION,
    PROFESSIONAL,
    TRAINER,
    JuryRules,
    SeatRule,
)

FICHE_31313 = "Fiche RNCP 31313, « Composition des jurys »"
SEED_26850 = "Règlement des CQP (26850), § 1 « Composition des jurys »"

# RNCP 31313 "CQP Horloger qualifié", its fiche, the same for every access route (VAE included). The fiche does
# not say who presides either jury nor the external share: the CPNEFP members preside (one of the two colleges,
# as for the branch's other juries) and at least half of each jury is external, as France compétences expects.
RULES_31313 = (
    JuryRules(
        kind=EVALUATION,
        name="jury d'épreuve",
        seats=(
            SeatRule(PROFESSIONAL, "professionnel ayant des compétences en lien avec le CQP", 2, None),
            SeatRule(TRAINER, "formateur du centre de formation agréé par la branche", 2, 2),
            SeatRule(EMPLOYEES, "membre de la CPNEFP (collège des salariés)", 1, 1, ex_officio=True),
            SeatRule(EMPLOYERS, "membre de la CPNEFP (collège des employeurs)", 1, 1, ex_officio=True),
        ),
        presiding=(EMPLOYEES, EMPLOYERS),
        min_members=6,
        trainers_linked_allowed=True,
    ),
    JuryRules(
        kind=CERTIFICATION,
        name="jury paritaire final",
        seats=(
            SeatRule(EMPLOYEES, "membre de la CPNEFP (collège des salariés)", 1, None, ex_officio=True),
            SeatRule(EMPLOYERS, "membre de la CPNEFP (collège des employeurs)", 1, None, ex_officio=True),
        ),
        presiding=(EMPLOYEES, EMPLOYERS),
        min_members=4,
    ),
)

# What `load_referential` stores for each of the branch's versions; any other (26849, 31394, a version
# imported from the RNCP) gets 26850's rules, for the admins to edit.
REFERENTIAL_RULES: dict[str, tuple[tuple[JuryRules, ...], str]] = {"RNCP31313": (RULES_31313, FICHE_31313)}


def _value(rule_set: JuryRuleSet, rows: Iterable[SeatRuleRow] | None = None) -> JuryRules:
    return JuryRules(
        kind=rule_set.kind,
        name=rule_set.name,
        seats=tuple(
            SeatRule(
                college=row.college,
                label=row.label,
                minimum=row.minimum,
                maximum=row.maximum,
                ex_officio=row.ex_officio,
            )
            for row in (rule_set.seat_rules.all() if rows is None else rows)
        ),
        presiding=tuple(rule_set.presiding),
        min_members=rule_set.min_members,
        max_members=rule_set.max_members,
        trainers_linked_allowed=rule_set.trainers_linked_allowed,
        external_percent=rule_set.external_percent,
    )


def rules_for(version: CertificationVersion | int, kind: str) -> JuryRules:
    """The rules a jury of `kind` of `version` obeys: those stored with the version, else 26850's. One query."""
    return rules_by_kind(version, kinds=(kind,))[kind]


def rules_by_kind(version: CertificationVersion | int, kinds: Sequence[str] = rules.KINDS) -> dict[str, JuryRules]:
    """The rules of `kinds` of a version, in one query: those stored with it, else 26850's (a stored rule set
    always seats at least one college: `rules.rules_definition_problems`)."""
    version_id = version if isinstance(version, int) else version.pk
    rows = list(
        SeatRuleRow.objects.filter(rule_set__version_id=version_id, rule_set__kind__in=kinds)
        .select_related("rule_set")
        .order_by("rule_set__kind", "order", "pk")
    )
    found = {}
    for kind in kinds:
        mine = [row for row in rows if row.rule_set.kind == kind]
        found[kind] = _value(mine[0].rule_set, mine) if mine else rules.default_rules(kind)
    return found


def titles_of(jury_rules: JuryRules) -> dict[str, str]:
    """Each college's title in a jury, in the version's words with a capital (« Membre de la CPNEFP (collège des
    salariés) » on 31313's juries; 26850's read as the registry's colleges)."""
    return {college: capfirst(jury_rules.label(college)) for college in College.values}


def college_titles(version: CertificationVersion | int, kind: str) -> dict[str, str]:
    return titles_of(rules_for(version, kind))


def rule_sets_of(version: CertificationVersion) -> list[tuple[JuryRules, str, bool]]:
    """Both kinds of jury of a version: (rules, source, stored) — `stored` False when 26850's apply by default."""
    stored = {rs.kind: rs for rs in JuryRuleSet.objects.filter(version=version).prefetch_related("seat_rules")}
    found = []
    for kind in rules.KINDS:
        rule_set = stored.get(kind)
        if rule_set is None:
            found.append((rules.default_rules(kind), SEED_26850, False))
        else:
            found.append((_value(rule_set), rule_set.source, True))
    return found


def _store(version: CertificationVersion, value: JuryRules, *, source: str) -> JuryRuleSet:
    rule_set, _created = JuryRuleSet.objects.update_or_create(
        version=version,
        kind=value.kind,
        defaults={
            "name": value.name,
            "min_members": value.min_members,
            "max_members": value.max_members,
            "presiding": list(value.presiding),
            "trainers_linked_allowed": value.trainers_linked_allowed,
            "external_percent": value.external_percent,
            "source": source,
        },
    )
    rule_set.full_clean()
    rule_set.seat_rules.all().delete()
    for order, seat in enumerate(value.seats, start=1):
        row = SeatRuleRow(
            rule_set=rule_set,
            college=seat.college,
            label=seat.label,
            minimum=seat.minimum,
            maximum=seat.maximum,
            ex_officio=seat.ex_officio,
            order=order,
        )
        row.full_clean()
        row.save()
    return rule_set


@transaction.atomic
def rule_set_save(
    *,
    version: CertificationVersion,
    kind: str,
    name: str,
    seats: Sequence[SeatRule],
    presiding: Iterable[str],
    min_members: int,
    max_members: int | None,
    trainers_linked_allowed: bool,
    external_percent: int,
    source: str,
    saved_by: User,
) -> JuryRuleSet:
    """A certifier admin sets the composition rules of one kind of jury of a version. Refused on an archived
    version or one in use (its juries were composed under the rules it has), and when the rules cannot be
    satisfied (`rules.rules_definition_problems`)."""
    check_certifier_admin(saved_by, _("Seul un administrateur du certificateur fixe la composition des jurys."))
    if kind not in rules.KINDS:
        raise ValidationError(_("Type de jury inconnu."))
    locked = CertificationVersion.objects.select_for_update().get(pk=version.pk)
    assert_rules_editable(locked, what=_("changer la composition de ses jurys"))
    unknown = [seat.college for seat in seats if seat.college not in College.values]
    if unknown:
        raise ValidationError(_("Collège inconnu : %(college)s.") % {"college": ", ".join(unknown)})
    value = JuryRules(
        kind=kind,
        name=name.strip(),
        seats=tuple(seats),
        presiding=tuple(dict.fromkeys(presiding)),
        min_members=min_members,
        max_members=max_members,
        trainers_linked_allowed=trainers_linked_allowed,
        external_percent=external_percent,
    )
    problems = rules.rules_definition_problems(value)
    if not value.name:
        problems.insert(0, _("Donnez le nom du jury tel que la fiche l'écrit."))
    if problems:
        raise ValidationError(problems)
    return _store(locked, value, source=source.strip())


def referential_load(version: CertificationVersion) -> int:
    """The branch's rules for a version loaded by `load_referential`: its own when the referential has them
    (31313), else 26850's as an editable default. Kinds already stored are left as they are (idempotent, and an
    admin's edits survive a new run). Returns how many rule sets it created."""
    values, source = REFERENTIAL_RULES.get(
        version.rncp_code, ((rules.default_rules(EVALUATION), rules.default_rules(CERTIFICATION)), SEED_26850)
    )
    present = set(JuryRuleSet.objects.filter(version=version).values_list("kind", flat=True))
    created = 0
    for value in values:
        if value.kind not in present:
            _store(version, value, source=source)
            created += 1
    return created


def copy_rules(*, source: CertificationVersion, target: CertificationVersion) -> None:
    """A new version of a certification starts with the rules of the one it follows."""
    for rule_set in JuryRuleSet.objects.filter(version=source).prefetch_related("seat_rules"):
        _store(target, _value(rule_set), source=rule_set.source)


@receiver(post_save, sender=CertificationVersion, dispatch_uid="juries.copy_rules_to_new_version")
def _new_version_keeps_its_rules(sender: Any, instance: CertificationVersion, created: bool, **kwargs: Any) -> None:
    if created and instance.previous_id is not None and not kwargs.get("raw"):
        copy_rules(source=instance.previous, target=instance)  # type: ignore[arg-type]
