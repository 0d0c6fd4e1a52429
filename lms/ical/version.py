"""The feed behind a token, and the cheap data version that decides its ETag.

Hundreds of calendar programs poll every few minutes, and almost every poll finds
nothing changed. A poll the shared generation cannot answer (:mod:`lms.ical.freshness`)
runs one SQL statement (token lookup and version in one), then answers 304 or serves
cached bytes; only a changed feed is read and built again.

The version is a string of aggregates over what the feed shows: number, ids and
SEQUENCE sum of its meetings and deadlines and their newest change, and the newest
change to the names that appear in the events (lecturers, cohorts, courses, modules).
A move, a cancellation, a meeting added or removed, a withdrawal or a renamed module
changes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlalchemy.sql import visitors

from lms.accounts.models import Locale, TitleForm, User
from lms.assignments.models import Assignment
from lms.cohorts.models import Cohort
from lms.curriculum.models import Course, Module
from lms.db import AnySelect
from lms.extensions import db
from lms.ical.models import CalendarFeed, FeedScope
from lms.ical.queries import (
    feed_cohort_ids,
    hash_feed_token,
    looks_like_token,
    taught_meeting_ids,
)
from lms.schedule.models import Meeting, meeting_lecturer


@dataclass(frozen=True, slots=True)
class FeedState:
    """A live feed found by its token, with the version of the data it shows."""

    feed_id: int
    token_hash: str
    scope: FeedScope
    user_id: int | None
    cohort_id: int | None
    locale: str
    title_form: str
    version: str

    @property
    def target(self) -> tuple[str, int | None]:
        """Whose schedule: the same for every (rotated) URL of one person or cohort."""
        return (self.scope.value, self.user_id if self.scope == FeedScope.PERSONAL
                else self.cohort_id)


_TOKEN_SENTINEL = "0" * 64


def _state_select() -> AnySelect:
    """The feed row is a CTE, and so are the feed's cohorts and meetings, so that each
    table is read once. Both scopes share the SQL: a cohort feed has no user, a personal
    feed no cohort, so the other half selects nothing."""
    owner = aliased(User, name="owner")
    feed = (
        sa.select(CalendarFeed.id, CalendarFeed.scope, CalendarFeed.user_id,
                  CalendarFeed.cohort_id, owner.locale, owner.title_form)
        .outerjoin(owner, owner.id == CalendarFeed.user_id)
        .where(
            CalendarFeed.token_hash == sa.bindparam("token_hash", _TOKEN_SENTINEL),
            CalendarFeed.revoked_at.is_(None),
            sa.or_(CalendarFeed.scope == FeedScope.COHORT.value,
                   owner.is_active_account.is_(True)),
        )
        .cte("live_feed")
    )
    user_id = sa.select(feed.c.user_id).scalar_subquery()
    cohorts = feed_cohort_ids(user_id, sa.select(feed.c.cohort_id).scalar_subquery())
    cohort_ids = sa.select(cohorts.cte("feed_cohorts").c[0])
    meetings = (
        sa.select(Meeting.id, Meeting.ical_sequence, Meeting.updated_at)
        .where(sa.or_(Meeting.cohort_id.in_(cohort_ids),
                      Meeting.id.in_(taught_meeting_ids(user_id))))
        .cte("feed_meetings")
    )
    meeting_stats = sa.select(
        sa.func.count(), sa.func.coalesce(sa.func.sum(meetings.c.id), 0),
        sa.func.coalesce(sa.func.sum(meetings.c.ical_sequence), 0),
        sa.func.max(meetings.c.updated_at),
    ).subquery("meeting_stats")
    deadline_stats = sa.select(
        sa.func.count(Assignment.id), sa.func.coalesce(sa.func.sum(Assignment.id), 0),
        sa.func.max(Assignment.updated_at),
    ).where(Assignment.due_at.is_not(None), Assignment.cohort_id.in_(cohort_ids)
            ).subquery("deadline_stats")
    lecturers = (
        sa.select(sa.func.max(User.updated_at))
        .where(User.id.in_(sa.select(meeting_lecturer.c.user_id).where(
            meeting_lecturer.c.meeting_id.in_(sa.select(meetings.c.id)))))
        .scalar_subquery()
    )
    aggregates = [
        *meeting_stats.c, *deadline_stats.c, lecturers,
        *(sa.select(sa.func.max(table.updated_at)).scalar_subquery()
          for table in (Cohort, Course, Module)),
    ]
    # One text column instead of eleven: the version is only ever compared, and every
    # result column costs SQLAlchemy more than the database.
    version: sa.ColumnElement[str] = sa.literal("v")
    for aggregate in aggregates:
        version = version + "|" + sa.func.coalesce(sa.cast(aggregate, sa.String), "")
    return (
        sa.select(feed.c.id, feed.c.scope, feed.c.user_id, feed.c.cohort_id, feed.c.locale,
                  feed.c.title_form, version)
        .select_from(feed)
        .join(meeting_stats, sa.true())
        .join(deadline_stats, sa.true())
    )


@cache
def _driver_sql(dialect_name: str, paramstyle: str) -> str:
    """The statement as the database driver's own SQL, rendered once per dialect.

    Executed with ``exec_driver_sql``: SQLAlchemy then skips building a cache key for a
    large expression and processing each column on every poll, which together cost more
    than the query itself. The version's values are compared, never interpreted, so the
    driver's raw values (datetimes as text on SQLite) serve as well."""
    dialect = db.engine.dialect
    if dialect.name != dialect_name:
        raise RuntimeError(f"expected the {dialect_name} dialect, not {dialect.name}")
    sql = str(_state_select().compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    literal = f"'{_TOKEN_SENTINEL}'"
    if sql.count(literal) != 1:
        raise RuntimeError("the feed statement must name the token exactly once")
    if paramstyle in ("format", "pyformat"):
        sql = sql.replace("%", "%%")
    placeholder = {"qmark": "?", "format": "%s", "pyformat": "%(token_hash)s",
                   "named": ":token_hash", "numeric": ":1"}[paramstyle]
    return sql.replace(literal, placeholder)


def find_feed_state(token: str, default_locale: str) -> FeedState | None:
    """The live feed behind ``token`` with its data version, or None for an unknown,
    revoked or malformed token (or an owner whose account was deactivated)."""
    if not looks_like_token(token):
        return None
    with db.engine.connect() as connection:
        return read_feed_state(hash_feed_token(token), default_locale, connection)


def read_feed_state(token_hash: str, default_locale: str,
                    connection: sa.Connection) -> FeedState | None:
    """One statement on ``connection`` (for a poll: the snapshot the rows are read from
    next, see :func:`lms.ical.feeds.answer_from_database`)."""
    dialect = connection.dialect
    sql = _driver_sql(dialect.name, dialect.paramstyle)
    params: Any = ({"token_hash": token_hash} if dialect.paramstyle in ("pyformat", "named")
                   else (token_hash,))
    row = connection.exec_driver_sql(sql, params).first()
    return _state_from_row(row, token_hash, default_locale)


def _state_from_row(row: Any, token_hash: str, default_locale: str) -> FeedState | None:
    if row is None:
        return None
    feed_id, scope, user_id, cohort_id, locale, title_form, version = row
    if scope == FeedScope.COHORT.value:
        locale, title_form = default_locale, TitleForm.NEUTRAL.value
    return FeedState(
        feed_id=feed_id, token_hash=token_hash, scope=FeedScope(scope), user_id=user_id,
        cohort_id=cohort_id, locale=str(Locale(locale)), title_form=str(TitleForm(title_form)),
        version=version,
    )


@cache
def feed_tables() -> frozenset[str]:
    """Every table a feed's answer is read from: the tables named in the version
    statement and in the content statements of every kind of feed. A write to any of
    them may change a feed (:mod:`lms.ical.freshness`)."""
    from lms.ical.queries import feed_statements

    statements = [_state_select(), *feed_statements()]
    return frozenset(
        element.name for statement in statements
        for element in visitors.iterate(statement, {}) if isinstance(element, sa.Table)
    )
