"""Anyone may check a certificate: valid or revoked, name, course, date of issue and
serial, and nothing more. An unknown code says only that; a file is checked by its
SHA-256 against what we stored. The two look-ups are rate-limited per address, together,
generously: an HR office checking a batch of certificates must not be stopped, and
guessing a code (100 random bits) is hopeless at any rate."""

from __future__ import annotations

import hashlib
import json

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from lms.certificates.models import Certificate, CertificateStatus
from lms.certificates.queries import (
    CODE_LENGTH,
    get_certificate_by_code,
    get_certificate_by_sha256,
    group_code,
)
from lms.credentials.claims import claims_in_words
from lms.credentials.queries import get_credential
from lms.credentials.verification import (
    CredentialCheck,
    check_credential,
    embedded_credential,
    parse_json,
)
from lms.web import local_date
from lms.web.throttling import limited
from lms.web.uploads import FileWithinLimit
from lms.web.verify import bp

# Two hundred certificates a minute and a long day's work from one address (an HR office
# behind its company's one address included); it only stops scraping.
VERIFY_LIMIT = limited("200 per minute;5000 per day", page="verify", scope="verify")


class UploadForm(FlaskForm):
    file = FileField(_l("Certificate file (PDF) or credential (JSON)"),
                     validators=[FileRequired(_l("Please choose the PDF or JSON file.")),
                                 FileWithinLimit()])


@bp.get("")
def index() -> ResponseReturnValue:
    """The form, and the redirect of a typed code to its address (not limited: nothing is
    looked up here)."""
    code = request.args.get("code", "").strip()
    if code:
        # A code from the form goes to its own address, the one the QR code holds too.
        return redirect(url_for(".show", code=code))
    # The shape of a code, as printed: its length and grouping come from the codes'.
    return render_template("verify/form.html", upload=UploadForm(),
                           code_shape=group_code("X" * CODE_LENGTH))


@bp.get("/<code>")
@VERIFY_LIMIT
def show(code: str) -> ResponseReturnValue:
    certificate = get_certificate_by_code(code)
    if certificate is None:
        return render_template("verify/unknown.html"), 404
    if certificate.status == CertificateStatus.PENDING:
        # Reserved, not rendered yet: nothing to confirm until it is issued.
        return render_template("verify/pending.html"), 404, {
            "Retry-After": "60", "X-Robots-Tag": "noindex", "Cache-Control": "no-store"}
    return _result(certificate, "code")


@bp.post("/file")
@VERIFY_LIMIT
def check_file() -> ResponseReturnValue:
    form = UploadForm()
    if not form.validate_on_submit():
        return render_template("verify/form.html", upload=form), 400
    data = form.file.data.stream.read()  # within the upload limit (FileWithinLimit)
    certificate = get_certificate_by_sha256(hashlib.sha256(data).hexdigest())
    if certificate is not None:
        return _result(certificate, "pdf")
    # Not a file we stored: a credential (JSON), or a PDF that carries one.
    document = parse_json(data)
    if document is None:
        # A PDF we did not store is not confirmed, even if it carries a genuine credential
        # (its pages may have been edited); the credential's own page is named instead.
        embedded = embedded_credential(data)
        inside = parse_json(embedded) if embedded else None
        check = check_credential(inside) if inside is not None else None
        return render_template("verify/file_unknown.html",
                               carried=check.certificate if check and check.genuine
                               else None), 404
    check = check_credential(document, data)
    if not check.genuine or check.certificate is None:  # (a genuine one names its own)
        return render_template("verify/credential_invalid.html", check=check), 422
    return _result(check.certificate, "credential", check)


def _result(certificate: Certificate, checked_by: str,
            check: CredentialCheck | None = None) -> ResponseReturnValue:
    """What the document says (name, course and provider as printed; for documents
    issued before those were kept, the current values), and what its credential states
    in words, with the check of its signature and status."""
    credential = get_credential(certificate)
    if check is None:
        # (A credential whose text an erasure removed is still checked when handed in.)
        check = (check_credential(json.loads(credential.document), credential.document.encode())
                 if credential is not None and credential.document else None)
    enrollment = certificate.enrollment
    course = enrollment.cohort.course
    title = (course.title_en if certificate.language == "en"
             else course.title_for(enrollment.user.title_form))
    response = render_template(
        "verify/result.html",
        certificate=certificate,
        valid=certificate.status == CertificateStatus.VALID,
        # (None: past its retention the record keeps no name)
        name=certificate.holder_name or (None if enrollment.user.is_erased
                                         else enrollment.user.full_name),
        course_title=certificate.course_title or title,
        provider=certificate.provider or course.provider,
        course_hours=certificate.course_hours or course.total_hours,
        checked_by=checked_by,
        check=check,
        # (its holder's data erased: the credential's text is gone, its fingerprint stays)
        credential_erased=credential is not None and not credential.document,
        claims=(claims_in_words(check.document, local_date, results=checked_by != "code")
                if check else []),
    )
    return response, 200, {"X-Robots-Tag": "noindex", "Cache-Control": "no-store"}
