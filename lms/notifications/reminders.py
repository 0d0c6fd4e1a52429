"""Reminders sent by ``lms notify`` (run by cron): deadlines coming up, grades published,
attendance below or near the minimum, a module's evaluation that has opened.

Each reminder has a key; a row in ``notification_log`` claims it with INSERT ... ON
CONFLICT DO NOTHING, so that a reminder is sent once however often (or however many
times at once) the command runs. A reminder whose mail fails is not claimed and is
tried again next time. The sending is a job (``reminders``, :func:`send_reminders`):
``lms notify`` queues it for a worker, or runs it at once without Redis.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from lms.accounts.models import User
from lms.assignments.models import Assignment, Grade, Submission
from lms.certificates.queries import cohort_progress
from lms.certificates.standing import Standing
from lms.cohorts.models import Cohort, Enrollment, EnrollmentStatus
from lms.curriculum.models import AssessmentKind
from lms.db import insert_on_conflict, utcnow
from lms.errors import DomainError
from lms.extensions import db
from lms.jobs.models import BackgroundJob
from lms.jobs.operations import advance, set_total
from lms.notifications.models import NotificationLog

DEADLINE_AHEAD = timedelta(days=3)
# Grades published longer ago than this are not announced any more (e.g. on a first run).
GRADE_NEWS = timedelta(days=14)


@dataclass(frozen=True)
class Reminder:
    kind: str
    key: str
    user: User
    template: str
    context: dict[str, Any] = field(default_factory=dict)


def due_reminders(now: datetime) -> Iterator[Reminder]:
    """Every reminder that is due now, whether or not it was sent already."""
    yield from _deadline_reminders(now)
    yield from _grade_reminders(now)
    yield from _attendance_reminders(now)
    yield from _evaluation_invitations(now)


def already_sent(reminder: Reminder) -> bool:
    return db.session.scalar(
        sa.select(sa.exists().where(NotificationLog.kind == reminder.kind,
                                    NotificationLog.key == reminder.key))
    ) or False


def claim(reminder: Reminder, now: datetime) -> bool:
    """Record that ``reminder`` is being sent; False when another run has it already."""
    stmt = (
        insert_on_conflict(db.session, NotificationLog)
        .values(kind=reminder.kind, key=reminder.key, user_id=reminder.user.id, sent_at=now)
        .on_conflict_do_nothing(index_elements=["kind", "key"])
        .returning(NotificationLog.id)
    )
    return db.session.scalar(stmt) is not None


def _deadline_reminders(now: datetime) -> Iterator[Reminder]:
    assignments = db.session.scalars(
        sa.select(Assignment)
        .where(Assignment.kind == AssessmentKind.PAPER, Assignment.due_at > now,
               Assignment.due_at <= now + DEADLINE_AHEAD)
        .options(selectinload(Assignment.cohort), selectinload(Assignment.module))
    ).all()
    if not assignments:
        return
    handed_in = {
        (row.assignment_id, row.enrollment_id) for row in db.session.execute(
            sa.select(Submission.assignment_id, Submission.enrollment_id)
            .where(Submission.assignment_id.in_([a.id for a in assignments])).distinct())
    }
    enrollments = db.session.scalars(
        sa.select(Enrollment)
        .where(Enrollment.cohort_id.in_({a.cohort_id for a in assignments}),
               Enrollment.status == EnrollmentStatus.ACTIVE)
        .options(selectinload(Enrollment.user))
    ).all()
    for assignment in assignments:
        due_at = assignment.due_at
        if due_at is None:  # (the query asked for one)
            continue
        for enrollment in enrollments:
            if enrollment.cohort_id != assignment.cohort_id:
                continue
            if (assignment.id, enrollment.id) in handed_in:
                continue
            yield Reminder(
                "deadline_reminder",
                f"assignment:{assignment.id}:enrollment:{enrollment.id}:"
                f"due:{due_at.isoformat()}",
                enrollment.user, "deadline_reminder",
                {"assignment": assignment, "cohort": assignment.cohort},
            )


def _grade_reminders(now: datetime) -> Iterator[Reminder]:
    grades = db.session.scalars(
        sa.select(Grade)
        .where(Grade.published_at.is_not(None), Grade.published_at >= now - GRADE_NEWS,
               Grade.published_at <= now)
        .options(selectinload(Grade.assignment).selectinload(Assignment.cohort),
                 selectinload(Grade.enrollment).selectinload(Enrollment.user))
    ).all()
    for grade in grades:
        published_at = grade.published_at
        if published_at is None or grade.enrollment.status == EnrollmentStatus.WITHDRAWN:
            continue  # (the query asked for published grades)
        yield Reminder(
            "grade_published", f"grade:{grade.id}:published:{published_at.isoformat()}",
            grade.enrollment.user, "grade_published",
            {"assignment": grade.assignment, "cohort": grade.assignment.cohort},
        )


# The attendance part of a participant's standing that is worth a mail, with the key
# word each reminder has been claimed under (kept, so that nothing is sent twice).
ATTENDANCE_WARNINGS = {Standing.AT_RISK: "near", Standing.OUT_OF_REACH: "below"}


def _attendance_reminders(now: datetime) -> Iterator[Reminder]:
    """Warn a participant (and the cohort's coordinator) whose attendance standing is at
    risk or out of reach, from the same evaluation the pages show; nobody whose standing
    is final (certified, confirmation, not completed, withdrawn) is warned."""
    today = now.date()
    cohorts = db.session.scalars(
        sa.select(Cohort)
        .where(Cohort.archived_at.is_(None), Cohort.starts_on <= today, Cohort.ends_on >= today)
        .options(selectinload(Cohort.coordinator), selectinload(Cohort.course))
    ).all()
    for cohort in cohorts:
        enrollments = db.session.scalars(
            sa.select(Enrollment)
            .where(Enrollment.cohort_id == cohort.id, Enrollment.status == EnrollmentStatus.ACTIVE)
            .options(selectinload(Enrollment.user))
        ).all()
        for progress in cohort_progress(cohort, now, list(enrollments)):
            result = progress.result
            risk = ATTENDANCE_WARNINGS.get(result.attendance_standing)
            if risk is None or result.standing.final:
                continue
            enrollment = progress.enrollment
            context = {"cohort": cohort, "summary": progress.facts.attendance,
                       "standing": result.attendance_standing,
                       "participant": enrollment.user}
            key = f"enrollment:{enrollment.id}:{risk}"
            yield Reminder("attendance_warning", key, enrollment.user, "attendance_warning",
                           context)
            if cohort.coordinator is not None:
                yield Reminder("attendance_warning_coordinator", key, cohort.coordinator,
                               "attendance_warning_coordinator", context)


class ReminderError(DomainError):
    """Some reminders could not be sent (the job tries them again)."""


def send_reminders(job: BackgroundJob) -> dict[str, int]:
    """The job behind ``lms notify``: send every due reminder not sent yet, each claimed
    and committed as it goes out. Those whose mail fails stay unclaimed; the job then
    fails, and its retry (or the next run) sends only them."""
    from lms.mail import MailError, send_to_user

    now = utcnow()
    due = [r for r in due_reminders(now) if not already_sent(r)]
    job.failed = 0
    set_total(job, len(due))
    db.session.commit()
    failed, last_error = 0, ""
    for reminder in due:
        if not claim(reminder, now):  # sent by another run meanwhile
            db.session.rollback()
            continue
        try:
            send_to_user(reminder.user, reminder.template, **reminder.context)
        except MailError as exc:
            db.session.rollback()  # not claimed: tried again
            failed, last_error = failed + 1, str(exc)
            continue
        advance(job)
        db.session.commit()
    if failed:
        job.failed = failed
        db.session.commit()
        raise ReminderError(f"{failed} of {len(due)} reminders could not be sent "
                            f"({last_error})")
    return {"sent": job.done}
def _evaluation_invitations(now: datetime) -> Iterator[Reminder]:
    """Ask each participant for their feedback once a module's evaluation has opened (its
    last meeting is over), unless they have answered already."""
    from lms.evaluation.notices import mail_context
    from lms.evaluation.queries import ASKED_ENROLLMENT, cohort_evaluations, has_answered

    today = now.date()
    cohorts = db.session.scalars(
        sa.select(Cohort)
        .where(Cohort.archived_at.is_(None), Cohort.starts_on <= today)
        .options(selectinload(Cohort.course))
    ).all()
    for cohort in cohorts:
        statuses = [s for s in cohort_evaluations(cohort, now) if s.is_open]
        if not statuses:
            continue
        enrollments = db.session.scalars(
            sa.select(Enrollment)
            .where(Enrollment.cohort_id == cohort.id, Enrollment.status.in_(ASKED_ENROLLMENT))
            .options(selectinload(Enrollment.user))
        ).all()
        for status in statuses:
            context = {**mail_context(status), "reminder": False}
            for enrollment in enrollments:
                if not enrollment.user.is_active or has_answered(status.evaluation, enrollment):
                    continue
                yield Reminder(
                    "evaluation_open",
                    f"evaluation:cohort:{cohort.id}:module:{status.module.id}:"
                    f"enrollment:{enrollment.id}",
                    enrollment.user, "evaluation_reminder", context)
