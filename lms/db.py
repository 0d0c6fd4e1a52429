"""Declarative base, shared column types and mixins.

The database is the last line of defence: constraints are named by convention
so that migrations can address them on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import enum
import re
import select
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, TypeAlias

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    QueryableAttribute,
    Session,
    mapped_column,
    registry,
    scoped_session,
)

from lms.errors import DomainError

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend.

    PostgreSQL keeps ``timestamptz``; SQLite has no time zones, so values are
    stored as naive UTC and made aware again when read. Naive datetimes are
    refused on the way in: a local wall-clock time must never be mistaken for UTC.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r} cannot be stored; attach a time zone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def enum_type(enum_cls: type[enum.Enum], name: str) -> sa.Enum:
    """A portable enumeration: VARCHAR plus a named CHECK constraint of its values."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        values_callable=lambda cls: [member.value for member in cls],
        validate_strings=True,
    )


def table_of(model: type[Base]) -> sa.Table:
    """The table a model is mapped to (SQLAlchemy types ``__table__`` as any FromClause)."""
    table = model.__table__
    if not isinstance(table, sa.Table):
        raise TypeError(f"{model.__name__} is not mapped to a table")
    return table


def rowcount(result: sa.Result[*tuple[Any, ...]]) -> int:
    """The rows an UPDATE or DELETE matched (its CursorResult knows; SQLAlchemy types
    ``Session.execute`` as returning any Result)."""
    if not isinstance(result, sa.CursorResult):
        raise TypeError("not the result of an UPDATE or DELETE")
    return result.rowcount


def max_length(attribute: QueryableAttribute[str] | QueryableAttribute[str | None]) -> int:
    """The length of the VARCHAR column behind a mapped attribute (``Company.name`` → 200):
    the one source of a text's limit for the form that takes it, the operation that checks
    it and every sentence that states it. Read from the table, so that it works while the
    models are still being imported."""
    table = attribute.class_.__table__
    length = getattr(table.c[attribute.key].type, "length", None)
    if not isinstance(length, int):
        raise TypeError(f"{attribute} is not a column of limited length")
    return length


# A SELECT of any columns (SQLAlchemy 2.1 types a Select by the types of its columns).
AnySelect: TypeAlias = "sa.Select[*tuple[Any, ...]]"
AnyCompoundSelect: TypeAlias = "sa.CompoundSelect[*tuple[Any, ...]]"

# A session, or the request's scoped one (``db.session``), which stands for it.
SessionLike: TypeAlias = Session | scoped_session[Any]


# --------------------------------------------------------------------------- after the outcome

# What a transaction does once its outcome is known: files removed, mails and webhook
# deliveries handed to the queue once it commits; files of its rows removed again, mails
# dropped when it rolls back. Kept on the session (``Session.info``), run by the two
# listeners below once the outermost transaction ends (a savepoint decides nothing), in
# the order they were asked for; the other list is forgotten.
_ON_COMMIT = "lms.db.on_commit"
_ON_ROLLBACK = "lms.db.on_rollback"


def after_commit(session: SessionLike, action: Callable[[], None]) -> None:
    """Run ``action`` once ``session``'s transaction has committed (never if it rolls
    back). It runs inside the committed session's listener: it must not use that
    session (it can emit no more SQL) and should catch what it can survive."""
    session.info.setdefault(_ON_COMMIT, []).append(action)


def after_rollback(session: SessionLike, action: Callable[[], None]) -> None:
    """Run ``action`` once ``session``'s transaction has rolled back (never if it
    commits)."""
    session.info.setdefault(_ON_ROLLBACK, []).append(action)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.in_nested_transaction():
        return
    session.info.pop(_ON_ROLLBACK, None)
    for action in session.info.pop(_ON_COMMIT, []):
        action()


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    if session.in_nested_transaction():
        return
    session.info.pop(_ON_COMMIT, None)
    for action in session.info.pop(_ON_ROLLBACK, []):
        action()


class Base(DeclarativeBase):
    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


# An INSERT that can say ON CONFLICT: both dialects spell the clause (and ``excluded``) alike.
ConflictInsert = postgresql.Insert | sqlite.Insert


def insert_on_conflict(session: SessionLike, table: Any) -> ConflictInsert:
    """``INSERT … ON CONFLICT`` for the database ``session`` is bound to.

    The unique constraint decides, not a read before the write: two writers at the same
    moment never create a second row and never fail on the constraint, on PostgreSQL and
    SQLite alike (the two databases the service runs on)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"INSERT … ON CONFLICT is not written for {dialect}")


def database_is_reachable(session: SessionLike) -> bool:
    """One trivial statement: whether the database answers (for /healthz)."""
    try:
        session.execute(sa.text("SELECT 1"))
    except SQLAlchemyError:
        session.rollback()
        return False
    return True


def migrations_are_current(session: SessionLike) -> bool:
    """Whether the database's schema is at the code's migration head (for /readyz): a
    host started with new code before `lms db upgrade` ran is not ready to serve."""
    from alembic.runtime.migration import MigrationContext

    try:
        current = MigrationContext.configure(session.connection()).get_current_heads()
    except SQLAlchemyError:
        session.rollback()
        return False
    return frozenset(current) == migration_heads()


@lru_cache(maxsize=1)
def migration_heads() -> frozenset[str]:
    """The head revision(s) of the code's migrations (read once per process)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from lms import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return frozenset(ScriptDirectory.from_config(config).get_heads())


@contextmanager
def unique_or(session: SessionLike, error: DomainError) -> Iterator[None]:
    """The block's writes, flushed in a savepoint: a unique constraint that refuses them
    raises ``error`` instead, and the session stays usable (only the savepoint is rolled
    back). The constraint decides, so two requests that both passed a check made before
    cannot both write ("name already taken" holds under concurrency)."""
    _begin_on_sqlite(session)
    try:
        with session.begin_nested():
            yield
            session.flush()
    except IntegrityError as exc:
        if not is_unique_violation(exc):
            raise
        raise error from exc


def is_unique_violation(exc: IntegrityError) -> bool:
    """Whether the database refused a duplicate (and not, say, a check constraint)."""
    cause = exc.orig
    if isinstance(cause, sqlite3.IntegrityError):
        return getattr(cause, "sqlite_errorname", "") in ("SQLITE_CONSTRAINT_UNIQUE",
                                                          "SQLITE_CONSTRAINT_PRIMARYKEY")
    return getattr(cause, "sqlstate", None) == "23505"  # PostgreSQL's unique_violation


def _begin_on_sqlite(session: SessionLike) -> None:
    """Python's sqlite3 driver starts a transaction only at the first write, so a
    SAVEPOINT before it would start (and its RELEASE commit) the transaction itself:
    begin it explicitly first, so that the caller's rollback still undoes everything."""
    connection = session.connection()
    raw = connection.connection.driver_connection
    if isinstance(raw, sqlite3.Connection) and not raw.in_transaction:
        connection.exec_driver_sql("BEGIN")


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Make SQLite behave: enforce foreign keys, write-ahead log, wait when busy."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


# --------------------------------------------------------------------------- PostgreSQL connections
#
# What a request costs before its own work is mostly round trips to the database: a ping
# when the connection leaves the pool, BEGIN before the first statement, ROLLBACK when it
# goes back. On PostgreSQL (psycopg) :func:`install_connection_policy` removes all three
# where that changes nothing a caller can observe:
#
# - **No ping.** Whether a pooled connection is still alive is asked of the socket, not of
#   the server: a server that ended the connection (a restart, an idle timeout,
#   ``pg_terminate_backend``) has sent its goodbye and closed the socket, which then reads
#   as ready. Such a connection is replaced before it is used, as the ping would have.
# - **Reads without a transaction** while ``reads_alone()`` says so (the web layer: for
#   GET and HEAD requests). Each plain SELECT runs on its own. Under READ COMMITTED, the
#   default, every statement of a transaction takes its own snapshot anyway, so a read
#   sees exactly what it would have seen inside one; nothing is held that a read needs
#   to hold. The first statement that is not a plain read (a write, SAVEPOINT, a SELECT
#   that locks rows or draws from a sequence) is preceded by BEGIN, so that everything
#   from there on is one transaction that commits or rolls back as before. A connection
#   given an isolation level explicitly (the feed's REPEATABLE READ snapshot) is left
#   as the caller set it. Nothing to roll back means no ROLLBACK, and psycopg then keeps
#   the statements it prepared for the connection.

_LAZY = "lms_reads_without_transaction"
_NOT_A_PLAIN_READ = re.compile(
    r"\bFOR\s+(?:NO\s+KEY\s+UPDATE|UPDATE|KEY\s+SHARE|SHARE)\b"
    r"|\b(?:nextval|setval|pg_advisory\w*|pg_notify|set_config)\s*\(", re.IGNORECASE)


def install_connection_policy(engine: Engine, reads_alone: Callable[[], bool]) -> None:
    """The policy above for ``engine`` (PostgreSQL through psycopg; others unchanged)."""
    if engine.dialect.name != "postgresql" or engine.dialect.driver != "psycopg":
        return
    from psycopg.pq import TransactionStatus

    idle = TransactionStatus.IDLE

    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if socket_reads_ready(dbapi_connection):
            raise DisconnectionError("the server has closed the connection")
        if reads_alone():
            dbapi_connection.autocommit = True
            record.info[_LAZY] = True

    def checkin(dbapi_connection: Any, record: Any) -> None:
        if record is not None and record.info.pop(_LAZY, False) and dbapi_connection is not None:
            try:
                dbapi_connection.autocommit = False
            except Exception:  # a broken connection: the pool replaces it anyway
                record.invalidate()

    def before_cursor_execute(conn: sa.Connection, cursor: Any, statement: str,
                              *_args: Any) -> None:
        raw = cursor.connection
        if (raw.autocommit and conn.info.get(_LAZY)
                and raw.info.transaction_status == idle
                and "isolation_level" not in conn.get_execution_options()
                and not is_plain_read(statement)):
            cursor.execute("BEGIN")

    event.listen(engine, "checkout", checkout)
    event.listen(engine, "checkin", checkin)
    event.listen(engine, "before_cursor_execute", before_cursor_execute)


@lru_cache(maxsize=4096)
def is_plain_read(statement: str) -> bool:
    """A SELECT that neither locks rows nor changes anything (sequences, advisory locks,
    settings). Anything else, WITH and SAVEPOINT included, is not."""
    head = statement.lstrip()[:6]
    return head.upper() == "SELECT" and _NOT_A_PLAIN_READ.search(statement) is None


def socket_reads_ready(dbapi_connection: Any) -> bool:
    """Whether an idle psycopg connection has something to read, which for a connection
    nobody is using means the server has said goodbye (or the connection is closed)."""
    if dbapi_connection.closed or dbapi_connection.broken:
        return True
    poller = select.poll()
    poller.register(dbapi_connection.pgconn.socket,
                    select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))
