"""Import every model so that the metadata (and Alembic) sees the whole schema."""

from lms.accounts.models import (
    LecturerProfile,
    Locale,
    OneTimeToken,
    Role,
    TitleForm,
    TokenPurpose,
    User,
    UserRole,
    UserSession,
)
from lms.assignments.models import Assignment, Grade, Submission
from lms.attendance.models import (
    AbsenceDecision,
    AbsenceNotice,
    Attendance,
    AttendanceSource,
    AttendanceStatus,
)
from lms.audit.models import AuditEvent
from lms.certificates.models import (
    Certificate,
    CertificateCounter,
    CertificateKind,
    CertificateStatus,
)
from lms.cohorts.models import Cohort, Company, Enrollment, EnrollmentStatus, cohort_contact
from lms.credentials.models import CertificateCredential, CredentialStatusList
from lms.curriculum.models import (
    AssessmentKind,
    Course,
    CourseAssessment,
    GradingScheme,
    Module,
)
from lms.ical.models import CalendarFeed, FeedScope
from lms.notifications.models import NotificationLog
from lms.schedule.models import Block, Meeting, MeetingStatus, meeting_lecturer

__all__ = [
    "AbsenceDecision",
    "AbsenceNotice",
    "AssessmentKind",
    "Assignment",
    "Attendance",
    "AttendanceSource",
    "AttendanceStatus",
    "AuditEvent",
    "Block",
    "CalendarFeed",
    "Certificate",
    "CertificateCounter",
    "CertificateCredential",
    "CertificateKind",
    "CertificateStatus",
    "Cohort",
    "Company",
    "Course",
    "CourseAssessment",
    "CredentialStatusList",
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
    "NotificationLog",
    "OneTimeToken",
    "Role",
    "Submission",
    "TitleForm",
    "TokenPurpose",
    "User",
    "UserRole",
    "UserSession",
    "cohort_contact",
    "meeting_lecturer",
]
