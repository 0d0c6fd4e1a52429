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
from lms.announcements.models import Announcement
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
from lms.evaluation.models import Evaluation, EvaluationParticipation, EvaluationResponse
from lms.ical.models import CalendarFeed, FeedScope
from lms.integrations.models import (
    ApiToken,
    TokenScope,
    WebhookDelivery,
    WebhookStanding,
    WebhookSubscription,
)
from lms.jobs.models import BackgroundJob, JobKind, JobState
from lms.materials.models import CourseMaterial, Material, MaterialVersion
from lms.notifications.models import NotificationLog
from lms.privacy.models import DataExport, ErasureDecision, ErasureRequest, ExportState
from lms.schedule.models import Block, Meeting, MeetingStatus, meeting_lecturer

__all__ = [
    "AbsenceDecision",
    "AbsenceNotice",
    "Announcement",
    "ApiToken",
    "AssessmentKind",
    "Assignment",
    "Attendance",
    "AttendanceSource",
    "AttendanceStatus",
    "AuditEvent",
    "BackgroundJob",
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
    "CourseMaterial",
    "CredentialStatusList",
    "DataExport",
    "Enrollment",
    "EnrollmentStatus",
    "ErasureDecision",
    "ErasureRequest",
    "Evaluation",
    "EvaluationParticipation",
    "EvaluationResponse",
    "ExportState",
    "FeedScope",
    "Grade",
    "GradingScheme",
    "JobKind",
    "JobState",
    "LecturerProfile",
    "Locale",
    "Material",
    "MaterialVersion",
    "Meeting",
    "MeetingStatus",
    "Module",
    "NotificationLog",
    "OneTimeToken",
    "Role",
    "Submission",
    "TitleForm",
    "TokenPurpose",
    "TokenScope",
    "User",
    "UserRole",
    "UserSession",
    "WebhookDelivery",
    "WebhookStanding",
    "WebhookSubscription",
    "cohort_contact",
    "meeting_lecturer",
]
