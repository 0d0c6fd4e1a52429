"""The personal data of cohorts: who takes part, and the company's contact person."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms.privacy.declare import Category as C
from lms.privacy.declare import Erasure as E
from lms.privacy.declare import LegalBasis as B
from lms.privacy.declare import personal, table
from lms.privacy.retention import Retention as R

CONTACT_PERSON = _l("reaching the client's contact person about the booking")
TAKING_PART = _l("taking part in the cohort: invited, active, withdrawn or completed")

TABLES = (
    table(
        "company",
        personal("contact_name", C.IDENTITY, CONTACT_PERSON, B.CONTRACT, R.ACCOUNT, E.DELETE),
        personal("contact_email", C.CONTACT, CONTACT_PERSON, B.CONTRACT, R.ACCOUNT, E.DELETE),
        key=("id",), course=("name",), bookkeeping=("created_at", "updated_at"),
    ),
    table(
        "cohort",
        key=("id", "course_id", "company_id", "coordinator_id"),
        course=("name", "starts_on", "ends_on", "timezone", "location",
                "min_attendance_percent", "excused_counts", "attendance_edit_days",
                "archived_at"),
        bookkeeping=("created_at", "updated_at"),
    ),
    table(
        "enrollment",
        *(personal(column, C.PARTICIPATION, TAKING_PART, B.CONTRACT, R.EXAM_RECORDS, E.KEEP)
          for column in ("status", "invited_at", "activated_at", "withdrawn_at",
                         "completed_at")),
        key=("id", "cohort_id", "user_id"), bookkeeping=("created_at", "updated_at"),
    ),
    table(
        "cohort_contact",
        personal("user_id", C.PARTICIPATION,
                 _l("who sees a cohort's roster and status for the company"),
                 B.CONTRACT, R.ACCOUNT, E.DELETE),
        key=("cohort_id",),
    ),
)
