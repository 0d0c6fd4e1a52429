"""The personal data of certificates. An issued document is checked at /verify for
decades: its verification record (serial, name and course as printed, date, hours,
the PDF's SHA-256, revocation) outlives the account, the file does not."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from lms.privacy.declare import Category as C
from lms.privacy.declare import Erasure as E
from lms.privacy.declare import LegalBasis as B
from lms.privacy.declare import personal, table
from lms.privacy.retention import Retention as R

VERIFYING = _l("answering whoever checks the document that it is genuine and valid")

TABLES = (
    table(
        "certificate",
        personal("holder_name", C.IDENTITY, VERIFYING, B.PUBLIC_TASK, R.CERTIFICATE_STUBS,
                 E.KEEP_AS_PRINTED),
        personal("course_title", C.CERTIFICATE,
                 _l("the course title in the form the holder chose, as printed"),
                 B.PUBLIC_TASK, R.CERTIFICATE_STUBS, E.KEEP_AS_PRINTED),
        *(personal(column, C.CERTIFICATE, VERIFYING, B.PUBLIC_TASK, R.CERTIFICATE_STUBS,
                   E.KEEP_AS_PRINTED)
          for column in ("kind", "serial", "verification_code", "issued_at", "status",
                         "revoked_at")),
        personal("revoked_reason", C.CERTIFICATE, VERIFYING, B.PUBLIC_TASK,
                 R.CERTIFICATE_STUBS, E.KEEP),
        personal("stored_name", C.CERTIFICATE,
                 _l("the issued PDF, served to its holder (kept in the storage folder)"),
                 B.CONTRACT, R.CERTIFICATE_STUBS, E.DELETE),
        key=("id", "enrollment_id", "issued_by_id", "revoked_by_id", "replaced_by_id",
             "job_id"),
        technical=("sha256", "design"), course=("language", "provider"),
    ),
    table(
        "certificate_counter",
        key=("course_id",), technical=("year", "last_number"),
    ),
)
