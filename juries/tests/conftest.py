"""The `world` fixture (a held session with its jury members) lives in tests/worlds.py, shared with the
certificates' tests."""

from __future__ import annotations

from tests.worlds import World, world

__all__ = ["World", "world"]
