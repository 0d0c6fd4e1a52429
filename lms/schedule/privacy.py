"""The schedule holds no personal data but who teaches which meeting."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l

from lms.privacy.declare import Category as C
from lms.privacy.declare import Erasure as E
from lms.privacy.declare import LegalBasis as B
from lms.privacy.declare import personal, table
from lms.privacy.retention import Retention as R

if TYPE_CHECKING:
    from lms.privacy.erasure import ErasureContext

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


def erase(context: ErasureContext) -> None:
    """The person no longer stands as a meeting's lecturer (issued certificates keep the
    lecturers they printed)."""
    import sqlalchemy as sa

    from lms.privacy.erasure import delete_rows
    from lms.schedule.models import meeting_lecturer

    gone = delete_rows(sa.delete(meeting_lecturer).where(
        meeting_lecturer.c.user_id == context.user.id))
    context.count("meeting_lecturer", gone)
