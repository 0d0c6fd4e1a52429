"""What is printed on a certificate, gathered from the database once, at issuing."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from babel.numbers import format_decimal
from flask import current_app

from lms.accounts.models import User
from lms.attendance.queries import AttendanceSummary
from lms.certificates.models import CertificateKind
from lms.certificates.render import CertificateData
from lms.cohorts.models import Enrollment
from lms.extensions import db
from lms.i18n import sort_key
from lms.schedule.models import Meeting, MeetingStatus, meeting_lecturer


def serial_prefix(course_slug: str) -> str:
    """"social-media-manager" -> "SMM": the initials of the course's slug."""
    initials = "".join(part[0] for part in course_slug.split("-") if part)
    return (initials or course_slug[:3]).upper()[:8]


def verification_url(code: str) -> str:
    return f"{current_app.config['LMS_BASE_URL']}/verify/{code}"


def cohort_lecturers(cohort_id: int) -> list[User]:
    """Everyone who taught a meeting of the cohort that took place (not cancelled)."""
    lecturers = db.session.scalars(
        sa.select(User)
        .join(meeting_lecturer, meeting_lecturer.c.user_id == User.id)
        .join(Meeting, Meeting.id == meeting_lecturer.c.meeting_id)
        .where(Meeting.cohort_id == cohort_id, Meeting.status == MeetingStatus.SCHEDULED)
        .distinct()
    ).all()
    return sorted(lecturers, key=lambda u: sort_key(u.last_name, u.first_name))


def certificate_data(
    enrollment: Enrollment,
    kind: CertificateKind,
    language: str,
    *,
    serial: str,
    code: str,
    display_code: str,
    issued_on: date,
    attendance: AttendanceSummary,
) -> CertificateData:
    cohort = enrollment.cohort
    course = cohort.course
    user = enrollment.user
    english = language == "en"
    return CertificateData(
        kind=kind.value,
        full_name=user.full_name,
        course_title=course.title_en if english else course.title_for(user.title_form),
        provider=course.provider,
        provider_unit=course.provider_unit,
        company=cohort.company.name,
        starts_on=cohort.starts_on,
        ends_on=cohort.ends_on,
        total_hours=course.total_hours,
        modules=tuple(
            (m.number, m.title_en if english and m.title_en else m.title, m.hours)
            for m in course.modules
        ),
        lecturers=tuple(u.full_name for u in cohort_lecturers(cohort.id)),
        attended_hours=format_decimal(
            round(attendance.attended / 60, 1), format="#,##0.#", locale=language
        ),
        issued_on=issued_on,
        serial=serial,
        verification_code=display_code,
        verification_url=verification_url(code),
    )
