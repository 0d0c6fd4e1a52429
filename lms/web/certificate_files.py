"""Serving an issued certificate: the stored file, exactly as issued, never re-rendered."""

from __future__ import annotations

from flask import Response, send_file

from lms.certificates.models import Certificate
from lms.certificates.operations import AREA
from lms.storage import stored_path


def send_certificate(certificate: Certificate) -> Response:
    response = send_file(
        stored_path(AREA, certificate.stored_name),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"{certificate.serial}.pdf",
        etag=certificate.sha256,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-cache"
    return response
