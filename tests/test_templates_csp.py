"""The Content-Security-Policy allows no inline script or style: no HTML template (PDF templates aside, rendered
on the server by WeasyPrint) may carry a `<script>` without `src`, a `style` attribute or block, or an `on…`
handler; the browser would block it (and lose the style or the behaviour)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=", re.IGNORECASE)


def html_templates() -> list[Path]:
    return [
        path
        for path in ROOT.glob("*/templates/**/*.html")
        if "/pdf/" not in path.as_posix() and ".venv" not in path.parts and "node_modules" not in path.parts
    ] + list((ROOT / "templates").glob("**/*.html"))


def test_no_template_holds_inline_script_style_or_handler() -> None:
    templates = html_templates()
    assert len(templates) > 50
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}"
        for path in templates
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if INLINE.search(line)
    ]
    assert not found, "\n".join(found)
