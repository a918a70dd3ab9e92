"""Creating draft versions from RNCP fiches (`cqp.rncp`), for `manage.py import_rncp` (issue 13, part 4).

One fiche, one transaction, one line of outcome:
- `unchanged`: a version of this RNCP number was imported from the very same fiche (its fingerprint), or holds the
  very same blocks and competencies (a referential loaded by `load_referential`);
- `created draft version, N blocks, M competencies`: a new certification (linked to its predecessor when the fiche
  names one already here: a renewal is never an edit of the old certification), or a new draft version of the
  certification that holds this number when the fiche changed; every competency is flagged "à vérifier" (the split
  is a proposal a certifier admin confirms);
- `skipped: <reason>`: the fiche cannot be read, describes no block, or its certifier is not known here."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cqp import services
from cqp.models import AccessRoute, Block, Certification, CertificationVersion, Certifier, Competency, VersionStatus
from cqp.rncp import Fiche

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

    def __str__(self) -> str:
        return f"{self.number}: {self.text}"


def fingerprint(fiche: Fiche) -> str:
    data = asdict(fiche)
    data.pop("problems")
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def _content(fiche: Fiche) -> list[tuple[str, str, str, list[str]]]:
    return [(b.code, b.rncp_code, b.title, b.proposed) for b in fiche.blocks]


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


def _version_fields(fiche: Fiche, certifier: Certifier) -> dict[str, object]:
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
            "Importée de l'export RNCP de France compétences : le découpage des compétences de chaque bloc est "
            "une proposition à vérifier ; niveau, compétences obligatoires et règles de jury à renseigner."
        ),
    }


def _blocks(version: CertificationVersion, fiche: Fiche) -> int:
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
        rows = [
            Competency(block=block, code=f"C{number}.{n}", label=label, label_is_draft=True, order=n)
            for n, label in enumerate(data.proposed, start=1)
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


def import_fiche(fiche: Fiche) -> Outcome:
    """The fiche imported in its own transaction, or its reason to be skipped (nothing written then)."""
    try:
        return _import(fiche)
    except ValidationError as error:
        return Outcome(fiche.number or "?", "skipped", "skipped: " + "; ".join(error.messages))


@transaction.atomic
def _import(fiche: Fiche) -> Outcome:
    def skipped(reason: str) -> Outcome:
        return Outcome(fiche.number or "?", "skipped", f"skipped: {reason}")

    if fiche.problems:
        return skipped("; ".join(fiche.problems))
    if not fiche.blocks:
        return skipped(_("la fiche ne décrit aucun bloc de compétences"))
    certifier = _certifier(fiche)
    if certifier is None:
        return skipped(
            _("certificateur inconnu ici (%(names)s) : créez-le d'abord")
            % {"names": ", ".join(fiche.certifiers) or "—"}
        )
    digest = fingerprint(fiche)
    versions = list(CertificationVersion.objects.filter(rncp_code=fiche.number).order_by("number"))
    if any(v.rncp_fingerprint == digest for v in versions) or (versions and _held(versions[-1]) == _content(fiche)):
        return Outcome(fiche.number, "unchanged", "unchanged")
    fields = _version_fields(fiche, certifier)
    if versions:
        latest = versions[-1]
        certification = Certification.objects.select_for_update().get(pk=latest.certification_id)
        last = certification.versions.aggregate(last=Max("number"))["last"] or 0
        version = CertificationVersion(
            certification=certification, number=last + 1, status=VersionStatus.DRAFT, previous=latest, **fields
        )
        version.rncp_fingerprint = digest
        version.full_clean()
        version.save()
    else:
        predecessor = (
            Certification.objects.filter(versions__rncp_code__in=fiche.predecessors).order_by("pk").first()
            if fiche.predecessors
            else None
        )
        version = services.certification_create(slug=_slug(fiche), name=short_title(fiche), **fields)
        CertificationVersion.objects.filter(pk=version.pk).update(rncp_fingerprint=digest)
        if predecessor is not None:
            Certification.objects.filter(pk=version.certification_id).update(predecessor=predecessor)
    competencies = _blocks(version, fiche)
    return Outcome(
        fiche.number, "created", f"created draft version, {len(fiche.blocks)} blocks, {competencies} competencies"
    )
