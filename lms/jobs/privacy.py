"""The personal data of jobs: who started which job and how it went (a job re-reads what
it works on by id; its row holds ids and counts, and an error's text)."""

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

REPORTING = _l("showing the coordination who started which background job and how it ended")

TABLES = (
    table(
        "background_job",
        personal("created_at", C.ACTIVITY, REPORTING, B.LEGITIMATE_INTEREST, R.AUDIT_TRAIL,
                 E.DELETE),
        personal("error", C.ACTIVITY, REPORTING, B.LEGITIMATE_INTEREST, R.AUDIT_TRAIL,
                 E.DELETE),
        # A change notice's job carries the meeting's state before and after, with its
        # lecturers' e-mail addresses (as the audit trail records it).
        personal("params", C.ACTIVITY, _l("sending the notices of a change to a meeting"),
                 B.CONTRACT, R.AUDIT_TRAIL, E.DELETE),
        key=("id", "started_by_id", "cohort_id"),
        bookkeeping=("started_at", "finished_at", "updated_at"),
        technical=("kind", "state", "result", "attempts", "done", "failed", "total"),
    ),
)


def erase(context: ErasureContext) -> None:
    """The jobs stay (what ran, when, how it ended); their parameters and errors lose the
    person's names and addresses (a change notice's job lists its lecturers' addresses)."""
    import sqlalchemy as sa

    from lms.extensions import db
    from lms.jobs.models import BackgroundJob

    changed = 0
    for job in db.session.scalars(sa.select(BackgroundJob)):
        params, error = context.scrub_json(job.params), context.scrub(job.error)
        if (params, error) != (job.params, job.error):
            job.params, job.error = params, error
            changed += 1
    context.count("background_job", changed)


def export(person: User) -> AreaExport:
    """The background jobs the person started: what, when, how it ended."""
    import sqlalchemy as sa

    from lms.extensions import db
    from lms.jobs.models import BackgroundJob
    from lms.privacy.export import AreaExport, record

    exported = AreaExport(_l("Background jobs you started"))
    exported.add("background_job", [
        record(job, ["kind", "state", "created_at", "finished_at", "error"])
        for job in db.session.scalars(sa.select(BackgroundJob).where(
            BackgroundJob.started_by_id == person.id).order_by(BackgroundJob.id))])
    return exported


def purge(context: PurgeContext) -> None:
    """A cohort export's ZIP past EXPORTS (the file goes after the commit, the job row
    forgets its name and says on its page that the file is no longer kept); finished jobs
    past AUDIT_TRAIL (a certificate forgets the batch that rendered it), with any file
    they still name."""
    import sqlalchemy as sa

    from lms.extensions import db
    from lms.jobs.models import BackgroundJob, JobKind
    from lms.privacy.erasure import remove_after_commit

    trail = BackgroundJob.finished_at < context.cutoff(R.AUDIT_TRAIL)
    exports = [job for job in db.session.scalars(sa.select(BackgroundJob).where(
        BackgroundJob.kind == JobKind.COHORT_EXPORT,
        sa.or_(BackgroundJob.finished_at < context.cutoff(R.EXPORTS), trail)))
        if (job.result or {}).get("stored_name")]
    context.found(R.EXPORTS, _l("files of cohort exports"), len(exports))
    if context.apply:
        for job in exports:
            remove_after_commit(db.session, EXPORT_AREA, job.result["stored_name"])
            job.result = {key: value for key, value in job.result.items()
                          if key not in FILE_KEYS} | {"file_removed": True}
        db.session.flush()
    context.delete_where(R.AUDIT_TRAIL, _l("finished background jobs"), BackgroundJob, trail)


EXPORT_AREA = "exports"  # (lms.cohorts.archive.AREA)
# What a job's result says about its stored file; gone with the file.
FILE_KEYS = frozenset({"stored_name", "sha256"})
