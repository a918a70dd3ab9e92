"""The builders the tests share with the benchmark need no test tooling: `bench/parchments.py` runs where only the
runtime dependencies are installed."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import sys
import django

django.setup()
import demo.builders
import demo.management.commands.load_demo

test_tooling = sorted(
    name
    for name in sys.modules
    if name.split(".")[0] in {"pytest", "_pytest", "factory", "tests", "conftest"} or ".tests" in name
)
print(" ".join(test_tooling))
"""


def test_the_builders_and_the_demo_import_no_test_module_nor_test_tool() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cqp.settings"}
    probe = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )

    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.strip() == ""


def test_the_benchmark_imports_no_test_module_nor_test_tool() -> None:
    tree = ast.parse((ROOT / "bench" / "parchments.py").read_text())
    imported = {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)} | {
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }

    test_tooling = {
        name
        for name in imported
        if name.split(".")[0] in {"pytest", "_pytest", "factory", "tests", "conftest"} or ".tests" in name
    }
    assert test_tooling == set()
    assert "demo.builders" in imported
