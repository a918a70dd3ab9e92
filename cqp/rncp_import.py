"""Creating draft versions from RNCP fiches (`cqp.rncp`), for `manage.py import_rncp` (issue 13, part 4).

One fiche, one transaction, one line of outcome:
- `unchanged`: a version of this RNCP number was imported from the very same fiche (its fingerprint), or holds the
  very same blocks and competencies (a referential loaded by `load_referential`);
- `created draft version, N blocks, M competencies`: a new certification (linked to its predecessor when the fiche
  names one already here: a renewal is never an edit of the old certification), or a new draft version of the
  certification that holds this number when the fiche changed; every competency is flagged "à vérifier" (the split
  is a proposal a certifier admin confirms);
- `skipped: <reason>`: the fiche cannot be read, describes no block, or its certifier is not known here.

The admin page (`cqp.rncp_views`) asks `assess` what importing a fiche would do and `differences` what changed
against the current version, then calls `import_fiche` with the split the admin corrected (`split`): those
competencies are confirmed, not "à vérifier"."""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cqp import services
from cqp.models import AccessRoute, Block, Certification, CertificationVersion, Certifier, Competency, VersionStatus
from cqp.rncp import Fiche, FicheBlock

ROUTES = {
    "FI": AccessRoute.FORMATION_INITIALE,
    "CA": AccessRoute.APPRENTISSAGE,
    "FC": AccessRoute.FORMATION_CONTINUE,
    "CQ": AccessRoute.CONTRAT_PRO,
    "CL": AccessRoute.CANDIDATURE_INDIVIDUELLE,
    "VAE": AccessRoute.VAE,
}
_CQP_PREFIX = "CQP : Certificat de qualification professionnelle "


@dataclass(frozen=True)
class Outcome:
    number: str
    kind: str  # created, unchanged, skipped
    text: str
    version_id: int | None = field(default=None, compare=False)  # the draft version created

    def __str__(self) -> str:
        return f"{self.number}: {self.text}"


def fingerprint(fiche: Fiche) -> str:
    data = asdict(fiche)
    data.pop("problems")
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


Split = Mapping[str, Sequence[str]]  # a block's code (BC1) -> its competencies, as the admin confirmed them


def _labels(block: FicheBlock, split: Split | None) -> list[str]:
    return list(split[block.code]) if split is not None and block.code in split else block.proposed


def _content(fiche: Fiche, split: Split | None = None) -> list[tuple[str, str, str, list[str]]]:
    return [(b.code, b.rncp_code, b.title, _labels(b, split)) for b in fiche.blocks]


def _held(version: CertificationVersion) -> list[tuple[str, str, str, list[str]]]:
    return [
        (b.code, b.rncp_code, b.title, [c.label for c in b.competencies.all()])
        for b in version.blocks.prefetch_related("competencies").order_by("order", "pk")
    ]


def short_title(fiche: Fiche) -> str:
    rest = fiche.title.removeprefix(_CQP_PREFIX).strip()
    return (f"CQP {rest}" if fiche.abbreviation == "CQP" and not rest.startswith("CQP") else rest)[:120]


def _slug(fiche: Fiche) -> str:
    base = f"{slugify(short_title(fiche))[:60]}-{fiche.number.lower()}"
    slug, n = base, 1
    while Certification.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _version_fields(fiche: Fiche, certifier: Certifier, *, confirmed: bool = False) -> dict[str, object]:
    level = int(fiche.level[3:]) if fiche.level.startswith("NIV") and fiche.level[3:].isdigit() else None
    return {
        "rncp_code": fiche.number,
        "title": fiche.title[:255],
        "short_title": short_title(fiche),
        "eu_level": level if level is not None and 1 <= level <= 8 else None,
        "nsf_codes": fiche.nsf_codes,
        "certifier": certifier,
        "decision_date": fiche.decision_on,
        "registration_start": fiche.effective_on,
        "registration_end": fiche.registration_end,
        "access_routes": [ROUTES[r.code].value for r in fiche.routes if r.active],
        "to_verify": _(
            "Importée de l'export RNCP de France compétences, découpage des compétences confirmé à l'import : "
            "niveau, compétences obligatoires et règles de jury à renseigner."
        )
        if confirmed
        else _(
            "Importée de l'export RNCP de France compétences : le découpage des compétences de chaque bloc est "
            "une proposition à vérifier ; niveau, compétences obligatoires et règles de jury à renseigner."
        ),
    }


def _blocks(version: CertificationVersion, fiche: Fiche, split: Split | None = None) -> int:
    competencies = 0
    for order, data in enumerate(fiche.blocks, start=1):
        block = Block(
            version=version,
            code=data.code,
            rncp_code=data.rncp_code,
            title=data.title[:255],
            order=order,
            evaluation_methods=data.evaluation_methods,
        )
        block.full_clean()
        block.save()
        number = int(data.code[2:])
        confirmed = split is not None and data.code in split
        rows = [
            Competency(block=block, code=f"C{number}.{n}", label=label, label_is_draft=not confirmed, order=n)
            for n, label in enumerate(_labels(data, split), start=1)
        ]
        for row in rows:
            row.full_clean(exclude=["block"])
        Competency.objects.bulk_create(rows)
        competencies += len(rows)
    return competencies


def _certifier(fiche: Fiche) -> Certifier | None:
    for name in fiche.certifiers:
        found = (
            Certifier.objects.filter(legal_name__iexact=name).first()
            or Certifier.objects.filter(name__iexact=name).first()
        )
        if found is not None:
            return found
    return None


@dataclass(frozen=True)
class Assessment:
    """What importing a fiche would do: `kind` is skipped (`reason`), unchanged (`latest` came from it), changed
    (a new draft version after `latest`), renewal (a certification linked to `predecessor`) or new."""

    kind: str
    reason: str = ""
    certifier: Certifier | None = None
    latest: CertificationVersion | None = None
    predecessor: Certification | None = None
    missing_predecessors: tuple[str, ...] = ()  # named by the fiche, not in the referential


def assess(fiche: Fiche, split: Split | None = None) -> Assessment:
    """What `import_fiche(fiche, split)` would do, without writing anything."""
    if fiche.problems:
        return Assessment("skipped", "; ".join(fiche.problems))
    if not fiche.blocks:
        return Assessment("skipped", _("la fiche ne décrit aucun bloc de compétences"))
    certifier = _certifier(fiche)
    if certifier is None:
        return Assessment(
            "skipped",
            _("certificateur inconnu ici (%(names)s) : créez-le d'abord")
            % {"names": ", ".join(fiche.certifiers) or "—"},
        )
    digest = fingerprint(fiche)
    versions = list(
        CertificationVersion.objects.filter(rncp_code=fiche.number).select_related("certification").order_by("number")
    )
    if versions:
        latest = versions[-1]
        if any(v.rncp_fingerprint == digest for v in versions):
            matching = next(v for v in reversed(versions) if v.rncp_fingerprint == digest)
            return Assessment("unchanged", certifier=certifier, latest=matching)
        if _held(latest) == _content(fiche, split):
            return Assessment("unchanged", certifier=certifier, latest=latest)
        return Assessment("changed", certifier=certifier, latest=latest)
    predecessor = (
        Certification.objects.filter(versions__rncp_code__in=fiche.predecessors).order_by("pk").first()
        if fiche.predecessors
        else None
    )
    known = set(
        CertificationVersion.objects.filter(rncp_code__in=fiche.predecessors).values_list("rncp_code", flat=True)
    )
    missing = tuple(n for n in fiche.predecessors if n not in known)
    if predecessor is not None:
        return Assessment("renewal", certifier=certifier, predecessor=predecessor, missing_predecessors=missing)
    return Assessment("new", certifier=certifier, missing_predecessors=missing)


def import_fiche(fiche: Fiche, split: Split | None = None) -> Outcome:
    """The fiche imported in its own transaction, or its reason to be skipped (nothing written then). `split`, the
    competencies of each block as the admin confirmed them (by block code), replaces the proposed split of the
    blocks it names, and those competencies are not "à vérifier"."""
    try:
        return _import(fiche, split)
    except ValidationError as error:
        return Outcome(fiche.number or "?", "skipped", "skipped: " + "; ".join(error.messages))


@transaction.atomic
def _import(fiche: Fiche, split: Split | None = None) -> Outcome:
    assessment = assess(fiche, split)
    if assessment.kind == "skipped" or assessment.certifier is None:
        return Outcome(fiche.number or "?", "skipped", f"skipped: {assessment.reason}")
    if assessment.kind == "unchanged":
        return Outcome(fiche.number, "unchanged", "unchanged")
    digest = fingerprint(fiche)
    confirmed = split is not None and all(b.code in split for b in fiche.blocks)
    fields = _version_fields(fiche, assessment.certifier, confirmed=confirmed)
    if assessment.latest is not None:
        latest = assessment.latest
        certification = Certification.objects.select_for_update().get(pk=latest.certification_id)
        last = certification.versions.aggregate(last=Max("number"))["last"] or 0
        version = CertificationVersion(
            certification=certification, number=last + 1, status=VersionStatus.DRAFT, previous=latest, **fields
        )
        version.rncp_fingerprint = digest
        version.full_clean()
        version.save()
    else:
        version = services.certification_create(slug=_slug(fiche), name=short_title(fiche), **fields)
        CertificationVersion.objects.filter(pk=version.pk).update(rncp_fingerprint=digest)
        if assessment.predecessor is not None:
            Certification.objects.filter(pk=version.certification_id).update(predecessor=assessment.predecessor)
    competencies = _blocks(version, fiche, split)
    return Outcome(
        fiche.number,
        "created",
        f"created draft version, {len(fiche.blocks)} blocks, {competencies} competencies",
        version_id=version.pk,
    )


@dataclass(frozen=True)
class Difference:
    """One difference between the current version and a fiche, in words: `what` changed (the title, a block,
    a competency), `kind` added / removed / changed, its value `before` and `after`."""

    what: str
    kind: str
    before: str = ""
    after: str = ""


def _when(value: object) -> str:
    return value.strftime("%d/%m/%Y") if hasattr(value, "strftime") else ("—" if value in (None, "") else str(value))


def differences(version: CertificationVersion, fiche: Fiche, split: Split | None = None) -> list[Difference]:
    """What the fiche (with `split`, or its proposed split) changes against `version`, in reading order."""
    found: list[Difference] = []
    fields = {
        _("Intitulé"): (version.title, fiche.title[:255]),
        _("Niveau européen"): (version.eu_level, _version_fields(fiche, version.certifier)["eu_level"]),
        _("Codes NSF"): (", ".join(version.nsf_codes or []), ", ".join(fiche.nsf_codes)),
        _("Enregistré à compter du"): (version.registration_start, fiche.effective_on),
        _("Enregistré jusqu'au"): (version.registration_end, fiche.registration_end),
        _("Date de la décision"): (version.decision_date, fiche.decision_on),
        _("Voies d'accès"): (
            ", ".join(str(AccessRoute(r).label) for r in version.access_routes or [] if r in AccessRoute.values),
            ", ".join(str(ROUTES[r.code].label) for r in fiche.routes if r.active),
        ),
    }
    for label, (before, after) in fields.items():
        if _when(before) != _when(after):
            found.append(Difference(label, "changed", _when(before), _when(after)))
    held = {code: (title, labels) for code, _rncp, title, labels in _held(version)}
    content = {code: (title, labels) for code, _rncp, title, labels in _content(fiche, split)}
    for code in held.keys() - content.keys():
        found.append(Difference(_("Bloc %(code)s") % {"code": code}, "removed", held[code][0], ""))
    for code, (title, labels) in content.items():
        name = _("Bloc %(code)s") % {"code": code}
        if code not in held:
            found.append(Difference(name, "added", "", f"{title} ({len(labels)} compétences)"))
            continue
        old_title, old_labels = held[code]
        if old_title != title:
            found.append(Difference(name, "changed", old_title, title))
        matcher = difflib.SequenceMatcher(a=old_labels, b=labels, autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "equal":
                continue
            olds, news = old_labels[i1:i2], labels[j1:j2]
            for n in range(max(len(olds), len(news))):
                old = olds[n] if n < len(olds) else ""
                new = news[n] if n < len(news) else ""
                kind = "changed" if old and new else ("removed" if old else "added")
                position = (i1 + n + 1) if old else (j1 + n + 1)
                what = _("%(block)s, compétence %(n)s") % {"block": name, "n": position}
                found.append(Difference(what, kind, old, new))
    return found
