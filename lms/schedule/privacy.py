"""The schedule holds no personal data but who teaches which meeting."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms.privacy.declare import Category as C
from lms.privacy.declare import Erasure as E
from lms.privacy.declare import LegalBasis as B
from lms.privacy.declare import personal, table
from lms.privacy.retention import Retention as R

TABLES = (
    table(
        "block",
        key=("id", "cohort_id"), course=("title", "starts_on", "ends_on"),
        bookkeeping=("created_at", "updated_at"),
    ),
    table(
        "meeting",
        key=("id", "cohort_id", "module_id", "block_id"),
        course=("title", "starts_at", "ends_at", "location", "online_url", "status",
                "cancelled_reason"),
        technical=("ical_uid", "ical_sequence"), bookkeeping=("created_at", "updated_at"),
    ),
    table(
        "meeting_lecturer",
        personal("user_id", C.PARTICIPATION,
                 _l("who teaches a meeting (schedules, calendars, marking attendance)"),
                 B.CONTRACT, R.ACCOUNT, E.DELETE),
        key=("meeting_id",),
    ),
)
