"""Every page of the demo, as each demo account reaches it from "/", answers and shows labels, not stored values
(issue 14): a breadth-first walk over the links the app itself prints, for every demo account, finds no page that
fails (no 500, no 404 or 403 behind a printed link) and no enumeration value (`draft`, `partial`, `not_sent`…)
in the visible text of an HTML page."""

from __future__ import annotations

import io
import re
from collections import Counter, deque
from dataclasses import dataclass
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html  # type: ignore[import-untyped]
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.urls import Resolver404, resolve

from accounts.models import User
from demo.scenarios.accounts import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

# A view is walked at most this many times an account (its list's rows are alike; a download, once in all), and an
# account at most this many pages: the walk stays short, and a page that keeps printing new addresses is caught.
PER_VIEW = 2
PAGES_CAP = 400

# Choice values that are also ordinary French words ("absent", "total" said of a sum is not: a raw value), or
# words any French page may carry as they are.
FRENCH_WORDS = {
    "absent",
    "active",
    "admissible",
    "apprentissage",
    "candidate",
    "certification",
    "dispute",
    "declarative",
    "formative",
    "inadmissible",
    "interview",
    "jury",
    "met",
    "observation",
    "organisation",
    "passeport",
    "permis",
}
# What a template prints of a value it did not format: no French page says them.
PYTHON_VALUES = {"None", "True", "False"}
IDENTIFIER = re.compile(r"^[a-z][a-z_]*[a-z]$")
# Text that no person reads.
HIDDEN = {"script", "style", "noscript", "template"}


def _choices() -> list[type[models.Choices]]:
    found: list[type[models.Choices]] = []
    pending: list[type[models.Choices]] = [models.Choices]
    while pending:
        for sub in pending.pop().__subclasses__():
            found.append(sub)
            pending.append(sub)
    return found


def raw_values() -> set[str]:
    """Every stored value of a choice (a model field's or a `TextChoices`') that a person would read as a leak:
    an identifier that is not its own label and not a French word."""
    pairs: set[tuple[str, str]] = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if getattr(field, "choices", None):
                pairs.update((str(value), str(label)) for value, label in field.flatchoices)  # type: ignore[union-attr]
    for choices in _choices():
        pairs.update((str(value), str(label)) for value, label in choices.choices)
    return {
        value
        for value, label in pairs
        if IDENTIFIER.match(value) and value.lower() != label.lower() and value not in FRENCH_WORDS
    }


def visible_text(document: lxml.html.HtmlElement) -> str:
    """The page's text as read: its text nodes, not its attributes, scripts or styles (the page is spent)."""
    for element in list(document.iter(*HIDDEN)):
        element.drop_tree()
    return " ".join(" ".join(document.itertext()).split())


def links(document: lxml.html.HtmlElement, base: str) -> list[str]:
    found = []
    for href in document.xpath("//a/@href"):
        url, _fragment = urldefrag(urljoin(base, href.strip()))
        parts = urlsplit(url)
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
            continue  # mailto:, another site
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def skipped(url: str) -> bool:
    path = urlsplit(url).path
    return (
        (path.startswith("/admin/") and path != "/admin/")
        or path.startswith("/compte/deconnexion/")
        or path.startswith("/static/")
        or path.startswith("/i18n/")
    )


@dataclass
class Walk:
    pages: int
    failures: list[str]
    leaks: list[str]


def walk(client: Client, values: re.Pattern[str], downloads: set[str]) -> Walk:
    """Breadth-first from "/"; `downloads`, the views known to answer a file (a PDF, a spreadsheet), shared by
    the accounts' walks: one of each answering is enough, the text of a file is not read."""
    seen = {"/"}
    queue = deque([("/", "(départ)")])
    per_view: Counter[str] = Counter()
    result = Walk(pages=0, failures=[], leaks=[])
    while queue and result.pages < PAGES_CAP:
        url, origin = queue.popleft()
        result.pages += 1
        response = client.get(url)
        if response.status_code in (301, 302):
            target = response["Location"]
            if target not in seen and not skipped(target):
                seen.add(target)
                queue.append((target, url))
            continue
        if response.status_code != 200:
            result.failures.append(f"{url} (lien de {origin}) : {response.status_code}")
            continue
        if not response["Content-Type"].startswith("text/html"):
            # Read to its end, which closes it inside the test client's cycle: `response.close()` called here would
            # send `request_finished` outside it, whose `close_old_connections` closes a PostgreSQL connection held
            # in the test's transaction.
            if response.streaming:
                b"".join(response.streaming_content)  # type: ignore[attr-defined]
            downloads.add(resolve(urlsplit(url).path).view_name)
            continue
        document = lxml.html.document_fromstring(response.content)
        found = [] if url == "/admin/" else links(document, url)
        text = visible_text(document)
        for match in values.finditer(text):
            snippet = text[max(0, match.start() - 60) : match.end() + 60]
            result.leaks.append(f"{url} : « {match.group()} » dans « …{snippet}… »")
        for link in found:
            if link in seen or skipped(link):
                continue
            try:
                view = resolve(urlsplit(link).path).view_name
            except Resolver404:
                result.failures.append(f"{link} (lien de {url}) : aucune vue")
                seen.add(link)
                continue
            seen.add(link)
            per_view[view] += 1
            if view not in downloads and per_view[view] <= PER_VIEW:
                queue.append((link, url))
    return result


@pytest.mark.usefixtures("referential")
def test_every_page_of_every_demo_account_answers_and_shows_no_stored_value(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.DEBUG = True  # the demo refuses to load otherwise
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=io.StringIO())
    settings.DEBUG = False  # the pages as served, the error pages included
    leaked = raw_values() | PYTHON_VALUES
    values = re.compile(r"\b(" + "|".join(sorted(map(re.escape, leaked), key=len, reverse=True)) + r")\b")
    accounts = list(User.objects.order_by("email").values_list("email", flat=True))
    assert len(accounts) == 16

    failures: list[str] = []
    leaks: list[str] = []
    downloads: set[str] = set()
    for email in accounts:
        client = Client(raise_request_exception=False)
        assert client.login(email=email, password=DEMO_PASSWORD), email
        result = walk(client, values, downloads)
        assert result.pages < PAGES_CAP, f"{email} : plus de {PAGES_CAP} pages"
        failures += [f"{email} — {failure}" for failure in result.failures]
        leaks += [f"{email} — {leak}" for leak in result.leaks]

    assert not failures and not leaks, "\n".join(failures + leaks)


def test_the_walk_reads_what_a_person_reads() -> None:
    document = lxml.html.document_fromstring(
        '<p title="draft">Statut : <b>partial</b> ok<script>var s = "not_sent";</script>'
        '<select><option value="total">Attribution totale</option></select> <a href="/a/#x">a</a>'
        '<a href="mailto:x@example.org">b</a><a href="http://example.org/">c</a><a href="?page=2">d</a></p>'
    )

    assert links(document, "/liste/") == ["/a/", "/liste/?page=2"]
    assert visible_text(document) == "Statut : partial ok Attribution totale a b c d"
    assert {"draft", "partial", "not_sent", "total", "livret_defence"} <= raw_values()
    assert not {"absent", "jury", "organisation"} & raw_values()
