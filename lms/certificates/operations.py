"""Issuing and revoking certificates. Operations flush, never commit.

Issuing has two steps. :func:`reserve_certificate` (or :func:`reserve_certificates` for a
cohort's batch) gives the certificate its serial and verification code in a short
transaction and keeps the row as ``pending``; :func:`render_reserved` renders the PDF
with its credential inside, stores it, and only then makes the certificate valid. A job
renders each reserved certificate (:mod:`lms.certificates.jobs`), so that many render in
parallel while the serial counter is held only for the moment of reserving.

Serial numbers (e.g. SMM-2026-0001) are gap-free per course and year: the counter row
is raised with one atomic ``UPDATE … RETURNING`` in the reserving transaction, which also
makes concurrent reservers wait for each other on every database (no reliance on
``SELECT … FOR UPDATE``, which SQLite ignores); the unique serial is the final guard. A
serial always belongs to a row that stays: a render that fails leaves the certificate
pending, and it is rendered again (retried), never renumbered. A stored file whose row is
rolled back is removed again.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
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
    ParticipantProgress,
    enrollment_progress,
    get_current_certificate,
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
    ensure_status_list,
    prepare_credential,
    record_credential,
    revoke_credential,
)
from lms.db import insert_on_conflict, max_length, rowcount, utcnow
from lms.errors import DomainError
from lms.extensions import db
from lms.integrations import events as webhooks
from lms.storage import remove_on_rollback, remove_stored, store_bytes

if TYPE_CHECKING:
    from lms.jobs.models import BackgroundJob

AREA = Certificate.storage_area
# The longest reason for a revocation or a correction: the column's length.
REASON_MAX = max_length(Certificate.revoked_reason)


class CertificateError(DomainError):
    """A certificate cannot be issued or revoked; the message says why. A design that
    cannot be read or rendered is refused as one too (its DesignError or RenderError is
    the ``__cause__``)."""


@dataclass(frozen=True)
class IssueResult:
    certificate: Certificate
    created: bool  # False: the valid (or reserved) certificate that already existed


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
    """Reserve and render in the caller's transaction: the certificate is valid when
    this returns (or the existing one is returned). On an exception the caller rolls
    back; no number and no file remain. (Batches reserve first and render in jobs.)"""
    result = reserve_certificate(enrollment, kind=kind, by=by, language=language, now=now,
                                 design_key=design_key, check_rules=check_rules)
    if result.certificate.status == CertificateStatus.PENDING:
        render_reserved(result.certificate)
    return result


def reserve_certificate(
    enrollment: Enrollment,
    *,
    kind: CertificateKind | None = None,
    by: User | None = None,
    language: str | None = None,
    now: datetime | None = None,
    design_key: str = DEFAULT_DESIGN,
    check_rules: bool = True,
    job: BackgroundJob | None = None,
) -> IssueResult:
    """Give what the completion rules allow now (or ``kind``) its serial and code, as a
    pending certificate; or return the valid or pending one that exists."""
    now = now or utcnow()
    progress = enrollment_progress(enrollment, now)
    outcome_kind = progress.result.kind
    kind = kind or outcome_kind
    if kind is None:
        raise CertificateError(_rules_text(progress.result.reasons))
    existing = get_current_certificate(enrollment, kind)
    if existing is not None:
        return IssueResult(existing, False)
    if check_rules and kind != outcome_kind:
        raise CertificateError(_rules_text(progress.result.reasons))
    reserved = _reserve(enrollment.cohort.course_id, [(enrollment, kind, language)],
                        by=by, now=now, design_key=design_key, job=job)
    if not reserved:  # reserved by someone else while we waited for the counter
        theirs = get_current_certificate(enrollment, kind)
        if theirs is None:
            raise RuntimeError("a certificate reserved by another request was not found")
        return IssueResult(theirs, False)
    return IssueResult(reserved[0], True)


def reserve_certificates(
    eligible: Sequence[ParticipantProgress], *, by: User | None = None,
    now: datetime | None = None, job: BackgroundJob | None = None,
    design_key: str = DEFAULT_DESIGN,
) -> list[Certificate]:
    """A batch: each participant's document as the completion rules allow it (their
    ``needs_issuing``), in their own language, all reserved with one raise of the
    counter. Those reserved meanwhile by someone else are left out."""
    now = now or utcnow()
    wanted: list[tuple[Enrollment, CertificateKind, str | None]] = [
        (p.enrollment, kind, None) for p in eligible
        if p.needs_issuing and (kind := p.result.kind) is not None]
    if not wanted:
        return []
    return _reserve(wanted[0][0].cohort.course_id, wanted, by=by, now=now,
                    design_key=design_key, job=job)


def _reserve(course_id: int, wanted: list[tuple[Enrollment, CertificateKind, str | None]], *,
             by: User | None, now: datetime, design_key: str,
             job: BackgroundJob | None) -> list[Certificate]:
    try:
        design = load_design(design_key)
    except DesignError as exc:
        raise CertificateError(str(exc)) from exc
    by_year: dict[int, list[tuple[Enrollment, CertificateKind, str | None]]] = {}
    for item in wanted:
        issued_on = now.astimezone(ZoneInfo(item[0].cohort.timezone)).date()
        by_year.setdefault(issued_on.year, []).append(item)
    ensure_status_list(now)  # so that the renderers never create one at the same time
    reserved: list[Certificate] = []
    for year, items in sorted(by_year.items()):
        last = _take_serial_numbers(course_id, year, len(items))  # reservers wait here
        # Reserved while we waited? Those keep theirs; the numbers we raised too many
        # are given back while we still hold the counter, so that none is lost.
        asked = len(items)
        items = [i for i in items if get_current_certificate(i[0], i[1]) is None]
        surplus = asked - len(items)
        if surplus:
            _raise_counter(course_id, year, -surplus)
            last -= surplus
        first = last - len(items) + 1
        for number, (enrollment, kind, language) in enumerate(items, start=first):
            serial = f"{serial_prefix(enrollment.cohort.course.slug)}-{year}-{number:04d}"
            certificate = Certificate(
                enrollment=enrollment, kind=kind, serial=serial,
                verification_code=new_verification_code(), design=design.key,
                language=design.language_for(language or str(enrollment.user.locale)),
                issued_at=now, issued_by=by, status=CertificateStatus.PENDING,
                job_id=job.id if job is not None else None,
            )
            db.session.add(certificate)
            reserved.append(certificate)
    db.session.flush()
    for certificate in reserved:
        record_event(by, "certificate.reserved", certificate,
                     cohort_id=certificate.enrollment.cohort_id,
                     after={"serial": certificate.serial, "kind": certificate.kind.value,
                            "language": certificate.language,
                            "participant": certificate.enrollment.user.email})
    return reserved


def render_reserved(certificate: Certificate) -> Certificate | None:
    """Render a pending certificate with its credential inside, store the PDF and make
    the certificate valid, all in the caller's transaction. None when it is not pending
    (any more): rendered by another attempt meanwhile, whose file stands."""
    if certificate.status != CertificateStatus.PENDING:
        return None
    enrollment, kind, lang = certificate.enrollment, certificate.kind, certificate.language
    now = certificate.issued_at
    progress = enrollment_progress(enrollment, now)
    cohort = enrollment.cohort
    try:
        design = load_design(certificate.design)
    except DesignError as exc:
        raise CertificateError(str(exc)) from exc
    code, serial = certificate.verification_code, certificate.serial
    data = certificate_data(
        enrollment, kind, lang, serial=serial, code=code, display_code=group_code(code),
        issued_on=now.astimezone(ZoneInfo(cohort.timezone)).date(),
        attendance=progress.facts.attendance,
    )
    credential = prepare_credential(enrollment, kind.value, lang, data, progress, now)
    try:
        pdf = render_certificate(design, data, lang, (EmbeddedFile(
            name=f"{serial}.credential.json", data=credential.text.encode("utf-8"),
            media_type=CREDENTIAL_MEDIA_TYPE, created=now,
            description="Open Badges 3.0 credential (W3C Verifiable Credential)"),))
    except (RenderError, DesignError) as exc:
        raise CertificateError(str(exc)) from exc
    stored_name, digest = store_bytes(AREA, pdf, ".pdf")
    remove_on_rollback(db.session, AREA, stored_name)
    try:
        # Only a certificate that is still pending becomes valid, and only once: two
        # attempts at the same one (a retry beside a slow first try) cannot both win.
        flipped = rowcount(db.session.execute(
            sa.update(Certificate)
            .where(Certificate.id == certificate.id,
                   Certificate.status == CertificateStatus.PENDING)
            .values(status=CertificateStatus.VALID, stored_name=stored_name, sha256=digest,
                    holder_name=data.full_name, course_title=data.course_title,
                    provider=data.provider, course_hours=data.total_hours,
                    attended_minutes=progress.facts.attendance.attended)
            .execution_options(synchronize_session=False)
        ))
        if not flipped:
            remove_stored(AREA, stored_name)
            return None
        db.session.refresh(certificate)
        record_credential(certificate, credential, now)
    except Exception:
        remove_stored(AREA, stored_name)
        raise
    by = certificate.issued_by
    record_event(
        by, "certificate.issued", certificate, cohort_id=cohort.id,
        after={"serial": serial, "kind": kind.value, "language": lang, "sha256": digest,
               "participant": enrollment.user.email, "name": data.full_name,
               "title": data.course_title},
    )
    _mark_completed(enrollment, certificate, by=by, now=now)
    webhooks.certificate_issued(certificate)
    return certificate


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
    if certificate.status == CertificateStatus.PENDING:
        raise CertificateError(_("The certificate is still being issued; it can be "
                                 "revoked once it is issued."))
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
    webhooks.certificate_revoked(certificate, certificate.revoked_at)
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


def _take_serial_numbers(course_id: int, year: int, count: int) -> int:
    """Raise the course's counter for ``year`` by ``count`` in this transaction and return
    the last of the numbers taken (the first is ``last - count + 1``).

    The UPDATE locks the counter row (PostgreSQL) or the database (SQLite) until the
    transaction ends, so a second reserver waits and then continues from the committed
    value: no two transactions ever hold the same number. Reserving transactions are
    short (no rendering happens in them), so nobody waits long."""
    number = _raise_counter(course_id, year, count)
    if number is None:
        db.session.execute(
            insert_on_conflict(db.session, CertificateCounter)
            .values(course_id=course_id, year=year, last_number=0)
            .on_conflict_do_nothing(index_elements=["course_id", "year"])
        )
        number = _raise_counter(course_id, year, count)
    if number is None:  # pragma: no cover (the row exists now)
        raise CertificateError("the serial number counter could not be raised")
    return number


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
