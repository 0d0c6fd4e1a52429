"""Certificates as jobs: a cohort's batch, and the rendering of each reserved certificate.

:func:`issue_batch` (a job of kind ``certificate_batch``) reserves every eligible
participant's certificate in one short transaction, linked to the batch, and hands each
to a job of its own, :func:`render_reserved_certificate`, on the ``bulk`` queue, so that
as many render at once as there are workers. Each of those makes its certificate valid
and counts it on the batch's row in one transaction; a render that fails is retried
(RQ's Retry) and, when no retry is left, counted as failed: the certificate stays
reserved with its serial (no gap), and issuing again renders it.
"""

from __future__ import annotations

from flask import current_app

from lms.certificates.models import Certificate, CertificateStatus
from lms.certificates.operations import render_reserved, reserve_certificates
from lms.certificates.queries import cohort_progress, list_pending_certificates
from lms.db import utcnow
from lms.extensions import db
from lms.jobs.models import BackgroundJob
from lms.jobs.operations import count_item, lock_job, set_total
from lms.jobs.queue import BULK, enqueue, final_attempt
from lms.jobs.runner import FANNED_OUT, describe
from lms.logs import log_context

RENDER = "lms.certificates.jobs.render_reserved_certificate"


def issue_batch(job: BackgroundJob) -> object:
    """Reserve (once: a retry finds the batch's reservations made) and fan out."""
    cohort = job.cohort
    if cohort is None:
        return {"issued": 0}
    if job.total is None:
        now = utcnow()
        eligible = [p for p in cohort_progress(cohort, now) if p.needs_issuing]
        reserved = reserve_certificates(eligible, by=job.started_by, now=now, job=job)
        # Reserved earlier and never rendered (a batch whose renders failed): this batch
        # renders them too.
        for certificate in list_pending_certificates(cohort):
            certificate.job_id = job.id
        db.session.flush()
        waiting = [c.id for c in list_pending_certificates(cohort)]
        set_total(job, len(waiting))
        job.result = {"reserved": len(reserved)}
        db.session.commit()
    else:
        waiting = [c.id for c in list_pending_certificates(cohort) if c.job_id == job.id]
    if not job.total:
        return {"reserved": 0}
    for certificate_id in waiting:
        enqueue(BULK, RENDER, certificate_id, job.id,
                rq_id=f"lms-certificate-{certificate_id}",
                timeout=current_app.config["LMS_JOB_TIMEOUT"])
    return FANNED_OUT


def render_reserved_certificate(certificate_id: int, batch_id: int | None = None) -> str:
    """Render one reserved certificate and count it on its batch (RQ's entry point).
    Idempotent: a certificate rendered already (by an earlier attempt, or by another
    batch's job) is left as it is and counted as done. Its log lines carry the batch's
    job id and the certificate's."""
    with log_context(job_id=str(batch_id or ""), certificate_id=str(certificate_id)):
        return _render(certificate_id, batch_id)


def _render(certificate_id: int, batch_id: int | None) -> str:
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None:
        return "gone"
    serial = certificate.serial
    try:
        rendered = (render_reserved(certificate)
                    if certificate.status == CertificateStatus.PENDING else None)
        if batch_id is not None:
            batch = lock_job(batch_id)
            if batch is not None:
                count_item(batch, ok=True)
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        if batch_id is not None and final_attempt():
            _count_failure(certificate_id, batch_id, f"{serial}: {describe(exc)}")
        raise
    return serial if rendered is not None else "rendered meanwhile"


def _count_failure(certificate_id: int, batch_id: int, error: str) -> None:
    batch = lock_job(batch_id)
    certificate = db.session.get(Certificate, certificate_id)
    if batch is not None and certificate is not None \
            and certificate.status == CertificateStatus.PENDING:
        count_item(batch, ok=False, error=error)
    db.session.commit()
