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
    from lms.accounts.models import User
    from lms.privacy.erasure import ErasureContext
    from lms.privacy.export import AreaExport

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


def export(person: User) -> AreaExport:
    """The meetings the person teaches (or taught)."""
    import sqlalchemy as sa

    from lms.extensions import db
    from lms.privacy.export import AreaExport
    from lms.schedule.models import Meeting, meeting_lecturer

    exported = AreaExport(_l("Meetings you teach"))
    exported.add("meeting_lecturer", [
        {"user_id": person.id, "context": {
            "meeting_id": m.id, "cohort": m.cohort.name, "module": m.module.title,
            "title": m.title, "starts_at": m.starts_at, "ends_at": m.ends_at,
            "status": m.status}}
        for m in db.session.scalars(
            sa.select(Meeting).join(meeting_lecturer, meeting_lecturer.c.meeting_id == Meeting.id)
            .where(meeting_lecturer.c.user_id == person.id).order_by(Meeting.starts_at))])
    return exported
