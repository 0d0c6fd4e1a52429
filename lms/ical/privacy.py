"""The personal data of calendars: a person's secret feed address (as a hash)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms.privacy.declare import Category as C
from lms.privacy.declare import Erasure as E
from lms.privacy.declare import LegalBasis as B
from lms.privacy.declare import personal, table
from lms.privacy.retention import Retention as R

TABLES = (
    table(
        "calendar_feed",
        personal("token_hash", C.ACCOUNT,
                 _l("the secret address of a calendar subscription (only its SHA-256 is "
                    "stored)"), B.CONTRACT, R.LOGIN_RECORDS, E.DELETE),
        key=("id", "user_id", "cohort_id", "created_by_id"),
        technical=("scope",), bookkeeping=("created_at", "revoked_at"),
    ),
)
