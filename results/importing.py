"""Importing prior acquisitions from a CSV or XLSX file, as the candidates import does: parse, preview every row
without writing, then record them all in one transaction or none at all.

The file is read by the candidates import's own reader (`candidates.importing`: size, zip bomb, streamed lines,
cells as text), so it is bounded the same way, and rows are capped at `MAX_ROWS`. Each row names the candidate by
the identity the candidates import matches on (birth name, first name, date of birth: `candidates.rules.
identity_key`, looked up for all the rows in one query by `candidates.services.twins_by_identity`), the
certification by its RNCP code and the block by its code. Each row is then checked by the rule the form uses
(`juries.services.prior.prior_acquisition_check`), and a block given twice for the same candidate in the file is
refused too. The file waits for its confirmation in the private storage (`candidates.importing.stash_save`)."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import check_certifier_admin
from accounts.models import User
from candidates import importing as candidate_importing
from candidates import rules as candidate_rules
from candidates import services as candidate_services
from candidates.importing import RowError, fold
from candidates.models import Candidate
from cqp.lib import bounds
from cqp.models import Block, CertificationVersion
from juries.models import PriorAcquisition, PriorSource
from juries.services.prior import prior_acquisition_check, prior_acquisition_record

MAX_ROWS = 1000
MAX_LINES = 2 * MAX_ROWS + 1  # blank lines included

COLUMN_LABELS: dict[str, Any] = {
    "birth_name": gettext_lazy("Nom de naissance"),
    "first_name": gettext_lazy("Prénom"),
    "birth_date": gettext_lazy("Date de naissance"),
    "certification": gettext_lazy("Certification"),
    "block": gettext_lazy("Bloc"),
    "acquired_on": gettext_lazy("Date d'acquisition"),
    "source": gettext_lazy("Source"),
    "reference": gettext_lazy("Référence"),
}
COLUMNS = tuple(COLUMN_LABELS)
_HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "birth_name": ("nom de naissance", "nom", "nom de famille"),
    "first_name": ("prenom", "prenoms", "premier prenom"),
    "birth_date": ("date de naissance", "date naissance", "ne e le", "ne le"),
    "certification": ("certification", "code rncp", "rncp", "numero rncp", "n rncp"),
    "block": ("bloc", "code du bloc", "bloc de competences", "code bloc"),
    "acquired_on": ("date d acquisition", "acquis le", "date d obtention", "obtenu le", "date"),
    "source": ("source", "origine"),
    "reference": ("reference", "n de pv", "numero de pv", "reference du pv", "ref"),
}
HEADERS = {alias: name for name, aliases in _HEADER_ALIASES.items() for alias in aliases}
_SOURCES = {
    "paper pv": PriorSource.PAPER_PV,
    "pv papier": PriorSource.PAPER_PV,
    "proces verbal papier": PriorSource.PAPER_PV,
    "papier": PriorSource.PAPER_PV,
    "earlier software": PriorSource.EARLIER_SOFTWARE,
    "logiciel anterieur": PriorSource.EARLIER_SOFTWARE,
    "logiciel": PriorSource.EARLIER_SOFTWARE,
    "other certifier": PriorSource.OTHER_CERTIFIER,
    "autre certificateur": PriorSource.OTHER_CERTIFIER,
}
SAMPLE_ROWS = (
    ("MARTIN", "Julie", "01/01/1995", "RNCP26850", "BC1", "15/06/2019", "PV papier", "PV 2019-014"),
    ("LE GOFF", "Élodie", "23/11/1990", "RNCP26850", "BC2", "02/12/2020", "Logiciel antérieur", "Dossier 4521"),
)
SHOWN_LENGTH = 200


@dataclass
class PreviewRow:
    line: int
    raw: dict[str, str]
    candidate: Candidate | None = None
    block: Block | None = None
    acquired_on: dt.date | None = None
    source: str = ""
    reference: str = ""
    identity: str = ""  # the identity key of the candidate named (`candidates.rules.identity_key`)
    rncp: str = ""  # the RNCP code named, normalised
    block_code: str = ""  # the block's code named, normalised
    errors: list[RowError] = field(default_factory=list)

    def error(self, column: str, message: str) -> None:
        self.errors.append(RowError(line=self.line, column=str(COLUMN_LABELS.get(column, "")), message=message))


@dataclass
class Preview:
    rows: list[PreviewRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def ready_count(self) -> int:
        return sum(1 for row in self.rows if not row.errors)

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if row.errors)

    @property
    def errors(self) -> list[RowError]:
        return [error for row in self.rows for error in row.errors]

    @property
    def can_commit(self) -> bool:
        return bool(self.rows) and not self.file_errors and not self.error_count


class _TooManyRows(Exception):
    pass


def _too_many_rows() -> str:
    return _("Le fichier compte plus de %(max)s lignes : découpez-le en plusieurs fichiers.") % {
        "max": f"{MAX_ROWS:,}".replace(",", "\u202f")
    }


def parse(filename: str, content: bytes) -> Preview:
    """The header and every non-empty line as text, or the reason the whole file is refused. Reading stops as
    soon as the caps are passed."""
    problem = candidate_importing.file_problem(filename, len(content))
    if problem:
        return Preview(file_errors=[problem])
    is_xlsx = filename.lower().endswith(".xlsx")
    if is_xlsx and (problem := candidate_importing.zip_problem(content)):
        return Preview(file_errors=[problem])
    reader = candidate_importing._xlsx_records if is_xlsx else candidate_importing._csv_records
    try:
        with contextlib.closing(reader(content)) as records:
            preview = _parse_records(records)
    except (_TooManyRows, candidate_importing._TooManyRows):
        return Preview(file_errors=[_too_many_rows()])
    except UnicodeDecodeError:
        return Preview(
            file_errors=[
                _(
                    "Le fichier n'est pas encodé en UTF-8 : dans Excel, choisissez « Enregistrer sous » puis "
                    "« CSV UTF-8 (délimité par des virgules) », ou envoyez le fichier .xlsx."
                )
            ]
        )
    except (candidate_importing.Unreadable, zipfile.BadZipFile, KeyError, OSError, ValueError, csv.Error):
        return Preview(file_errors=[candidate_importing._unreadable()])
    if not preview.rows and not preview.file_errors:
        preview.file_errors.append(_("Le fichier ne contient aucun acquis sous la ligne des intitulés."))
    return preview


def _parse_records(records: Iterator[list[Any]]) -> Preview:
    preview = Preview()
    header = next(records, None)
    if header is None or not any(candidate_importing._text(cell) for cell in header):
        preview.file_errors.append(_("Le fichier est vide : la première ligne doit porter les intitulés."))
        return preview
    columns: dict[int, str] = {}
    for index, cell in enumerate(header):
        title = candidate_importing._text(cell)
        if not title:
            continue
        name = HEADERS.get(fold(title))
        if name is None:
            preview.ignored_columns.append(title[:SHOWN_LENGTH])
        elif name in columns.values():
            preview.file_errors.append(
                _("La colonne « %(column)s » apparaît deux fois : gardez-en une seule.")
                % {"column": COLUMN_LABELS[name]}
            )
        else:
            columns[index] = name
    missing = [str(COLUMN_LABELS[name]) for name in COLUMNS if name not in columns.values()]
    if missing:
        preview.file_errors.append(
            _(
                "Colonnes obligatoires absentes : %(columns)s. "
                "La première ligne doit porter les intitulés (voir le modèle)."
            )
            % {"columns": ", ".join(missing)}
        )
    if preview.file_errors:
        return preview
    for line, record in enumerate(records, start=2):
        if line > MAX_LINES:
            raise _TooManyRows
        if not any(candidate_importing._text(cell) for cell in record):
            continue
        if len(preview.rows) == MAX_ROWS:
            raise _TooManyRows
        cells = {name: record[index] if index < len(record) else None for index, name in columns.items()}
        preview.rows.append(_read_row(line, cells))
    return preview


def _read_row(line: int, cells: dict[str, Any]) -> PreviewRow:
    raw = {name: candidate_importing._text(value) for name, value in cells.items()}
    row = PreviewRow(
        line=line, raw={k: v if len(v) <= SHOWN_LENGTH else v[:SHOWN_LENGTH] + "…" for k, v in raw.items()}
    )
    for name, text in raw.items():
        try:
            bounds.refuse_control_characters(text)
            bounds.check_length(text, bounds.NAME_LENGTH, str(COLUMN_LABELS[name]))
        except ValidationError as error:
            row.error(name, " ".join(error.messages))
            raw[name] = ""
    birth_date: dt.date | None = None
    for name in ("birth_date", "acquired_on"):
        value = candidate_importing._date(cells[name]) if raw[name] else None
        if isinstance(cells[name], dt.date) and value is not None:
            row.raw[name] = f"{value:%d/%m/%Y}"
        if not raw[name]:
            if not any(e.column == str(COLUMN_LABELS[name]) for e in row.errors):
                row.error(name, _("indiquez la date (JJ/MM/AAAA)."))
        elif value is None:
            row.error(name, _("« %(value)s » n'est pas une date JJ/MM/AAAA.") % {"value": row.raw[name]})
        elif name == "acquired_on":
            row.acquired_on = value
        else:
            try:
                bounds.birth_date(value)
            except ValidationError as error:
                row.error(name, " ".join(error.messages))
            else:
                birth_date = value
    for name in ("birth_name", "first_name", "certification", "block", "reference"):
        if not raw[name] and not any(e.column == str(COLUMN_LABELS[name]) for e in row.errors):
            row.error(name, _("cette colonne est vide."))
    row.reference = raw["reference"]
    if raw["source"]:
        row.source = _SOURCES.get(fold(raw["source"]), raw["source"] if raw["source"] in PriorSource.values else "")
        if not row.source:
            row.error(
                "source",
                _("« %(value)s » n'est pas reconnu : PV papier, logiciel antérieur ou autre certificateur.")
                % {"value": row.raw["source"]},
            )
    else:
        row.error("source", _("indiquez PV papier, logiciel antérieur ou autre certificateur."))
    if raw["birth_name"] and raw["first_name"] and birth_date is not None:
        row.identity = candidate_rules.identity_key(
            birth_name=raw["birth_name"], first_name=raw["first_name"], birth_date=birth_date
        )
    row.rncp = _rncp_code(raw["certification"])
    row.block_code = re.sub(r"\s+", "", raw["block"]).upper()
    return row


def _rncp_code(text: str) -> str:
    """`RNCP 26850`, `rncp26850` and `26850` name the same registration: RNCP26850."""
    code = re.sub(r"[\s._-]+", "", text).upper()
    return f"RNCP{code}" if code.isdigit() else code


def _same_block(code: str, block: Block) -> bool:
    """`BC1`, `BC01` and the RNCP code of the block (`RNCP26850BC01`) name the same block."""
    if code in (block.code.upper(), block.rncp_code.upper()):
        return True
    match, own = re.fullmatch(r"BC0*(\d+)", code), re.fullmatch(r"BC0*(\d+)", block.code.upper())
    return bool(match and own and match.group(1) == own.group(1))


def preview_rows(preview: Preview) -> Preview:
    """Match every parsed row to its candidate, certification and block, then check it as the form would
    (`prior_acquisition_check`) and against the rows above it. Writes nothing."""
    if preview.file_errors:
        return preview
    twins = candidate_services.twins_by_identity(row.identity for row in preview.rows)
    versions: dict[str, list[CertificationVersion]] = {}
    for version in CertificationVersion.objects.filter(
        rncp_code__in={row.rncp for row in preview.rows if row.rncp}
    ).order_by("-pk"):
        versions.setdefault(version.rncp_code.upper(), []).append(version)
    blocks: dict[int, list[Block]] = {}
    for block in (
        Block.objects.filter(version__in=[v for vs in versions.values() for v in vs])
        .select_related("version")
        .order_by("order")
    ):
        blocks.setdefault(block.version_id, []).append(block)
    first_line: dict[tuple[int, int], int] = {}
    for row in preview.rows:
        if row.identity:
            row.candidate = twins.get(row.identity)
            if row.candidate is None:
                row.error(
                    "birth_name",
                    _(
                        "aucun candidat de ce nom de naissance, prénom et date de naissance : enregistrez-le d'abord "
                        "(par son organisme de formation) ou corrigez l'identité."
                    ),
                )
        if row.rncp:
            found = versions.get(row.rncp, [])
            if not found:
                row.error(
                    "certification",
                    _("« %(value)s » : aucune certification de ce code RNCP.") % {"value": row.raw["certification"]},
                )
            elif row.block_code:
                row.block = next(
                    (b for version in found for b in blocks.get(version.pk, []) if _same_block(row.block_code, b)),
                    None,
                )
                if row.block is None:
                    row.error(
                        "block",
                        _("« %(value)s » n'est pas un bloc de %(rncp)s.")
                        % {"value": row.raw["block"], "rncp": found[0].rncp_number},
                    )
        if row.errors or row.candidate is None or row.block is None or row.acquired_on is None:
            continue
        for name, message in prior_acquisition_check(
            candidate=row.candidate,
            block=row.block,
            acquired_on=row.acquired_on,
            source=row.source,
            reference=row.reference,
        ).items():
            row.error(name, message)
        key = (row.candidate.pk, row.block.pk)
        if key in first_line:
            row.error(
                "block",
                _("même bloc pour le même candidat que la ligne %(line)s.") % {"line": first_line[key]},
            )
        else:
            first_line[key] = row.line
    return preview


def import_preview(filename: str, content: bytes) -> Preview:
    return preview_rows(parse(filename, content))


@transaction.atomic
def prior_acquisitions_import(*, content: bytes, filename: str, recorded_by: User) -> list[PriorAcquisition]:
    """Record every prior acquisition of the file, or none: the file is parsed and checked again here (one may
    have been recorded since the preview), and any refusal, even on the last row, rolls them all back. Raises
    `ValidationError` with every message ("Ligne 4 — Bloc : …")."""
    check_certifier_admin(recorded_by, _("Seul un administrateur du certificateur importe des acquis antérieurs."))
    preview = import_preview(filename, content)
    if not preview.can_commit:
        raise ValidationError([*preview.file_errors, *(str(error) for error in preview.errors)])
    recorded = []
    for row in preview.rows:
        assert row.candidate and row.block and row.acquired_on  # noqa: S101 - can_commit says every row matched
        try:
            recorded.append(
                prior_acquisition_record(
                    candidate=row.candidate,
                    block=row.block,
                    acquired_on=row.acquired_on,
                    source=row.source,
                    reference=row.reference,
                    recorded_by=recorded_by,
                )
            )
        except ValidationError as exc:
            raise ValidationError([str(RowError(line=row.line, message=message)) for message in exc.messages]) from exc
    return recorded


def sample_csv() -> str:
    """The model file: the header and two example rows, separated by semicolons (Excel in French)."""
    lines = [";".join(str(COLUMN_LABELS[name]) for name in COLUMNS)]
    lines += [";".join(row) for row in SAMPLE_ROWS]
    return "\r\n".join(lines) + "\r\n"
