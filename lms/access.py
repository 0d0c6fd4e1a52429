"""The one place that answers "may this user do this to that object".

Views ask here and nowhere else. Objects out of a user's reach answer 404 rather
than 403, so that identifiers cannot be probed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from flask import abort
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.models import Role, User
from lms.assignments.models import Assignment, Submission
from lms.attendance.models import AbsenceNotice
from lms.certificates.models import Certificate, CertificateStatus
from lms.cohorts.models import VISIBLE_ENROLLMENT, Cohort, Enrollment, cohort_contact
from lms.curriculum.models import Course, Module
from lms.extensions import db, login_manager
from lms.integrations.models import (
    ApiToken,
    TokenScope,
    WebhookDelivery,
    WebhookScope,
    WebhookSubscription,
)
from lms.jobs.models import BackgroundJob
from lms.materials.models import CourseMaterial, Material
from lms.privacy.models import DataExport, ExportState
from lms.schedule.models import Block, Meeting, meeting_lecturer


def role_required(*roles: Role) -> Callable[[], ResponseReturnValue | None]:
    """A ``before_request`` hook for a role's blueprint: anonymous users go to the login
    page, users without one of ``roles`` get 403."""

    def check() -> ResponseReturnValue | None:
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


def own_enrollment(user: User, cohort_id: int) -> Enrollment | None:
    """``user``'s enrollment in the cohort, while it lets them see it."""
    if not user.is_authenticated:
        return None
    return db.session.scalar(sa.select(Enrollment).where(
        Enrollment.cohort_id == cohort_id, Enrollment.user_id == user.id,
        Enrollment.status.in_(VISIBLE_ENROLLMENT)))


def get_own_enrollment_or_404(user: User, cohort_id: int) -> Enrollment:
    enrollment = own_enrollment(user, cohort_id)
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


# --------------------------------------------------------------------------- jobs


def get_job_or_404(user: User, job_id: int) -> BackgroundJob:
    """Jobs are the coordination's: every coordinator sees each one (a failed job is
    reported to all of them), nobody else any."""
    job = db.session.get(BackgroundJob, job_id)
    if job is None or not is_coordinator(user):
        abort(404)
    return job


# --------------------------------------------------------------------------- API tokens
# A token reaches what its owner's pages show: a company contact's token the cohorts they
# are the contact of (status only), a coordinator's token everything. Objects out of reach
# answer 404, as on the pages; a scope that does not allow an endpoint answers 403 before
# anything is looked up, so that a company token cannot probe ids there either.


def require_api_scope(token: ApiToken, *, university: bool = False, write: bool = False) -> None:
    """403 unless ``token`` may use the endpoint: ``university`` ones need a coordinator's
    token, ``write`` ones one made for writing."""
    if (university or write) and not token.university:
        abort(403, description=_("This token is a company token: it reads cohorts, their "
                                 "schedule and each participant's status only."))
    if write and not token.writes:
        abort(403, description=_("This token may only read."))


def api_cohort_filter(token: ApiToken) -> sa.ColumnElement[bool]:
    """The cohorts ``token`` reaches, as a condition on ``Cohort.id``."""
    if token.university:
        return sa.true()
    return Cohort.id.in_(sa.select(cohort_contact.c.cohort_id)
                         .where(cohort_contact.c.user_id == token.user_id))


def api_reaches_cohort(token: ApiToken, cohort_id: int) -> bool:
    if token.university:
        return True
    return bool(db.session.scalar(sa.select(sa.exists().where(
        cohort_contact.c.cohort_id == cohort_id, cohort_contact.c.user_id == token.user_id))))


def get_api_cohort_or_404(token: ApiToken, cohort_id: int) -> Cohort:
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None or not api_reaches_cohort(token, cohort.id):
        abort(404)
    return cohort


# --------------------------------------------------------------------------- modules of a
# cohort: evaluation (and what else is kept per module)


def module_of_cohort_or_404(cohort: Cohort, module_id: int) -> Module:
    """A module of the cohort's course (the caller has checked the cohort's reach)."""
    module = db.session.get(Module, module_id)
    if module is None or module.course_id != cohort.course_id:
        abort(404)
    return module


def teaches_module(user: User, cohort_id: int, module_id: int) -> bool:
    """Whether ``user`` teaches a meeting of the module in the cohort."""
    return user.is_authenticated and bool(db.session.scalar(sa.select(sa.exists().where(
        meeting_lecturer.c.user_id == user.id,
        meeting_lecturer.c.meeting_id == Meeting.id,
        Meeting.cohort_id == cohort_id,
        Meeting.module_id == module_id,
    ))))


def get_taught_module_or_404(user: User, cohort_id: int,
                             module_id: int) -> tuple[Cohort, Module]:
    """A module of a cohort that ``user`` answers for: coordinators any, lecturers the
    modules they teach in that cohort; nobody else (404). Its evaluation's results and its
    materials are theirs to see."""
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        abort(404)
    module = module_of_cohort_or_404(cohort, module_id)
    if not (is_coordinator(user) or teaches_module(user, cohort.id, module.id)):
        abort(404)
    return cohort, module


def get_evaluation_subject_or_404(user: User, cohort_id: int,
                                  module_id: int) -> tuple[Cohort, Module]:
    """A module's evaluation in a cohort whose results ``user`` may see: the module's
    lecturers in that cohort and coordinators (a company contact never, a participant
    never: 404)."""
    return get_taught_module_or_404(user, cohort_id, module_id)


# --------------------------------------------------------------------------- announcements


def teaches_in_cohort(user: User, cohort_id: int) -> bool:
    return user.is_authenticated and bool(db.session.scalar(sa.select(sa.exists().where(
        meeting_lecturer.c.user_id == user.id,
        meeting_lecturer.c.meeting_id == Meeting.id,
        Meeting.cohort_id == cohort_id,
    ))))


def get_cohort_to_announce_or_404(user: User, cohort_id: int) -> Cohort:
    """A cohort ``user`` may post an announcement to: coordinators any, lecturers the
    cohorts they teach in; anyone else is told it does not exist."""
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None or not (is_coordinator(user) or teaches_in_cohort(user, cohort.id)):
        abort(404)
    return cohort


def get_api_course_or_404(token: ApiToken, course_id: int) -> Course:
    """A course; a company token reaches only the courses of its cohorts."""
    course = db.session.get(Course, course_id)
    if course is None:
        abort(404)
    if not token.university and not db.session.scalar(sa.select(sa.exists().where(
            Cohort.course_id == course.id, api_cohort_filter(token)))):
        abort(404)
    return course


def get_api_enrollment_or_404(token: ApiToken, cohort_id: int, enrollment_id: int) -> Enrollment:
    cohort = get_api_cohort_or_404(token, cohort_id)
    return enrollment_in_or_404(cohort.id, enrollment_id)


def get_api_meeting_or_404(token: ApiToken, meeting_id: int) -> Meeting:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or not api_reaches_cohort(token, meeting.cohort_id):
        abort(404)
    return meeting


def get_api_certificate_or_404(token: ApiToken, certificate_id: int) -> Certificate:
    """A certificate, for a university token (company tokens see a status, never the
    document: :func:`require_api_scope` turned them away already)."""
    require_api_scope(token, university=True)
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None:
        abort(404)
    return certificate


def get_api_token_to_manage_or_404(user: User, token_id: int) -> ApiToken:
    """A token ``user`` may revoke: a coordinator any university token, a company contact
    their own."""
    token = db.session.get(ApiToken, token_id)
    if token is None or not user.is_authenticated:
        abort(404)
    if token.university and is_coordinator(user):
        return token
    if token.scope == TokenScope.COMPANY and token.user_id == user.id:
        return token
    abort(404)


def get_webhook_to_manage_or_404(user: User, subscription_id: int) -> WebhookSubscription:
    """A webhook subscription ``user`` may see and delete: a coordinator any university
    one, a company contact their own (as for tokens)."""
    subscription = db.session.get(WebhookSubscription, subscription_id)
    if subscription is None or not user.is_authenticated:
        abort(404)
    if subscription.scope == WebhookScope.UNIVERSITY and is_coordinator(user):
        return subscription
    if subscription.scope == WebhookScope.COMPANY and subscription.user_id == user.id:
        return subscription
    abort(404)


def get_webhook_delivery_or_404(user: User, subscription_id: int,
                                delivery_id: int) -> WebhookDelivery:
    subscription = get_webhook_to_manage_or_404(user, subscription_id)
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.subscription_id != subscription.id:
        abort(404)
    return delivery


# --------------------------------------------------------------------------- materials


def get_material_to_manage_or_404(user: User, material_id: int) -> Material:
    """A material its module's lecturers (in its cohort) and coordinators may change."""
    material = db.session.get(Material, material_id)
    if material is None:
        abort(404)
    get_taught_module_or_404(user, material.cohort_id, material.module_id)
    return material


def get_released_material_or_404(user: User, material_id: int, now: datetime) -> Material:
    """A material a participant may download: of their cohort, released, not withdrawn."""
    material = db.session.get(Material, material_id)
    if material is None or not material.is_released(now):
        abort(404)
    get_own_enrollment_or_404(user, material.cohort_id)
    return material


def can_see_course_material(user: User, course_id: int) -> bool:
    """Coordinators; lecturers who teach in a cohort of the course; its participants."""
    if not user.is_authenticated:
        return False
    if is_coordinator(user):
        return True
    teaches = sa.exists().where(
        meeting_lecturer.c.user_id == user.id, meeting_lecturer.c.meeting_id == Meeting.id,
        Meeting.cohort_id == Cohort.id, Cohort.course_id == course_id)
    enrolled = sa.exists().where(
        Enrollment.user_id == user.id, Enrollment.status.in_(VISIBLE_ENROLLMENT),
        Enrollment.cohort_id == Cohort.id, Cohort.course_id == course_id)
    return bool(db.session.scalar(sa.select(sa.or_(teaches, enrolled))))


def get_course_material_or_404(user: User, material_id: int) -> CourseMaterial:
    material = db.session.get(CourseMaterial, material_id)
    if material is None or not can_see_course_material(user, material.course_id):
        abort(404)
    return material


def sees_cohort_materials(user: User, cohort_id: int) -> bool:
    """Whether a page shows the cohort's materials to ``user``: its participants, its
    lecturers and coordinators; a company contact never."""
    if not user.is_authenticated:
        return False
    if is_coordinator(user) or teaches_in_cohort(user, cohort_id):
        return True
    return bool(db.session.scalar(sa.select(sa.exists().where(
        Enrollment.cohort_id == cohort_id, Enrollment.user_id == user.id,
        Enrollment.status.in_(VISIBLE_ENROLLMENT)))))


# --------------------------------------------------------------------------- privacy


def get_own_export_or_404(user: User, export_id: int) -> DataExport:
    """A ready export of ``user``'s own data; anyone else's is not there."""
    export = db.session.get(DataExport, export_id)
    if export is None or export.user_id != user.id or export.state != ExportState.READY:
        abort(404)
    return export


def get_export_or_404(user: User, export_id: int) -> DataExport:
    """A ready export: the coordination reaches anyone's, everybody else their own."""
    if not is_coordinator(user):
        return get_own_export_or_404(user, export_id)
    export = db.session.get(DataExport, export_id)
    if export is None or export.state != ExportState.READY:
        abort(404)
    return export
