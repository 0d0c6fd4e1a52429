"""The privacy area's own personal data: erasure requests and their decisions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l

from lms.privacy.declare import Category as C
from lms.privacy.declare import Erasure as E
from lms.privacy.declare import LegalBasis as B
from lms.privacy.declare import personal, table
from lms.privacy.retention import Retention as R

if TYPE_CHECKING:
    from lms.privacy.erasure import ErasureContext

REQUEST = _l("handling a request for erasure (Art. 17 GDPR) and proving how it was decided")

TABLES = (
    table(
        "erasure_request",
        personal("message", C.FREE_TEXT, _l("what the person wrote with their request"),
                 B.LEGAL_OBLIGATION, R.AUDIT_TRAIL, E.DELETE),
        personal("requested_at", C.ACTIVITY, REQUEST, B.LEGAL_OBLIGATION, R.AUDIT_TRAIL,
                 E.KEEP),
        personal("decision", C.ACTIVITY, REQUEST, B.LEGAL_OBLIGATION, R.AUDIT_TRAIL, E.KEEP),
        personal("reason", C.ACTIVITY, REQUEST, B.LEGAL_OBLIGATION, R.AUDIT_TRAIL, E.KEEP),
        key=("id", "user_id", "decided_by_id"), bookkeeping=("decided_at",),
    ),
)


def erase(context: ErasureContext) -> None:
    """The person's requests stay as the record of how they were decided, without their
    words."""
    import sqlalchemy as sa

    from lms.extensions import db
    from lms.privacy.models import ErasureRequest

    for request in db.session.scalars(sa.select(ErasureRequest).where(
            ErasureRequest.user_id == context.user.id)):
        context.note(request)
        request.message = ""
        request.reason = context.scrub(request.reason, own=True)
