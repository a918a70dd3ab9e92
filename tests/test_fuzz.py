"""Every form of the site, posted with hostile values one field at a time: no answer is a server error.

The forms are found the way a user finds them: every page of the access matrix (`tests/test_access_matrix.py`)
is asked by each actor allowed to read it, in the matrix's world, and every form of the answer is read
(`tests/fuzz_values.py`). Each form is then posted by that actor with its fields filled as a careful user
would, except one, which gets each hostile value that applies to its type in turn (huge text, long words,
negative and huge numbers, far and impossible dates, NUL and control characters, a list where one value is
expected, the field left out; empty and garbage files). A form the pages never show (the world is late in its
story: most juries have done their work) is posted with the matrix's own data. Search forms (GET) get the
same treatment.

Beyond the status, each post is checked for what it left: a refused post (the form re-displayed, a 4xx)
writes nothing, and no post stores a text longer than any field may hold or with a control character. A
request stopped after CPU_SECONDS of CPU is a failure too (unbounded work on one value).

Every request runs in a savepoint rolled back after it: each post starts from the same world. About 1,300
requests; 27 s on SQLite on a quiet machine, world included.
"""

from __future__ import annotations

import copy
import hashlib
import re
import signal
import traceback
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.signals import request_finished
from django.db import close_old_connections, connection, transaction
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from accounts.models import User
from cqp.lib.bounds import LONG_TEXT_LENGTH, has_control_characters
from evaluations.models import SessionCandidate
from tests.access_world import AccessWorld
from tests.fuzz_values import MISSING, Field, Form, hostile_files, hostile_values, parse_forms, plausible
from tests.test_access_matrix import (  # noqa: F401 (fixtures)
    MATRIX,
    OK,
    access_world,
    matrix_world,
    none,
    world_storage,
)

W = AccessWorld
# Who reads the pages to find their forms: one actor of each kind of user.
EXPLORERS = ("anonymous", "admin", "staff", "seated", "recused", "candidate")
# Who reads the pages to find their forms: the actors above but one recused (they see what a seated member
# sees); a public page is read anonymously only.
READERS = ("anonymous", "admin", "staff", "seated", "candidate")
# Pages that answer a file, not a page with forms.
FILES = ("_pdf", "_xlsx", ":zip", ":calendar", "document_download", "logout")
ROOT = Path(django_settings.BASE_DIR).resolve()
# Forms the pages of this world do not show, or show empty: their fields, as the views read them.
UNSHOWN_FIELDS: dict[str, tuple[str, ...]] = {
    "set_language": ("language", "next"),
    "password_reset_confirm": ("new_password1", "new_password2"),
    "candidates:import_confirm": (),
}
# Lists: their search and page parameters, whether or not a form shows them.
LISTS = ("home", "juries:members", "certificates:deadlines")
LIST_PARAMETERS = ("q", "page")


@dataclass
class Target:
    """A form to fuzz: who sends it, where, with which fields."""

    user: User | None
    form: Form
    source: str  # the page it was found on (or "matrix data")
    baseline: int = 0  # the status its plausible values get (POST)


def url_name(path: str) -> str | None:
    try:
        match = resolve(path.split("?")[0])
    except Resolver404:
        return None
    return match.view_name


def close(response: Any) -> None:
    # As in the access matrix: closing fires request_finished, whose close_old_connections would drop the
    # connection held inside the world's transaction (PostgreSQL).
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def explored(world: W) -> Iterator[tuple[str, str, User | None]]:
    """(page name, path, user) of every page an explorer may read, and of the pages of the world's other
    session, whose jury has not graded yet (its forms are still open)."""
    for name, entry in sorted(MATRIX.items()):
        if any(marker in name for marker in FILES):
            continue
        for actor in READERS:
            if entry.get[actor] == OK and (actor == "anonymous" or entry.get["anonymous"] != OK):
                yield name, reverse(name, args=entry.args(world)), world.user(actor, entry.jury)
    other = world.other_evaluation
    place = SessionCandidate.objects.filter(session=other.session).first()
    assert place is not None
    president = other.president.user if other.president else None
    member = world.users["other_jury"]
    yield "juries:detail", reverse("juries:detail", args=[other.pk]), world.users["admin"]
    for user in (president, member):
        yield "juries:detail", reverse("juries:detail", args=[other.pk]), user
        yield "juries:grid", reverse("juries:grid", args=[other.pk, place.pk]), user
    staff = world.users["staff"]
    yield "evaluations:detail", reverse("evaluations:detail", args=[other.session.pk]), staff
    yield "evaluations:attendance", reverse("evaluations:attendance", args=[other.session.pk]), staff
    later = place.enrolment.candidate
    for name in ("candidates:detail", "candidates:enrol"):
        yield name, reverse(name, args=[later.pk]), staff
    yield "candidates:accommodation_add", reverse("candidates:accommodation_add", args=[place.enrolment.pk]), staff


def baseline(target: Target) -> int:
    """The status the form's plausible values get."""
    client = Client()
    if target.user is not None:
        client.force_login(target.user)
    with transaction.atomic():
        response = client.post(target.form.action, {item.name: plausible(item) for item in target.form.fields})
        close(response)
        transaction.set_rollback(True)
    return response.status_code


def first_allowed(world: W, name: str, method: str = "POST") -> User | None:
    entry = MATRIX[name]
    policy = entry.post if method == "POST" else entry.get
    actor = next(a for a in EXPLORERS if policy[a] == OK)
    return world.user(actor, entry.jury)


@pytest.fixture(scope="module")
def targets(access_world: W, django_db_blocker: Any) -> dict[str, list[Target]]:  # noqa: F811
    """Every form of every page by the URL name it is sent to (search forms: the name "?"-suffixed), one per
    set of fields."""
    variants: dict[tuple[str, Any], list[Target]] = defaultdict(list)  # one form seen by several users
    clients: dict[int | None, Client] = {}
    with django_db_blocker.unblock():
        for page, url, user in explored(access_world):
            key = user.pk if user else None
            if key not in clients:
                clients[key] = Client()
                if user is not None:
                    clients[key].force_login(user)
            with transaction.atomic():
                response = clients[key].get(url)
                close(response)
                transaction.set_rollback(True)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            for form in parse_forms(response.content.decode(), url):
                name = url_name(form.action)
                if name is None:
                    continue
                name += "?" if form.method == "get" else ""
                seen_by = variants[name, form.signature()[1]]
                if all(target.user != user for target in seen_by):
                    seen_by.append(Target(user, form, source=page))
        # Of the users who see a form, the first whose plausible post the app takes (a redirect), else the
        # first whose post it re-displays: the hostile values then go as deep as they can.
        found: dict[str, list[Target]] = defaultdict(list)
        for (name, _), seen_by in variants.items():
            if not name.endswith("?"):
                for target in seen_by:
                    target.baseline = baseline(target)
                    if target.baseline in (302, 303):
                        break
                seen_by.sort(key=lambda t: {0: 3, 302: 0, 303: 0, 200: 1}.get(t.baseline, 2))
            found[name].append(seen_by[0])
        w = access_world
        for name, entry in MATRIX.items():
            if name in found or not any(entry.post[a] == OK for a in EXPLORERS):
                continue
            url = reverse(name, args=entry.args(w))
            if entry.data:  # the matrix's data
                fields = [Field(key, "text", str(value)) for key, value in entry.data(w).items()]
            else:
                fields = [Field(key, "text", None) for key in UNSHOWN_FIELDS.get(name, ())]
            target = Target(first_allowed(w, name), Form("post", url, fields), source="matrix")
            target.baseline = baseline(target)
            found[name].append(target)
        for name, entry in MATRIX.items():
            if entry.args is none and (name.endswith("list") or name in LISTS):
                fields = [Field(key, "text", None if key == "q" else "1") for key in LIST_PARAMETERS]
                form = Form("get", reverse(name), fields)
                found[f"{name}?"].append(Target(first_allowed(w, name, "GET"), form, source="lists"))
    return dict(found)


# --- Sending ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Failure:
    name: str
    field: str
    value: str
    error: str
    where: str

    def __str__(self) -> str:
        return f"{self.name} {self.field}={self.value}: {self.error} at {self.where}"


def cases(form: Form) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(field, hostile value's label, data) for each hostile value of each field, the others plausible."""

    def data(name: str, value: Any) -> dict[str, Any]:
        sent = {item.name: plausible(item) for item in form.fields}
        if value is MISSING:
            del sent[name]
        else:
            sent[name] = value
        return sent

    families = set()
    for item in form.fields:
        family = re.sub(r"\d+", "#", item.name)  # g-5-C1.1, g-5-C1.2...: one field of each family
        if family in families:
            continue
        families.add(family)
        if item.kind == "file":
            for label, upload in hostile_files():
                yield item.name, label, data(item.name, upload)
            continue
        for hostile in hostile_values(item, form):
            yield item.name, hostile.label, data(item.name, hostile.value)
    if not form.fields:  # a form of a button alone: a stray field
        yield "(stray)", "nul", {"champ": "Texte\x00nul"}


def where(exc: BaseException) -> str:
    """The deepest line of the application's code (not of the tests or the libraries) the exception went
    through, and the line that raised it when it is a library's."""
    frames = traceback.extract_tb(exc.__traceback__)
    own = [
        frame
        for frame in frames
        if frame.filename.startswith(str(ROOT))
        and "/.venv/" not in frame.filename
        and not frame.filename.startswith(str(ROOT / "tests"))
    ]
    if not own:
        return "?"
    text = f"{Path(own[-1].filename).relative_to(ROOT)}:{own[-1].lineno} ({own[-1].name})"
    if frames and frames[-1] is not own[-1]:
        raised = frames[-1]
        text += f", raised in {raised.filename.split('site-packages/')[-1]}:{raised.lineno} ({raised.name})"
    return text


# A request that works longer than this on one hostile value is an abuse of its own (bounded work): it is
# stopped and reported. CPU time, not the clock: a busy machine does not make a request slow.
CPU_SECONDS = 2.0


class TooSlow(BaseException):
    """Raised in the request that outlived its CPU time (a BaseException: no handler of the app swallows it)."""


@contextmanager
def cpu_bound(seconds: float) -> Iterator[None]:
    def stop(signum: int, frame: Any) -> None:
        raise TooSlow(f"more than {seconds:g} s of CPU")

    previous = signal.signal(signal.SIGPROF, stop)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


@dataclass(frozen=True)
class State:
    rows: dict[str, str]  # table -> a hash of its rows
    hostile: frozenset[tuple[str, str, str]]  # (table, column, row's first value) of every stored hostile text


def state() -> State:
    """Every table's rows (sessions and login attempts left out: logging in writes them), and where a text
    longer than any field may hold or with a control character is stored."""
    rows, hostile = {}, set()
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table == "django_session" or table.startswith("axes_"):
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            columns = [column[0] for column in cursor.description]
            lines = []
            for row in cursor.fetchall():
                values = [bytes(v) if isinstance(v, memoryview) else v for v in row]
                lines.append(repr(values))
                for column, value in zip(columns, values, strict=True):
                    if isinstance(value, str) and (len(value) > LONG_TEXT_LENGTH or has_control_characters(value)):
                        hostile.add((table, column, str(values[0])))
            rows[table] = hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest()
    return State(rows, frozenset(hostile))


def fuzz(name: str, items: list[Target]) -> list[Failure]:
    failures: list[Failure] = []
    for target in items:
        client = Client()
        if target.user is not None:
            client.force_login(target.user)
        cookies = copy.deepcopy(client.cookies)
        url = target.form.action
        before = state()
        for field_name, label, data in cases(target.form):
            client.cookies = copy.deepcopy(cookies)
            cache.clear()  # the module's own cache: rate limits start afresh
            with transaction.atomic():
                try:
                    send = client.get if target.form.method == "get" else client.post
                    with cpu_bound(CPU_SECONDS):
                        response = send(url, data)
                    close(response)
                    status = response.status_code
                    if status >= 500:
                        failures.append(Failure(name, field_name, label, f"status {status}", "?"))
                    elif target.form.method == "post":
                        after = state()
                        stored = sorted({f"{table}.{column}" for table, column, _ in after.hostile - before.hostile})
                        if stored:  # too long or with control characters: no form, service or import keeps it
                            failures.append(Failure(name, field_name, label, f"stored in {', '.join(stored)}", "-"))
                        changed = sorted(t for t in after.rows if after.rows[t] != before.rows[t])
                        if changed and (status == 200 or 400 <= status < 500):
                            # The form re-displayed with its errors, or the post refused: nothing written.
                            error = f"answered {status} but wrote {', '.join(changed)}"
                            failures.append(Failure(name, field_name, label, error, "-"))
                except (Exception, TooSlow) as exc:  # the server error this test is about
                    error = f"{type(exc).__name__}: {str(exc)[:120]}"
                    failures.append(Failure(name, field_name, label, error, where(exc)))
                transaction.set_rollback(True)
    return failures


@pytest.fixture
def fuzz_world(matrix_world: W, settings: Any) -> W:  # noqa: F811
    # A cache of the module's own, cleared before each request: rate limits (logins, resets, verification)
    # would otherwise refuse the later values before they are read.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fuzz"}}
    return matrix_world


def check(names: set[str], failures: list[Failure]) -> None:
    """No failure but the known ones of these URL names on this database, and each known one still fails."""
    found = {(f.name, f.field, f.value): f for f in failures}
    known = {key for key, (vendors, _) in KNOWN_FAILURES.items() if connection.vendor in vendors}
    expected = [key for key in known if key[0] in names]
    new = [str(f) for key, f in found.items() if key not in known]
    fixed = [" ".join(key) for key in expected if key not in found]
    assert not new and not fixed, "\n".join(
        [f"failure: {line}" for line in new] + [f"fixed, remove from KNOWN_FAILURES: {line}" for line in fixed]
    )
    if expected:
        pytest.xfail("known failures: " + "; ".join(str(found[key]) for key in expected))


SQLITE, POSTGRESQL = {"sqlite"}, {"postgresql"}
# Failures found and being fixed (issue 11), to be emptied: (URL name, field, hostile value's label) ->
# (the databases it fails on, what fails where). A failure fixed fails the test until its line is removed.
KNOWN_FAILURES: dict[tuple[str, str, str], tuple[set[str], str]] = {}

POSTED = sorted(name for name, entry in MATRIX.items() if any(entry.post[a] == OK for a in EXPLORERS))


@pytest.mark.parametrize("name", POSTED)
def test_a_form_holds_hostile_values(fuzz_world: W, targets: dict[str, list[Target]], name: str) -> None:
    check({name}, fuzz(name, targets[name]))


def test_search_forms_and_lists_hold_hostile_values(fuzz_world: W, targets: dict[str, list[Target]]) -> None:
    names = {key for key in targets if key.endswith("?")}
    check(names, [failure for name in sorted(names) for failure in fuzz(name, targets[name])])


def test_every_form_is_fuzzed(fuzz_world: W, targets: dict[str, list[Target]]) -> None:
    """The pages showed the forms the test expects, and their plausible values are taken: the hostile value
    of each field then goes as far as the services. A template or a form that changes fails here first."""
    assert set(POSTED) <= targets.keys()
    taken = {name for name, items in targets.items() if any(t.baseline in (302, 303) for t in items)}
    assert set(ACCEPTED) <= taken, f"refused: {sorted(set(ACCEPTED) - taken)}"


# Forms the world lets a careful user send: their plausible values are taken (a redirect).
ACCEPTED = (
    "candidates:create",
    "candidates:edit",
    "candidates:accommodation_add",
    "evaluations:create",
    "juries:grid",
    "juries:member_create",
    "cqp:certification_create",
    "certificates:sent",
)


def test_a_request_outliving_its_cpu_time_is_stopped() -> None:
    with pytest.raises(TooSlow), cpu_bound(0.05):
        while True:
            pass
