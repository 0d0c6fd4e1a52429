"""Every UI text has its German translation, and the compiled catalog is current."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "lms/translations/de/LC_MESSAGES/messages.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s|%%")


def source_messages() -> set[str]:
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2)}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT / "lms", method_map=method_map, keywords=keywords
    ):
        found.update([message] if isinstance(message, str) else message)
    return found


def test_every_ui_text_is_translated_to_german():
    catalog = read_po(PO.open("rb"))
    translated = {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}
    missing = sorted(source_messages() - set(translated))
    assert not missing, f"run `make translations` and translate: {missing}"
    for message_id, text in translated.items():
        assert sorted(PLACEHOLDER.findall(message_id)) == sorted(PLACEHOLDER.findall(text)), (
            message_id)


def test_compiled_catalog_matches_the_po_file():
    po = {m.id: m.string for m in read_po(PO.open("rb")) if m.id}
    mo = {m.id: m.string for m in read_mo(MO.open("rb")) if m.id}
    assert mo == po, "run `pybabel compile -d lms/translations`"
