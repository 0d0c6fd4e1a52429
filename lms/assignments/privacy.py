"""The personal data of assignments: work handed in and how it was graded."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms.privacy.declare import Category as C
from lms.privacy.declare import Erasure as E
from lms.privacy.declare import LegalBasis as B
from lms.privacy.declare import personal, table
from lms.privacy.retention import Retention as R

HANDED_IN = _l("grading the work handed in")
EXAM = _l("the exam record: whether an assessment was passed, and why")

TABLES = (
    table(
        "assignment",
        key=("id", "cohort_id", "module_id"),
        course=("key", "title", "description", "kind", "grading", "max_points",
                "pass_points", "due_at", "required"),
        bookkeeping=("created_at", "updated_at"),
    ),
    table(
        "submission",
        personal("stored_name", C.SUBMISSION,
                 _l("the file handed in (kept in the storage folder under this name)"),
                 B.CONTRACT, R.SUBMISSIONS, E.DELETE),
        personal("original_filename", C.SUBMISSION, HANDED_IN, B.CONTRACT, R.SUBMISSIONS,
                 E.DELETE),
        personal("submitted_at", C.SUBMISSION, HANDED_IN, B.CONTRACT, R.SUBMISSIONS,
                 E.DELETE),
        personal("is_late", C.SUBMISSION, HANDED_IN, B.CONTRACT, R.SUBMISSIONS, E.DELETE),
        key=("id", "assignment_id", "enrollment_id"),
        technical=("version", "content_type", "size_bytes", "sha256"),
    ),
    table(
        "grade",
        personal("passed", C.RESULT, EXAM, B.LEGAL_OBLIGATION, R.EXAM_RECORDS, E.KEEP),
        personal("points", C.RESULT, EXAM, B.LEGAL_OBLIGATION, R.EXAM_RECORDS, E.KEEP),
        personal("feedback", C.RESULT, EXAM, B.LEGAL_OBLIGATION, R.EXAM_RECORDS, E.KEEP),
        key=("id", "assignment_id", "enrollment_id", "submission_id", "graded_by_id"),
        bookkeeping=("graded_at", "published_at", "created_at", "updated_at"),
    ),
)
