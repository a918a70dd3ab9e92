"""A session of RNCP 26850 held today at BJO Formation with three candidates present, the members of an
evaluation jury and of a certification jury, approved; and helpers to grade through the services. Built by
`demo.builders` (the benchmark builds the same world); its admin and staff log in with the tests' password."""

from __future__ import annotations

from typing import Any

import pytest

from demo.builders import World, build_world
from tests.factories import PASSWORD
from tests.snapshots import replay

__all__ = ["World", "build_world", "world"]


@pytest.fixture
def world(referential: Any) -> World:
    # Built through the services the first time; later tests starting from the same referential replay its rows.
    return replay("world", None, lambda _start: build_world(password=PASSWORD))
