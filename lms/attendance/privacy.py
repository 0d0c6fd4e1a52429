"""The personal data of attendance: marks, notes and announced absences."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms.privacy.declare import Category as C
from lms.privacy.declare import Erasure as E
from lms.privacy.declare import LegalBasis as B
from lms.privacy.declare import personal, table
from lms.privacy.retention import Retention as R

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
