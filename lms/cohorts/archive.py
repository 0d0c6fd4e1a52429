"""A cohort's records in one ZIP, built by a job (``cohort_export``): the attendance and
the grades as spreadsheets (in the language of whoever asked), every document issued
with a list of them, each PDF exactly as stored. Written to the storage (area
``exports``), downloaded from the job's page."""

from __future__ import annotations

import csv
import io
import shutil
import zipfile

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from lms.assignments.gradebook import cohort_gradebook, gradebook_table
from lms.attendance.export import matrix_xlsx
from lms.attendance.queries import attendance_matrix
from lms.certificates.models import CertificateStatus
from lms.certificates.queries import certificates_by_enrollment
from lms.cohorts.models import Enrollment
from lms.db import utcnow
from lms.exports import xlsx_bytes
from lms.extensions import db
from lms.i18n import file_name_part
from lms.jobs.models import BackgroundJob
from lms.jobs.operations import advance, set_total
from lms.storage import open_stored, remove_on_rollback, store_bytes

AREA = "exports"


def build_cohort_export(job: BackgroundJob) -> dict[str, object]:
    cohort = job.cohort
    if cohort is None:
        return {}
    user = job.started_by
    language = str(user.locale) if user is not None else current_app.config[
        "LMS_DEFAULT_LOCALE"]
    now = utcnow()
    enrollments = list(db.session.scalars(
        db.select(Enrollment).where(Enrollment.cohort_id == cohort.id)))
    documents = [c for items in certificates_by_enrollment([e.id for e in enrollments])
                 .values() for c in items if c.status != CertificateStatus.PENDING]
    set_total(job, 2 + len(documents))
    db.session.commit()
    buffer = io.BytesIO()
    with force_locale(language), zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{file_name_part(_('attendance'))}.xlsx",
                         matrix_xlsx(attendance_matrix(cohort, now)))
        advance(job)
        archive.writestr(f"{file_name_part(_('grades'))}.xlsx",
                         xlsx_bytes(_("Grades"), gradebook_table(cohort_gradebook(cohort, now))))
        advance(job)
        db.session.commit()
        listing = io.StringIO()
        writer = csv.writer(listing, delimiter=";" if language == "de" else ",",
                            lineterminator="\r\n")
        writer.writerow([_("Serial number"), _("Name"), _("Document"), _("State"),
                         _("Issued on")])
        for certificate in sorted(documents, key=lambda c: c.serial):
            if certificate.stored_name is None:  # (only a pending one has none)
                continue
            arcname = f"{file_name_part(_('certificates'))}/{certificate.serial}.pdf"
            with open_stored("certificates", certificate.stored_name) as source, \
                    archive.open(arcname, "w") as target:
                shutil.copyfileobj(source, target)
            writer.writerow([certificate.serial, certificate.holder_name or
                             certificate.enrollment.user.full_name, certificate.kind.label,
                             certificate.status.label,
                             certificate.issued_at.date().isoformat()])
            advance(job)
        archive.writestr(f"{file_name_part(_('certificates'))}.csv",
                         "\ufeff" + listing.getvalue())
    data = buffer.getvalue()
    stored_name, digest = store_bytes(AREA, data, ".zip")
    remove_on_rollback(db.session, AREA, stored_name)
    filename = f"{file_name_part(cohort.name, 'cohort')}_{now:%Y-%m-%d}.zip"
    return {"stored_name": stored_name, "sha256": digest, "size": len(data),
            "filename": filename}
