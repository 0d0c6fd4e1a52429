"""Stored files as downloads: submissions, issued certificates, materials and exports,
exactly as stored, never rendered again, never shown inline; streamed from the store (or
redirected to a short-lived address of the object, when so configured)."""

from __future__ import annotations

from flask import Response, abort, render_template
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response as StoredDownload

from lms.assignments.models import Submission
from lms.certificates.models import Certificate, CertificateStatus
from lms.jobs.models import BackgroundJob
from lms.materials.models import AREA as MATERIALS
from lms.materials.models import CourseMaterial, MaterialVersion
from lms.privacy.models import DataExport
from lms.storage import send_stored

# Seconds after which a download of a certificate still being issued may be tried again.
PENDING_RETRY_AFTER = 30


def send_submission(submission: Submission) -> StoredDownload:
    """A handed-in file as an attachment under its original name."""
    return send_stored(Submission.storage_area, submission.stored_name,
                       download_name=submission.original_filename,
                       mimetype=submission.content_type, etag=submission.sha256,
                       cache_control="private, no-store")


def send_certificate(certificate: Certificate) -> ResponseReturnValue:
    """An issued certificate, the stored PDF as it was issued. One that is still being
    issued has no file yet: a page says so (409, with when to ask again). Once an erasure
    removed the file, there is none (404): its verification record stays."""
    if certificate.status == CertificateStatus.PENDING:
        return (render_template("errors/certificate_pending.html", certificate=certificate),
                409, {"Retry-After": str(PENDING_RETRY_AFTER), "Cache-Control": "no-store"})
    if certificate.stored_name is None:
        abort(404)
    return send_stored(Certificate.storage_area, certificate.stored_name,
                       download_name=f"{certificate.serial}.pdf", mimetype="application/pdf",
                       etag=certificate.sha256, cache_control="private, no-cache")


def send_data_export(export: DataExport) -> StoredDownload:
    """A ready copy of a person's data (Art. 15/20), as the ZIP it was written."""
    if export.stored_name is None:
        abort(404)
    return send_stored(DataExport.storage_area, export.stored_name,
                       download_name=f"lms-data-{export.created_at:%Y-%m-%d}-{export.id}.zip",
                       mimetype="application/zip", etag=export.sha256,
                       cache_control="private, no-store")


def send_credential(certificate: Certificate) -> Response:
    """The stored credential as issued; 404 for a certificate issued without one."""
    from lms.credentials.operations import MEDIA_TYPE
    from lms.credentials.queries import get_credential

    credential = get_credential(certificate)
    if credential is None or not credential.document:  # none, or erased with its holder
        abort(404)
    response = Response(credential.document.encode("utf-8"), mimetype=MEDIA_TYPE, headers={
        "Content-Disposition": f'attachment; filename="{certificate.serial}.credential.json"',
        "Cache-Control": "private, no-cache"})
    response.set_etag(credential.sha256)
    return response


def send_export(job: BackgroundJob) -> StoredDownload:
    """An export a job stored (a ZIP), as an attachment."""
    return send_stored("exports", job.result["stored_name"], download_name=job.result["filename"],
                       mimetype="application/zip", etag=job.result["sha256"],
                       cache_control="private, no-store")


def send_material_version(version: MaterialVersion) -> StoredDownload:
    """A material's file (one version) under its original name."""
    return send_stored(MATERIALS, version.stored_name, download_name=version.original_filename,
                       mimetype=version.content_type, etag=version.sha256,
                       cache_control="private, no-cache")


def send_course_material(material: CourseMaterial) -> StoredDownload:
    """A standing material of the course, as loaded from its content."""
    if material.stored_name is None:
        abort(404)  # a link has no file
    return send_stored(MATERIALS, material.stored_name, download_name=material.original_filename,
                       mimetype=material.content_type or "application/octet-stream",
                       etag=material.sha256, cache_control="private, no-cache")
