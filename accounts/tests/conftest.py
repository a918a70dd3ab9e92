"""The certifier's worlds (a decided certification jury, its PV signed, its results validated), for the home page's
to-do lists."""

from __future__ import annotations

from certificates.tests.conftest import commit, decided, signed, validated, world

__all__ = ["commit", "decided", "signed", "validated", "world"]
