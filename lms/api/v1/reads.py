"""The reads of /api/v1. Each loads through ``lms.access`` with the request's token (404
out of reach, 403 where the token's scope does not go) and answers from the areas'
queries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Response, make_response
from flask_openapi3.models.tag import Tag

from lms.access import (
    api_cohort_filter,
    get_api_certificate_or_404,
    get_api_cohort_or_404,
    get_api_course_or_404,
    get_api_enrollment_or_404,
    get_api_meeting_or_404,
    require_api_scope,
)
from lms.api.auth import current_token
from lms.api.cursors import decode_cursor, encode_cursor
from lms.api.schemas import (
    CertificateOut,
    CertificatePage,
    CertificatePath,
    CertificateQuery,
    CohortList,
    CohortOut,
    CohortPath,
    CourseList,
    CourseOut,
    CoursePath,
    MarkList,
    MeetingList,
    MeetingPath,
    ParticipantList,
    ParticipantOut,
    ParticipantPath,
    SinceQuery,
    TokenOut,
)
from lms.api.v1 import answers, bp
from lms.api.v1.wire import (
    answer,
    certificate_out,
    cohort_out,
    course_out,
    mark_out,
    meeting_out,
    progress_out,
    status_out,
)
from lms.attendance.queries import list_marks
from lms.certificates.queries import (
    cohort_progress,
    list_certificates_page,
    list_completion_status,
)
from lms.cohorts.queries import list_cohort_courses, list_cohorts
from lms.credentials.queries import certificates_with_credential
from lms.curriculum.queries import list_modules
from lms.db import utcnow
from lms.schedule.queries import list_cohort_meetings
from lms.urls import external_urls
from lms.web.shared.files import send_certificate, send_credential

TOKEN = Tag(name="token", description="The token a request comes with")
COURSES = Tag(name="courses", description="Courses and their modules")
COHORTS = Tag(name="cohorts", description="Cohorts and their schedule")
PARTICIPANTS = Tag(name="participants", description="Participants and their progress "
                                                     "(company tokens: the status only)")
ATTENDANCE = Tag(name="attendance", description="Attendance marks (university tokens)")
CERTIFICATES = Tag(name="certificates", description="Issued certificates, their PDF and "
                                                    "credential (university tokens)")

UNIVERSITY = (403,)


@bp.get("/token", tags=[TOKEN], summary="The token this request comes with",
        responses=answers(TokenOut))
def token_info() -> Response:
    token = current_token()
    return answer(TokenOut(name=token.name, scope=token.scope, writes=token.writes,
                           created_at=token.created_at, expires_at=token.expires_at))


@bp.get("/courses", tags=[COURSES], summary="Courses (a company token: its cohorts' courses)",
        responses=answers(CourseList))
def courses() -> Response:
    found = list_cohort_courses(api_cohort_filter(current_token()))
    return answer(CourseList(items=[course_out(course) for course in found]))


@bp.get("/courses/<int:course_id>", tags=[COURSES], summary="A course with its modules",
        responses=answers(CourseOut))
def course(path: CoursePath) -> Response:
    found = get_api_course_or_404(current_token(), path.course_id)
    return answer(course_out(found, list_modules(found.id)))


@bp.get("/cohorts", tags=[COHORTS], summary="Cohorts in the token's reach",
        responses=answers(CohortList))
def cohorts() -> Response:
    found = list_cohorts(api_cohort_filter(current_token()))
    return answer(CohortList(items=[cohort_out(cohort) for cohort in found]))


@bp.get("/cohorts/<int:cohort_id>", tags=[COHORTS],
        summary="A cohort with its schedule (blocks and meetings)", responses=answers(CohortOut))
def cohort(path: CohortPath) -> Response:
    found = get_api_cohort_or_404(current_token(), path.cohort_id)
    return answer(cohort_out(found, blocks=list(found.blocks),
                             meetings=list_cohort_meetings([found.id])))


@bp.get("/cohorts/<int:cohort_id>/meetings", tags=[COHORTS], summary="A cohort's meetings",
        responses=answers(MeetingList))
def cohort_meetings(path: CohortPath) -> Response:
    found = get_api_cohort_or_404(current_token(), path.cohort_id)
    return answer(MeetingList(items=[meeting_out(m) for m in list_cohort_meetings([found.id])]))


@bp.get("/cohorts/<int:cohort_id>/participants", tags=[PARTICIPANTS],
        summary="A cohort's participants with their standing",
        responses=answers(ParticipantList))
def participants(path: CohortPath) -> Response:
    token = current_token()
    found = get_api_cohort_or_404(token, path.cohort_id)
    if token.university:
        items = [progress_out(p) for p in cohort_progress(found, utcnow())]
    else:
        items = [status_out(e, s) for e, s in list_completion_status(found, utcnow())]
    return answer(ParticipantList(items=items))


@bp.get("/cohorts/<int:cohort_id>/participants/<int:enrollment_id>", tags=[PARTICIPANTS],
        summary="A participant's progress (a company token: the standing only)",
        responses=answers(ParticipantOut))
def participant(path: ParticipantPath) -> Response:
    token = current_token()
    enrollment = get_api_enrollment_or_404(token, path.cohort_id, path.enrollment_id)
    [progress] = cohort_progress(enrollment.cohort, utcnow(), [enrollment])
    if token.university:
        return answer(progress_out(progress, assessments=True))
    return answer(status_out(enrollment, progress.result.standing))


@bp.get("/cohorts/<int:cohort_id>/participants/<int:enrollment_id>/attendance",
        tags=[ATTENDANCE], summary="A participant's attendance marks",
        responses=answers(MarkList, extra=UNIVERSITY))
def participant_attendance(path: ParticipantPath, query: SinceQuery) -> Response:
    token = current_token()
    require_api_scope(token, university=True)
    enrollment = get_api_enrollment_or_404(token, path.cohort_id, path.enrollment_id)
    marks = list_marks(enrollment_id=enrollment.id, since=query.since)
    return answer(MarkList(items=[mark_out(m) for m in marks]))


@bp.get("/meetings/<int:meeting_id>/attendance", tags=[ATTENDANCE],
        summary="A meeting's attendance marks", responses=answers(MarkList, extra=UNIVERSITY))
def meeting_attendance(path: MeetingPath, query: SinceQuery) -> Response:
    token = current_token()
    require_api_scope(token, university=True)
    meeting = get_api_meeting_or_404(token, path.meeting_id)
    marks = list_marks(meeting_id=meeting.id, since=query.since)
    return answer(MarkList(items=[mark_out(m) for m in marks]))


@bp.get("/certificates", tags=[CERTIFICATES],
        summary="Certificates in the order they were issued, a page at a time",
        responses=answers(CertificatePage, extra=UNIVERSITY))
def certificates(query: CertificateQuery) -> Response:
    require_api_scope(current_token(), university=True)
    bound = query.issued_since.isoformat() if query.issued_since else ""
    after = None
    if query.cursor:
        position = decode_cursor("certificates", query.cursor, bound)
        after = _position(position)
    page = list_certificates_page(issued_since=query.issued_since, after=after,
                                  limit=query.limit)
    more, page = len(page) > query.limit, page[:query.limit]
    with_credential = certificates_with_credential([c.id for c, _ in page])
    last = page[-1][0] if page else None
    next_cursor = (encode_cursor("certificates", [last.issued_at.isoformat(), last.id], bound)
                   if more and last is not None else None)
    links = external_urls()
    return answer(CertificatePage(
        items=[certificate_out(c, c.id in with_credential, cohort_id=cohort_id, links=links)
               for c, cohort_id in page],
        next_cursor=next_cursor))


def _position(position: list[Any]) -> tuple[datetime, int]:
    issued_at, last_id = position
    return datetime.fromisoformat(issued_at), int(last_id)


@bp.get("/certificates/<int:certificate_id>", tags=[CERTIFICATES], summary="A certificate",
        responses=answers(CertificateOut, extra=UNIVERSITY))
def certificate(path: CertificatePath) -> Response:
    found = get_api_certificate_or_404(current_token(), path.certificate_id)
    return answer(certificate_out(found, bool(certificates_with_credential([found.id])),
                                  cohort_id=found.enrollment.cohort_id))


PDF = {"description": "The PDF as it was issued (PDF/A-3, with the credential inside)",
       "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}
CREDENTIAL = {"description": "The Open Badges 3.0 credential as issued (signed JSON-LD)",
              "content": {"application/ld+json": {"schema": {"type": "object"}}}}


@bp.get("/certificates/<int:certificate_id>/pdf", tags=[CERTIFICATES],
        summary="The stored PDF", responses=answers(PDF, extra=UNIVERSITY))
def certificate_pdf(path: CertificatePath) -> Response:
    # (a Response, not ResponseReturnValue: flask-openapi3 reads the hints at run time)
    return make_response(
        send_certificate(get_api_certificate_or_404(current_token(), path.certificate_id)))


@bp.get("/certificates/<int:certificate_id>/credential", tags=[CERTIFICATES],
        summary="The Open Badges credential, where one was issued",
        responses=answers(CREDENTIAL, extra=UNIVERSITY))
def certificate_credential(path: CertificatePath) -> Response:
    return send_credential(get_api_certificate_or_404(current_token(), path.certificate_id))
