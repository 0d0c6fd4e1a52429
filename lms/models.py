"""Import every model so that the metadata (and Alembic) sees the whole schema."""

from lms.accounts.models import LecturerProfile, Locale, Role, TitleForm, User, UserRole
from lms.assignments.models import Assignment, Grade, Submission
from lms.attendance.models import Attendance, AttendanceStatus
from lms.audit.models import AuditEvent
from lms.certificates.models import (
    Certificate,
    CertificateCounter,
    CertificateKind,
    CertificateStatus,
)
from lms.cohorts.models import Cohort, Company, Enrollment, EnrollmentStatus, cohort_contact
from lms.curriculum.models import (
    AssessmentKind,
    Course,
    CourseAssessment,
    GradingScheme,
    Module,
)
from lms.ical.models import CalendarFeed, FeedScope
from lms.schedule.models import Block, Meeting, MeetingStatus, meeting_lecturer

__all__ = [
    "AssessmentKind",
    "Assignment",
    "Attendance",
    "AttendanceStatus",
    "AuditEvent",
    "Block",
    "CalendarFeed",
    "Certificate",
    "CertificateCounter",
    "CertificateKind",
    "CertificateStatus",
    "Cohort",
    "Company",
    "Course",
    "CourseAssessment",
    "Enrollment",
    "EnrollmentStatus",
    "FeedScope",
    "Grade",
    "GradingScheme",
    "LecturerProfile",
    "Locale",
    "Meeting",
    "MeetingStatus",
    "Module",
    "Role",
    "Submission",
    "TitleForm",
    "User",
    "UserRole",
    "cohort_contact",
    "meeting_lecturer",
]
