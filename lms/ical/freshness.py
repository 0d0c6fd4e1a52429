"""Feed freshness shared by all workers: a poll of an unchanged feed asks no database.

Calendar programs poll every feed again and again, and almost every poll finds nothing
changed. The data version (:mod:`lms.ical.version`) answers "changed?" in one SQL
statement, but a database round trip still costs a poll several times a bare response.
So the workers share one *generation* in Redis (``LMS_REDIS_URL``): a random value,
replaced after every commit that wrote a table a feed reads. Each worker remembers the
answer it last gave for a token together with the generation it read before it asked
the database; while the generation is the same, nothing a feed shows can have changed,
and the poll is answered from memory. A worker asks Redis for the generation at most
every ``TRUST_SECONDS`` (50 ms): another worker's change reaches it at most that much
later, its own at once.

- The tables are those the feed statements read, found in the statements themselves
  (:func:`lms.ical.version.feed_tables`): a new column in a feed brings its table along.
- Writes are seen where they happen, in the SQL the engine sends (ORM flushes, bulk
  statements, migrations and the CLI alike), and the generation is replaced only after
  the commit, when the connection goes back to the pool: a reader that sees the new
  generation also sees the new data.
- A reader tags what it read with the generation read *before* the database, so a
  change that lands in between is read again at the next poll.
- Without Redis (or while it cannot be reached) every poll asks the database, as
  before; a replacement that failed is retried before this worker trusts its memory
  again, and a remembered answer is never older than ``MAX_AGE``.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

import redis
from sqlalchemy import event
from sqlalchemy.engine import Engine

from lms.lru import LRU

log = logging.getLogger(__name__)

# The longest a worker trusts a remembered answer without the database, whatever Redis
# says: it bounds the damage of a replacement lost with a crashed worker.
MAX_AGE = 3600.0
# How long a worker trusts the generation it last read before asking Redis again: the
# most another worker's change can be late (this worker's own changes are seen at once).
TRUST_SECONDS = 0.05
EXTENSION = "lms_feed_generation"

_WRITTEN = "lms_feed_tables_written"
_COMMITTED = "lms_feed_tables_committed"
_DML = re.compile(r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+["`]?(\w+)', re.I)
_DDL = re.compile(r"\s*(?:CREATE|DROP|ALTER|TRUNCATE)\b", re.I)


class FeedGeneration:
    """The shared generation in Redis. Every method swallows Redis errors: a poll then
    asks the database, and a write still succeeds (its replacement is retried).

    A value read from Redis is trusted for ``TRUST_SECONDS``, counted from before it was
    asked for: a busy worker then asks Redis a few times a second instead of at every
    poll, and another worker's change reaches it at most that much later. This worker's
    own replacements count at once."""

    def __init__(self, url: str, key: str, trust_seconds: float = TRUST_SECONDS) -> None:
        self.key = key
        self.trust_seconds = trust_seconds
        self._client = redis.Redis.from_url(url, socket_timeout=0.5,
                                            socket_connect_timeout=0.5)
        self._pending = False
        self._known: tuple[bytes, float] | None = None  # (value, asked at)

    def current(self) -> bytes | None:
        """The current generation, or None when it cannot be trusted right now."""
        known = self._known
        if known is not None and time.monotonic() - known[1] < self.trust_seconds:
            return known[0]
        asked_at = time.monotonic()
        try:
            if self._pending:
                self._replace()
            value = self._get()
            if value is None:  # a new (or emptied) Redis: start a generation
                self._client.set(self.key, secrets.token_hex(16), nx=True)
                value = self._get()
        except redis.RedisError as error:
            log.warning("feed generation unavailable, polls ask the database: %s", error)
            return None
        known = self._known
        if value is not None and (known is None or known[1] <= asked_at):
            self._known = (value, asked_at)  # (a later read or replacement wins)
        return value

    def _get(self) -> bytes | None:
        # (redis-py types a synchronous client's answers as "maybe awaitable")
        return cast("bytes | None", self._client.get(self.key))

    def replace(self) -> None:
        """After a commit that changed what feeds show."""
        try:
            self._replace()
        except redis.RedisError as error:
            self._known = None
            self._pending = True
            log.warning("feed generation not replaced, retried at the next poll: %s", error)

    def _replace(self) -> None:
        value = secrets.token_hex(16).encode()
        asked_at = time.monotonic()
        self._client.set(self.key, value)
        self._known = (value, asked_at)
        self._pending = False


def generation_key(database_url: str) -> str:
    """One generation per database: workers of one database share it, two databases on
    one Redis do not disturb each other (the URL itself is not stored)."""
    return "lms:feed-generation:" + hashlib.sha256(database_url.encode()).hexdigest()[:24]


def watch_writes(engine: Engine, tables: Collection[str], on_commit: Callable[[], None]) -> None:
    """Call ``on_commit`` once a connection that wrote one of ``tables`` (or changed the
    schema) and committed goes back to the pool."""
    watched = frozenset(name.lower() for name in tables)

    @event.listens_for(engine, "before_cursor_execute")
    def _statement(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        info = conn.info
        if info.get(_WRITTEN):
            return
        match = _DML.match(statement)
        if (match is not None and match.group(1).lower() in watched) or _DDL.match(statement):
            info[_WRITTEN] = True

    @event.listens_for(engine, "commit")
    def _commit(conn: Any) -> None:
        if conn.info.pop(_WRITTEN, False):
            conn.info[_COMMITTED] = True

    @event.listens_for(engine, "rollback")
    def _rollback(conn: Any) -> None:
        conn.info.pop(_WRITTEN, None)

    @event.listens_for(engine.pool, "checkin")
    def _checkin(_dbapi_connection: Any, record: Any) -> None:
        if record is None:
            return
        # (a write still flagged here ran without a transaction, or is being rolled back
        # by the pool: replacing once too often costs one database poll per feed)
        committed = record.info.pop(_COMMITTED, False)
        written = record.info.pop(_WRITTEN, False)
        if committed or written:
            on_commit()


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class _Remembered(Generic[T]):
    generation: bytes
    since: float
    answer: T


class RecentAnswers(LRU[str, _Remembered[T]]):
    """Per worker: the last answer for each token hash, valid for one generation and at
    most ``MAX_AGE`` seconds."""

    def __init__(self, size: int = 2048) -> None:
        super().__init__(size)

    def answer(self, key: str, generation: bytes) -> T | None:
        remembered = self.get(key, lambda r: r.generation == generation
                              and time.monotonic() - r.since <= MAX_AGE)
        return remembered.answer if remembered is not None else None

    def remember(self, key: str, generation: bytes, answer: T) -> None:
        self.put(key, _Remembered(generation, time.monotonic(), answer))


def init_app(app: Any) -> None:
    """With ``LMS_REDIS_URL`` set: the shared generation, and the watch on every write
    to the tables feeds read."""
    url = app.config.get("LMS_REDIS_URL")
    if not url:
        return
    from lms.extensions import db
    from lms.ical.version import feed_tables

    with app.app_context():
        engine = db.engine
        store = FeedGeneration(url, generation_key(engine.url.render_as_string()))
        watch_writes(engine, feed_tables(), store.replace)
    app.extensions[EXTENSION] = store
