"""Stored files as downloads: submissions and issued certificates, exactly as stored,
never rendered again, never shown inline; streamed from the store (or redirected to a
short-lived address of the object, when so configured)."""

from __future__ import annotations

from flask import Response, abort
from werkzeug.wrappers import Response as StoredDownload

from lms.assignments.models import Submission
from lms.certificates.models import Certificate
from lms.storage import send_stored


def send_submission(submission: Submission) -> StoredDownload:
    """A handed-in file as an attachment under its original name."""
    return send_stored(Submission.storage_area, submission.stored_name,
                       download_name=submission.original_filename,
                       mimetype=submission.content_type, etag=submission.sha256,
                       cache_control="private, no-store")


def send_certificate(certificate: Certificate) -> StoredDownload:
    """An issued certificate, the stored PDF as it was issued."""
    return send_stored(Certificate.storage_area, certificate.stored_name,
                       download_name=f"{certificate.serial}.pdf", mimetype="application/pdf",
                       etag=certificate.sha256, cache_control="private, no-cache")


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
