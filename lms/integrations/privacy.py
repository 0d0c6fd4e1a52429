"""The personal data of API tokens: a staff member's key for another system (as a hash),
and when it was last used."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms.privacy.declare import Category as C
from lms.privacy.declare import Erasure as E
from lms.privacy.declare import LegalBasis as B
from lms.privacy.declare import personal, table
from lms.privacy.retention import Retention as R

TABLES = (
    table(
        "api_token",
        personal("token_hash", C.ACCOUNT,
                 _l("the key another system uses the API with, for its owner (only its "
                    "SHA-256 is stored)"), B.CONTRACT, R.LOGIN_RECORDS, E.DELETE),
        personal("last_used_at", C.ACCOUNT,
                 _l("when an API token was last used, so that its owner sees unused ones"),
                 B.CONTRACT, R.LOGIN_RECORDS, E.DELETE),
        key=("id", "user_id", "revoked_by_id"),
        technical=("key_id", "name", "scope"),
        bookkeeping=("created_at", "expires_at", "revoked_at"),
    ),
)
