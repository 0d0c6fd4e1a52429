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
