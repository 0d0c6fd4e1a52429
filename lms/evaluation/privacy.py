"""The module evaluation keeps its answers without the person: only that a participant
has answered is personal (to remind those who have not, and to refuse a second answer)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms.privacy.declare import Category as C
from lms.privacy.declare import Erasure as E
from lms.privacy.declare import LegalBasis as B
from lms.privacy.declare import personal, table
from lms.privacy.retention import Retention as R

TABLES = (
    table(
        "evaluation",
        key=("id", "cohort_id", "module_id", "reminded_by_id"),
        course=("questionnaire",),
        bookkeeping=("reminded_at",),
    ),
    table(
        "evaluation_response",
        key=("id", "evaluation_id"),
        anonymous=("answers",),
    ),
    table(
        "evaluation_participation",
        personal("enrollment_id", C.PARTICIPATION,
                 _l("that a participant has answered a module's evaluation (never what): "
                    "not reminded, not asked twice"),
                 B.PUBLIC_TASK, R.ATTENDANCE_DETAIL, E.DELETE),
        key=("evaluation_id",),
    ),
)
