"""Reads of the schedule."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from lms.accounts.models import User
from lms.attendance.queries import MarkingProgress, marking_progress
from lms.cohorts.models import Cohort
from lms.extensions import db
from lms.schedule.models import Block, Meeting, MeetingStatus, meeting_lecturer


@dataclass(frozen=True)
class LecturerAgenda:
    today: list[Meeting]
    upcoming: list[Meeting]
    past: list[Meeting]  # every earlier meeting, newest first
    # Earlier meetings whose attendance is not complete yet (newest first), and how far
    # each meeting's marking has got.
    incomplete: list[Meeting] = field(default_factory=list)
    progress: dict[int, MarkingProgress] = field(default_factory=dict)

    @property
    def complete_past(self) -> list[Meeting]:
        return [m for m in self.past if m not in self.incomplete]


def list_cohort_meetings(cohort_ids: list[int]) -> list[Meeting]:
    if not cohort_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(Meeting)
            .where(Meeting.cohort_id.in_(cohort_ids))
            .options(
                selectinload(Meeting.module),
                selectinload(Meeting.lecturers),
                selectinload(Meeting.cohort).selectinload(Cohort.course),
            )
            .order_by(Meeting.starts_at, Meeting.id)
        )
    )


def next_meetings(cohort_ids: list[int], now: datetime, limit: int) -> list[Meeting]:
    """The next ``limit`` meetings of these cohorts that have not ended yet (one that is
    running first), with module and lecturers: one query, however long the schedule.
    Their cohorts are the caller's (already loaded)."""
    if not cohort_ids:
        return []
    return list(db.session.scalars(_next_meetings(), {"cohort_ids": cohort_ids, "now": now,
                                                      "limit": limit}).unique())


@cache
def _next_meetings() -> sa.Select[Meeting]:
    """Built once (the participant's start page runs it on every request)."""
    return (
        sa.select(Meeting)
        .where(Meeting.cohort_id.in_(sa.bindparam("cohort_ids", expanding=True)),
               Meeting.ends_at >= sa.bindparam("now", type_=Meeting.ends_at.type))
        # one statement, with or without meetings ahead (the lecturers' names only)
        .options(joinedload(Meeting.module), joinedload(Meeting.lecturers).lazyload(User.roles))
        .order_by(Meeting.starts_at, Meeting.id)
        .limit(sa.bindparam("limit"))
    )


def list_lecturer_meetings(user: User) -> list[Meeting]:
    """Every meeting ``user`` teaches, across cohorts, in time order, with what the pages
    show of each (module, lecturers, cohort with course and company)."""
    return list(db.session.scalars(
        sa.select(Meeting)
        .join(meeting_lecturer, meeting_lecturer.c.meeting_id == Meeting.id)
        .where(meeting_lecturer.c.user_id == user.id)
        .options(
            selectinload(Meeting.module),
            selectinload(Meeting.lecturers),
            selectinload(Meeting.cohort).selectinload(Cohort.course),
            selectinload(Meeting.cohort).selectinload(Cohort.company),
        )
        .order_by(Meeting.starts_at, Meeting.id)
    ))


def lecturer_agenda(user: User, now: datetime) -> LecturerAgenda:
    """The meetings a lecturer teaches across cohorts: today's (in each cohort's time
    zone), then upcoming, then past (newest first), with the past meetings whose
    attendance is still incomplete picked out."""
    meetings = list_lecturer_meetings(user)
    today, upcoming, past = [], [], []
    for meeting in meetings:
        zone = ZoneInfo(meeting.cohort.timezone)
        local_today = now.astimezone(zone).date()
        if meeting.starts_at.astimezone(zone).date() == local_today:
            today.append(meeting)
        elif meeting.starts_at > now:
            upcoming.append(meeting)
        else:
            past.append(meeting)
    past.reverse()
    progress = marking_progress(meetings)
    incomplete = [m for m in past if not m.is_cancelled and not progress[m.id].complete]
    return LecturerAgenda(today=today, upcoming=upcoming, past=past, incomplete=incomplete,
                          progress=progress)


def teaching_minutes(meetings: list[Meeting]) -> int:
    return sum(m.duration_minutes for m in meetings if not m.is_cancelled)


@dataclass(frozen=True)
class LecturerLoad:
    """A lecturer's teaching across cohorts, for contracts: scheduled, not cancelled."""

    user: User
    meetings: int
    minutes: int
    cohorts: int


def list_lecturer_loads() -> list[LecturerLoad]:
    """Every lecturer with their teaching totals, in two queries."""
    from lms.accounts.models import Role, UserRole

    lecturers = db.session.scalars(
        sa.select(User).join(UserRole).where(UserRole.role == Role.LECTURER)
        .options(selectinload(User.lecturer_profile))
    ).all()
    rows: Sequence[tuple[int, datetime, datetime, int]] = db.session.execute(
        sa.select(meeting_lecturer.c.user_id, Meeting.starts_at, Meeting.ends_at,
                  Meeting.cohort_id)
        .join(Meeting, Meeting.id == meeting_lecturer.c.meeting_id)
        .where(Meeting.status != MeetingStatus.CANCELLED)
    ).all()
    totals: dict[int, list[Any]] = {}  # meetings, minutes, cohort ids
    for user_id, starts_at, ends_at, cohort_id in rows:
        entry = totals.setdefault(user_id, [0, 0, set()])
        entry[0] += 1
        entry[1] += int((ends_at - starts_at).total_seconds() // 60)
        entry[2].add(cohort_id)
    from lms.i18n import sort_key

    return sorted(
        (LecturerLoad(u, totals.get(u.id, [0])[0], totals.get(u.id, [0, 0])[1],
                      len(totals.get(u.id, [0, 0, set()])[2])) for u in lecturers),
        key=lambda load: sort_key(load.user.last_name, load.user.first_name),
    )


def get_block(block_id: int) -> Block | None:
    return db.session.get(Block, block_id)
