"""A cohort's assignments: define them (kind, grading, due date in the cohort's time
zone, required or not), follow who handed in, and grade (the lecturer's grading pages,
registered here for coordinators as well)."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.access import get_cohort_or_404
from lms.assignments.gradebook import cohort_gradebook, gradebook_table, state_label
from lms.assignments.models import Assignment
from lms.assignments.operations import AssignmentError, create_assignment, update_assignment
from lms.assignments.queries import list_cohort_assignments, work_status
from lms.attendance.queries import active_roster
from lms.curriculum.models import AssessmentKind, GradingScheme, Module
from lms.db import utcnow
from lms.exports import csv_bytes, xlsx_bytes
from lms.extensions import db
from lms.localtime import NonexistentTime, ambiguity_notice, local_instant
from lms.web.coordinator import bp
from lms.web.coordinator.attendance_forms import AssignmentForm
from lms.web.downloads import export_name, report_download
from lms.web.lecturer import assignments as grading_views

for _rule, _endpoint, _view in (
    ("/assignments/<int:assignment_id>", "grading", grading_views.grading),
    ("/assignments/<int:assignment_id>/participants/<int:enrollment_id>", "grade_participant",
     grading_views.grade_participant),
    ("/submissions/<int:submission_id>", "download_submission",
     grading_views.download_submission),
    ("/assignments/<int:assignment_id>/submissions.zip", "download_all",
     grading_views.download_all),
):
    bp.add_url_rule(_rule, _endpoint, _view, methods=["GET", "POST"]
                    if _endpoint == "grade_participant" else ["GET"])


@bp.get("/cohorts/<int:cohort_id>/assignments")
def cohort_assignments(cohort_id: int):
    cohort = get_cohort_or_404(current_user, cohort_id)
    assignments = list_cohort_assignments([cohort.id])
    roster = active_roster(cohort.id)
    status = work_status(assignments, roster)
    counts = {
        a.id: (sum(1 for e in roster if status[(a.id, e.id)].latest is not None),
               sum(1 for e in roster if status[(a.id, e.id)].grade is not None))
        for a in assignments
    }
    return render_template("coordinator/assignments.html", cohort=cohort,
                           assignments=assignments, counts=counts, roster_size=len(roster))


@bp.get("/cohorts/<int:cohort_id>/grades")
def cohort_grades(cohort_id: int):
    """Every participant by every assignment, with the required ones passed."""
    cohort = get_cohort_or_404(current_user, cohort_id)
    return render_template("coordinator/grades.html", cohort=cohort,
                           book=cohort_gradebook(cohort, utcnow()), state_label=state_label)


@bp.get("/cohorts/<int:cohort_id>/grades.<any(csv, xlsx):suffix>")
def grades_download(cohort_id: int, suffix: str):
    cohort = get_cohort_or_404(current_user, cohort_id)
    table = gradebook_table(cohort_gradebook(cohort, utcnow()))
    data = csv_bytes(table) if suffix == "csv" else xlsx_bytes(_("Grades"), table)
    return report_download(data, export_name(_("grades"), cohort.name, suffix))


def _form_for(cohort, assignment: Assignment | None) -> AssignmentForm:
    if request.method == "POST" or assignment is None:
        form = AssignmentForm()
    else:
        local = (assignment.due_at.astimezone(ZoneInfo(cohort.timezone))
                 if assignment.due_at else None)
        form = AssignmentForm(
            title=assignment.title, description=assignment.description,
            module_id=assignment.module_id or 0, kind=assignment.kind.value,
            grading=assignment.grading.value, max_points=assignment.max_points,
            pass_points=assignment.pass_points, required=assignment.required,
            due_date=local.date() if local else None,
            **({"due_time": local.time().replace(second=0, microsecond=0)} if local else {}),
        )
    modules = db.session.scalars(
        sa.select(Module).where(Module.course_id == cohort.course_id).order_by(Module.number))
    form.module_id.choices = [(0, _("– whole course –"))] + [
        (m.id, f"{m.number}. {m.title}") for m in modules]
    return form


def _fields(form: AssignmentForm, cohort, assignment: Assignment | None = None) -> dict | None:
    """The form's values for the operation; None after putting an error on a field."""
    due_at = None
    if form.due_date.data:
        try:
            due = local_instant(form.due_date.data, form.due_time.data or time(0, 0),
                                cohort.timezone, keep=assignment.due_at if assignment else None)
        except NonexistentTime as error:
            form.due_time.errors.append(error.message)
            return None
        due_at = due.at
        if due.ambiguous and (assignment is None or assignment.due_at != due.at):
            flash(ambiguity_notice(due), "warning")
    if form.grading.data == GradingScheme.PASS_FAIL.value and (
            form.max_points.data is not None or form.pass_points.data is not None):
        flash(_("Pass/fail grading uses no points: the points given were not stored."),
              "warning")
    return {
        "title": form.title.data, "description": (form.description.data or "").strip(),
        "module": db.session.get(Module, form.module_id.data) if form.module_id.data else None,
        "kind": AssessmentKind(form.kind.data), "grading": GradingScheme(form.grading.data),
        "max_points": form.max_points.data, "pass_points": form.pass_points.data,
        "due_at": due_at, "required": bool(form.required.data),
    }


@bp.route("/cohorts/<int:cohort_id>/assignments/new", methods=["GET", "POST"])
def assignment_new(cohort_id: int):
    cohort = get_cohort_or_404(current_user, cohort_id)
    form = _form_for(cohort, None)
    if form.validate_on_submit() and (fields := _fields(form, cohort)) is not None:
        try:
            create_assignment(cohort, by=current_user, **fields)
        except AssignmentError as exc:
            db.session.rollback()
            form.title.errors = [*form.title.errors, str(exc)]
        else:
            db.session.commit()
            flash(_("The assignment is created."), "info")
            return redirect(url_for("coordinator.cohort_assignments", cohort_id=cohort.id))
    return render_template("coordinator/assignment_form.html", cohort=cohort, form=form,
                           assignment=None)


@bp.route("/assignments/<int:assignment_id>/edit", methods=["GET", "POST"])
def assignment_edit(assignment_id: int):
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None:
        abort(404)
    cohort = get_cohort_or_404(current_user, assignment.cohort_id)
    form = _form_for(cohort, assignment)
    if form.validate_on_submit() and (fields := _fields(form, cohort, assignment)) is not None:
        try:
            update_assignment(assignment, by=current_user, **fields)
        except AssignmentError as exc:
            db.session.rollback()
            form.title.errors = [*form.title.errors, str(exc)]
        else:
            db.session.commit()
            flash(_("The assignment is saved."), "info")
            return redirect(url_for("coordinator.cohort_assignments", cohort_id=cohort.id))
    return render_template("coordinator/assignment_form.html", cohort=cohort, form=form,
                           assignment=assignment)
