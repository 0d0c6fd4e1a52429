"""Background jobs: each one's progress and outcome (the page refreshes itself while the
job runs; a few lines of JavaScript poll its JSON instead), and the list of recent ones,
failed ones among them."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, flash, jsonify, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from lms.access import get_cohort_or_404, get_job_or_404
from lms.certificates.queries import list_job_certificates
from lms.i18n import duration_text
from lms.jobs.models import BackgroundJob, JobKind, JobState
from lms.jobs.operations import create_job
from lms.jobs.queries import list_recent_jobs
from lms.jobs.queue import dispatch
from lms.web.coordinator import bp
from lms.web.negotiation import wants_json
from lms.web.saving import committing
from lms.web.shared.files import send_export

# Seconds between two looks at a running job (the page's meta refresh).
REFRESH_SECONDS = 2


@bp.get("/jobs")
def jobs() -> ResponseReturnValue:
    return render_template("coordinator/jobs.html", jobs=list_recent_jobs())


@bp.get("/jobs/<int:job_id>")
def job(job_id: int) -> ResponseReturnValue:
    job = get_job_or_404(current_user, job_id)
    if wants_json():
        return jsonify(job_state(job)), 200, {"Cache-Control": "no-store"}
    certificates = (list_job_certificates(job.id)
                    if job.kind == JobKind.CERTIFICATE_BATCH else [])
    export_kept = duration_text(timedelta(days=current_app.config["LMS_RETENTION"]["exports"]))
    return render_template("coordinator/job.html", job=job, certificates=certificates,
                           refresh=REFRESH_SECONDS, export_kept=export_kept), \
        200, {"Cache-Control": "no-store"}


def job_state(job: BackgroundJob) -> dict[str, object]:
    return {"id": job.id, "kind": job.kind.value, "state": job.state.value,
            "state_label": job.state.label, "finished": job.state.finished,
            "done": job.done, "failed": job.failed, "total": job.total,
            "attempts": job.attempts, "error": job.error,
            "url": url_for(".job", job_id=job.id)}


@bp.post("/cohorts/<int:cohort_id>/export")
def cohort_export(cohort_id: int) -> ResponseReturnValue:
    """Start the job that puts the cohort's records into one ZIP file."""
    cohort = get_cohort_or_404(current_user, cohort_id)
    if not FlaskForm().validate_on_submit():
        flash(_("The form was not valid. Please try again."), "error")
        return redirect(url_for(".cohort", cohort_id=cohort_id))
    with committing():
        job = create_job(JobKind.COHORT_EXPORT, by=current_user, cohort=cohort)
    dispatch(job)
    return redirect(url_for(".job", job_id=job.id))


@bp.get("/jobs/<int:job_id>/download")
def job_download(job_id: int) -> ResponseReturnValue:
    """What an export job produced; nothing for any other job, or one not done."""
    job = get_job_or_404(current_user, job_id)
    if job.kind != JobKind.COHORT_EXPORT or job.state != JobState.SUCCEEDED \
            or not job.result.get("stored_name"):
        abort(404)
    return send_export(job)
