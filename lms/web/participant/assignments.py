"""A participant's assignments: hand in work (new versions keep the old ones), see the
published grade and feedback, download what they handed in."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import RequestEntityTooLarge

from lms.access import get_own_assignment_or_404, get_submission_or_404
from lms.assignments.files import ACCEPT_ATTRIBUTE, ALLOWED_LABELS
from lms.assignments.operations import submit_file
from lms.assignments.queries import (
    get_grade,
    hand_in_offer,
    list_cohort_assignments,
    list_versions,
    work_status,
)
from lms.cohorts.queries import list_user_enrollments
from lms.db import utcnow
from lms.extensions import db
from lms.web.participant import bp
from lms.web.participant.coursework_forms import UploadForm
from lms.web.saving import committing
from lms.web.shared.files import send_submission
from lms.web.uploads import upload_limit


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error: RequestEntityTooLarge) -> ResponseReturnValue:
    """A clear page instead of a dropped connection: what the limit is, and what to do."""
    return render_template("participant/upload_too_large.html", limit=upload_limit()), 413


@bp.get("/assignments")
def my_assignments() -> ResponseReturnValue:
    enrollments = list_user_enrollments(current_user)
    assignments = list_cohort_assignments([e.cohort_id for e in enrollments])
    return render_template(
        "participant/assignments.html", enrollments=enrollments, assignments=assignments,
        status=work_status(assignments, enrollments), now=utcnow(),
    )


@bp.route("/assignments/<int:assignment_id>", methods=["GET", "POST"])
def assignment(assignment_id: int) -> ResponseReturnValue:
    assignment, enrollment = get_own_assignment_or_404(current_user, assignment_id)
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            with committing(form, "file") as saved:
                submission = submit_file(assignment, enrollment, upload.filename or "",
                                         upload.read(), upload.mimetype or "")
        except SQLAlchemyError:
            # The rollback removes the stored file with the row that did not survive.
            db.session.rollback()
            current_app.logger.exception("submission could not be saved")
            form.file.errors = [*form.file.errors,
                                _("Your file could not be saved. Please try again.")]
        else:
            if saved:
                flash(_("Version %(version)s is handed in. It arrived after the due date and "
                        "is marked as late.", version=submission.version) if submission.is_late
                      else _("Version %(version)s is handed in.", version=submission.version),
                      "info")
                return redirect(url_for("participant.assignment", assignment_id=assignment.id))
    grade = get_grade(assignment, enrollment)
    versions = list_versions(assignment, enrollment)
    now = utcnow()
    return render_template(
        "participant/assignment.html", assignment=assignment, form=form, versions=versions,
        grade=grade if grade is not None and grade.published_at is not None else None,
        offer=hand_in_offer(assignment, len(versions), grade, now),
        accept=ACCEPT_ATTRIBUTE, allowed=ALLOWED_LABELS, limit=upload_limit(), now=now,
    )


@bp.get("/submissions/<int:submission_id>")
def my_submission(submission_id: int) -> ResponseReturnValue:
    return send_submission(get_submission_or_404(current_user, submission_id))
