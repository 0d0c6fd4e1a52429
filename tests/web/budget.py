"""Counting what a page does per row, not timing it: SQL statements, ORM objects loaded,
Babel locale look-ups and Babel formatting calls while one request runs (issue 13)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

import babel
import babel.dates
import babel.numbers
from sqlalchemy import event

from lms.extensions import db


@contextmanager
def counted() -> Iterator[Counter[str]]:
    counts: Counter[str] = Counter()

    def on_statement(*_args: object) -> None:
        counts["statements"] += 1

    def on_load(*_args: object) -> None:
        counts["ORM objects loaded"] += 1

    def counting(name: str, function):
        def wrapper(*args, **kwargs):
            counts[name] += 1
            return function(*args, **kwargs)
        return wrapper

    parse = babel.Locale.parse
    event.listen(db.engine, "before_cursor_execute", on_statement)
    event.listen(db.Model, "load", on_load, propagate=True)
    try:
        with mock.patch.object(babel.Locale, "parse", counting("Babel locale look-ups", parse)), \
                mock.patch.object(babel.dates.DateTimeFormat, "__init__", counting(
                    "Babel date formatting", babel.dates.DateTimeFormat.__init__)), \
                mock.patch.object(babel.numbers.NumberPattern, "apply", counting(
                    "Babel number formatting", babel.numbers.NumberPattern.apply)):
            yield counts
    finally:
        event.remove(db.Model, "load", on_load)
        event.remove(db.engine, "before_cursor_execute", on_statement)


def count_get(client, path: str, before_each=lambda: None) -> Counter[str]:
    """What a second GET of ``path`` does (the first fills the per-process caches)."""
    before_each()
    assert client.get(path).status_code == 200
    before_each()
    with counted() as counts:
        assert client.get(path).status_code == 200
    return counts
