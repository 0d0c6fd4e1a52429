"""Domain objects into wire models (lms/api/schemas.py), and models into answers."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, json
from pydantic import BaseModel

from lms.api.schemas import (
    AssessmentOut,
    AttendanceOut,
    BlockOut,
    CertificateOut,
    CertificateRef,
    CohortOut,
    CompanyOut,
    CourseOut,
    MarkOut,
    MeetingOut,
    ModuleOut,
    ParticipantOut,
)
from lms.attendance.models import Attendance
from lms.certificates.models import Certificate
from lms.certificates.queries import ParticipantProgress
from lms.certificates.standing import Standing
from lms.cohorts.models import Cohort, Enrollment
from lms.curriculum.models import Course, Module
from lms.schedule.models import Block, Meeting
from lms.urls import external_urls


def answer(model: BaseModel, status: int = 200) -> Response:
    """JSON of ``model``; fields never set (a company token's university-only ones) are
    left out."""
    return Response(json.dumps(model.model_dump(mode="json", exclude_unset=True),
                               ensure_ascii=False),
                    status=status, mimetype="application/json")


def course_out(course: Course, modules: list[Module] | None = None) -> CourseOut:
    out = CourseOut(
        id=course.id, slug=course.slug, title=course.title_neutral,
        title_female=course.title_female, title_male=course.title_male,
        title_en=course.title_en, provider=course.provider, total_hours=course.total_hours,
        credits=float(course.credits) if course.credits is not None else None)
    if modules is not None:
        out.modules = [ModuleOut(
            id=m.id, number=m.number, title=m.title, title_en=m.title_en, hours=m.hours,
            description=m.description, learning_outcomes=list(m.learning_outcomes or []))
            for m in modules]
    return out


def meeting_out(meeting: Meeting) -> MeetingOut:
    return MeetingOut(
        id=meeting.id, cohort_id=meeting.cohort_id, block_id=meeting.block_id,
        module_id=meeting.module_id, module_number=meeting.module.number,
        module_title=meeting.module.title, title=meeting.title, starts_at=meeting.starts_at,
        ends_at=meeting.ends_at, timezone=meeting.cohort.timezone, location=meeting.location,
        online_url=meeting.online_url, status=meeting.status,
        cancelled_reason=meeting.cancelled_reason,
        lecturers=[lecturer.full_name for lecturer in meeting.lecturers])


def cohort_out(cohort: Cohort, *, blocks: list[Block] | None = None,
               meetings: list[Meeting] | None = None) -> CohortOut:
    out = CohortOut(
        id=cohort.id, name=cohort.name, course_id=cohort.course_id,
        company=CompanyOut(id=cohort.company.id, name=cohort.company.name),
        starts_on=cohort.starts_on, ends_on=cohort.ends_on, timezone=cohort.timezone,
        location=cohort.location, min_attendance_percent=cohort.min_attendance_percent,
        archived=cohort.archived_at is not None)
    if blocks is not None:
        out.blocks = [BlockOut(id=b.id, title=b.title, starts_on=b.starts_on,
                               ends_on=b.ends_on) for b in blocks]
    if meetings is not None:
        out.meetings = [meeting_out(m) for m in meetings]
    return out


def status_out(enrollment: Enrollment, standing: Standing) -> ParticipantOut:
    """What a company contact's page shows of a participant: the name and the standing."""
    return ParticipantOut(enrollment_id=enrollment.id, first_name=enrollment.user.first_name,
                          last_name=enrollment.user.last_name, standing=standing,
                          standing_label=standing.label)


def progress_out(progress: ParticipantProgress, *, assessments: bool = False) -> ParticipantOut:
    """A participant for the university: the standing and what it rests on."""
    enrollment, summary = progress.enrollment, progress.facts.attendance
    out = status_out(enrollment, progress.result.standing)
    out.email = enrollment.user.email
    out.enrollment_status = enrollment.status
    out.attendance = AttendanceOut(
        scheduled_minutes=summary.scheduled, held_minutes=summary.held,
        attended_minutes=summary.attended, missed_minutes=summary.missed,
        required_minutes=summary.required, min_attendance_percent=summary.min_percent)
    out.certificates = [CertificateRef(id=c.id, kind=c.kind, status=c.status)
                        for c in progress.certificates]
    if assessments:
        out.assessments = [AssessmentOut(title=a.title, required=a.required, graded=a.graded,
                                         passed=a.passed)
                           for a in progress.facts.assessments]
    return out


def mark_out(mark: Attendance) -> MarkOut:
    return MarkOut(meeting_id=mark.meeting_id, enrollment_id=mark.enrollment_id,
                   status=mark.status, minutes_attended=mark.minutes_attended,
                   recorded_at=mark.recorded_at)


def certificate_out(certificate: Certificate, has_credential: bool, *, cohort_id: int,
                    links: Callable[..., str] | None = None) -> CertificateOut:
    """``links``: :func:`lms.urls.external_urls` of the request, when it builds many."""
    link = links or external_urls()
    return CertificateOut(
        id=certificate.id, cohort_id=cohort_id,
        enrollment_id=certificate.enrollment_id, kind=certificate.kind,
        status=certificate.status, serial=certificate.serial,
        holder_name=certificate.holder_name, language=certificate.language,
        issued_at=certificate.issued_at, revoked_at=certificate.revoked_at,
        replaced_by_id=certificate.replaced_by_id, sha256=certificate.sha256,
        verification_url=link("verify.show", code=certificate.verification_code),
        pdf_url=link("api_v1.certificate_pdf", certificate_id=certificate.id),
        credential_url=link("api_v1.certificate_credential",
                            certificate_id=certificate.id) if has_credential else None)
