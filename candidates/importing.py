"""Importing candidates from a CSV or XLSX file: parse, preview every row through `candidate_build`
without writing, then create them all in one transaction or none at all.

The file itself is the state between preview and commit: it is parsed and validated again at commit
time, so a duplicate created meanwhile is caught and nothing is written."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from candidates import rules, services
from candidates.models import Candidate
from cqp.lib.text import words
from cqp.models import TrainingOrganisation

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
EXTENSIONS = (".csv", ".xlsx")

# The column's name in messages and in the sample file, per model field.
COLUMN_LABELS: dict[str, Any] = {
    "birth_name": gettext_lazy("Nom de naissance"),
    "usage_name": gettext_lazy("Nom d'usage"),
    "first_name": gettext_lazy("Prénom"),
    "second_first_name": gettext_lazy("Deuxième prénom"),
    "third_first_name": gettext_lazy("Troisième prénom"),
    "sex": gettext_lazy("Sexe"),
    "birth_date": gettext_lazy("Date de naissance"),
    "birth_commune": gettext_lazy("Commune de naissance"),
    "birth_insee_code": gettext_lazy("Code INSEE"),
    "birth_country": gettext_lazy("Pays de naissance"),
    "email": gettext_lazy("E-mail"),
    "phone": gettext_lazy("Téléphone"),
    "company_name": gettext_lazy("Entreprise"),
    "company_siret": gettext_lazy("SIRET"),
    "company_address": gettext_lazy("Adresse de l'entreprise"),
}
MANDATORY_COLUMNS = ("birth_name", "first_name", "sex", "birth_date", "birth_commune", "email")

# Headers as people write them, folded (no case, accents or punctuation), per model field.
_HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "birth_name": ("nom de naissance", "nom", "nom de famille"),
    "usage_name": ("nom d usage", "nom usuel"),
    "first_name": ("prenom", "premier prenom", "prenom 1"),
    "second_first_name": ("deuxieme prenom", "2e prenom", "second prenom", "prenom 2"),
    "third_first_name": ("troisieme prenom", "3e prenom", "prenom 3"),
    "sex": ("sexe",),
    "birth_date": ("date de naissance", "date naissance", "ne e le", "ne le"),
    "birth_commune": ("commune de naissance", "lieu de naissance", "ville de naissance"),
    "birth_insee_code": ("code insee", "insee", "code insee de la commune de naissance", "code insee de naissance"),
    "birth_country": ("pays de naissance", "pays"),
    "email": ("e mail", "email", "courriel", "adresse e mail", "adresse email", "adresse electronique", "mail"),
    "phone": ("telephone", "tel", "numero de telephone", "portable"),
    "company_name": ("entreprise", "employeur", "raison sociale", "nom de l entreprise"),
    "company_siret": ("siret", "n siret", "numero siret", "siret de l entreprise"),
    "company_address": ("adresse de l entreprise", "adresse entreprise", "adresse"),
}
HEADERS = {alias: name for name, aliases in _HEADER_ALIASES.items() for alias in aliases}

_SEXES = {"f": "F", "femme": "F", "feminin": "F", "m": "M", "h": "M", "homme": "M", "masculin": "M"}
_FRENCH_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?")


def fold(value: str) -> str:
    """`Prénom `, `PRENOM` and `prénom` are the same header; `E-mail` and `e mail` too."""
    return " ".join(words(value))


@dataclass(frozen=True)
class RowError:
    line: int
    message: str
    column: str = ""

    def __str__(self) -> str:
        if self.column:
            return _("Ligne %(line)s — %(column)s : %(message)s") % {
                "line": self.line,
                "column": self.column,
                "message": self.message,
            }
        return _("Ligne %(line)s : %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class Row:
    """One line of the file: `raw` is the text shown back to the user, `values` what `candidate_build` gets."""

    line: int
    raw: dict[str, str]
    values: dict[str, Any]
    errors: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class ParsedFile:
    rows: list[Row] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


@dataclass
class PreviewRow:
    line: int
    raw: dict[str, str]
    values: dict[str, Any]
    candidate: Candidate | None
    errors: list[RowError]


@dataclass
class Preview:
    rows: list[PreviewRow]
    file_errors: list[str]
    ignored_columns: list[str]

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


def file_problem(filename: str, size: int) -> str | None:
    """Why this upload cannot be a candidates file, or None."""
    if not filename.lower().endswith(EXTENSIONS):
        return _(
            "Envoyez un fichier .csv (UTF-8, séparateur « ; » ou « , ») ou .xlsx (Excel) dont la première ligne "
            "porte les intitulés des colonnes."
        )
    if size > MAX_BYTES:
        return _("Le fichier dépasse 2 Mo : découpez-le en plusieurs fichiers.")
    if size == 0:
        return _("Le fichier est vide.")
    return None


def parse_rows(filename: str, content: bytes) -> ParsedFile:
    """Read the header and every non-empty line; refuse the whole file when it cannot be read."""
    problem = file_problem(filename, len(content))
    if problem:
        return ParsedFile(errors=[problem])
    try:
        records = _xlsx_records(content) if filename.lower().endswith(".xlsx") else _csv_records(content)
        header = next(records, None)
        if header is None or not any(_text(cell) for cell in header):
            return ParsedFile(errors=[_("Le fichier est vide : la première ligne doit porter les intitulés.")])
        columns, parsed = _read_header(header)
        if parsed.errors:
            return parsed
        for line, record in enumerate(records, start=2):
            if not any(_text(cell) for cell in record):
                continue
            if len(parsed.rows) == MAX_ROWS:
                return ParsedFile(
                    errors=[
                        _("Le fichier compte plus de %(max)s lignes : découpez-le en plusieurs fichiers.")
                        % {"max": f"{MAX_ROWS:,}".replace(",", "\u202f")}
                    ]
                )
            cells = {name: record[index] if index < len(record) else None for index, name in columns.items()}
            parsed.rows.append(_read_row(line, cells))
    except UnicodeDecodeError:
        return ParsedFile(
            errors=[
                _(
                    "Le fichier n'est pas encodé en UTF-8 : dans Excel, choisissez « Enregistrer sous » puis "
                    "« CSV UTF-8 (délimité par des virgules) », ou envoyez le fichier .xlsx."
                )
            ]
        )
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, csv.Error):
        return ParsedFile(
            errors=[_("Ce fichier ne se lit pas : enregistrez-le depuis votre tableur en .xlsx ou en CSV UTF-8.")]
        )
    if not parsed.rows:
        parsed.errors.append(_("Le fichier ne contient aucun candidat sous la ligne des intitulés."))
    return parsed


def _csv_records(content: bytes) -> Iterator[list[Any]]:
    text = content.decode("utf-8-sig")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _xlsx_records(content: bytes) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        # Materialised now so that the workbook can be closed; a 2 MB file stays small.
        records = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()
    return iter(records)


def _read_header(header: list[Any]) -> tuple[dict[int, str], ParsedFile]:
    parsed = ParsedFile()
    columns: dict[int, str] = {}
    for index, cell in enumerate(header):
        title = _text(cell)
        if not title:
            continue
        name = HEADERS.get(fold(title))
        if name is None:
            parsed.ignored_columns.append(title)
        elif name in columns.values():
            parsed.errors.append(
                _("La colonne « %(column)s » apparaît deux fois : gardez-en une seule.")
                % {"column": COLUMN_LABELS[name]}
            )
        else:
            columns[index] = name
    missing = [str(COLUMN_LABELS[name]) for name in MANDATORY_COLUMNS if name not in columns.values()]
    if missing:
        parsed.errors.append(
            _(
                "Colonnes obligatoires absentes : %(columns)s. "
                "La première ligne doit porter les intitulés (voir le modèle)."
            )
            % {"columns": ", ".join(missing)}
        )
    return columns, parsed


def _read_row(line: int, cells: dict[str, Any]) -> Row:
    raw = {name: _text(value, name) for name, value in cells.items()}
    values: dict[str, Any] = {name: text for name, text in raw.items() if name not in ("sex", "birth_date")}
    errors: dict[str, list[str]] = {}
    if "sex" in cells:
        values["sex"] = _SEXES.get(fold(raw["sex"]), "")
        if not raw["sex"]:
            errors["sex"] = [_("indiquez F ou M.")]
        elif not values["sex"]:
            errors["sex"] = [_("« %(value)s » n'est pas reconnu : indiquez F ou M.") % {"value": raw["sex"]}]
    if "birth_date" in cells:
        values["birth_date"] = _date(cells["birth_date"])
        if isinstance(cells["birth_date"], dt.date):
            raw["birth_date"] = f"{values['birth_date']:%d/%m/%Y}"
        if not raw["birth_date"]:
            errors["birth_date"] = [_("indiquez la date de naissance (JJ/MM/AAAA).")]
        elif values["birth_date"] is None:
            errors["birth_date"] = [_("« %(value)s » n'est pas une date JJ/MM/AAAA.") % {"value": raw["birth_date"]}]
    if not values.get("birth_country"):
        values["birth_country"] = "France"
    return Row(line=line, raw=raw, values=values, errors=errors)


def _text(value: Any, name: str = "") -> str:
    """A cell as text; numbers typed in a spreadsheet lose their leading zeros, which are put back."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        digits = str(value)
        if name == "birth_insee_code":
            return digits.zfill(5)
        if name == "company_siret":
            return digits.zfill(14)
        if name == "phone" and len(digits) == 9:
            return "0" + digits
        return digits
    if isinstance(value, dt.datetime):
        return f"{value:%d/%m/%Y}"
    return str(value).strip()


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    try:
        if match := _FRENCH_DATE.fullmatch(text):
            day, month, year = (int(g) for g in match.groups())
            return dt.date(year, month, day)
        if match := _ISO_DATE.fullmatch(text):
            year, month, day = (int(g) for g in match.groups())
            return dt.date(year, month, day)
    except ValueError:
        return None
    return None


def import_preview(*, organisation: TrainingOrganisation, parsed: ParsedFile) -> Preview:
    """Validate every row as `candidate_build` would at creation, and catch the same person twice in the file.
    Writes nothing; one duplicate query per row."""
    rows: list[PreviewRow] = []
    first_line_of: dict[str, int] = {}
    for row in parsed.rows:
        candidate, errors = _build(organisation, row)
        key = _identity_key(row.values)
        if key and key in first_line_of:
            errors.append(
                RowError(
                    line=row.line,
                    message=_("même personne que la ligne %(line)s.") % {"line": first_line_of[key]},
                )
            )
        elif key:
            first_line_of[key] = row.line
        rows.append(PreviewRow(line=row.line, raw=row.raw, values=row.values, candidate=candidate, errors=errors))
    return Preview(rows=rows, file_errors=list(parsed.errors), ignored_columns=list(parsed.ignored_columns))


def _build(organisation: TrainingOrganisation, row: Row) -> tuple[Candidate | None, list[RowError]]:
    errors = {name: list(messages) for name, messages in row.errors.items()}
    candidate = None
    try:
        candidate = services.candidate_build(organisation=organisation, **row.values)
    except ValidationError as exc:
        for name, messages in _messages_by_field(exc).items():
            if name not in row.errors:  # "this field cannot be null" after "not a date" says nothing new
                errors.setdefault(name, []).extend(messages)
    ordered = [name for name in (*services.CANDIDATE_FIELDS, NON_FIELD_ERRORS) if name in errors]
    return (
        candidate if not errors else None,
        [
            RowError(line=row.line, column=str(COLUMN_LABELS.get(name, "")), message=message)
            for name in ordered
            for message in errors[name]
        ],
    )


def _messages_by_field(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {name: ValidationError(errors).messages for name, errors in exc.error_dict.items()}
    return {NON_FIELD_ERRORS: exc.messages}


def _identity_key(values: dict[str, Any]) -> str:
    birth_name, first_name, birth_date = values.get("birth_name"), values.get("first_name"), values.get("birth_date")
    if not (birth_name and first_name and birth_date):
        return ""
    return rules.identity_key(birth_name=birth_name, first_name=first_name, birth_date=birth_date)


@transaction.atomic
def candidates_import(
    *, organisation: TrainingOrganisation, created_by: User | None, content: bytes, filename: str
) -> list[Candidate]:
    """Create every candidate of the file, or none: the file is parsed and validated again here (a duplicate
    may have been created since the preview) and any refusal, even on the last row, rolls back them all.
    Raises `ValidationError` with every message ("Ligne 4 — SIRET : …")."""
    # Two imports for the same organisation run one after the other, so that they see each other's rows.
    TrainingOrganisation.objects.select_for_update().only("pk").get(pk=organisation.pk)
    parsed = parse_rows(filename, content)
    preview = import_preview(organisation=organisation, parsed=parsed)
    if not preview.can_commit:
        raise ValidationError([*preview.file_errors, *(str(error) for error in preview.errors)])
    created = []
    for row in parsed.rows:
        try:
            created.append(services.candidate_create(organisation=organisation, created_by=created_by, **row.values))
        except ValidationError as exc:
            raise ValidationError(
                [
                    str(RowError(line=row.line, column=str(COLUMN_LABELS.get(name, "")), message=message))
                    for name, messages in _messages_by_field(exc).items()
                    for message in messages
                ]
            ) from exc
    return created
