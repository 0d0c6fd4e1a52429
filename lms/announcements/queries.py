"""Reads of announcements: what a participant's start page shows, the lists, who gets
the mail."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from lms.accounts.models import User
from lms.announcements.models import Announcement
from lms.cohorts.models import Cohort, Enrollment, EnrollmentStatus
from lms.extensions import db
from lms.schedule.models import Meeting, meeting_lecturer

# Who an announcement reaches: the cohort's participants who take part (or have completed).
RECIPIENT_ENROLLMENT = (EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED)


def _select(cohort_ids: Iterable[int]) -> sa.Select[Announcement]:
    return (sa.select(Announcement)
            .where(Announcement.cohort_id.in_(list(cohort_ids)))
            .options(selectinload(Announcement.author), selectinload(Announcement.cohort),
                     selectinload(Announcement.meeting).selectinload(Meeting.module))
            .order_by(Announcement.created_at.desc(), Announcement.id.desc()))


def list_announcements(cohort_ids: Iterable[int]) -> list[Announcement]:
    """Every announcement to these cohorts, the newest first."""
    return list(db.session.scalars(_select(cohort_ids)))


def current_announcements(cohort_ids: Iterable[int], now: datetime) -> list[Announcement]:
    """What the start page shows: the announcements that have not expired."""
    return list(db.session.scalars(_select(cohort_ids).where(Announcement.expires_at > now)))


def recipients(cohort: Cohort) -> list[User]:
    """The participants an announcement to ``cohort`` is mailed to (active accounts)."""
    return list(db.session.scalars(
        sa.select(User).join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.cohort_id == cohort.id,
               Enrollment.status.in_(RECIPIENT_ENROLLMENT), User.is_active_account.is_(True))
        .order_by(User.id)))


def taught_cohorts(user: User) -> list[Cohort]:
    """The cohorts ``user`` teaches a meeting in (a lecturer announces to these), newest
    first."""
    taught = sa.select(Meeting.cohort_id).join(
        meeting_lecturer, meeting_lecturer.c.meeting_id == Meeting.id).where(
        meeting_lecturer.c.user_id == user.id)
    return list(db.session.scalars(
        sa.select(Cohort).where(Cohort.id.in_(taught), Cohort.archived_at.is_(None))
        .options(selectinload(Cohort.company))
        .order_by(Cohort.starts_on.desc(), Cohort.id.desc())))
