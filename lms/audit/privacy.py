"""The personal data of the audit trail: who changed what, from what to what. An erasure
pseudonymises what the trail recorded about the person; the trail itself stays."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms.privacy.declare import Category as C
from lms.privacy.declare import Erasure as E
from lms.privacy.declare import LegalBasis as B
from lms.privacy.declare import personal, table
from lms.privacy.retention import Retention as R

ACCOUNTABLE = _l("accountability: who changed what, when, from what to what")

TABLES = (
    table(
        "audit_event",
        personal("before", C.ACTIVITY, ACCOUNTABLE, B.LEGITIMATE_INTEREST, R.AUDIT_TRAIL,
                 E.PSEUDONYMISE),
        personal("after", C.ACTIVITY, ACCOUNTABLE, B.LEGITIMATE_INTEREST, R.AUDIT_TRAIL,
                 E.PSEUDONYMISE),
        key=("id", "actor_id", "object_id", "cohort_id"),
        technical=("action", "object_type"), bookkeeping=("occurred_at",),
    ),
)
