"""What each calendar feed holds.

The rows for a build are read in a fixed number of queries, whatever the number of
meetings, as plain values (no ORM objects): a rebuild should cost little more than the
icalendar library itself. The data version polled on every request is in
:mod:`lms.ical.version`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from lms.accounts.models import Role, TitleForm, User, UserRole
from lms.assignments.models import Assignment
from lms.cohorts.models import VISIBLE_ENROLLMENT, Cohort, Enrollment, cohort_contact
from lms.curriculum.models import Course, Module
from lms.db import AnyCompoundSelect, AnySelect
from lms.extensions import db
from lms.ical.models import CalendarFeed, FeedScope
from lms.schedule.models import Meeting, MeetingStatus, meeting_lecturer

TOKEN_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def hash_feed_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def looks_like_token(token: str) -> bool:
    """Tokens are url-safe base64 of at least 32 random bytes; anything else is not one."""
    return 43 <= len(token) <= 128 and set(token) <= TOKEN_ALPHABET


# --------------------------------------------------------------------------- scope


# An id, or the parameter (or column) standing for it in a statement built once.
IdOrParameter = int | sa.ColumnElement[int] | None


def feed_cohort_ids(user_id: IdOrParameter, cohort_id: IdOrParameter) -> AnyCompoundSelect:
    """Cohorts whose whole schedule a feed shows. A cohort feed (``user_id`` None): its
    cohort. A person's feed (``cohort_id`` None): where they are enrolled (not withdrawn),
    company contact, or coordinator in charge (while they hold the coordinator role).
    The arguments are values or SQL expressions."""
    is_coordinator = sa.exists().where(UserRole.user_id == user_id,
                                       UserRole.role == Role.COORDINATOR)
    return sa.union(
        sa.select(Enrollment.cohort_id).where(Enrollment.user_id == user_id,
                                              Enrollment.status.in_(VISIBLE_ENROLLMENT)),
        sa.select(cohort_contact.c.cohort_id).where(cohort_contact.c.user_id == user_id),
        sa.select(Cohort.id).where(Cohort.coordinator_id == user_id, is_coordinator),
        sa.select(Cohort.id).where(Cohort.id == cohort_id),
    )


def taught_meeting_ids(user_id: IdOrParameter) -> AnySelect:
    return sa.select(meeting_lecturer.c.meeting_id).where(meeting_lecturer.c.user_id == user_id)


def meeting_filter(scope: FeedScope, user_id: IdOrParameter,
                   cohort_id: IdOrParameter) -> sa.ColumnElement[bool]:
    """The meetings of a feed: a cohort's, or a person's cohorts' and those they teach."""
    if scope == FeedScope.COHORT:
        return Meeting.cohort_id == cohort_id
    return sa.or_(Meeting.cohort_id.in_(feed_cohort_ids(user_id, None)),
                  Meeting.id.in_(taught_meeting_ids(user_id)))


def deadline_filter(scope: FeedScope, user_id: IdOrParameter,
                    cohort_id: IdOrParameter) -> sa.ColumnElement[bool]:
    """Deadlines (assignments with a due date) of the cohorts a feed shows in full.
    A lecturer's teaching calendar holds meetings only."""
    if scope == FeedScope.COHORT:
        return sa.and_(Assignment.due_at.is_not(None), Assignment.cohort_id == cohort_id)
    return sa.and_(Assignment.due_at.is_not(None),
                   Assignment.cohort_id.in_(feed_cohort_ids(user_id, None)))


# --------------------------------------------------------------------------- content


@dataclass(frozen=True, slots=True)
class MeetingRow:
    """What one VEVENT shows of a meeting: plain values, read without the ORM."""

    id: int
    uid: str
    sequence: int
    cancelled: bool
    cancelled_reason: str
    starts_at: datetime
    ends_at: datetime
    created_at: datetime
    updated_at: datetime
    title: str
    location: str
    online_url: str
    module_number: int
    module_title: str
    module_title_en: str
    course_title: str
    course_title_en: str
    cohort_id: int
    cohort_name: str
    timezone: str
    lecturers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DeadlineRow:
    id: int
    title: str
    due_at: datetime
    created_at: datetime
    updated_at: datetime
    module_number: int | None
    module_title: str | None
    module_title_en: str | None
    course_title: str
    course_title_en: str
    cohort_id: int
    cohort_name: str
    timezone: str


@dataclass(frozen=True, slots=True)
class CohortInfo:
    id: int
    name: str
    timezone: str
    course_title: str
    course_title_en: str


_MEETING_COLUMNS = (
    Meeting.id, Meeting.ical_uid, Meeting.ical_sequence, Meeting.status,
    Meeting.cancelled_reason, Meeting.starts_at, Meeting.ends_at, Meeting.created_at,
    Meeting.updated_at, Meeting.title, Meeting.location, Meeting.online_url,
    Module.number, Module.title, Module.title_en,
)


def _course_title_column(title_form: str) -> Any:
    return {TitleForm.FEMALE.value: Course.title_female,
            TitleForm.MALE.value: Course.title_male}.get(title_form, Course.title_neutral)


def _meeting_selects(condition: sa.ColumnElement[bool],
                     title_form: str) -> tuple[AnySelect, AnySelect]:
    rows = (
        sa.select(*_MEETING_COLUMNS, _course_title_column(title_form), Course.title_en,
                  Cohort.id, Cohort.name, Cohort.timezone)
        .join(Module, Module.id == Meeting.module_id)
        .join(Cohort, Cohort.id == Meeting.cohort_id)
        .join(Course, Course.id == Cohort.course_id)
        .where(condition)
        .order_by(Meeting.starts_at, Meeting.id)
    )
    names = (
        sa.select(meeting_lecturer.c.meeting_id, User.first_name, User.last_name)
        .join(User, User.id == meeting_lecturer.c.user_id)
        .where(meeting_lecturer.c.meeting_id.in_(sa.select(Meeting.id).where(condition)))
        .order_by(User.last_name, User.first_name)
    )
    return rows, names


def _meeting_rows(rows_select: AnySelect, names_select: AnySelect,
                  params: dict[str, Any]) -> list[MeetingRow]:
    rows: Sequence[tuple[Any, ...]] = db.session.execute(rows_select, params).all()
    if not rows:
        return []
    names: dict[int, list[str]] = {}
    lecturers: Sequence[tuple[int, str, str]] = db.session.execute(names_select, params).all()
    for meeting_id, first, last in lecturers:
        names.setdefault(meeting_id, []).append(f"{first} {last}")
    return [
        _meeting_row(row, tuple(names.get(row[0], ())))
        for row in rows
    ]


def _meeting_row(row: tuple[Any, ...], lecturers: tuple[str, ...]) -> MeetingRow:
    """A meeting's columns (``_MEETING_COLUMNS``, then course, cohort and zone) as a
    MeetingRow: the status as "cancelled", the lecturers' names last."""
    values: tuple[Any, ...] = (*row[:3], row[3] == MeetingStatus.CANCELLED, *row[4:], lecturers)
    return MeetingRow(*values)


def load_meeting_rows(condition: sa.ColumnElement[bool],
                      title_form: str = TitleForm.NEUTRAL.value) -> list[MeetingRow]:
    """Meetings matching ``condition`` with module, course, cohort and lecturer names, in
    two queries. The course title is given in the reader's chosen form."""
    return _meeting_rows(*_meeting_selects(condition, title_form), {})


def _deadline_select(condition: sa.ColumnElement[bool], title_form: str) -> AnySelect:
    return (
        sa.select(Assignment.id, Assignment.title, Assignment.due_at, Assignment.created_at,
                  Assignment.updated_at, Module.number, Module.title, Module.title_en,
                  _course_title_column(title_form), Course.title_en,
                  Cohort.id, Cohort.name, Cohort.timezone)
        .join(Cohort, Cohort.id == Assignment.cohort_id)
        .join(Course, Course.id == Cohort.course_id)
        .outerjoin(Module, Module.id == Assignment.module_id)
        .where(condition)
        .order_by(Assignment.due_at, Assignment.id)
    )


_COHORT_INFO = (
    sa.select(Cohort.id, Cohort.name, Cohort.timezone, Course.title_neutral, Course.title_en)
    .join(Course, Course.id == Cohort.course_id)
    .where(Cohort.id == sa.bindparam("cohort_id", type_=sa.Integer))
)


def load_cohort_info(cohort_id: int) -> CohortInfo | None:
    row = db.session.execute(_COHORT_INFO, {"cohort_id": cohort_id}).first()
    return CohortInfo(*row) if row is not None else None


@dataclass(frozen=True)
class FeedContent:
    meetings: list[MeetingRow]
    deadlines: list[DeadlineRow]
    cohort: CohortInfo | None  # the cohort of a cohort feed


@dataclass(frozen=True)
class _FeedSelects:
    meetings: AnySelect
    lecturers: AnySelect
    deadlines: AnySelect
    last_change: AnySelect


@cache
def _feed_selects(scope: FeedScope, title_form: str) -> _FeedSelects:
    """A feed's statements, built once per kind of feed with its ids as parameters:
    building SQLAlchemy expressions anew for every rebuild costs more than running them."""
    user_id = sa.bindparam("user_id", type_=sa.Integer)
    cohort_id = sa.bindparam("cohort_id", type_=sa.Integer)
    meetings = meeting_filter(scope, user_id, cohort_id)
    rows, names = _meeting_selects(meetings, title_form)
    lecturers = sa.select(sa.func.max(User.updated_at)).where(User.id.in_(
        sa.select(meeting_lecturer.c.user_id).where(
            meeting_lecturer.c.meeting_id.in_(sa.select(Meeting.id).where(meetings)))))
    stamps = sa.select(*(query.scalar_subquery() for query in (
        sa.select(sa.func.max(Meeting.updated_at)),
        sa.select(sa.func.max(Assignment.updated_at)),
        sa.select(sa.func.max(Cohort.updated_at)),
        sa.select(sa.func.max(Course.updated_at)),
        sa.select(sa.func.max(Module.updated_at)),
        sa.select(sa.func.max(Enrollment.updated_at)).where(Enrollment.user_id == user_id),
        lecturers,
    )))
    return _FeedSelects(rows, names,
                        _deadline_select(deadline_filter(scope, user_id, cohort_id), title_form),
                        stamps)


def feed_statements() -> list[AnySelect]:
    """Every statement a feed's content is read with, for each kind of feed."""
    statements: list[AnySelect] = [_COHORT_INFO]
    for scope in FeedScope:
        selects = _feed_selects(scope, TitleForm.NEUTRAL.value)
        statements += [selects.meetings, selects.lecturers, selects.deadlines,
                       selects.last_change]
    return statements


def load_feed_content(scope: FeedScope, user_id: int | None, cohort_id: int | None,
                      title_form: str = TitleForm.NEUTRAL.value) -> FeedContent:
    """Everything a feed shows, in at most four queries."""
    selects = _feed_selects(scope, title_form)
    params = {"user_id": user_id, "cohort_id": cohort_id}
    meetings = _meeting_rows(selects.meetings, selects.lecturers, params)
    rows: Sequence[tuple[Any, ...]] = db.session.execute(selects.deadlines, params).all()
    deadlines = [DeadlineRow(*row) for row in rows]
    cohort = load_cohort_info(cohort_id) if scope == FeedScope.COHORT and cohort_id else None
    return FeedContent(meetings, deadlines, cohort)


def last_change(scope: FeedScope, user_id: int | None, cohort_id: int | None) -> datetime | None:
    """Last-Modified of a feed: the newest change to anything it shows, and to anything
    that may just have left it (a withdrawal touches the enrollment; an unassigned
    lecturer or a cleared due date touches a meeting or assignment that is no longer in
    the feed, so those are taken over all meetings and assignments). Never earlier than
    the data: an If-Modified-Since answered 304 is always right."""
    stamps = db.session.execute(_feed_selects(scope, TitleForm.NEUTRAL.value).last_change,
                                {"user_id": user_id, "cohort_id": cohort_id}).one()
    return max((s for s in stamps if s is not None), default=None)


def load_single_meeting(meeting_id: int,
                        title_form: str = TitleForm.NEUTRAL.value) -> MeetingRow | None:
    rows = load_meeting_rows(Meeting.id == meeting_id, title_form)
    return rows[0] if rows else None


# --------------------------------------------------------------------------- management


def list_active_feeds(*, user: User | None = None,
                      cohort_ids: Sequence[int] | None = None) -> list[CalendarFeed]:
    """The live feeds of a person (personal) or of cohorts (cohort feeds)."""
    query = sa.select(CalendarFeed).where(CalendarFeed.revoked_at.is_(None))
    if user is not None:
        query = query.where(CalendarFeed.scope == FeedScope.PERSONAL,
                            CalendarFeed.user_id == user.id)
    if cohort_ids is not None:
        if not cohort_ids:
            return []
        query = query.where(CalendarFeed.scope == FeedScope.COHORT,
                            CalendarFeed.cohort_id.in_(cohort_ids))
    return list(db.session.scalars(query.order_by(CalendarFeed.created_at.desc())))


def describe_personal_feed(user: User) -> dict[str, int]:
    """How many meetings and deadlines a person's feed holds, for the subscribe page."""
    meetings = meeting_filter(FeedScope.PERSONAL, user.id, None)
    deadlines = deadline_filter(FeedScope.PERSONAL, user.id, None)
    row = db.session.execute(sa.select(
        sa.select(sa.func.count(Meeting.id)).where(meetings).scalar_subquery(),
        sa.select(sa.func.count(Assignment.id)).where(deadlines).scalar_subquery(),
    )).one()
    return {"meetings": row[0], "deadlines": row[1]}


@dataclass(frozen=True)
class CohortFeedRow:
    cohort: Cohort
    active_since: datetime | None


def list_cohort_feeds() -> list[CohortFeedRow]:
    """Every cohort with the date its company feed was made (None without one), newest
    cohorts first, for the coordinator's overview, in three queries."""
    active_since = (
        sa.select(sa.func.max(CalendarFeed.created_at))
        .where(CalendarFeed.scope == FeedScope.COHORT, CalendarFeed.cohort_id == Cohort.id,
               CalendarFeed.revoked_at.is_(None))
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(Cohort, active_since)
        .options(selectinload(Cohort.company), selectinload(Cohort.course))
        .order_by(Cohort.starts_on.desc(), Cohort.name)
    ).all()
    return [CohortFeedRow(cohort, since) for cohort, since in rows]
