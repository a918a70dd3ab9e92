"""The shared library depends on Django and on itself, never on a domain app (as healthchecks' hc/lib)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import cqp.lib

LIB = Path(cqp.lib.__file__).parent
DOMAIN = {"accounts", "candidates", "evaluations", "juries", "certificates", "demo"}


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted(LIB.glob("*.py")), ids=lambda p: p.name)
def test_a_library_module_imports_no_domain_app(path: Path) -> None:
    outside = {
        name
        for name in imported(path)
        if name.split(".")[0] in DOMAIN or (name.split(".")[0] == "cqp" and not name.startswith("cqp.lib"))
    }
    assert outside == set()
