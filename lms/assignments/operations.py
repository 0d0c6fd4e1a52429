"""Submissions and grades. Operations flush, never commit."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from lms.accounts.models import User
from lms.assignments.models import Assignment, Grade, Submission
from lms.audit.operations import record_event
from lms.cohorts.models import Enrollment
from lms.curriculum.models import GradingScheme
from lms.db import utcnow
from lms.extensions import db
from lms.storage import remove_stored, store_bytes


class AssignmentError(ValueError):
    """A submission or grade cannot be recorded; the message says why."""


def submit_file(
    assignment: Assignment,
    enrollment: Enrollment,
    filename: str,
    data: bytes,
    content_type: str,
    *,
    now: datetime | None = None,
) -> Submission:
    """Store a new version of a participant's work. If anything fails after the file was
    written, the file is removed again: nothing is half-stored."""
    if enrollment.cohort_id != assignment.cohort_id:
        raise AssignmentError("the participant is not in this assignment's cohort")
    now = now or utcnow()
    stored_name, digest = store_bytes("submissions", data)
    try:
        version = 1 + (
            db.session.scalar(
                sa.select(sa.func.max(Submission.version)).where(
                    Submission.assignment_id == assignment.id,
                    Submission.enrollment_id == enrollment.id,
                )
            )
            or 0
        )
        submission = Submission(
            assignment=assignment,
            enrollment=enrollment,
            version=version,
            original_filename=filename,
            stored_name=stored_name,
            content_type=content_type,
            size_bytes=len(data),
            sha256=digest,
            submitted_at=now,
            is_late=assignment.due_at is not None and now > assignment.due_at,
        )
        db.session.add(submission)
        db.session.flush()
    except Exception:
        remove_stored("submissions", stored_name)
        raise
    return submission


def grade(
    assignment: Assignment,
    enrollment: Enrollment,
    *,
    passed: bool | None = None,
    points: Decimal | None = None,
    feedback: str = "",
    by: User | None = None,
    publish: bool = True,
) -> Grade:
    """Record or change a grade. With points, passing follows from the pass mark."""
    if assignment.grading == GradingScheme.POINTS:
        if points is None or not 0 <= points <= (assignment.max_points or 0):
            raise AssignmentError("points must lie between 0 and the maximum")
        passed = points >= (assignment.pass_points or 0)
    elif passed is None:
        raise AssignmentError("say whether the assessment was passed")
    record = db.session.scalar(
        sa.select(Grade).filter_by(assignment_id=assignment.id, enrollment_id=enrollment.id)
    )
    before = None
    if record is None:
        record = Grade(assignment=assignment, enrollment=enrollment, passed=passed)
        db.session.add(record)
    else:
        before = {"passed": record.passed, "points": str(record.points)}
    latest = db.session.scalar(
        sa.select(Submission)
        .filter_by(assignment_id=assignment.id, enrollment_id=enrollment.id)
        .order_by(Submission.version.desc())
        .limit(1)
    )
    now = utcnow()
    record.passed = passed
    record.points = points
    record.feedback = feedback
    record.submission = latest
    record.graded_by = by
    record.graded_at = now
    record.published_at = now if publish else None
    db.session.flush()
    record_event(
        by, "grade.recorded", record, cohort_id=assignment.cohort_id, before=before,
        after={"passed": passed, "points": str(points) if points is not None else None},
    )
    return record
