"""`make test` runs every app's tests: pytest only collects the folders `testpaths` names, so an app whose tests
are left out of it would pass CI untested (results and dysfunctions once were)."""

from __future__ import annotations

import configparser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_folder_holding_tests_is_collected() -> None:
    config = configparser.ConfigParser()
    config.read(ROOT / "pytest.ini")
    collected = set(config["pytest"]["testpaths"].split())
    holding = {
        path.relative_to(ROOT).parts[0]
        for path in ROOT.glob("*/**/test_*.py")
        if not {".venv", "node_modules", "bench"} & set(path.relative_to(ROOT).parts)
    }
    assert holding, "no test found: the glob is wrong"
    assert holding <= collected, f"not in pytest.ini's testpaths: {sorted(holding - collected)}"
