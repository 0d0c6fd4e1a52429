"""A participant's progress toward the certificate, with every reason, and their own
certificates to download (served from storage exactly as issued)."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from lms.access import get_certificate_or_404
from lms.certificates.queries import enrollment_progress
from lms.cohorts.queries import list_user_enrollments
from lms.credentials.queries import credential_shares
from lms.db import utcnow
from lms.web.participant import bp
from lms.web.shared.files import send_certificate, send_credential


@bp.get("/progress")
def progress() -> ResponseReturnValue:
    now = utcnow()
    items = [enrollment_progress(e, now) for e in list_user_enrollments(current_user)]
    shares = credential_shares([c for p in items for c in p.certificates])
    return render_template("participant/progress.html", items=items, shares=shares)


@bp.get("/certificates/<int:certificate_id>/download")
def certificate_download(certificate_id: int) -> ResponseReturnValue:
    # Someone else's certificate, or a revoked one, is not there for this participant.
    return send_certificate(get_certificate_or_404(current_user, certificate_id))


@bp.get("/certificates/<int:certificate_id>/credential.json")
def certificate_credential(certificate_id: int) -> ResponseReturnValue:
    """The certificate's Open Badges credential, exactly as issued (and as its PDF
    carries it), for a wallet or an employer's system."""
    return send_credential(get_certificate_or_404(current_user, certificate_id))
