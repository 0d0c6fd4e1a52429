"""A copy of a person's data, made from a page: the person's own account page, or the
coordination's page of the person (the same ZIP, audited either way)."""

from __future__ import annotations

from flask import flash
from flask_babel import gettext as _

from lms.accounts.models import User
from lms.jobs.queue import DEFAULT, enqueue
from lms.privacy.export import start_export
from lms.privacy.models import DataExport, ExportState
from lms.privacy.queries import get_export
from lms.web.saving import committing


def make_export(person: User, by: User) -> DataExport | None:
    """Start an export of ``person``'s data and hand it to the job queue: a worker builds
    it (the page shows its progress), or, without Redis, this request at once. Says how it
    stands, or why none was started."""
    with committing() as saved:
        export_id = start_export(person, by=by).id
    if not saved:
        return None
    enqueue(DEFAULT, "lms.privacy.export.run_export", export_id,
            rq_id=f"lms-data-export-{export_id}")
    export = get_export(export_id)
    if export is None or export.state == ExportState.FAILED:
        flash(_("The data could not be put together. Please try again later."), "error")
    elif export.state == ExportState.PENDING:
        flash(_("The data is being put together; this page shows how far it got."), "info")
    return export
