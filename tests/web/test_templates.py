"""Rules every page template keeps, checked on the templates themselves (the browser walk
in tests/browser/test_every_page.py checks the rendered pages)."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "lms" / "templates"
# Rendered to PDF by WeasyPrint, never shown in a browser: a printed page does not scroll.
PRINTED = {"attendance/sheet.html"}


def test_every_table_scrolls_in_a_named_focusable_region():
    """A table may be wider than a phone: each one sits in the ``scroll_table`` macro
    (a region with a name that the keyboard reaches), so that it scrolls on its own
    instead of the whole page."""
    outside = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        if name in PRINTED:
            continue
        text = path.read_text(encoding="utf-8")
        for table in re.finditer(r"<table\b", text):
            before = text[:table.start()]
            opened = before.rfind("{% call scroll_table(")
            if opened == -1 or "{% endcall %}" in before[opened:]:
                line = before.count("\n") + 1
                outside.append(f"{name}:{line}")
    assert not outside, f"tables outside scroll_table: {outside}"
    assert "table-wrap" not in "".join(
        p.read_text(encoding="utf-8") for p in TEMPLATES.rglob("*.html")
        if p.name != "_macros.html"), "a table wrapper written by hand: use scroll_table"
