"""The personal data of jobs: who started which job and how it went (a job re-reads what
it works on by id; its row holds ids and counts, and an error's text)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms.privacy.declare import Category as C
from lms.privacy.declare import Erasure as E
from lms.privacy.declare import LegalBasis as B
from lms.privacy.declare import personal, table
from lms.privacy.retention import Retention as R

REPORTING = _l("showing the coordination who started which background job and how it ended")

TABLES = (
    table(
        "background_job",
        personal("created_at", C.ACTIVITY, REPORTING, B.LEGITIMATE_INTEREST, R.AUDIT_TRAIL,
                 E.DELETE),
        personal("error", C.ACTIVITY, REPORTING, B.LEGITIMATE_INTEREST, R.AUDIT_TRAIL,
                 E.DELETE),
        # A change notice's job carries the meeting's state before and after, with its
        # lecturers' e-mail addresses (as the audit trail records it).
        personal("params", C.ACTIVITY, _l("sending the notices of a change to a meeting"),
                 B.CONTRACT, R.AUDIT_TRAIL, E.DELETE),
        key=("id", "started_by_id", "cohort_id"),
        bookkeeping=("started_at", "finished_at", "updated_at"),
        technical=("kind", "state", "result", "attempts", "done", "failed", "total"),
    ),
)
