"""Replaying a fixture's writes instead of running its services again (tests only).

The `decided` world (three candidates graded, recommended, transmitted and decided through the services) costs
some 770 queries, about a second a test, and some 270 tests of each leg ask for it. `replay(name, world, build)`
runs `build(world)` through the services the first time a process meets a given starting state, records what it
wrote (rows inserted, fields updated; nothing may be deleted) and, on every later test starting from the very same
rows, writes that again in one bulk insert a table and one update a changed row, the recorded datetimes moved by
the time elapsed since. Any difference in the starting state (a test that added a row, another day, a transactional
test, a fixture that deleted something) takes the slow road: the services run, so nothing is ever assumed.

The primary keys must be the same from test to test: `reset_sequences()` (called by the `referential` fixture)
puts every table's sequence back after the rows present, which PostgreSQL does not do when a test's transaction is
rolled back (SQLite does)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.core import mail
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

T = TypeVar("T")
Rows = dict[str, dict[Any, dict[str, Any]]]


def _models() -> list[type[models.Model]]:
    return [
        model for model in apps.get_models(include_auto_created=True) if model._meta.managed and not model._meta.proxy
    ]


def reset_sequences(tables: list[type[models.Model]] | None = None) -> None:
    """Every table's sequence (or `tables`') just after its rows (PostgreSQL; SQLite rolls its own back with the
    test)."""
    statements = connection.ops.sequence_reset_sql(no_style(), _models() if tables is None else tables)
    if statements:
        with connection.cursor() as cursor:
            cursor.execute(";\n".join(statements))


def _datetime_fields(model: type[models.Model]) -> set[str]:
    return {f.attname for f in model._meta.concrete_fields if isinstance(f, models.DateTimeField)}


def _unread(model: type[models.Model]) -> set[str]:
    """What the starting state's fingerprint leaves aside: datetimes (rows written a few seconds apart) and
    password hashes (salted at random); a replay writes neither of them unless the fixture changed it."""
    return _datetime_fields(model) | {"password"}


def _state() -> Rows:
    """Every row of every table, by model label and primary key."""
    rows: Rows = {}
    for model in _models():
        pk = model._meta.pk.attname
        found = {row[pk]: row for row in model._default_manager.order_by().values()}
        if found:
            rows[model._meta.label] = found
    return rows


def _fingerprint(rows: Rows) -> str:
    """The starting state, what `_unread` says aside."""
    digest = hashlib.sha256()
    for label in sorted(rows):
        skip = _unread(apps.get_model(label))
        for pk in sorted(rows[label]):
            row = rows[label][pk]
            digest.update(repr((label, pk, sorted((k, v) for k, v in row.items() if k not in skip))).encode())
    return digest.hexdigest()


@dataclass
class _Recording:
    now: dt.datetime
    inserted: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    updated: dict[str, dict[Any, dict[str, Any]]] = field(default_factory=dict)
    mails: list[Any] = field(default_factory=list)
    files: dict[tuple[str, str], bytes] = field(default_factory=dict)  # (storage root's name, relative path)
    result: Any = None  # the built object, its model instances as (label, pk)


_RECORDINGS: dict[tuple[str, str], _Recording] = {}


def _diff(before: Rows, after: Rows, now: dt.datetime) -> _Recording | None:
    recording = _Recording(now=now)
    for label in set(before) | set(after):
        old, new = before.get(label, {}), after.get(label, {})
        if set(old) - set(new):
            return None  # something deleted: not replayed
        added = [row for pk, row in new.items() if pk not in old]
        if added:
            recording.inserted[label] = added
        changed = {}
        for pk, row in new.items():
            if pk in old:
                fields = {k: v for k, v in row.items() if old[pk].get(k) != v}
                if fields:
                    changed[pk] = fields
        if changed:
            recording.updated[label] = changed
    return recording


def _freeze(value: Any, start: Any) -> Any:
    """`value` with its model instances replaced by (label, pk), to rebuild in a later test; `start` (the caller's
    own object, e.g. the world) marked, to be the later caller's own."""
    if value is start:
        return ("__start__",)
    if isinstance(value, models.Model):
        return ("__model__", value._meta.label, value.pk)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: _freeze(getattr(value, f.name), start) for f in dataclasses.fields(value)}
        return ("__dataclass__", type(value), fields)
    if isinstance(value, list):
        return [_freeze(v, start) for v in value]
    if isinstance(value, dict):
        return {k: _freeze(v, start) for k, v in value.items()}
    return value


def _thaw(value: Any, start: Any, instances: dict[tuple[str, Any], models.Model]) -> Any:
    if value == ("__start__",):
        return start
    if isinstance(value, tuple) and value and value[0] == "__model__":
        _tag, label, pk = value
        key = (label, pk)
        if key not in instances:
            instances[key] = apps.get_model(label)._default_manager.get(pk=pk)
        return instances[key]
    if isinstance(value, tuple) and value and value[0] == "__dataclass__":
        _tag, cls, fields = value
        return cls(**{name: _thaw(v, start, instances) for name, v in fields.items()})
    if isinstance(value, list):
        return [_thaw(v, start, instances) for v in value]
    if isinstance(value, dict):
        return {k: _thaw(v, start, instances) for k, v in value.items()}
    return value


def _moved(model: type[models.Model], row: dict[str, Any], offset: dt.timedelta) -> dict[str, Any]:
    if not offset:
        return row
    stamps = _datetime_fields(model)
    return {k: (v + offset if k in stamps and v is not None else v) for k, v in row.items()}


def _write(recording: _Recording) -> None:
    offset = timezone.now() - recording.now
    order = {model._meta.label: n for n, model in enumerate(_models())}
    with transaction.atomic():
        for label in sorted(recording.inserted, key=order.__getitem__):
            model = apps.get_model(label)
            model._default_manager.bulk_create(
                [model(**_moved(model, row, offset)) for row in recording.inserted[label]]
            )
        for label, changes in recording.updated.items():
            model = apps.get_model(label)
            for pk, fields in changes.items():
                model._default_manager.filter(pk=pk).update(**_moved(model, fields, offset))
        reset_sequences([apps.get_model(label) for label in recording.inserted])


def _refresh(value: Any) -> None:
    """The caller's objects read again: the slow road's services changed some of them in place."""
    if isinstance(value, models.Model):
        value.refresh_from_db()
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            _refresh(getattr(value, f.name))
    elif isinstance(value, list):
        for v in value:
            _refresh(v)
    elif isinstance(value, dict):
        for v in value.values():
            _refresh(v)


def _roots() -> dict[str, Path]:
    """The storages' folders (a test's own, under its tmp_path: the root conftest sets them)."""
    roots = {"media": Path(settings.MEDIA_ROOT), "private": Path(settings.PRIVATE_MEDIA_ROOT)}
    storages: dict[str, dict[str, Any]] = dict(settings.STORAGES)  # type: ignore[arg-type]
    for name, storage in storages.items():
        location = storage.get("OPTIONS", {}).get("location")
        if location:
            roots[f"storage:{name}"] = Path(location)
    return roots


def _files() -> dict[tuple[str, str], int]:
    found: dict[tuple[str, str], int] = {}
    for name, root in _roots().items():
        if root.is_dir():
            for path in root.rglob("*"):
                if path.is_file():
                    found[(name, path.relative_to(root).as_posix())] = path.stat().st_mtime_ns
    return found


def replay(name: str, start: Any, build: Callable[[Any], T]) -> T:
    """`build(start)`, or its recorded writes replayed when the database holds exactly what it held the first
    time (see the module's docstring). `start` (the world) is read again from the database after a replay; the
    object returned is rebuilt from its recorded primary keys, `start` kept where it appears in it."""
    if not connection.in_atomic_block:  # a transactional test: its commits would run the on-commit work
        return build(start)
    before = _state()
    key = (name, _fingerprint(before))
    recording = _RECORDINGS.get(key)
    if recording is None:
        sent = len(mail.outbox) if hasattr(mail, "outbox") else 0
        files = _files()
        now = timezone.now()
        result = build(start)
        recording = _diff(before, _state(), now)
        if recording is not None:
            roots = _roots()
            recording.files = {
                key: (roots[key[0]] / key[1]).read_bytes() for key, stamp in _files().items() if files.get(key) != stamp
            }
            recording.mails = list(mail.outbox[sent:]) if hasattr(mail, "outbox") else []
            recording.result = _freeze(result, start)
            _RECORDINGS[key] = recording
        return result
    _write(recording)
    roots = _roots()
    for (root, relative), content in recording.files.items():
        path = roots[root] / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    if hasattr(mail, "outbox"):
        mail.outbox.extend(recording.mails)
    _refresh(start)
    return _thaw(recording.result, start, {})
