"""Certificates of a cohort: each participant's outcome with its reasons, issuing one (in
the request) or all eligible (a job, whose page shows the progress), revoking with a
reason, issuing a corrected one, and downloading what was stored."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from lms.access import get_certificate_or_404, get_cohort_or_404, get_enrollment_or_404
from lms.certificates.models import Certificate, CertificateStatus
from lms.certificates.operations import (
    REASON_MAX,
    issue_certificate,
    issue_corrected_certificate,
    reopens_enrollment,
    revoke_certificate,
)
from lms.certificates.queries import cohort_progress, printed_differently
from lms.cohorts.models import EnrollmentStatus
from lms.db import utcnow
from lms.jobs.models import JobKind
from lms.jobs.operations import create_job
from lms.jobs.queries import unfinished_job
from lms.jobs.queue import dispatch
from lms.web.choices import LANGUAGE_CHOICES
from lms.web.coordinator import bp
from lms.web.fields import filled
from lms.web.negotiation import wants_json
from lms.web.saving import committing
from lms.web.shared.files import send_certificate

LANGUAGES = [("", _l("The participant's language")), *LANGUAGE_CHOICES]


class IssueForm(FlaskForm):
    language = SelectField(_l("Language of the certificate"), choices=LANGUAGES, default="")


class ReasonForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(_l("Please give a reason.")),
                    Length(max=REASON_MAX, message=_ln(
                        "The reason may have at most %(num)s character.",
                        "The reason may have at most %(num)s characters.", REASON_MAX))],
        description=_l("Kept with the certificate; not shown on the verification page."),
    )


@bp.get("/cohorts/<int:cohort_id>/certificates")
def cohort_certificates(cohort_id: int) -> ResponseReturnValue:
    cohort = get_cohort_or_404(current_user, cohort_id)
    progress = cohort_progress(cohort, utcnow())
    valid = [(p, c) for p in progress for c in p.certificates
             if c.status == CertificateStatus.VALID]
    return render_template(
        "coordinator/certificates.html",
        cohort=cohort,
        batch=unfinished_job(cohort, JobKind.CERTIFICATE_BATCH),
        pending=[c for p in progress for c in p.certificates
                 if c.status == CertificateStatus.PENDING],
        progress=progress,
        eligible=[p for p in progress if p.needs_issuing],
        issue_form=IssueForm(),
        reason_form=ReasonForm(),
        # Revoking these sets the participation back to active (said on the form).
        reopening={c.id for p, c in valid if reopens_enrollment(c, p.certificates)},
        # Issued with a name or title form that has changed since: offer the correction.
        outdated={c.id for _p, c in valid if printed_differently(c)},
    )


@bp.post("/cohorts/<int:cohort_id>/certificates/<int:enrollment_id>/issue")
def certificate_issue(cohort_id: int, enrollment_id: int) -> ResponseReturnValue:
    enrollment = get_enrollment_or_404(current_user, cohort_id, enrollment_id)
    form = IssueForm()
    if not form.validate_on_submit():
        if wants_json():
            return jsonify(ok=False, error=_("The form was not valid.")), 400
        flash(_("The form was not valid. Please try again."), "error")
        return redirect(url_for(".cohort_certificates", cohort_id=cohort_id))
    with committing(report=False) as saved:
        result = issue_certificate(enrollment, by=current_user, language=form.language.data or None)
    if not saved:
        message = _("No certificate for %(name)s: %(reason)s",
                    name=enrollment.user.full_name, reason=saved.message)
        if wants_json():
            return jsonify(ok=False, error=message), 409
        flash(message, "error")
        return redirect(url_for(".cohort_certificates", cohort_id=cohort_id))
    certificate = result.certificate
    message = (
        _("Issued %(serial)s for %(name)s.", serial=certificate.serial,
          name=enrollment.user.full_name)
        if result.created else
        _("%(name)s already has %(serial)s.", serial=certificate.serial,
          name=enrollment.user.full_name)
    )
    if wants_json():
        return jsonify(ok=True, created=result.created, serial=certificate.serial,
                       message=message)
    flash(message, "info")
    return redirect(url_for(".cohort_certificates", cohort_id=cohort_id))


@bp.post("/cohorts/<int:cohort_id>/certificates/issue-all")
def certificates_issue_all(cohort_id: int) -> ResponseReturnValue:
    """Start a job that issues every eligible participant's certificate (a worker renders
    them, several at once) and show its progress; a batch already running is shown
    instead of starting a second one."""
    cohort = get_cohort_or_404(current_user, cohort_id)
    if not FlaskForm().validate_on_submit():
        flash(_("The form was not valid. Please try again."), "error")
        return redirect(url_for(".cohort_certificates", cohort_id=cohort_id))
    running = unfinished_job(cohort, JobKind.CERTIFICATE_BATCH)
    if running is not None:
        flash(_("Certificates of this cohort are being issued already."), "info")
        return redirect(url_for(".job", job_id=running.id))
    with committing():
        job = create_job(JobKind.CERTIFICATE_BATCH, by=current_user, cohort=cohort)
    dispatch(job)
    return redirect(url_for(".job", job_id=job.id))


def _already_revoked(certificate: Certificate) -> ResponseReturnValue:
    flash(_("%(serial)s is already revoked.", serial=certificate.serial), "error")
    return redirect(url_for(".cohort_certificates", cohort_id=certificate.enrollment.cohort_id))


@bp.post("/certificates/<int:certificate_id>/revoke")
def certificate_revoke(certificate_id: int) -> ResponseReturnValue:
    certificate = get_certificate_or_404(current_user, certificate_id)
    if certificate.status != CertificateStatus.VALID:
        return _already_revoked(certificate)
    cohort_id = certificate.enrollment.cohort_id
    form = ReasonForm()
    if form.validate_on_submit():
        enrollment = certificate.enrollment
        with committing() as saved:
            revoke_certificate(certificate, filled(form.reason.data), by=current_user)
        if saved:
            flash(_("%(serial)s is revoked.", serial=certificate.serial), "info")
            if enrollment.status == EnrollmentStatus.ACTIVE:
                flash(_("The participation of %(name)s is active again instead of completed; "
                        "the reason is in the change log.", name=enrollment.user.full_name),
                      "info")
            return redirect(url_for(".cohort_certificates", cohort_id=cohort_id))
    return _reason_page(certificate, form, "revoke")


@bp.post("/certificates/<int:certificate_id>/correct")
def certificate_correct(certificate_id: int) -> ResponseReturnValue:
    certificate = get_certificate_or_404(current_user, certificate_id)
    if certificate.status != CertificateStatus.VALID:
        return _already_revoked(certificate)
    cohort_id = certificate.enrollment.cohort_id
    form = ReasonForm()
    if form.validate_on_submit():
        old_serial = certificate.serial
        with committing(report=False) as saved:
            result = issue_corrected_certificate(certificate, filled(form.reason.data),
                                                 by=current_user)
        if not saved:
            flash(_("The corrected certificate could not be issued: %(reason)s",
                    reason=saved.message), "error")
        else:
            flash(_("%(old)s is revoked and replaced by %(new)s.", old=old_serial,
                    new=result.certificate.serial), "info")
            return redirect(url_for(".cohort_certificates", cohort_id=cohort_id))
    return _reason_page(certificate, form, "correct")


def _reason_page(certificate: Certificate, form: ReasonForm, action: str
                 ) -> ResponseReturnValue:
    return render_template("coordinator/certificate_reason.html", certificate=certificate,
                           cohort=certificate.enrollment.cohort, form=form, action=action), 400


@bp.get("/certificates/<int:certificate_id>/download")
def certificate_download(certificate_id: int) -> ResponseReturnValue:
    certificate = get_certificate_or_404(current_user, certificate_id)
    return send_certificate(certificate)

