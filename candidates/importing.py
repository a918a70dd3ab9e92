"""Importing candidates from a CSV or XLSX file: parse, preview every row through `candidate_prepare`
without writing, then create them all in one transaction or none at all.

The file itself is the state between preview and commit: it waits in the private storage under a random token
(`stash_save`), never in the session, and is parsed and validated again at commit time, so a duplicate created
meanwhile is caught and nothing is written.

Every input is bounded before the work: the upload's size, an XLSX's uncompressed members and compression ratio
(a zip bomb is refused before it is parsed), its declared dimension, and the lines read as they stream (an XLSX
is read in openpyxl's read-only mode, a row at a time). Every cell is bounded by its model field (length, control
characters), birth dates by `bounds.birth_date`. The work per row is queryless: the organisation is validated once
and the duplicates are looked up in one query for all the rows; the rows are written with `bulk_create`."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import functools
import io
import logging
import re
import secrets
import zipfile
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from candidates import rules, services
from candidates.models import Candidate, private_storage
from cqp.lib import bounds
from cqp.lib.text import words
from cqp.models import TrainingOrganisation

logger = logging.getLogger(__name__)

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
# Lines read, blank ones included: a file of blank lines stops here too.
MAX_LINES = 2 * MAX_ROWS + 1
MAX_COLUMNS = 100
EXTENSIONS = (".csv", ".xlsx")
# An XLSX is a zip: 2,000 rows of 15 columns make a sheet of about 2 MB uncompressed, compressed 10 to 20 times.
MAX_MEMBER_BYTES = 8 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 16 * 1024 * 1024
MAX_RATIO = 100  # for members over 1 MB; a zip bomb's is in the thousands
MAX_MEMBERS = 200
# Written to the database in batches of this many rows (fewer on SQLite, whose queries take 999 parameters).
BATCH_SIZE = 500
# How long a previewed file waits for its confirmation in the private storage.
STASH_FOLDER = "candidate-imports"
STASH_LIFETIME = dt.timedelta(hours=1)
# A cell is shown back in the preview up to this many characters.
SHOWN_LENGTH = 200

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


class Unreadable(Exception):
    """The file cannot be read (not a workbook, malformed XML, entities): one French message for all."""


def _too_many_rows() -> str:
    return _("Le fichier compte plus de %(max)s lignes : découpez-le en plusieurs fichiers.") % {
        "max": f"{MAX_ROWS:,}".replace(",", "\u202f")
    }


def _unreadable() -> str:
    return _("Ce fichier ne se lit pas : enregistrez-le depuis votre tableur en .xlsx ou en CSV UTF-8.")


class _TooManyRows(Exception):
    pass


def parse_rows(filename: str, content: bytes) -> ParsedFile:
    """Read the header and every non-empty line; refuse the whole file when it cannot be read. Lines are read as
    they stream and the reading stops as soon as the caps are passed."""
    problem = file_problem(filename, len(content))
    if problem:
        return ParsedFile(errors=[problem])
    is_xlsx = filename.lower().endswith(".xlsx")
    if is_xlsx and (problem := zip_problem(content)):
        return ParsedFile(errors=[problem])
    try:
        with contextlib.closing(_xlsx_records(content) if is_xlsx else _csv_records(content)) as records:
            parsed = _parse_records(records)
    except _TooManyRows:
        return ParsedFile(errors=[_too_many_rows()])
    except UnicodeDecodeError:
        return ParsedFile(
            errors=[
                _(
                    "Le fichier n'est pas encodé en UTF-8 : dans Excel, choisissez « Enregistrer sous » puis "
                    "« CSV UTF-8 (délimité par des virgules) », ou envoyez le fichier .xlsx."
                )
            ]
        )
    except (Unreadable, zipfile.BadZipFile, KeyError, OSError, ValueError, csv.Error):
        return ParsedFile(errors=[_unreadable()])
    if not parsed.rows and not parsed.errors:
        parsed.errors.append(_("Le fichier ne contient aucun candidat sous la ligne des intitulés."))
    return parsed


def _parse_records(records: Iterator[list[Any]]) -> ParsedFile:
    header = next(records, None)
    if header is None or not any(_text(cell) for cell in header):
        return ParsedFile(errors=[_("Le fichier est vide : la première ligne doit porter les intitulés.")])
    columns, parsed = _read_header(header)
    if parsed.errors:
        return parsed
    for line, record in enumerate(records, start=2):
        if line > MAX_LINES:
            raise _TooManyRows
        if not any(_text(cell) for cell in record):
            continue
        if len(parsed.rows) == MAX_ROWS:
            raise _TooManyRows
        cells = {name: record[index] if index < len(record) else None for index, name in columns.items()}
        parsed.rows.append(_read_row(line, cells))
    return parsed


def zip_problem(content: bytes) -> str | None:
    """Why an XLSX cannot be opened safely, from its zip directory alone (nothing decompressed but the first bytes
    of its XML members): a member or the whole over a few MB uncompressed, an absurd compression ratio (a zip
    bomb), or a DTD (entities)."""
    too_big = _(
        "Ce classeur, une fois décompressé, dépasse %(max)s Mo : ce n'est pas une liste de candidats ordinaire. "
        "Enregistrez-le de nouveau depuis votre tableur, en CSV UTF-8 si besoin, ou découpez-le."
    ) % {"max": MAX_MEMBER_BYTES // 2**20}
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                return _unreadable()
            total = 0
            for member in members:
                total += member.file_size
                if member.file_size > MAX_MEMBER_BYTES or total > MAX_UNCOMPRESSED_BYTES:
                    return too_big
                if member.file_size > 2**20 and member.file_size > MAX_RATIO * max(1, member.compress_size):
                    return too_big
            for member in members:
                # Python stops a member at its declared size, so the sizes above bound what openpyxl reads. An
                # OOXML part never carries a DTD: one there is an attempt at entities (defusedxml refuses them too).
                if member.filename.endswith((".xml", ".rels")):
                    with archive.open(member) as part:
                        head = part.read(4096)
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        return _unreadable()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return _unreadable()
    return None


def _csv_records(content: bytes) -> Generator[list[Any]]:
    text = content.decode("utf-8-sig")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        yield record[:MAX_COLUMNS]


@functools.cache
def _read_only_sheet_class() -> type:
    """openpyxl's read-only sheet, but reading its declared dimension from the start of the sheet only.

    openpyxl looks for the `<dimension>` element at the end of each element it parses, and `<sheetData>` ends with
    the sheet: a sheet without a dimension was parsed whole as the workbook opened, before the first row was asked
    for (8 MB of XML: seconds). Here the search stops where the rows start."""
    from openpyxl.utils.cell import range_boundaries
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet
    from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG
    from openpyxl.xml.functions import iterparse

    class BoundedReadOnlyWorksheet(ReadOnlyWorksheet):
        _min_column: int
        _min_row: int
        _max_column: int
        _max_row: int

        def _get_size(self) -> None:
            with self._get_source() as source:  # type: ignore[attr-defined]
                for _event, element in iterparse(source, events=("start",)):
                    if element.tag == DIMENSION_TAG:
                        with contextlib.suppress(ValueError, TypeError):
                            min_column, min_row, max_column, max_row = range_boundaries(element.get("ref", ""))
                            if min_column and min_row and max_column and max_row:
                                self._min_column, self._min_row = min_column, min_row
                                self._max_column, self._max_row = max_column, max_row
                        return
                    if element.tag == DATA_TAG:
                        return

    return BoundedReadOnlyWorksheet


def _xlsx_records(content: bytes) -> Generator[list[Any]]:
    """The first sheet's rows, one at a time (openpyxl's read-only mode parses the XML as it goes), at most
    `MAX_COLUMNS` cells each; any error of the parser is `Unreadable`."""
    from openpyxl import load_workbook
    from openpyxl.reader import excel

    # The reader builds its read-only sheets from this name: ours reads the dimension without parsing the rows.
    excel.ReadOnlyWorksheet = _read_only_sheet_class()  # type: ignore[attr-defined]
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises whatever its parsers meet in a hostile file
        logger.info("XLSX illisible : %r", error)
        raise Unreadable from error
    try:
        sheet = workbook.worksheets[0]
        # The declared dimension, when there is one, refuses a huge sheet before its rows are read. It is then
        # forgotten: a wrong one would cut the reading short, and the caps bound the reading anyway.
        declared = getattr(sheet, "max_row", None)
        if isinstance(declared, int) and declared > MAX_LINES:
            raise _TooManyRows
        sheet.reset_dimensions()
        rows = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception as error:
                logger.info("XLSX illisible : %r", error)
                raise Unreadable from error
            yield list(row)
    except IndexError as error:  # no sheet
        raise Unreadable from error
    finally:
        workbook.close()


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


@functools.cache
def _field_length(name: str) -> int | None:
    limit: int | None = getattr(Candidate._meta.get_field(name), "max_length", None)
    return limit


def _read_row(line: int, cells: dict[str, Any]) -> Row:
    raw = {name: _text(value, name) for name, value in cells.items()}
    errors: dict[str, list[str]] = {}
    for name, text in raw.items():
        # Each cell within its field's bounds before anything else looks at it.
        try:
            bounds.refuse_control_characters(text)
            # Sex and birth date are read into other values, whose checks say what is wrong.
            limit = _field_length(name)
            if name not in ("sex", "birth_date") and limit is not None and len(text) > limit:
                bounds.check_length(text, limit, str(COLUMN_LABELS[name]))  # the label translated on error only
        except ValidationError as error:
            errors[name] = error.messages
    values: dict[str, Any] = {
        name: "" if name in errors else text for name, text in raw.items() if name not in ("sex", "birth_date")
    }
    if "sex" in cells and "sex" not in errors:
        values["sex"] = _SEXES.get(fold(raw["sex"]), "")
        if not raw["sex"]:
            errors["sex"] = [_("indiquez F ou M.")]
        elif not values["sex"]:
            errors["sex"] = [_("« %(value)s » n'est pas reconnu : indiquez F ou M.") % {"value": raw["sex"]}]
    if "birth_date" in cells and "birth_date" not in errors:
        values["birth_date"] = _date(cells["birth_date"])
        if isinstance(cells["birth_date"], dt.date):
            raw["birth_date"] = f"{values['birth_date']:%d/%m/%Y}"
        if not raw["birth_date"]:
            errors["birth_date"] = [_("indiquez la date de naissance (JJ/MM/AAAA).")]
        elif values["birth_date"] is None:
            errors["birth_date"] = [_("« %(value)s » n'est pas une date JJ/MM/AAAA.") % {"value": raw["birth_date"]}]
    if not values.get("birth_country"):
        values["birth_country"] = "France"
    shown = {name: text if len(text) <= SHOWN_LENGTH else text[:SHOWN_LENGTH] + "…" for name, text in raw.items()}
    return Row(line=line, raw=shown, values=values, errors=errors)


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
    """Validate every row as `candidate_create` would at creation, and catch the same person twice in the file.
    Writes nothing; one query for all the rows (the candidates already known under their identities)."""
    built = [(row, *_build(organisation, row)) for row in parsed.rows]
    twins = services.twins_by_identity(candidate.identity_key for _, candidate, _ in built if candidate is not None)
    rows: list[PreviewRow] = []
    first_line_of: dict[str, int] = {}
    for row, candidate, errors in built:
        if candidate is not None:
            duplicate = services.duplicate_error(candidate, twins.get(candidate.identity_key))
            if duplicate is not None:
                errors.extend(RowError(line=row.line, message=message) for message in duplicate.messages)
                candidate = None
        key = _identity_key(row.values)
        if key and key in first_line_of:
            errors.append(
                RowError(
                    line=row.line,
                    message=_("même personne que la ligne %(line)s.") % {"line": first_line_of[key]},
                )
            )
            candidate = None
        elif key:
            first_line_of[key] = row.line
        rows.append(PreviewRow(line=row.line, raw=row.raw, values=row.values, candidate=candidate, errors=errors))
    return Preview(rows=rows, file_errors=list(parsed.errors), ignored_columns=list(parsed.ignored_columns))


def _build(organisation: TrainingOrganisation, row: Row) -> tuple[Candidate | None, list[RowError]]:
    errors = {name: list(messages) for name, messages in row.errors.items()}
    candidate = None
    try:
        candidate = services.candidate_prepare(organisation=organisation, **row.values)
    except ValidationError as exc:
        for name, messages in _messages_by_field(exc).items():
            if name not in row.errors:  # "this field cannot be null" after "not a date" says nothing new
                errors.setdefault(name, []).extend(messages)
    return (candidate if not errors else None, _row_errors(row.line, errors))


def _row_errors(line: int, errors: dict[str, list[str]]) -> list[RowError]:
    ordered = [name for name in (*services.CANDIDATE_FIELDS, NON_FIELD_ERRORS) if name in errors]
    ordered += [name for name in errors if name not in ordered]
    return [
        RowError(line=line, column=str(COLUMN_LABELS.get(name, "")), message=message)
        for name in ordered
        for message in errors[name]
    ]


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
    Raises `ValidationError` with every message ("Ligne 4 — SIRET : …").

    A constant number of queries: the organisation is locked (which validates it, once), the duplicates are
    looked up in one query, and the rows are written in batches by `bulk_create`, which sends no `pre_save`
    signal: `bounds.check_instance` is called on each row here instead."""
    # Two imports for the same organisation run one after the other, so that they see each other's rows.
    organisation = TrainingOrganisation.objects.select_for_update().get(pk=organisation.pk)
    parsed = parse_rows(filename, content)
    preview = import_preview(organisation=organisation, parsed=parsed)
    if not preview.can_commit:
        raise ValidationError([*preview.file_errors, *(str(error) for error in preview.errors)])
    candidates: list[Candidate] = []
    refusals: list[str] = []
    for row in preview.rows:
        candidate = row.candidate
        if candidate is None:  # never: can_commit says every row was built
            raise ValidationError(_("Ligne %(line)s : rien à créer.") % {"line": row.line})
        candidate.created_by = created_by
        try:
            bounds.check_instance(candidate)
        except ValidationError as exc:
            refusals += [str(error) for error in _row_errors(row.line, _messages_by_field(exc))]
        candidates.append(candidate)
    if refusals:
        raise ValidationError(refusals)
    return Candidate.objects.bulk_create(candidates, batch_size=BATCH_SIZE)


# The previewed file, waiting for its confirmation in the private storage (never in the session).


def _stash_name(token: str) -> str:
    if not re.fullmatch(r"[0-9a-f]{32}", token):
        raise ValueError("Jeton d'import invalide.")
    return f"{STASH_FOLDER}/{token}"


def stash_save(content: bytes) -> str:
    """Keep a previewed file under a random token until `STASH_LIFETIME` has passed; the files of imports never
    confirmed are deleted then, by the next one."""
    stash_purge()
    token = secrets.token_hex(16)
    name = private_storage().save(_stash_name(token), ContentFile(content))
    if name != _stash_name(token):  # never happens with 128 random bits; a token must name its file
        private_storage().delete(name)
        raise RuntimeError("Nom de fichier d'import inattendu.")
    return token


def stash_read(token: str) -> bytes | None:
    storage = private_storage()
    name = _stash_name(token)
    if not storage.exists(name):
        return None
    with storage.open(name, "rb") as stashed:
        content: bytes = stashed.read(MAX_BYTES + 1)
    return content if len(content) <= MAX_BYTES else None


def stash_delete(token: str) -> None:
    with contextlib.suppress(ValueError):
        private_storage().delete(_stash_name(token))


def stash_expired(saved_at: float) -> bool:
    return timezone.now().timestamp() - saved_at > STASH_LIFETIME.total_seconds()


def stash_purge() -> None:
    """Delete the files of previews older than `STASH_LIFETIME`."""
    storage = private_storage()
    try:
        names = storage.listdir(STASH_FOLDER)[1]
    except FileNotFoundError:
        return
    limit = timezone.now() - STASH_LIFETIME
    for name in names:
        path = f"{STASH_FOLDER}/{name}"
        with contextlib.suppress(FileNotFoundError):
            if storage.get_modified_time(path) < limit:
                storage.delete(path)
