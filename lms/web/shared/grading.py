"""Grading: list, download and grade a cohort's work for one assignment. Served to
lecturers (the module's, ``lms.access.can_grade``) and to coordinators, under each one's
URLs (see :mod:`lms.web.shared`)."""

from __future__ import annotations

import shutil
import tempfile
import zipfile

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from lms.access import (
    enrollment_in_or_404,
    get_assignment_to_grade_or_404,
    get_submission_or_404,
)
from lms.accounts.models import Role
from lms.assignments.operations import grade
from lms.assignments.queries import get_grade, grading_list, list_versions
from lms.curriculum.models import GradingScheme
from lms.i18n import file_name_part
from lms.storage import open_stored
from lms.web.saving import committing
from lms.web.shared import add_role_rules
from lms.web.shared.files import send_submission
from lms.web.shared.forms import GradeForm


def register(bp: Blueprint, role: Role) -> None:
    add_role_rules(bp, role, [
        ("/assignments/<int:assignment_id>", "grading", grading, ["GET"]),
        ("/assignments/<int:assignment_id>/participants/<int:enrollment_id>",
         "grade_participant", grade_participant, ["GET", "POST"]),
        ("/submissions/<int:submission_id>", "download_submission", download_submission,
         ["GET"]),
        ("/assignments/<int:assignment_id>/submissions.zip", "download_all", download_all,
         ["GET"]),
    ])


def grading(assignment_id: int, role: Role) -> ResponseReturnValue:
    assignment = get_assignment_to_grade_or_404(current_user, assignment_id)
    rows = grading_list(assignment)
    return render_template(
        "lecturer/grading.html", assignment=assignment, rows=rows, role=role,
        submitted=sum(1 for r in rows if r.status.latest is not None),
        graded=sum(1 for r in rows if r.status.grade is not None),
    )


def grade_participant(assignment_id: int, enrollment_id: int, role: Role) -> ResponseReturnValue:
    assignment = get_assignment_to_grade_or_404(current_user, assignment_id)
    enrollment = enrollment_in_or_404(assignment.cohort_id, enrollment_id)
    existing = get_grade(assignment, enrollment)
    if request.method == "POST" or existing is None:
        form = GradeForm()
    else:
        form = GradeForm(points=existing.points, passed="yes" if existing.passed else "no",
                         feedback=existing.feedback, publish=existing.published_at is not None)
    if form.validate_on_submit():
        points_scheme = assignment.grading == GradingScheme.POINTS
        if points_scheme and form.points.data is None:
            form.points.errors = [*form.points.errors, _("Please enter the points.")]
        elif not points_scheme and not form.passed.data:
            form.passed.errors = [*form.passed.errors, _("Please choose passed or not passed.")]
        else:
            with committing(form, "points" if points_scheme else "passed") as saved:
                grade(assignment, enrollment,
                      passed=form.passed.data == "yes" if not points_scheme else None,
                      points=form.points.data if points_scheme else None,
                      feedback=form.feedback.data or "", by=current_user,
                      publish=bool(form.publish.data))
            if saved:
                flash(_("The grade for %(name)s is saved.", name=enrollment.user.full_name),
                      "info")
                return redirect(url_for(f"{role}.grading", assignment_id=assignment.id))
    return render_template(
        "lecturer/grade.html", assignment=assignment, enrollment=enrollment, form=form,
        versions=list_versions(assignment, enrollment), existing=existing, role=role,
    )


def download_submission(submission_id: int, role: Role) -> ResponseReturnValue:
    return send_submission(get_submission_or_404(current_user, submission_id))


def download_all(assignment_id: int, role: Role) -> ResponseReturnValue:
    """The newest version of everyone's work in one ZIP, built on disk, not in memory."""
    assignment = get_assignment_to_grade_or_404(current_user, assignment_id)
    rows = [r for r in grading_list(assignment) if r.status.latest is not None]
    if not rows:
        flash(_("Nothing has been handed in yet."), "info")
        return redirect(url_for(f"{role}.grading", assignment_id=assignment.id))
    bundle = tempfile.TemporaryFile()  # noqa: SIM115 (closed by send_file)
    with zipfile.ZipFile(bundle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for row in rows:
            sub, user = row.status.latest, row.enrollment.user
            if sub is None:  # (not among the rows: they are those with work handed in)
                continue
            late = "_late" if sub.is_late else ""
            name = (f"{file_name_part(user.last_name)}_{file_name_part(user.first_name)}_"
                    f"v{sub.version}{late}_{file_name_part(sub.original_filename)}")
            with (open_stored(sub.storage_area, sub.stored_name) as stored,
                  archive.open(name, "w") as member):
                shutil.copyfileobj(stored, member)
    bundle.seek(0)
    name = f"{file_name_part(assignment.key)}_{assignment.cohort_id}.zip"
    response = send_file(bundle, mimetype="application/zip", as_attachment=True,
                         download_name=name, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
