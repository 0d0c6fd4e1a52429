"""The personal data of credentials: the signed credential names its holder; the status
lists hold one anonymous bit per credential."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms.privacy.declare import Category as C
from lms.privacy.declare import Erasure as E
from lms.privacy.declare import LegalBasis as B
from lms.privacy.declare import personal, table
from lms.privacy.retention import Retention as R

TABLES = (
    table(
        "certificate_credential",
        personal("document", C.CERTIFICATE,
                 _l("the signed Open Badges credential as issued (names the holder; "
                    "served to them and checked at /verify)"),
                 B.PUBLIC_TASK, R.CERTIFICATE_STUBS, E.DELETE),
        key=("id", "certificate_id", "status_list_id"),
        technical=("credential_uri", "sha256", "verification_method", "status_index"),
        bookkeeping=("issued_at",),
    ),
    table(
        "credential_status_list",
        key=("id",), technical=("purpose", "size", "version", "document"),
        bookkeeping=("updated_at",),
    ),
)
