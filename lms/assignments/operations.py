"""Assignments, submissions and grades. Operations flush, never commit."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln

from lms.accounts.models import User
from lms.assignments.errors import AssignmentError
from lms.assignments.files import clean_filename, detect_upload
from lms.assignments.models import Assignment, Grade, Submission
from lms.assignments.queries import HandIn, hand_in_offer
from lms.audit.operations import record_event
from lms.cohorts.models import Cohort, Enrollment
from lms.curriculum.models import GradingScheme, Module
from lms.db import unique_or, utcnow
from lms.extensions import db
from lms.i18n import transliterate
from lms.storage import remove_on_rollback, remove_stored, store_bytes

FEEDBACK_MAX = 10_000


def submit_file(
    assignment: Assignment,
    enrollment: Enrollment,
    filename: str,
    data: bytes,
    content_type: str = "",
    *,
    now: datetime | None = None,
) -> Submission:
    """Store a new version of a participant's work.

    The type is judged by the content (``content_type``, the browser's claim, is not
    trusted; the detected type is recorded). Late work is accepted and flagged; earlier
    versions stay. If anything fails after the file was written, the file is removed
    again: nothing is half-stored; so it is when the transaction is rolled back later
    (a commit that fails, a refusal after this call).
    """
    if enrollment.cohort_id != assignment.cohort_id:
        raise AssignmentError(_l("The participant is not in this assignment's cohort."))
    now = now or utcnow()
    handed_in = db.session.scalar(
        sa.select(sa.func.max(Submission.version)).where(
            Submission.assignment_id == assignment.id,
            Submission.enrollment_id == enrollment.id,
        )
    ) or 0
    recorded = db.session.scalar(
        sa.select(Grade).filter_by(assignment_id=assignment.id, enrollment_id=enrollment.id))
    offer = hand_in_offer(assignment, handed_in, recorded, now)
    if not offer.accepts_upload:
        raise AssignmentError({
            HandIn.NO_UPLOAD: _l("Nothing is uploaded for this assessment."),
            HandIn.CLOSED_PASSED: _l("This work is graded as passed; nothing more is handed "
                                     "in."),
            HandIn.CLOSED_AFTER_DUE: _l("The due date has passed and your version %(version)s "
                                        "stands. If you need to hand in again, please ask "
                                        "the coordination.", version=handed_in),
        }[offer])
    kind = detect_upload(filename, data)  # raises UploadRejected with a reason
    stored_name, digest = store_bytes(Submission.storage_area, data)
    remove_on_rollback(db.session, Submission.storage_area, stored_name)
    try:
        version = 1 + handed_in
        submission = Submission(
            assignment=assignment,
            enrollment=enrollment,
            version=version,
            original_filename=clean_filename(filename),
            stored_name=stored_name,
            content_type=kind.mimetype,
            size_bytes=len(data),
            sha256=digest,
            submitted_at=now,
            is_late=assignment.due_at is not None and now > assignment.due_at,
        )
        db.session.add(submission)
        db.session.flush()
        record_event(
            enrollment.user, "submission.created", submission, cohort_id=assignment.cohort_id,
            after={"assignment_id": assignment.id, "version": version, "sha256": digest,
                   "size": len(data), "late": submission.is_late},
        )
        db.session.flush()
    except Exception:
        remove_stored(Submission.storage_area, stored_name)
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
    if enrollment.cohort_id != assignment.cohort_id:
        raise AssignmentError(_l("The participant is not in this assignment's cohort."))
    if assignment.grading == GradingScheme.POINTS:
        if points is None or not 0 <= points <= (assignment.max_points or 0):
            raise AssignmentError(_l("Points must lie between 0 and the maximum."))
        passed = points >= (assignment.pass_points or 0)
    else:
        points = None
        if passed is None:
            raise AssignmentError(_l("Please say whether the assessment was passed."))
    feedback = (feedback or "").strip()
    if len(feedback) > FEEDBACK_MAX:
        raise AssignmentError(_ln("The feedback may have at most %(num)s character.",
                                  "The feedback may have at most %(num)s characters.",
                                  FEEDBACK_MAX))
    record = db.session.scalar(
        sa.select(Grade).filter_by(assignment_id=assignment.id, enrollment_id=enrollment.id)
    )
    before = None
    if record is None:
        record = Grade(assignment=assignment, enrollment=enrollment, passed=passed)
        db.session.add(record)
    else:
        before = {"passed": record.passed, "points": _points(record.points),
                  "published": record.published_at is not None}
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
        after={"passed": passed, "points": _points(points), "published": publish},
    )
    return record


def _points(value: Decimal | None) -> str | None:
    return str(value) if value is not None else None


def _assignment_state(assignment: Assignment) -> dict[str, Any]:
    return {
        "title": assignment.title, "module_id": assignment.module_id,
        "kind": assignment.kind.value, "grading": assignment.grading.value,
        "max_points": _points(assignment.max_points),
        "pass_points": _points(assignment.pass_points),
        "due_at": assignment.due_at.isoformat() if assignment.due_at else None,
        "required": assignment.required,
    }


def _check_assignment(cohort: Cohort, fields: dict[str, Any]) -> None:
    module: Module | None = fields.get("module")
    if module is not None and module.course_id != cohort.course_id:
        raise AssignmentError(_l("The module belongs to another course."))
    if not (fields.get("title") or "").strip():
        raise AssignmentError(_l("Please enter a title."))
    if fields["grading"] == GradingScheme.POINTS:
        top, mark = fields.get("max_points"), fields.get("pass_points")
        if top is None or mark is None or not 0 < mark <= top:
            raise AssignmentError(
                _l("Points need a maximum and a pass mark above 0 and at most the maximum."))
    else:
        fields["max_points"] = fields["pass_points"] = None


def assignment_key(cohort: Cohort, title: str) -> str:
    """A key for a new assignment of ``cohort`` from its title ("Hausarbeit Über uns" →
    "hausarbeit-ueber-uns"), numbered when the cohort has that key already."""
    base = re.sub(r"[^a-z0-9]+", "-", transliterate(title).lower()).strip("-")[:60]
    base = base or "assignment"
    taken = set(db.session.scalars(
        sa.select(Assignment.key).where(Assignment.cohort_id == cohort.id)))
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key


def create_assignment(cohort: Cohort, *, key: str | None = None, by: User | None = None,
                      **fields: Any) -> Assignment:
    """A new assignment of a cohort (``fields``: title, description, module, kind,
    grading, max_points, pass_points, due_at, required); without ``key``, one is made
    from the title."""
    _check_assignment(cohort, fields)
    if key is None:
        key = assignment_key(cohort, fields["title"])
    taken = AssignmentError(_l("This cohort already has an assignment with that key."),
                            field="title")
    if db.session.scalar(sa.select(Assignment.id).filter_by(cohort_id=cohort.id, key=key)):
        raise taken
    fields["title"] = fields["title"].strip()
    with unique_or(db.session, taken):
        assignment = Assignment(cohort=cohort, key=key, **fields)
        db.session.add(assignment)
    record_event(by, "assignment.created", assignment, cohort_id=cohort.id,
                 after=_assignment_state(assignment))
    return assignment


def update_assignment(assignment: Assignment, *, by: User | None = None,
                      **fields: Any) -> Assignment:
    merged = {name: getattr(assignment, name) for name in (
        "title", "module", "kind", "grading", "max_points", "pass_points")}
    merged.update(fields)
    _check_assignment(assignment.cohort, merged)
    if "kind" in fields and fields["kind"] != assignment.kind and db.session.scalar(
        sa.select(Submission.id).filter_by(assignment_id=assignment.id).limit(1)
    ):
        raise AssignmentError(_l("Work has been handed in already; the kind cannot change."))
    before = _assignment_state(assignment)
    for name, value in merged.items():
        if name in fields or name in ("max_points", "pass_points"):
            setattr(assignment, name, value.strip() if name == "title" else value)
    for name in ("description", "due_at", "required"):
        if name in fields:
            setattr(assignment, name, fields[name])
    db.session.flush()
    after = _assignment_state(assignment)
    if after != before:
        record_event(by, "assignment.updated", assignment, cohort_id=assignment.cohort_id,
                     before={k: v for k, v in before.items() if after[k] != v},
                     after={k: v for k, v in after.items() if before[k] != v})
    return assignment
