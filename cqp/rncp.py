"""Reading RNCP fiches from France compétences' open-data export (flux 4.1; format in ../shared/rncp/README.md).

The real export is one XML file of several hundred megabytes (inside a zip): `iter_fiches` reads it as a stream,
one `FICHE` at a time, and frees each one once read, so memory stays bounded whatever the file's size
(`bench/rncp_import.py` measures it). Elements are looked up by name, absent ones tolerated; dates are JJ/MM/AAAA,
booleans Oui/Non. A fiche's free texts are bounded: a fiche whose text is too long, whose date cannot be read or
whose number is not an RNCP number is still yielded, with its `problems` in French, so that the caller says why it
skips it rather than stopping the whole file.

`LISTE_COMPETENCES` is free text (line breaks flattened to runs of spaces, bullets `-`, `*`, `o`, `•`): it is kept
raw, and `split_competencies` proposes a split that a person confirms before it becomes the referential."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _
from lxml import etree  # type: ignore[import-untyped]

# The access routes of a fiche, by the suffix of their element (`SI_JURY_FI`…): initial training, apprenticeship,
# continuing training, professionalisation contract, individual candidate, VAE (`cqp.rncp_import.ROUTES` maps them
# to `AccessRoute`).
ROUTES = ("FI", "CA", "FC", "CQ", "CL", "VAE")

# Bounds on what one fiche may hold (the real fiches stay far below): beyond, the fiche is reported, not read.
MAX_TEXT = 20_000  # characters of one free text (a competency list, a jury's composition)
MAX_BLOCKS = 60
MAX_COMPETENCIES = 200  # proposed for one block
MAX_COMPETENCY = 500  # characters of one proposed competency

_NUMBER = re.compile(r"^RNCP\d{3,6}$")
_DATE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")
_BLOCK = re.compile(r"^(RNCP\d{3,6})BC(\d{1,3})$")
_INTRO = re.compile(r"^\s*(descriptif des )?comp[ée]tences( évaluées)?\s*:\s*", re.IGNORECASE)
_BULLET = re.compile(r"(?:^|\s{2,}|\n)\s*[-*•o]\s+(?=\S)")


@dataclass(frozen=True)
class Route:
    code: str  # FI, CA, FC, CQ, CL, VAE
    active: bool
    composition: str  # the jury's composition, in words


@dataclass(frozen=True)
class FicheBlock:
    rncp_code: str  # RNCP31313BC01
    code: str  # BC1
    title: str
    competencies_raw: str
    evaluation_methods: str

    @property
    def proposed(self) -> list[str]:
        return split_competencies(self.competencies_raw)


@dataclass
class Fiche:
    number: str  # RNCP31313
    title: str = ""
    abbreviation: str = ""  # CQP
    state: str = ""  # Publiée…
    active: bool | None = None
    level: str = ""  # NIV3
    level_label: str = ""
    nsf_codes: list[str] = field(default_factory=list)
    certifiers: list[str] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    effective_on: dt.date | None = None
    registration_end: dt.date | None = None
    decision_on: dt.date | None = None
    blocks: list[FicheBlock] = field(default_factory=list)
    predecessors: list[str] = field(default_factory=list)
    successors: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def vae(self) -> bool:
        return any(route.code == "VAE" and route.active for route in self.routes)


def split_competencies(raw: str) -> list[str]:
    """A proposed split of a block's free-text competency list: the introduction dropped, one competency a bullet
    (or a line, without bullets), spaces collapsed. To be confirmed by a person."""
    text = _INTRO.sub("", raw.replace("\r", "\n"), count=1)
    parts = _BULLET.split(text) if _BULLET.search(text) else text.split("\n")
    proposed = []
    for part in parts:
        label = " ".join(part.split()).strip(" ;.,")
        if label:
            proposed.append(label[:MAX_COMPETENCY])
    return proposed[:MAX_COMPETENCIES]


def _text(element: etree._Element | None, path: str) -> str:
    found = element.find(path) if element is not None else None
    return (found.text or "").strip() if found is not None else ""


def _texts(element: etree._Element, path: str) -> list[str]:
    return [(e.text or "").strip() for e in element.iterfind(path) if (e.text or "").strip()]


def _date(fiche: Fiche, element: etree._Element, name: str) -> dt.date | None:
    value = _text(element, name)
    if not value:
        return None
    matched = _DATE.match(value)
    try:
        if matched is None:
            raise ValueError(value)
        return dt.date(int(matched.group(3)), int(matched.group(2)), int(matched.group(1)))
    except ValueError:
        fiche.problems.append(
            _("date %(name)s illisible : « %(value)s » (JJ/MM/AAAA attendu)") % {"name": name, "value": value[:20]}
        )
        return None


def _bounded(fiche: Fiche, label: str, value: str) -> str:
    if len(value) > MAX_TEXT:
        fiche.problems.append(
            _("%(label)s trop long (%(n)s caractères, %(max)s au plus)")
            % {"label": label, "n": len(value), "max": MAX_TEXT}
        )
        return value[:MAX_TEXT]
    return value


def _yes(value: str) -> bool | None:
    return {"oui": True, "non": False}.get(value.strip().lower())


def read_fiche(element: etree._Element) -> Fiche:
    """One `FICHE` element as data (no query, no write)."""
    number = _text(element, "NUMERO_FICHE").upper()
    fiche = Fiche(number=number)
    if not _NUMBER.match(number):
        fiche.problems.append(_("numéro de fiche illisible : « %(value)s »") % {"value": number[:30]})
    fiche.title = _bounded(fiche, "INTITULE", _text(element, "INTITULE"))
    fiche.abbreviation = _text(element, "ABREGE/CODE")
    fiche.state = _text(element, "ETAT_FICHE")
    fiche.active = _yes(_text(element, "ACTIF"))
    fiche.level = _text(element, "NOMENCLATURE_EUROPE/NIVEAU")
    fiche.level_label = _text(element, "NOMENCLATURE_EUROPE/LIBELLE")
    fiche.nsf_codes = _texts(element, "CODES_NSF/NSF/CODE")
    fiche.certifiers = _texts(element, "CERTIFICATEURS/CERTIFICATEUR/NOM_CERTIFICATEUR")
    for code in ROUTES:
        route = element.find(f"SI_JURY_{code}")
        if route is not None:
            fiche.routes.append(
                Route(
                    code=code,
                    active=bool(_yes(_text(route, "ACTIF"))),
                    composition=_bounded(
                        fiche, f"SI_JURY_{code}/COMPOSITION", " ".join(_text(route, "COMPOSITION").split())
                    ),
                )
            )
    fiche.effective_on = _date(fiche, element, "DATE_EFFET")
    fiche.registration_end = _date(fiche, element, "DATE_FIN_ENREGISTREMENT")
    fiche.decision_on = _date(fiche, element, "DATE_DECISION")
    fiche.predecessors = _texts(
        element, "ANCIENNES_CERTIFICATIONS/ANCIENNE_CERTIFICATION/ID_FICHE_ANCIENNE_CERTIFICATION"
    )
    fiche.successors = _texts(
        element, "NOUVELLES_CERTIFICATIONS/NOUVELLE_CERTIFICATION/ID_FICHE_NOUVELLE_CERTIFICATION"
    )
    blocks = list(element.iterfind("BLOCS_COMPETENCES/BLOC_COMPETENCES"))
    if len(blocks) > MAX_BLOCKS:
        fiche.problems.append(_("%(n)s blocs (%(max)s au plus)") % {"n": len(blocks), "max": MAX_BLOCKS})
        blocks = blocks[:MAX_BLOCKS]
    for block in blocks:
        rncp_code = _text(block, "CODE").upper()
        matched = _BLOCK.match(rncp_code)
        if matched is None or matched.group(1) != number or not 1 <= int(matched.group(2)) <= 99:
            fiche.problems.append(_("code de bloc illisible : « %(value)s »") % {"value": rncp_code[:30]})
            continue
        fiche.blocks.append(
            FicheBlock(
                rncp_code=rncp_code,
                code=f"BC{int(matched.group(2))}",
                title=_bounded(fiche, rncp_code, " ".join(_text(block, "LIBELLE").split())),
                competencies_raw=_bounded(fiche, f"{rncp_code}/LISTE_COMPETENCES", _text(block, "LISTE_COMPETENCES")),
                evaluation_methods=_bounded(
                    fiche, f"{rncp_code}/MODALITES_EVALUATION", " ".join(_text(block, "MODALITES_EVALUATION").split())
                ),
            )
        )
    return fiche


def _xml_stream(source: str | Path | IO[bytes]) -> Iterator[IO[bytes]]:
    """The XML as a binary stream: the file itself, or the one `.xml` member of a zip (read as it unzips)."""
    if isinstance(source, (str, Path)):
        with open(source, "rb") as handle:
            yield from _xml_stream(handle)
        return
    start = source.read(4)
    source.seek(0)
    if start.startswith(b"PK"):
        with zipfile.ZipFile(source) as archive:
            members = [m for m in archive.infolist() if m.filename.lower().endswith(".xml")]
            if len(members) != 1:
                raise ValueError(
                    _("L'archive doit contenir un seul fichier XML (elle en contient %(n)s).") % {"n": len(members)}
                )
            with archive.open(members[0]) as member:
                yield member
        return
    yield source


def iter_fiches(source: str | Path | IO[bytes]) -> Iterator[Fiche]:
    """Every fiche of an export (XML, or a zip holding it), one at a time, in bounded memory. No entity is
    resolved and nothing is fetched from the network. Raises `etree.XMLSyntaxError` on a broken file."""
    for stream in _xml_stream(source):
        for _event, element in etree.iterparse(
            stream,
            events=("end",),
            tag="FICHE",
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=True,
        ):
            yield read_fiche(element)
            # Free the fiche and what came before it: the tree never holds more than one.
            element.clear(keep_tail=False)
            parent = element.getparent()
            if parent is not None:
                while element.getprevious() is not None:
                    del parent[0]
