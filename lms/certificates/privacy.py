"""The personal data of certificates. An issued document is checked at /verify for
decades: its verification record (serial, name and course as printed, date, hours,
the PDF's SHA-256, revocation) outlives the account, the file does not."""

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
                         "revoked_at", "course_hours", "attended_minutes")),
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


def erase(context: ErasureContext) -> None:
    """Each certificate keeps its verification record, complete in itself (name, course
    and provider as printed, date, hours, the PDF's SHA-256, revocation), so that /verify
    and a check by file still answer; the PDF itself goes."""
    import sqlalchemy as sa

    from lms.certificates.models import Certificate, CertificateKind, CertificateStatus
    from lms.certificates.operations import AREA
    from lms.certificates.queries import enrollment_progress
    from lms.cohorts.models import Enrollment
    from lms.extensions import db

    certificates = db.session.scalars(sa.select(Certificate).join(Certificate.enrollment).where(
        Enrollment.user_id == context.user.id).order_by(Certificate.id)).all()
    if any(c.status == CertificateStatus.PENDING for c in certificates):
        from lms.privacy.erasure import ErasureError

        raise ErasureError(_l("A document of this person is being issued right now; please "
                              "erase once it is done."))
    context.note(*certificates)
    for certificate in certificates:
        enrollment = certificate.enrollment
        course, user = enrollment.cohort.course, enrollment.user
        if certificate.holder_name is None:  # issued before the printed values were kept
            certificate.holder_name = user.full_name
        if certificate.course_title is None:
            certificate.course_title = (course.title_en if certificate.language == "en"
                                        else course.title_for(user.title_form))
        if certificate.provider is None:
            certificate.provider = course.provider
        if certificate.course_hours is None:
            certificate.course_hours = course.total_hours
        if (certificate.attended_minutes is None
                and certificate.kind == CertificateKind.CONFIRMATION):
            progress = enrollment_progress(enrollment, certificate.issued_at)
            certificate.attended_minutes = progress.facts.attendance.attended
        if not context.holds(R.CERTIFICATE_STUBS, certificate.issued_at):
            certificate.holder_name = None
        certificate.revoked_reason = context.scrub(certificate.revoked_reason, own=True)
        context.remove_file(AREA, certificate.stored_name)
        certificate.stored_name = None
    context.count("certificate_stubs", len(certificates))


def export(person: User) -> AreaExport:
    """The person's certificates and confirmations as issued (the PDF files)."""
    import sqlalchemy as sa

    from lms.certificates.models import Certificate
    from lms.certificates.operations import AREA
    from lms.cohorts.models import Enrollment
    from lms.extensions import db
    from lms.privacy.export import AreaExport, ExportFile, personal

    exported = AreaExport(_l("Your certificates"))
    for certificate in db.session.scalars(
            sa.select(Certificate).join(Certificate.enrollment)
            .where(Enrollment.user_id == person.id).order_by(Certificate.id)):
        name = f"certificates/{certificate.serial}.pdf"
        if certificate.stored_name:
            exported.files.append(ExportFile(AREA, certificate.stored_name, name))
        exported.add("certificate", [personal(
            certificate, cohort=certificate.enrollment.cohort.name, sha256=certificate.sha256,
            file=name if certificate.stored_name else None)])
    return exported


def purge(context: PurgeContext) -> None:
    """Verification records past CERTIFICATE_STUBS lose the name (and the PDF file)."""
    import sqlalchemy as sa
    from flask_babel import lazy_gettext as _l

    from lms.certificates.models import Certificate
    from lms.certificates.operations import AREA
    from lms.extensions import db
    from lms.privacy.erasure import remove_after_commit

    certificates = db.session.scalars(sa.select(Certificate).where(
        Certificate.issued_at < context.cutoff(R.CERTIFICATE_STUBS),
        sa.or_(Certificate.holder_name.is_not(None), Certificate.stored_name.is_not(None)),
    )).all()
    context.found(R.CERTIFICATE_STUBS, _l("names on verification records"), len(certificates))
    if context.apply:
        for certificate in certificates:
            certificate.holder_name = None
            if certificate.stored_name:
                remove_after_commit(db.session, AREA, certificate.stored_name)
                certificate.stored_name = None
