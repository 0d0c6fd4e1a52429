"""Serving a feed: never rebuild one whose data has not changed, and do not even ask
the database while nothing a feed reads has changed.

Three layers, each only a cache (every worker can build the same bytes from the
database, and a worker that restarts simply builds them again):

1. the last answer per token, valid while the shared generation in Redis is unchanged
   (:mod:`lms.ical.freshness`): one Redis GET, no SQL;
2. the data version (one SQL statement, :mod:`lms.ical.version`) decides the ETag, and
   the built bytes and their Last-Modified are kept per ETag in a small LRU;
3. only a version not seen yet is read and built, in the same snapshot as its version.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path

import icalendar
import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.http import http_date

from lms.db import utcnow
from lms.extensions import db
from lms.ical import build
from lms.ical.freshness import EXTENSION, FeedGeneration, RecentAnswers
from lms.ical.models import FeedScope
from lms.ical.queries import (
    DeadlineRow,
    FeedContent,
    MeetingRow,
    hash_feed_token,
    last_change,
    load_feed_content,
    looks_like_token,
)
from lms.ical.version import FeedState, read_feed_state
from lms.lru import LRU

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


@dataclass(frozen=True)
class RenderedFeed:
    body: bytes
    etag: str
    last_modified: datetime
    last_modified_http: str = field(init=False)  # the header value, formatted once

    def __post_init__(self) -> None:
        object.__setattr__(self, "last_modified_http", http_date(self.last_modified))


class FeedCache(LRU[str, RenderedFeed]):
    """Built feeds, keyed by ETag, with a count of builds (for tests and benchmarks)."""

    def __init__(self, size: int = 256) -> None:
        super().__init__(size)
        self.builds = 0

    def count_build(self) -> None:
        with self._lock:
            self.builds += 1

    def clear(self) -> None:
        super().clear()
        self.builds = 0


feed_cache = FeedCache()
recent_answers: RecentAnswers[RenderedFeed] = RecentAnswers()


@cache
def _code_stamp() -> str:
    """Changes when the builder, its library or the translations change, so that a new
    release never answers 304 with bytes an older release built."""
    digest = hashlib.sha256(icalendar.__version__.encode())
    digest.update(Path(build.__file__).read_bytes())
    for catalog in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.mo")):
        digest.update(catalog.read_bytes())
    return digest.hexdigest()


def feed_etag(state: FeedState, base_url: str) -> str:
    """A strong ETag: the same while the feed's data (and the code) stay the same."""
    key = repr((_code_stamp(), base_url, state.target, state.locale, state.title_form,
                state.version))
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:40] + '"'


def feed_answer(token: str, matches: Callable[[str], bool] = lambda etag: False
                ) -> RenderedFeed | str | None:
    """What a poll of ``token`` gets: the feed's bytes, ETag and Last-Modified, or None
    for an unknown, revoked or malformed token (or an owner no longer active).

    From this worker's memory while the shared generation says nothing a feed reads has
    changed (:mod:`lms.ical.freshness`); otherwise from the database, where the data
    version decides the ETag and the bytes are built only for a version not seen yet.
    When ``matches`` (the client's If-None-Match) accepts the ETag and no bytes are at
    hand, only the ETag is returned: a 304 needs no build."""
    if not looks_like_token(token):
        return None
    token_hash = hash_feed_token(token)
    store: FeedGeneration | None = current_app.extensions.get(EXTENSION)
    generation = store.current() if store is not None else None
    if generation is not None:
        remembered = recent_answers.answer(token_hash, generation)
        if remembered is not None:
            return remembered
    answer = answer_from_database(token_hash, matches)
    if isinstance(answer, RenderedFeed) and generation is not None:
        recent_answers.remember(token_hash, generation, answer)
    return answer


def answer_from_database(token_hash: str, matches: Callable[[str], bool] = lambda etag: False
                         ) -> RenderedFeed | str | None:
    """The version, and on a miss the rows, read in one snapshot of the database: the
    bytes cached under a version are exactly that version's."""
    config = current_app.config
    with read_snapshot() as connection:
        state = read_feed_state(token_hash, config["LMS_DEFAULT_LOCALE"], connection)
        if state is None:
            return None
        etag = feed_etag(state, config["LMS_BASE_URL"])
        rendered = feed_cache.get(etag)
        if rendered is None and matches(etag):
            return etag
        if rendered is None:
            rendered = build_rendered(state, etag, config["LMS_BASE_URL"],
                                      config["LMS_TIMEZONE"])
            feed_cache.put(etag, rendered)
        return rendered


def build_rendered(state: FeedState, etag: str, base_url: str,
                   default_timezone: str) -> RenderedFeed:
    """Rows and Last-Modified read (inside the caller's snapshot) and the feed built."""
    content = load_feed_content(state.scope, state.user_id, state.cohort_id, state.title_form)
    modified = last_change(state.scope, state.user_id, state.cohort_id) or utcnow()
    body = build_feed_body(state, content, base_url, default_timezone)
    feed_cache.count_build()
    return RenderedFeed(body, etag, modified.replace(microsecond=0))


@contextmanager
def read_snapshot() -> Iterator[sa.Connection]:
    """The session's connection in a read-only snapshot: every statement sees the same
    committed data (REPEATABLE READ on PostgreSQL; an explicit BEGIN on SQLite, whose
    driver would otherwise run each SELECT on its own). Inside a transaction the caller
    already holds, that transaction is used as it is.

    Ended with COMMIT, not ROLLBACK (nothing was written either way): psycopg forgets
    its prepared statements at a ROLLBACK, and the version statement is planned anew,
    several times slower, on every poll."""
    session = db.session()
    if session.in_transaction():
        yield session.connection()
        return
    if db.engine.dialect.name == "postgresql":
        connection = session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    else:
        connection = session.connection()
        raw = connection.connection.driver_connection
        if isinstance(raw, sqlite3.Connection) and not raw.in_transaction:
            connection.exec_driver_sql("BEGIN")
    try:
        yield connection
    except BaseException:
        session.rollback()
        raise
    session.commit()


def build_feed_body(state: FeedState, content: FeedContent, base_url: str,
                    default_timezone: str) -> bytes:
    with force_locale(state.locale):
        if content.cohort is not None:
            timezone = content.cohort.timezone
        else:
            timezone = build.main_timezone(content.meetings, default_timezone)
        return build.build_feed(
            content.meetings, content.deadlines, name=feed_name(state, content),
            timezone=timezone, base_url=base_url, english=state.locale == "en",
        )


def feed_name(state: FeedState, content: FeedContent) -> str:
    """NAME / X-WR-CALNAME: "course – cohort" when the feed shows one cohort."""
    english = state.locale == "en"
    cohort = content.cohort
    if cohort is not None:
        course = cohort.course_title_en if english else cohort.course_title
        return f"{course} – {cohort.name}"
    rows: list[MeetingRow | DeadlineRow] = [*content.meetings, *content.deadlines]
    cohorts = {(r.cohort_id, r.cohort_name, r.course_title_en if english else r.course_title)
               for r in rows}
    if state.scope == FeedScope.PERSONAL and len(cohorts) == 1:
        _id, name, course = next(iter(cohorts))
        return f"{course} – {name}"
    return _("TH Köln continuing education")
