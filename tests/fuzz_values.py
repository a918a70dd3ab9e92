"""The hostile values of the fuzz test (`tests/test_fuzz.py`) and the reading of a page's forms.

A form is read from the page's HTML as a browser would submit it: its method, its action and its fields
(inputs with their type, selects with their options, textareas), each with the value the page gives it or,
when it gives none, a plausible one for its type. The fuzz test then replaces one field at a time with each
hostile value that applies to it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html  # type: ignore[import-untyped]
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

# Input types a browser does not submit, or that carry no value of their own.
IGNORED_TYPES = {"reset", "button", "image"}
CSRF = "csrfmiddlewaretoken"


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # an input's type, "select", "select-multiple" or "textarea"
    value: str | None  # what the page gives it (None: a plausible value for its kind)
    options: tuple[str, ...] = ()
    minimum: str | None = None  # a number's min attribute


@dataclass
class Form:
    method: str
    action: str  # path of the URL the form posts to
    fields: list[Field] = field(default_factory=list)

    def signature(self) -> tuple[str, tuple[tuple[str, str], ...]]:
        return self.action, tuple(sorted((f.name, f.kind) for f in self.fields))


def parse_forms(html: str, page_url: str) -> list[Form]:
    """Every form of the page, its action a path (the page's own when the form names none)."""
    if not html.strip():
        return []
    document = lxml.html.document_fromstring(html)
    forms = []
    for element in document.iter("form"):
        action = urljoin(page_url, element.get("action") or page_url)
        form = Form(method=(element.get("method") or "get").lower(), action=urlsplit(action).path)
        query = urlsplit(action).query
        if query:
            form.action += "?" + query
        seen_submit = False
        for node in element.iter("input", "select", "textarea", "button"):
            name = node.get("name")
            if not name or name == CSRF or node.get("disabled") is not None:
                continue
            if node.tag == "select":
                options = tuple(option.get("value", option.text_content().strip()) for option in node.iter("option"))
                selected = [
                    option.get("value", option.text_content().strip())
                    for option in node.iter("option")
                    if option.get("selected") is not None
                ]
                # The option selected, or the first that is not the empty choice.
                chosen = next((o for o in selected if o), next((o for o in options if o), ""))
                kind = "select-multiple" if node.get("multiple") is not None else "select"
                form.fields.append(Field(name, kind, chosen, options))
            elif node.tag == "textarea":
                form.fields.append(Field(name, "textarea", node.text_content().strip() or None))
            else:
                kind = (node.get("type") or ("submit" if node.tag == "button" else "text")).lower()
                if kind in IGNORED_TYPES:
                    continue
                if kind == "submit":  # the first named submit button is the one pressed
                    if seen_submit:
                        continue
                    seen_submit = True
                if kind in ("checkbox", "radio"):
                    if any(f.name == name for f in form.fields):
                        continue  # one entry per group: the first (checked or not, a value the form knows)
                    form.fields.append(Field(name, kind, node.get("value", "on")))
                    continue
                form.fields.append(Field(name, kind, node.get("value") or None, minimum=node.get("min")))
        forms.append(form)
    return forms


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _siret() -> str:
    """A SIRET whose Luhn key holds (and whose SIREN is not zeros)."""
    body = "7328293200007"
    for last in "0123456789":
        digits = [int(d) for d in body + last]
        total = sum(d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(reversed(digits)))
        if total % 10 == 0:
            return body + last
    raise AssertionError("no Luhn key")


# Plausible values of text fields the page leaves empty, by a word of their name.
BY_NAME = {
    "siret": _siret(),
    "insee": "25056",
    "email": "fuzz@example.org",
    "phone": "0102030405",
    "rncp_code": "RNCP99999",
    "nsf": "223",
    "slug": "cqp-fuzz",
    "country": "France",
    "sha256": "0" * 64,
}


def plausible(item: Field) -> Any:
    """The value a careful user would give the field."""
    if item.kind == "file":
        return SimpleUploadedFile("piece.pdf", PDF, content_type="application/pdf")
    today = timezone.localdate()
    if item.kind == "number" and (item.value is None or item.value == "0"):
        return item.minimum if item.minimum and item.minimum not in ("0", "-1") else "1"
    if item.value is not None:
        return item.value
    if item.kind == "date":
        if "birth" in item.name:
            return "1995-01-01"
        later = 31 if "end" in item.name else 30
        if "decision" in item.name or "approved" in item.name or "meeting" in item.name:
            later = 0
        return (today + timedelta(days=later)).isoformat()
    for word, value in BY_NAME.items():
        if word in item.name:
            return value
    return {
        "datetime-local": f"{today.isoformat()}T10:00",
        "time": "10:00",
        "email": "fuzz@example.org",
        "tel": "0102030405",
        "url": "https://example.org/",
        "password": "Mot-de-passe-Fuzz-2026",
        "textarea": "Un texte ordinaire.",
    }.get(item.kind, "Texte")


# --- The hostile values -------------------------------------------------------------------------------

# The classes of fields a hostile value applies to.
TEXT, NUMBER, DATE, CHOICE, HIDDEN = "text", "number", "date", "choice", "hidden"
ALL = frozenset({TEXT, NUMBER, DATE, CHOICE, HIDDEN})
MISSING = object()  # the field left out of the request


def classes(item: Field) -> frozenset[str]:
    """What the field holds: its type says, or for a text field whose value is a date or a number, both."""
    if item.kind in ("number", "range"):
        return frozenset({NUMBER})
    if item.kind in ("date", "datetime-local", "time", "month", "week"):
        return frozenset({DATE})
    if item.kind in ("select", "select-multiple", "radio", "checkbox"):
        return frozenset({CHOICE})
    if item.kind == "hidden":
        return frozenset({HIDDEN})
    value = item.value or ""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return frozenset({TEXT, DATE})
    if re.fullmatch(r"-?\d+", value):
        return frozenset({TEXT, NUMBER})
    return frozenset({TEXT})


@dataclass(frozen=True)
class Hostile:
    label: str  # the name the known failures use
    value: Any  # a string, a list of strings (one field sent several times) or MISSING
    applies: frozenset[str]  # the classes of fields it is sent to


def _hostile() -> list[Hostile]:
    def to(*names: str) -> frozenset[str]:
        return frozenset(names)

    return [
        Hostile("long-word", "x" * 100_000, to(TEXT, HIDDEN)),
        Hostile("long-text", ("mot " * 2_500).strip(), to(TEXT)),
        Hostile("nul", "Texte\x00nul", ALL),
        Hostile("control", "Te\x1b[31mx\x7fte", to(TEXT)),
        Hostile("rtl-emoji", "\u202eTexte 🎓😀", to(TEXT)),
        Hostile("-1", "-1", to(NUMBER, CHOICE, HIDDEN)),
        Hostile("huge", "99999999999999999999", to(NUMBER, CHOICE, HIDDEN)),
        Hostile("1e309", "1e309", to(NUMBER)),
        Hostile("nan", "NaN", to(NUMBER)),
        Hostile("words", "pas un nombre", to(NUMBER, DATE, CHOICE, HIDDEN)),
        Hostile("9999-12-31", "9999-12-31", to(DATE)),
        Hostile("10000-01-01", "10000-01-01", to(DATE)),
        Hostile("0001-01-01", "0001-01-01", to(DATE)),
        Hostile("31/02/2026", "31/02/2026", to(DATE)),
        Hostile("2026-02-31", "2026-02-31", to(DATE)),
        Hostile("list", ["1", "2"], ALL - {TEXT}),
        Hostile("missing", MISSING, ALL),
    ]


HOSTILE = _hostile()


# A form of more fields than this is a Django form: its fields are read by the form, which takes a missing
# field for an empty one and a repeated field for its last value. Leaving a field out and repeating it are
# sent to the small forms only (views may read them by hand), and to the big forms' multiple choices.
HAND_READ_FIELDS = 3
BY_HAND = ("missing", "list")


def hostile_values(item: Field, form: Form) -> list[Hostile]:
    held = classes(item)
    values = [hostile for hostile in HOSTILE if hostile.applies & held]
    if len(form.fields) > HAND_READ_FIELDS and item.kind not in ("checkbox", "select-multiple"):
        values = [hostile for hostile in values if hostile.label not in BY_HAND]
    return values


def hostile_files() -> list[tuple[str, Any]]:
    """Files no user should send: empty, garbage under the names of the formats the app reads."""
    return [
        ("empty-file", SimpleUploadedFile("vide.pdf", b"", content_type="application/pdf")),
        ("garbage-pdf", SimpleUploadedFile("faux.pdf", b"\x00\xff" * 512, content_type="application/pdf")),
        (
            "garbage-xlsx",
            SimpleUploadedFile(
                "faux.xlsx",
                b"PK\x03\x04" + b"\x00garbage" * 64,
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
        ),
        ("garbage-csv", SimpleUploadedFile("faux.csv", b"nom;prenom\n\xff\xfe\x00;\x00\n", content_type="text/csv")),
        ("missing-file", MISSING),
    ]
