"""Reads of the schedule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from lms.accounts.models import User
from lms.cohorts.models import Cohort
from lms.extensions import db
from lms.schedule.models import Meeting, meeting_lecturer


@dataclass(frozen=True)
class LecturerAgenda:
    today: list[Meeting]
    upcoming: list[Meeting]
    past: list[Meeting]


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


def lecturer_agenda(user: User, now: datetime) -> LecturerAgenda:
    """The meetings a lecturer teaches across cohorts: today's (in each cohort's time
    zone), then upcoming, then past (newest first)."""
    meetings = db.session.scalars(
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
    ).all()
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
    return LecturerAgenda(today=today, upcoming=upcoming, past=past)


def teaching_minutes(meetings: list[Meeting]) -> int:
    return sum(m.duration_minutes for m in meetings if not m.is_cancelled)
