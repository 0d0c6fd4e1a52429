"""The personal data of reminders: which reminder went to whom, so that each goes once."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms.privacy.declare import Category as C
from lms.privacy.declare import Erasure as E
from lms.privacy.declare import LegalBasis as B
from lms.privacy.declare import personal, table
from lms.privacy.retention import Retention as R

ONCE = _l("sending each reminder once only")

TABLES = (
    table(
        "notification_log",
        personal("kind", C.ACTIVITY, ONCE, B.CONTRACT, R.NOTIFICATION_LOG, E.DELETE),
        personal("key", C.ACTIVITY, ONCE, B.CONTRACT, R.NOTIFICATION_LOG, E.DELETE),
        personal("sent_at", C.ACTIVITY, ONCE, B.CONTRACT, R.NOTIFICATION_LOG, E.DELETE),
        key=("id", "user_id"),
    ),
)
