"""Counting the SQL a piece of code sends: for query-count tests (no N+1, no SQL at all)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from lms.extensions import db


@contextmanager
def recorded_sql() -> Iterator[list[str]]:
    """The statements the engine sends inside the block. Transaction control is left
    out: the feed's explicit BEGIN on SQLite (PostgreSQL's driver sends its own unseen)."""
    statements: list[str] = []

    def listener(_conn, _cursor, statement, *_args) -> None:
        if statement != "BEGIN":
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)


def statements_for_get(client, path: str, status: int = 200) -> int:
    """How many statements one GET of ``path`` runs (it must answer ``status``)."""
    with recorded_sql() as statements:
        assert client.get(path).status_code == status
    return len(statements)
