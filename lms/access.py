"""The one place that answers "may this user do this to that object".

Views ask here and nowhere else. Objects out of a user's reach answer 404 rather
than 403, so that identifiers cannot be probed.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask import abort
from flask_login import current_user

from lms.accounts.models import Role, User
from lms.assignments.models import Assignment, Submission
from lms.attendance.models import AbsenceNotice
from lms.certificates.models import Certificate, CertificateStatus
from lms.cohorts.models import VISIBLE_ENROLLMENT, Cohort, Enrollment, cohort_contact
from lms.extensions import db, login_manager
from lms.schedule.models import Block, Meeting, meeting_lecturer


def role_required(*roles: Role) -> Callable[[], object]:
    """A ``before_request`` hook for a role's blueprint: anonymous users go to the login
    page, users without one of ``roles`` get 403."""

    def check() -> object:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not any(current_user.has_role(role) for role in roles):
            abort(403)
        return None

    return check


def is_coordinator(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.COORDINATOR)


def can_view_cohort(user: User, cohort: Cohort) -> bool:
    if not user.is_authenticated:
        return False
    if is_coordinator(user):
        return True
    return db.session.scalar(sa.select(_cohort_membership(user.id, cohort.id))) or False


def can_view_meeting(user: User, meeting: Meeting) -> bool:
    """Coordinators, the meeting's lecturers, and the members of its cohort."""
    if not user.is_authenticated:
        return False
    if is_coordinator(user):
        return True
    teaches = sa.exists().where(
        meeting_lecturer.c.meeting_id == meeting.id, meeting_lecturer.c.user_id == user.id
    )
    return db.session.scalar(
        sa.select(sa.or_(teaches, _cohort_membership(user.id, meeting.cohort_id)))
    ) or False


def _cohort_membership(user_id: int, cohort_id: int) -> sa.ColumnElement[bool]:
    enrolled = sa.exists().where(
        Enrollment.cohort_id == cohort_id,
        Enrollment.user_id == user_id,
        Enrollment.status.in_(VISIBLE_ENROLLMENT),
    )
    contact = sa.exists().where(
        cohort_contact.c.cohort_id == cohort_id, cohort_contact.c.user_id == user_id
    )
    teaches_in_cohort = sa.exists().where(
        meeting_lecturer.c.user_id == user_id,
        meeting_lecturer.c.meeting_id == Meeting.id,
        Meeting.cohort_id == cohort_id,
    )
    return sa.or_(enrolled, contact, teaches_in_cohort)


def get_meeting_or_404(user: User, meeting_id: int) -> Meeting:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or not can_view_meeting(user, meeting):
        abort(404)
    return meeting


def get_cohort_or_404(user: User, cohort_id: int) -> Cohort:
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None or not can_view_cohort(user, cohort):
        abort(404)
    return cohort


def get_enrollment_or_404(user: User, cohort_id: int, enrollment_id: int) -> Enrollment:
    """An enrollment of a cohort in ``user``'s reach; one of another cohort is not there."""
    cohort = get_cohort_or_404(user, cohort_id)
    return enrollment_in_or_404(cohort.id, enrollment_id)


def enrollment_in_or_404(cohort_id: int, enrollment_id: int) -> Enrollment:
    """An enrollment of the cohort ``cohort_id`` (whose reach the caller has checked)."""
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.cohort_id != cohort_id:
        abort(404)
    return enrollment


def get_block_or_404(user: User, block_id: int) -> Block:
    block = db.session.get(Block, block_id)
    if block is None:
        abort(404)
    get_cohort_or_404(user, block.cohort_id)
    return block


def get_assignment_or_404(user: User, assignment_id: int) -> Assignment:
    """An assignment of a cohort in ``user``'s reach (to define it; grading is
    :func:`get_assignment_to_grade_or_404`)."""
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None:
        abort(404)
    get_cohort_or_404(user, assignment.cohort_id)
    return assignment


def get_absence_notice_or_404(user: User, notice_id: int) -> AbsenceNotice:
    notice = db.session.get(AbsenceNotice, notice_id)
    if notice is None:
        abort(404)
    get_cohort_or_404(user, notice.meeting.cohort_id)
    return notice


# --------------------------------------------------------------------------- attendance and
# assignments


def teaches_meeting(user: User, meeting: Meeting) -> bool:
    return user.is_authenticated and bool(db.session.scalar(sa.select(sa.exists().where(
        meeting_lecturer.c.meeting_id == meeting.id, meeting_lecturer.c.user_id == user.id))))


def get_meeting_to_mark_or_404(user: User, meeting_id: int, *, as_coordinator: bool) -> Meeting:
    """A meeting whose attendance ``user`` may mark: coordinators any (their page), lecturers
    their own. Out of reach is 404; a lecturer of the cohort who does not teach it gets 403."""
    meeting = get_meeting_or_404(user, meeting_id)
    if as_coordinator:
        if not is_coordinator(user):
            abort(403)
    elif not teaches_meeting(user, meeting):
        abort(403)
    return meeting


def can_grade(user: User, assignment: Assignment) -> bool:
    """Coordinators, and lecturers who teach the assignment's module in its cohort."""
    if not user.is_authenticated:
        return False
    if is_coordinator(user):
        return True
    if assignment.module_id is None:
        return False
    return bool(db.session.scalar(sa.select(sa.exists().where(
        meeting_lecturer.c.user_id == user.id,
        meeting_lecturer.c.meeting_id == Meeting.id,
        Meeting.cohort_id == assignment.cohort_id,
        Meeting.module_id == assignment.module_id,
    ))))


def get_assignment_to_grade_or_404(user: User, assignment_id: int) -> Assignment:
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or not can_grade(user, assignment):
        abort(404)
    return assignment


def get_own_enrollment_or_404(user: User, cohort_id: int) -> Enrollment:
    enrollment = db.session.scalar(sa.select(Enrollment).where(
        Enrollment.cohort_id == cohort_id, Enrollment.user_id == user.id,
        Enrollment.status.in_(VISIBLE_ENROLLMENT)))
    if enrollment is None:
        abort(404)
    return enrollment


def get_own_assignment_or_404(user: User, assignment_id: int) -> tuple[Assignment, Enrollment]:
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None:
        abort(404)
    return assignment, get_own_enrollment_or_404(user, assignment.cohort_id)


def get_submission_or_404(user: User, submission_id: int) -> Submission:
    """A submission for its author (while enrolled) and for those who may grade it."""
    submission = db.session.get(Submission, submission_id)
    if submission is None:
        abort(404)
    enrollment = submission.enrollment
    own = enrollment.user_id == user.id and enrollment.status in VISIBLE_ENROLLMENT
    if not own and not can_grade(user, submission.assignment):
        abort(404)
    return submission


# --------------------------------------------------------------------------- certificates


def can_download_certificate(user: User, certificate: Certificate) -> bool:
    """Coordinators any certificate; a participant only their own valid one (company
    contacts see a status, never the document)."""
    if not user.is_authenticated:
        return False
    if is_coordinator(user):
        return True
    return (certificate.enrollment.user_id == user.id
            and certificate.status == CertificateStatus.VALID)


def get_certificate_or_404(user: User, certificate_id: int) -> Certificate:
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or not can_download_certificate(user, certificate):
        abort(404)
    return certificate
