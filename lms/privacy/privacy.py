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
    from lms.accounts.models import User
    from lms.privacy.erasure import ErasureContext
    from lms.privacy.export import AreaExport
    from lms.privacy.purge import PurgeContext

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
    table(
        "data_export",
        personal("stored_name", C.COPY,
                 _l("the ZIP file with a copy of the person's data (Art. 15 and 20 GDPR), "
                    "kept in the storage folder"), B.LEGAL_OBLIGATION, R.EXPORTS, E.DELETE),
        key=("id", "user_id", "requested_by_id"),
        bookkeeping=("created_at", "finished_at"),
        technical=("state", "size_bytes", "sha256", "error", "done", "total"),
    ),
)


def erase(context: ErasureContext) -> None:
    """The person's requests stay as the record of how they were decided, without their
    words."""
    import sqlalchemy as sa

    from lms.extensions import db
    from lms.privacy.models import DataExport, ErasureRequest

    for request in db.session.scalars(sa.select(ErasureRequest).where(
            ErasureRequest.user_id == context.user.id)):
        context.note(request)
        request.message = ""
        request.reason = context.scrub(request.reason, own=True)
    exports = db.session.scalars(sa.select(DataExport).where(
        DataExport.user_id == context.user.id)).all()
    context.note(*exports)
    for export in exports:
        context.remove_file(DataExport.storage_area, export.stored_name)
        db.session.delete(export)
    context.count("data_export", len(exports))


def export(person: User) -> AreaExport:
    """The person's requests for erasure and the exports of their data."""
    import sqlalchemy as sa

    from lms.extensions import db
    from lms.privacy.export import AreaExport, record
    from lms.privacy.models import DataExport, ErasureRequest

    exported = AreaExport(_l("Your requests and exports"))
    exported.add("erasure_request", [
        record(r, ["requested_at", "message", "decision", "decided_at", "reason"])
        for r in db.session.scalars(sa.select(ErasureRequest).where(
            ErasureRequest.user_id == person.id).order_by(ErasureRequest.id))])
    exported.add("data_export", [
        record(x, ["created_at", "state", "finished_at"],
               by_you=x.requested_by_id == person.id)
        for x in db.session.scalars(sa.select(DataExport).where(
            DataExport.user_id == person.id).order_by(DataExport.id))])
    return exported


def purge(context: PurgeContext) -> None:
    """Exports past EXPORTS (files included); decided requests past AUDIT_TRAIL."""
    import sqlalchemy as sa

    from lms.extensions import db
    from lms.privacy.erasure import remove_after_commit
    from lms.privacy.models import DataExport, ErasureRequest

    exports = db.session.scalars(sa.select(DataExport).where(
        DataExport.created_at < context.cutoff(R.EXPORTS))).all()
    context.found(R.EXPORTS, _l("exports"), len(exports))
    requests = db.session.scalars(sa.select(ErasureRequest).where(
        ErasureRequest.decided_at < context.cutoff(R.AUDIT_TRAIL))).all()
    context.found(R.AUDIT_TRAIL, _l("decided requests for erasure"), len(requests))
    if context.apply:
        for export in exports:
            if export.stored_name:
                remove_after_commit(db.session, DataExport.storage_area, export.stored_name)
            db.session.delete(export)
        for request in requests:
            db.session.delete(request)
