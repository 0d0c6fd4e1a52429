"""Grading: the lecturers of a module list, download and grade their participants' work.

The grading views also serve the coordinator's blueprint (registered there under the
same paths); ``lms.access.can_grade`` decides who may use them.
"""

from __future__ import annotations

import tempfile
import zipfile

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.access import get_assignment_to_grade_or_404, get_submission_or_404
from lms.assignments.operations import AssignmentError, grade
from lms.assignments.queries import (
    get_grade,
    grading_list,
    list_lecturer_assignments,
    list_versions,
)
from lms.cohorts.models import Enrollment
from lms.curriculum.models import GradingScheme
from lms.extensions import db
from lms.i18n import file_name_part
from lms.storage import stored_path
from lms.web.lecturer import bp
from lms.web.lecturer.forms import GradeForm


@bp.get("/assignments")
def assignments():
    return render_template("lecturer/assignments.html",
                           assignments=list_lecturer_assignments(current_user))


@bp.get("/assignments/<int:assignment_id>")
def grading(assignment_id: int):
    assignment = get_assignment_to_grade_or_404(current_user, assignment_id)
    rows = grading_list(assignment)
    return render_template(
        "lecturer/grading.html", assignment=assignment, rows=rows,
        submitted=sum(1 for r in rows if r.status.latest is not None),
        graded=sum(1 for r in rows if r.status.grade is not None),
        prefix=request.blueprint,
    )


def _enrollment_of(assignment, enrollment_id: int) -> Enrollment:
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None or enrollment.cohort_id != assignment.cohort_id:
        abort(404)
    return enrollment


@bp.route("/assignments/<int:assignment_id>/participants/<int:enrollment_id>",
          methods=["GET", "POST"])
def grade_participant(assignment_id: int, enrollment_id: int):
    assignment = get_assignment_to_grade_or_404(current_user, assignment_id)
    enrollment = _enrollment_of(assignment, enrollment_id)
    existing = get_grade(assignment, enrollment)
    if request.method == "POST":
        form = GradeForm()
    elif existing is not None:
        form = GradeForm(points=existing.points, passed="yes" if existing.passed else "no",
                         feedback=existing.feedback, publish=existing.published_at is not None)
    else:
        form = GradeForm()
    if form.validate_on_submit():
        points_scheme = assignment.grading == GradingScheme.POINTS
        if points_scheme and form.points.data is None:
            form.points.errors = [*form.points.errors, _("Please enter the points.")]
        elif not points_scheme and not form.passed.data:
            form.passed.errors = [*form.passed.errors, _("Please choose passed or not passed.")]
        else:
            try:
                grade(assignment, enrollment,
                      passed=form.passed.data == "yes" if not points_scheme else None,
                      points=form.points.data if points_scheme else None,
                      feedback=form.feedback.data or "", by=current_user,
                      publish=bool(form.publish.data))
            except AssignmentError as exc:
                db.session.rollback()
                target = form.points if points_scheme else form.passed
                target.errors = [*target.errors, str(exc)]
            else:
                db.session.commit()
                flash(_("The grade for %(name)s is saved.", name=enrollment.user.full_name),
                      "info")
                return redirect(url_for(f"{request.blueprint}.grading",
                                        assignment_id=assignment.id))
    return render_template(
        "lecturer/grade.html", assignment=assignment, enrollment=enrollment, form=form,
        versions=list_versions(assignment, enrollment), existing=existing,
        prefix=request.blueprint,
    )


@bp.get("/submissions/<int:submission_id>")
def download_submission(submission_id: int):
    submission = get_submission_or_404(current_user, submission_id)
    return send_submission(submission)


def send_submission(submission):
    """A stored file as an attachment under its original name (never shown inline)."""
    response = send_file(
        stored_path("submissions", submission.stored_name),
        mimetype=submission.content_type, as_attachment=True,
        download_name=submission.original_filename, max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/assignments/<int:assignment_id>/submissions.zip")
def download_all(assignment_id: int):
    """The newest version of everyone's work in one ZIP, built on disk, not in memory."""
    assignment = get_assignment_to_grade_or_404(current_user, assignment_id)
    rows = [r for r in grading_list(assignment) if r.status.latest is not None]
    if not rows:
        flash(_("Nothing has been handed in yet."), "info")
        return redirect(url_for(f"{request.blueprint}.grading", assignment_id=assignment.id))
    bundle = tempfile.TemporaryFile()  # noqa: SIM115 (closed by send_file)
    with zipfile.ZipFile(bundle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for row in rows:
            sub, user = row.status.latest, row.enrollment.user
            late = "_late" if sub.is_late else ""
            name = (f"{file_name_part(user.last_name)}_{file_name_part(user.first_name)}_"
                    f"v{sub.version}{late}_{file_name_part(sub.original_filename)}")
            archive.write(stored_path("submissions", sub.stored_name), arcname=name)
    bundle.seek(0)
    response = send_file(bundle, mimetype="application/zip", as_attachment=True,
                         download_name=f"{file_name_part(assignment.key)}_{assignment.cohort_id}.zip",
                         max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
