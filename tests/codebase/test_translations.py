"""Every UI text has its German translation, and the compiled catalog is current."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "lms/translations/de/LC_MESSAGES/messages.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s|%%")


def _forms(value) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def source_messages() -> set[str]:
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2"),
                  ("**/templates/**.txt", "jinja2")]
    keywords = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2),
                "_ln": (1, 2), "lazy_ngettext": (1, 2)}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT / "lms", method_map=method_map, keywords=keywords
    ):
        found.update(_forms(message))
    return found


def translated_catalog() -> dict[str, str]:
    """Every translated message id (each plural form on its own) → its German text."""
    result = {}
    for message in read_po(PO.open("rb")):
        if not message.id or message.fuzzy:
            continue
        for message_id, text in zip(_forms(message.id), _forms(message.string), strict=False):
            if text:
                result[message_id] = text
    return result


def test_every_ui_text_is_translated_to_german():
    translated = translated_catalog()
    missing = sorted(source_messages() - set(translated))
    assert not missing, f"run `make translations` and translate: {missing}"
    for message_id, text in translated.items():
        if "%(num)s" in message_id:  # plural forms may leave the number out
            continue
        assert sorted(PLACEHOLDER.findall(message_id)) == sorted(PLACEHOLDER.findall(text)), (
            message_id)


def test_compiled_catalog_matches_the_po_file():
    def table(messages) -> dict:
        return {_forms(m.id): _forms(m.string) for m in messages if m.id}

    assert table(read_mo(MO.open("rb"))) == table(read_po(PO.open("rb"))), (
        "run `pybabel compile -d lms/translations`")
