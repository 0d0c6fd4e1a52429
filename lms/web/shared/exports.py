"""A copy of a person's data, made from a page: the person's own account page, or the
coordination's page of the person (the same ZIP, audited either way)."""

from __future__ import annotations

from flask import flash
from flask_babel import gettext as _

from lms.accounts.models import User
from lms.privacy.export import run_export, start_export
from lms.privacy.models import DataExport
from lms.privacy.queries import get_export
from lms.web.saving import committing


def make_export(person: User, by: User) -> DataExport | None:
    """Start an export of ``person``'s data and build it: here, in the request, until the
    job queue (lms.jobs) takes it. Says why when it cannot be made."""
    with committing() as saved:
        export = start_export(person, by=by)
    if not saved:
        return None
    try:
        run_export(export.id)
    except Exception:  # recorded on the export (failed, with the reason) and in the log
        flash(_("Your data could not be put together. Please try again later."), "error")
    return get_export(export.id)
