"""Stored files as downloads: submissions and issued certificates, exactly as stored,
never rendered again, never shown inline."""

from __future__ import annotations

from flask import Response, abort, render_template, send_file
from flask.typing import ResponseReturnValue

from lms.assignments.models import Submission
from lms.certificates.models import Certificate, CertificateStatus
from lms.certificates.operations import AREA as CERTIFICATES
from lms.jobs.models import BackgroundJob
from lms.storage import stored_path

# Seconds after which a download of a certificate still being issued may be tried again.
PENDING_RETRY_AFTER = 30


def send_submission(submission: Submission) -> Response:
    """A handed-in file as an attachment under its original name."""
    response = send_file(
        stored_path("submissions", submission.stored_name),
        mimetype=submission.content_type, as_attachment=True,
        download_name=submission.original_filename, max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def send_certificate(certificate: Certificate) -> ResponseReturnValue:
    """An issued certificate, the stored PDF as it was issued. One that is still being
    issued has no file yet: a page says so (409, with when to ask again)."""
    if certificate.status == CertificateStatus.PENDING:
        return (render_template("errors/certificate_pending.html", certificate=certificate),
                409, {"Retry-After": str(PENDING_RETRY_AFTER), "Cache-Control": "no-store"})
    response = send_file(
        stored_path(CERTIFICATES, certificate.stored_name),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"{certificate.serial}.pdf",
        etag=certificate.sha256,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def send_credential(certificate: Certificate) -> Response:
    """The stored credential as issued; 404 for a certificate issued without one."""
    from lms.credentials.operations import MEDIA_TYPE
    from lms.credentials.queries import get_credential

    credential = get_credential(certificate)
    if credential is None:
        abort(404)
    response = Response(credential.document.encode("utf-8"), mimetype=MEDIA_TYPE, headers={
        "Content-Disposition": f'attachment; filename="{certificate.serial}.credential.json"',
        "Cache-Control": "private, no-cache"})
    response.set_etag(credential.sha256)
    return response


def send_export(job: BackgroundJob) -> Response:
    """An export a job stored (a ZIP), as an attachment."""
    response = send_file(
        stored_path("exports", job.result["stored_name"]), mimetype="application/zip",
        as_attachment=True, download_name=job.result["filename"], etag=job.result["sha256"],
        max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
