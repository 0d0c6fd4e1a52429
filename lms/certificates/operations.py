"""Issuing and revoking certificates. Operations flush, never commit.

A certificate is rendered once, stored with its SHA-256 and served as stored ever after.
Serial numbers (e.g. SMM-2026-0001) are gap-free per course and year: the counter row
is raised with one atomic ``UPDATE … RETURNING`` in the issuing transaction, which also
makes concurrent issuers wait for each other on every database (no reliance on
``SELECT … FOR UPDATE``, which SQLite ignores); the unique serial is the final guard.
If rendering fails, the number is given back and nothing is stored; a stored file whose
row is rolled back is removed again.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from lms.accounts.models import User
from lms.audit.operations import record_event
from lms.certificates.content import certificate_data, serial_prefix
from lms.certificates.models import (
    Certificate,
    CertificateCounter,
    CertificateKind,
    CertificateStatus,
)
from lms.certificates.queries import (
    CODE_ALPHABET,
    CODE_LENGTH,
    enrollment_progress,
    get_valid_certificate,
    group_code,
)
from lms.certificates.render import (
    DEFAULT_DESIGN,
    DesignError,
    EmbeddedFile,
    RenderError,
    load_design,
    render_certificate,
)
from lms.certificates.rules import Reason
from lms.cohorts.models import Enrollment, EnrollmentStatus
from lms.credentials.operations import MEDIA_TYPE as CREDENTIAL_MEDIA_TYPE
from lms.credentials.operations import (
    prepare_credential,
    record_credential,
    revoke_credential,
)
from lms.db import insert_on_conflict, max_length, utcnow
from lms.errors import DomainError
from lms.extensions import db
from lms.storage import remove_on_rollback, remove_stored, store_bytes

AREA = "certificates"
# The longest reason for a revocation or a correction: the column's length.
REASON_MAX = max_length(Certificate.revoked_reason)


class CertificateError(DomainError):
    """A certificate cannot be issued or revoked; the message says why. A design that
    cannot be read or rendered is refused as one too (its DesignError or RenderError is
    the ``__cause__``)."""


@dataclass(frozen=True)
class IssueResult:
    certificate: Certificate
    created: bool  # False: the valid certificate that already existed


def issue_certificate(
    enrollment: Enrollment,
    *,
    kind: CertificateKind | None = None,
    by: User | None = None,
    language: str | None = None,
    now: datetime | None = None,
    design_key: str = DEFAULT_DESIGN,
    check_rules: bool = True,
) -> IssueResult:
    """Issue what the completion rules allow now (or ``kind``), or return the valid one
    that exists. On an exception the caller rolls back; no number and no file remain."""
    now = now or utcnow()
    progress = enrollment_progress(enrollment, now)
    outcome_kind = progress.result.kind
    kind = kind or outcome_kind
    if kind is None:
        raise CertificateError(_rules_text(progress.result.reasons))
    existing = get_valid_certificate(enrollment, kind)
    if existing is not None:
        return IssueResult(existing, False)
    if check_rules and kind != outcome_kind:
        raise CertificateError(_rules_text(progress.result.reasons))

    try:
        design = load_design(design_key)
    except DesignError as exc:
        raise CertificateError(str(exc)) from exc
    lang = design.language_for(language or str(enrollment.user.locale))
    cohort = enrollment.cohort
    issued_on = now.astimezone(ZoneInfo(cohort.timezone)).date()
    year = issued_on.year

    number = _take_serial_number(cohort.course_id, year)  # issuers of this course wait here
    existing = get_valid_certificate(enrollment, kind)  # issued while we waited?
    if existing is not None:
        _give_back_serial_number(cohort.course_id, year)
        return IssueResult(existing, False)

    serial = f"{serial_prefix(cohort.course.slug)}-{year}-{number:04d}"
    code = new_verification_code()
    data = certificate_data(
        enrollment, kind, lang, serial=serial, code=code, display_code=group_code(code),
        issued_on=issued_on, attendance=progress.facts.attendance,
    )
    try:
        credential = prepare_credential(enrollment, kind.value, lang, data, progress, now)
        pdf = render_certificate(design, data, lang, (EmbeddedFile(
            name=f"{serial}.credential.json", data=credential.text.encode("utf-8"),
            media_type=CREDENTIAL_MEDIA_TYPE, created=now,
            description="Open Badges 3.0 credential (W3C Verifiable Credential)"),))
    except Exception as exc:
        _give_back_serial_number(cohort.course_id, year)
        if isinstance(exc, RenderError | DesignError):
            raise CertificateError(str(exc)) from exc
        raise
    stored_name, digest = store_bytes(AREA, pdf, ".pdf")
    remove_on_rollback(db.session, AREA, stored_name)
    try:
        certificate = Certificate(
            enrollment=enrollment,
            kind=kind,
            serial=serial,
            verification_code=code,
            stored_name=stored_name,
            sha256=digest,
            design=design.key,
            language=lang,
            holder_name=data.full_name,
            course_title=data.course_title,
            provider=data.provider,
            issued_at=now,
            issued_by=by,
            status=CertificateStatus.VALID,
        )
        db.session.add(certificate)
        db.session.flush()
        record_credential(certificate, credential, now)
    except Exception:
        remove_stored(AREA, stored_name)
        raise
    record_event(
        by, "certificate.issued", certificate, cohort_id=cohort.id,
        after={"serial": serial, "kind": kind.value, "language": lang, "sha256": digest,
               "participant": enrollment.user.email, "name": data.full_name,
               "title": data.course_title},
    )
    _mark_completed(enrollment, certificate, by=by, now=now)
    return IssueResult(certificate, True)


def _mark_completed(enrollment: Enrollment, certificate: Certificate, *, by: User | None,
                    now: datetime) -> None:
    """A document issued means the participation is completed (withdrawn stays so)."""
    if enrollment.status in (EnrollmentStatus.COMPLETED, EnrollmentStatus.WITHDRAWN):
        return
    before = enrollment.status.value
    enrollment.status, enrollment.completed_at = EnrollmentStatus.COMPLETED, now
    db.session.flush()
    record_event(by, "enrollment.completed", enrollment, cohort_id=enrollment.cohort_id,
                 before={"status": before},
                 after={"status": EnrollmentStatus.COMPLETED.value,
                        "reason": f"{certificate.kind.value} {certificate.serial} issued"})


def reopens_enrollment(certificate: Certificate,
                       documents: Sequence[Certificate] | None = None) -> bool:
    """Whether revoking ``certificate`` sets its completed enrollment back to active: it
    does when no other valid document of that enrollment remains (``documents``: all of
    the enrollment's, when the caller has them already)."""
    enrollment = certificate.enrollment
    if enrollment.status != EnrollmentStatus.COMPLETED:
        return False
    if documents is None:
        documents = db.session.scalars(
            sa.select(Certificate).where(Certificate.enrollment_id == enrollment.id)).all()
    return not any(c.id != certificate.id and c.status == CertificateStatus.VALID
                   for c in documents)


def revoke_certificate(
    certificate: Certificate, reason: str, *, by: User | None = None,
    now: datetime | None = None, reopen: bool = True,
) -> Certificate:
    """Mark a certificate revoked. It is kept (file and row) and reads as revoked.

    The enrollment it completed is active again (when no other valid document of it
    remains), with the revocation as the reason in the change log; ``reopen=False`` when
    a corrected document replaces it at once."""
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError(_("Please give a reason for the revocation."))
    if len(reason) > REASON_MAX:
        raise CertificateError(ngettext("The reason may have at most %(num)s character.",
                                        "The reason may have at most %(num)s characters.",
                                        REASON_MAX))
    if certificate.status == CertificateStatus.REVOKED:
        raise CertificateError(_("The certificate is already revoked."))
    reopens = reopen and reopens_enrollment(certificate)
    certificate.status = CertificateStatus.REVOKED
    certificate.revoked_at = now or utcnow()
    certificate.revoked_reason = reason
    certificate.revoked_by = by
    db.session.flush()
    revoke_credential(certificate, certificate.revoked_at)  # its status list bit
    enrollment = certificate.enrollment
    record_event(
        by, "certificate.revoked", certificate, cohort_id=enrollment.cohort_id,
        before={"status": CertificateStatus.VALID.value},
        after={"status": CertificateStatus.REVOKED.value, "reason": reason,
               "serial": certificate.serial},
    )
    if reopens:
        enrollment.status, enrollment.completed_at = EnrollmentStatus.ACTIVE, None
        db.session.flush()
        record_event(by, "enrollment.reopened", enrollment, cohort_id=enrollment.cohort_id,
                     before={"status": EnrollmentStatus.COMPLETED.value},
                     after={"status": EnrollmentStatus.ACTIVE.value,
                            "reason": f"{certificate.serial} revoked: {reason}"})
    return certificate


def issue_corrected_certificate(
    certificate: Certificate, reason: str, *, by: User | None = None,
    language: str | None = None, now: datetime | None = None,
) -> IssueResult:
    """Revoke ``certificate`` and issue its replacement from today's data (a corrected
    name, for example) with a new serial and code. The eligibility established when the
    first was issued stands; both steps share the caller's transaction."""
    revoke_certificate(certificate, reason, by=by, now=now, reopen=False)
    result = issue_certificate(
        certificate.enrollment, kind=certificate.kind, by=by,
        language=language or certificate.language, now=now, design_key=certificate.design,
        check_rules=False,
    )
    certificate.replaced_by = result.certificate
    db.session.flush()
    record_event(
        by, "certificate.corrected", result.certificate,
        cohort_id=certificate.enrollment.cohort_id,
        before={"serial": certificate.serial}, after={"serial": result.certificate.serial},
    )
    return result


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


# --------------------------------------------------------------------------- serial numbers


def _take_serial_number(course_id: int, year: int) -> int:
    """The next number of the course and year, raised atomically in this transaction.

    The UPDATE locks the counter row (PostgreSQL) or the database (SQLite) until the
    transaction ends, so a second issuer waits and then continues from the committed
    value: no two transactions ever hold the same number."""
    number = _raise_counter(course_id, year, +1)
    if number is None:
        db.session.execute(
            insert_on_conflict(db.session, CertificateCounter)
            .values(course_id=course_id, year=year, last_number=0)
            .on_conflict_do_nothing(index_elements=["course_id", "year"])
        )
        number = _raise_counter(course_id, year, +1)
    if number is None:  # pragma: no cover (the row exists now)
        raise CertificateError("the serial number counter could not be raised")
    return number


def _give_back_serial_number(course_id: int, year: int) -> None:
    """Undo our own raise while we still hold the lock, so that no number is lost."""
    _raise_counter(course_id, year, -1)


def _raise_counter(course_id: int, year: int, step: int) -> int | None:
    return db.session.execute(
        sa.update(CertificateCounter)
        .where(CertificateCounter.course_id == course_id, CertificateCounter.year == year)
        .values(last_number=CertificateCounter.last_number + step)
        .returning(CertificateCounter.last_number)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()


# --------------------------------------------------------------------------- helpers


def _rules_text(reasons: tuple[Reason, ...]) -> str:
    missing = [r.text for r in reasons if r.met is False]
    return " ".join(missing) or _("The completion rules are not met.")
