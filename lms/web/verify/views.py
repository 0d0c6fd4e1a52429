"""Anyone may check a certificate: valid or revoked, name, course, date of issue and
serial, and nothing more. An unknown code says only that; a file is checked by its
SHA-256 against what we stored. The two look-ups are rate-limited per address, together,
generously: an HR office checking a batch of certificates must not be stopped, and
guessing a code (100 random bits) is hopeless at any rate."""

from __future__ import annotations

import hashlib

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from lms.certificates.models import Certificate, CertificateStatus
from lms.certificates.queries import get_certificate_by_code, get_certificate_by_sha256
from lms.web.throttling import limited
from lms.web.uploads import FileWithinLimit
from lms.web.verify import bp

# Two hundred certificates a minute and a long day's work from one address (an HR office
# behind its company's one address included); it only stops scraping.
VERIFY_LIMIT = limited("200 per minute;5000 per day", page="verify", scope="verify")


class UploadForm(FlaskForm):
    file = FileField(_l("Certificate file (PDF)"),
                     validators=[FileRequired(_l("Please choose the PDF file.")),
                                 FileWithinLimit()])


@bp.get("")
def index() -> ResponseReturnValue:
    """The form, and the redirect of a typed code to its address (not limited: nothing is
    looked up here)."""
    code = request.args.get("code", "").strip()
    if code:
        # A code from the form goes to its own address, the one the QR code holds too.
        return redirect(url_for(".show", code=code))
    return render_template("verify/form.html", upload=UploadForm())


@bp.get("/<code>")
@VERIFY_LIMIT
def show(code: str) -> ResponseReturnValue:
    certificate = get_certificate_by_code(code)
    if certificate is None:
        return render_template("verify/unknown.html"), 404
    return _result(certificate, "code")


@bp.post("/file")
@VERIFY_LIMIT
def check_file() -> ResponseReturnValue:
    form = UploadForm()
    if not form.validate_on_submit():
        return render_template("verify/form.html", upload=form), 400
    digest = hashlib.sha256()
    stream = form.file.data.stream
    for chunk in iter(lambda: stream.read(64 * 1024), b""):
        digest.update(chunk)
    certificate = get_certificate_by_sha256(digest.hexdigest())
    if certificate is None:
        return render_template("verify/file_unknown.html"), 404
    return _result(certificate, "file")


def _result(certificate: Certificate, checked_by: str) -> ResponseReturnValue:
    """What the document says (name, course and provider as printed); for documents
    issued before those were kept, the current values."""
    enrollment = certificate.enrollment
    course = enrollment.cohort.course
    title = (course.title_en if certificate.language == "en"
             else course.title_for(enrollment.user.title_form))
    response = render_template(
        "verify/result.html",
        certificate=certificate,
        valid=certificate.status == CertificateStatus.VALID,
        name=certificate.holder_name or enrollment.user.full_name,
        course_title=certificate.course_title or title,
        provider=certificate.provider or course.provider,
        checked_by=checked_by,
    )
    return response, 200, {"X-Robots-Tag": "noindex", "Cache-Control": "no-store"}
