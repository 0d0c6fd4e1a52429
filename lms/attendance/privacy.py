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
    from lms.privacy.purge import PurgeContext
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
    exported = AreaExport(_l("Your attendance"))
    exported.add("attendance", [
        personal(mark, meeting=_meeting(mark.meeting), recorded_at=mark.recorded_at)
        for mark in db.session.scalars(sa.select(Attendance).where(
            Attendance.enrollment_id.in_(theirs)).order_by(Attendance.id))])
    exported.add("absence_notice", [
        personal(notice, meeting=_meeting(notice.meeting), announced_at=notice.created_at)
        for notice in db.session.scalars(sa.select(AbsenceNotice).where(
            AbsenceNotice.enrollment_id.in_(theirs)).order_by(AbsenceNotice.id))])
    return exported


def purge(context: PurgeContext) -> None:
    """Marks, notes and announced absences of cohorts past ATTENDANCE_DETAIL."""
    import sqlalchemy as sa
    from flask_babel import lazy_gettext as _l

    from lms.attendance.models import AbsenceNotice, Attendance
    from lms.cohorts.models import Cohort
    from lms.schedule.models import Meeting

    over = sa.select(Meeting.id).join(Cohort, Cohort.id == Meeting.cohort_id).where(
        Cohort.ends_on < context.ended_before(R.ATTENDANCE_DETAIL))
    for model, what in ((Attendance, _l("attendance marks")),
                        (AbsenceNotice, _l("absence notices"))):
        condition = model.meeting_id.in_(over)
        context.delete_where(R.ATTENDANCE_DETAIL, what, model, condition)
