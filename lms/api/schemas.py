"""The wire: what /api/v1 takes and answers. These describe JSON, not tables; the views
fill them from the areas' queries. Fields that only a university token sees are optional
and left out of a company token's answers."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from lms.accounts.models import Locale, TitleForm
from lms.attendance.models import AttendanceStatus
from lms.certificates.models import CertificateKind, CertificateStatus
from lms.certificates.standing import Standing
from lms.cohorts.models import EnrollmentStatus
from lms.db import max_length
from lms.integrations.models import TokenScope
from lms.schedule.models import Meeting, MeetingStatus
from lms.web import MAX_ID


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --------------------------------------------------------------------------- parameters


class CoursePath(Strict):
    course_id: int = Field(ge=0, le=MAX_ID)


class CohortPath(Strict):
    cohort_id: int = Field(ge=0, le=MAX_ID)


class ParticipantPath(Strict):
    cohort_id: int = Field(ge=0, le=MAX_ID)
    enrollment_id: int = Field(ge=0, le=MAX_ID)


class MeetingPath(Strict):
    meeting_id: int = Field(ge=0, le=MAX_ID)


class CertificatePath(Strict):
    certificate_id: int = Field(ge=0, le=MAX_ID)


class SinceQuery(Strict):
    since: AwareDatetime | None = Field(
        None, description="Only marks recorded or changed at or after this instant "
                          "(ISO 8601 with offset), for incremental syncs")


class CertificateQuery(Strict):
    issued_since: AwareDatetime | None = Field(
        None, description="Only certificates issued at or after this instant")
    cursor: str | None = Field(default=None, max_length=400, pattern=r"^[A-Za-z0-9_.\-]+$",
                               description="next_cursor of the previous page")
    limit: int = Field(default=100, ge=1, le=500, description="Items per page")


# --------------------------------------------------------------------------- answers


class TokenOut(BaseModel):
    """The token this request came with."""

    name: str
    scope: TokenScope
    writes: bool
    created_at: datetime
    expires_at: datetime


class ModuleOut(BaseModel):
    id: int
    number: int
    title: str
    title_en: str
    hours: int
    description: str
    learning_outcomes: list[str]


class CourseOut(BaseModel):
    id: int
    slug: str
    title: str = Field(description="The gender-neutral title (with the gender star)")
    title_female: str
    title_male: str
    title_en: str
    provider: str
    total_hours: int
    credits: float | None
    modules: list[ModuleOut] | None = Field(default=None,
                                            description="In the single course's answer")


class CourseList(BaseModel):
    items: list[CourseOut]


class CompanyOut(BaseModel):
    id: int
    name: str


class BlockOut(BaseModel):
    id: int
    title: str
    starts_on: date
    ends_on: date


class MeetingOut(BaseModel):
    id: int
    cohort_id: int
    block_id: int | None
    module_id: int
    module_number: int
    module_title: str
    title: str
    starts_at: datetime
    ends_at: datetime
    timezone: str = Field(description="The cohort's time zone, in which it is held")
    location: str
    online_url: str
    status: MeetingStatus
    cancelled_reason: str
    lecturers: list[str] = Field(description="Lecturers' names")


class MeetingList(BaseModel):
    items: list[MeetingOut]


class CohortOut(BaseModel):
    id: int
    name: str
    course_id: int
    company: CompanyOut
    starts_on: date
    ends_on: date
    timezone: str
    location: str
    min_attendance_percent: int
    archived: bool
    blocks: list[BlockOut] | None = Field(default=None, description="In the single cohort's answer")
    meetings: list[MeetingOut] | None = Field(default=None,
                                              description="In the single cohort's answer")


class CohortList(BaseModel):
    items: list[CohortOut]


class AttendanceOut(BaseModel):
    """Minutes of the cohort's scheduled meetings (cancelled ones never count)."""

    scheduled_minutes: int
    held_minutes: int
    attended_minutes: int = Field(description="What counts toward the minimum")
    missed_minutes: int
    required_minutes: int
    min_attendance_percent: int


class AssessmentOut(BaseModel):
    title: str
    required: bool
    graded: bool
    passed: bool | None


class CertificateRef(BaseModel):
    id: int
    kind: CertificateKind
    status: CertificateStatus


class ParticipantOut(BaseModel):
    """A participant: names and standing for every token; the rest for university
    tokens only."""

    enrollment_id: int
    first_name: str
    last_name: str
    standing: Standing
    standing_label: str = Field(description="The standing in the caller's language")
    email: str | None = None
    enrollment_status: EnrollmentStatus | None = None
    attendance: AttendanceOut | None = None
    assessments: list[AssessmentOut] | None = Field(
        default=None, description="In the single participant's answer")
    certificates: list[CertificateRef] | None = None


class ParticipantList(BaseModel):
    items: list[ParticipantOut]


class MarkOut(BaseModel):
    meeting_id: int
    enrollment_id: int
    status: AttendanceStatus
    minutes_attended: int | None = Field(description="Set for a late arrival or early leave")
    recorded_at: datetime


class MarkList(BaseModel):
    items: list[MarkOut]


class CertificateOut(BaseModel):
    id: int
    cohort_id: int
    enrollment_id: int
    kind: CertificateKind
    status: CertificateStatus
    serial: str
    holder_name: str | None
    language: str
    issued_at: datetime
    revoked_at: datetime | None
    replaced_by_id: int | None
    sha256: str | None = Field(
        description="SHA-256 of the stored PDF; null while it is being issued (pending)")
    verification_url: str
    pdf_url: str
    credential_url: str | None = Field(description="The Open Badges 3.0 credential, where "
                                                   "one was issued")


class CertificatePage(BaseModel):
    items: list[CertificateOut]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null on "
                                                "the last page")


# --------------------------------------------------------------------------- writes


ONE_LINE = r"^[^\r\n]*$"


class ParticipantIn(Strict):
    email: str = Field(min_length=3, max_length=254, pattern=ONE_LINE)
    first_name: str = Field(min_length=1, max_length=120, pattern=ONE_LINE)
    last_name: str = Field(min_length=1, max_length=120, pattern=ONE_LINE)
    title_form: TitleForm | None = None
    language: Locale | None = None


class ParticipantImport(Strict):
    """Everyone is invited, or nobody: the rules of the CSV roster import."""

    participants: list[ParticipantIn] = Field(min_length=1, max_length=500)


class ImportResult(BaseModel):
    invited: int
    mail_failed: list[str] = Field(description="Addresses the invitation could not be "
                                               "mailed to (send it again from the roster)")
    items: list[ParticipantOut]


class MeetingIn(Strict):
    module_number: int = Field(ge=1, le=999, description="The module's number in the "
                                                        "cohort's course")
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    title: str = Field(default="", max_length=max_length(Meeting.title))
    location: str = Field(default="", max_length=max_length(Meeting.location),
                          description="Empty: the cohort's location")
    online_url: str = Field(default="", max_length=max_length(Meeting.online_url))
    block_id: int | None = Field(default=None, ge=0, le=MAX_ID)
    lecturer_emails: list[str] = Field(default_factory=list, max_length=20)

