"""The personal data of attendance: marks, notes and announced absences."""

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
    from lms.schedule.models import Meeting

HOURS = _l("counting the hours attended toward the certificate")

TABLES = (
    table(
        "attendance",
        personal("status", C.ATTENDANCE, HOURS, B.CONTRACT, R.ATTENDANCE_DETAIL, E.DELETE),
        personal("minutes_attended", C.ATTENDANCE, HOURS, B.CONTRACT, R.ATTENDANCE_DETAIL,
                 E.DELETE),
        personal("note", C.FREE_TEXT, _l("a note on the mark (e.g. why someone left early)"),
                 B.CONTRACT, R.ATTENDANCE_DETAIL, E.DELETE),
        key=("id", "meeting_id", "enrollment_id", "recorded_by_id"),
        bookkeeping=("recorded_at",), technical=("source",),
    ),
    table(
        "absence_notice",
        personal("reason", C.FREE_TEXT,
                 _l("the participant's reason for an absence they announce"),
                 B.CONTRACT, R.ATTENDANCE_DETAIL, E.DELETE),
        personal("decision", C.ATTENDANCE, _l("whether an announced absence is excused"),
                 B.CONTRACT, R.ATTENDANCE_DETAIL, E.DELETE),
        key=("id", "meeting_id", "enrollment_id", "decided_by_id"),
        bookkeeping=("created_at", "decided_at"),
    ),
)


def erase(context: ErasureContext) -> None:
    """Attendance detail has no duty to keep: marks, notes and announced absences go (the
    hours a certificate printed stay on its verification record)."""
    import sqlalchemy as sa

    from lms.attendance.models import AbsenceNotice, Attendance
    from lms.cohorts.models import Enrollment
    from lms.extensions import db

    theirs = sa.select(Enrollment.id).where(Enrollment.user_id == context.user.id)
    for model in (Attendance, AbsenceNotice):
        records = db.session.scalars(sa.select(model).where(
            model.enrollment_id.in_(theirs))).all()
        context.note(*records)
        for record in records:
            db.session.delete(record)
        context.count(model.__tablename__, len(records))


def _meeting(meeting: Meeting) -> dict[str, object]:
    return {"cohort": meeting.cohort.name, "module": meeting.module.title,
            "title": meeting.title, "starts_at": meeting.starts_at,
            "ends_at": meeting.ends_at}


def export(person: User) -> AreaExport:
    """The person's marks at every meeting, and the absences they announced."""
    import sqlalchemy as sa

    from lms.attendance.models import AbsenceNotice, Attendance
    from lms.cohorts.models import Enrollment
    from lms.extensions import db
    from lms.privacy.export import AreaExport, personal

    theirs = sa.select(Enrollment.id).where(Enrollment.user_id == person.id)
    exported = AreaExport()
    for model in (Attendance, AbsenceNotice):
        exported.add(model.__tablename__, [
            personal(row, meeting=_meeting(row.meeting), recorded_or_asked_at=getattr(
                row, "recorded_at", None) or getattr(row, "created_at", None))
            for row in db.session.scalars(sa.select(model).where(
                model.enrollment_id.in_(theirs)).order_by(model.id))])
    return exported
