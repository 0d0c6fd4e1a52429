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
from lms.cohorts.models import Cohort, Enrollment, EnrollmentStatus, cohort_contact
from lms.extensions import db, login_manager
from lms.schedule.models import Meeting, meeting_lecturer

# Enrollment states that still see their cohort (a withdrawn participant does not).
VISIBLE_ENROLLMENT = (EnrollmentStatus.INVITED, EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED)


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


# --------------------------------------------------------------------------- attendance and
# assignments (issue 4). Imports are local so that this section stays self-contained.


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


def can_grade(user: User, assignment: object) -> bool:
    """Coordinators, and lecturers who teach the assignment's module in its cohort."""
    if not user.is_authenticated:
        return False
    if is_coordinator(user):
        return True
    module_id = getattr(assignment, "module_id", None)
    if module_id is None:
        return False
    return bool(db.session.scalar(sa.select(sa.exists().where(
        meeting_lecturer.c.user_id == user.id,
        meeting_lecturer.c.meeting_id == Meeting.id,
        Meeting.cohort_id == assignment.cohort_id,  # type: ignore[attr-defined]
        Meeting.module_id == module_id,
    ))))


def get_assignment_to_grade_or_404(user: User, assignment_id: int):  # -> Assignment
    from lms.assignments.models import Assignment

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


def get_own_assignment_or_404(user: User, assignment_id: int):  # -> (Assignment, Enrollment)
    from lms.assignments.models import Assignment

    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None:
        abort(404)
    return assignment, get_own_enrollment_or_404(user, assignment.cohort_id)


def get_submission_or_404(user: User, submission_id: int):  # -> Submission
    """A submission for its author (while enrolled) and for those who may grade it."""
    from lms.assignments.models import Submission

    submission = db.session.get(Submission, submission_id)
    if submission is None:
        abort(404)
    enrollment = submission.enrollment
    own = enrollment.user_id == user.id and enrollment.status in VISIBLE_ENROLLMENT
    if not own and not can_grade(user, submission.assignment):
        abort(404)
    return submission


# --------------------------------------------------------------------------- certificates


def can_download_certificate(user: User, certificate) -> bool:  # certificate: Certificate
    """Coordinators any certificate; a participant only their own valid one (company
    contacts see a status, never the document)."""
    from lms.certificates.models import CertificateStatus

    if not user.is_authenticated:
        return False
    if is_coordinator(user):
        return True
    return (certificate.enrollment.user_id == user.id
            and certificate.status == CertificateStatus.VALID)


def get_certificate_or_404(user: User, certificate_id: int):  # -> Certificate
    from lms.certificates.models import Certificate

    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or not can_download_certificate(user, certificate):
        abort(404)
    return certificate
