"""Stored files as downloads: submissions and issued certificates, exactly as stored,
never rendered again, never shown inline."""

from __future__ import annotations

from flask import Response, abort, send_file

from lms.assignments.models import Submission
from lms.certificates.models import Certificate
from lms.certificates.operations import AREA as CERTIFICATES
from lms.storage import stored_path


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


def send_certificate(certificate: Certificate) -> Response:
    """An issued certificate, the stored PDF as it was issued."""
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
