"""A cohort's assignments: define them (kind, grading, due date in the cohort's time
zone, required or not), follow who handed in, and grade (the shared grading pages,
registered here for coordinators as well)."""

from __future__ import annotations

from datetime import time
from typing import Any
from zoneinfo import ZoneInfo

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from lms.access import get_assignment_or_404, get_cohort_or_404
from lms.assignments.gradebook import cohort_gradebook, gradebook_table
from lms.assignments.models import Assignment
from lms.assignments.operations import create_assignment, update_assignment
from lms.assignments.queries import list_cohort_assignments, work_status
from lms.attendance.queries import active_roster
from lms.cohorts.models import Cohort
from lms.curriculum.models import AssessmentKind, GradingScheme
from lms.curriculum.queries import get_module, list_modules
from lms.db import utcnow
from lms.exports import csv_bytes, xlsx_bytes
from lms.localtime import NonexistentTime, ambiguity_notice, local_instant
from lms.web.coordinator import bp
from lms.web.coordinator.attendance_forms import AssignmentForm
from lms.web.downloads import export_name, report_download
from lms.web.fields import add_error
from lms.web.saving import committing


@bp.get("/cohorts/<int:cohort_id>/assignments")
def cohort_assignments(cohort_id: int) -> ResponseReturnValue:
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
def cohort_grades(cohort_id: int) -> ResponseReturnValue:
    """Every participant by every assignment, with the required ones passed."""
    cohort = get_cohort_or_404(current_user, cohort_id)
    return render_template("coordinator/grades.html", cohort=cohort,
                           book=cohort_gradebook(cohort, utcnow()))


@bp.get("/cohorts/<int:cohort_id>/grades.<any(csv, xlsx):suffix>")
def grades_download(cohort_id: int, suffix: str) -> ResponseReturnValue:
    cohort = get_cohort_or_404(current_user, cohort_id)
    table = gradebook_table(cohort_gradebook(cohort, utcnow()))
    data = csv_bytes(table) if suffix == "csv" else xlsx_bytes(_("Grades"), table)
    return report_download(data, export_name(_("grades"), cohort.name, suffix))


@bp.route("/cohorts/<int:cohort_id>/assignments/new", methods=["GET", "POST"])
def assignment_new(cohort_id: int) -> ResponseReturnValue:
    return _assignment_form(get_cohort_or_404(current_user, cohort_id), None)


@bp.route("/assignments/<int:assignment_id>/edit", methods=["GET", "POST"])
def assignment_edit(assignment_id: int) -> ResponseReturnValue:
    assignment = get_assignment_or_404(current_user, assignment_id)
    return _assignment_form(assignment.cohort, assignment)


def _assignment_form(cohort: Cohort, assignment: Assignment | None) -> ResponseReturnValue:
    """Defining and editing share the form; a refusal is said on the title field."""
    form = _form_for(cohort, assignment)
    if form.validate_on_submit() and (fields := _fields(form, cohort, assignment)) is not None:
        with committing(form, "title") as saved:
            if assignment is None:
                create_assignment(cohort, by=current_user, **fields)
            else:
                update_assignment(assignment, by=current_user, **fields)
        if saved:
            flash(_("The assignment is created.") if assignment is None
                  else _("The assignment is saved."), "info")
            return redirect(url_for("coordinator.cohort_assignments", cohort_id=cohort.id))
    return render_template("coordinator/assignment_form.html", cohort=cohort, form=form,
                           assignment=assignment)


def _form_for(cohort: Cohort, assignment: Assignment | None) -> AssignmentForm:
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
    form.module_id.choices = [(0, _("– whole course –"))] + [
        (m.id, f"{m.number}. {m.title}") for m in list_modules(cohort.course_id)]
    return form


def _fields(form: AssignmentForm, cohort: Cohort,
            assignment: Assignment | None = None) -> dict[str, Any] | None:
    """The form's values for the operation; None after putting an error on a field."""
    due_at = None
    if form.due_date.data:
        try:
            due = local_instant(form.due_date.data, form.due_time.data or time(0, 0),
                                cohort.timezone, keep=assignment.due_at if assignment else None)
        except NonexistentTime as error:
            add_error(form.due_time, str(error))
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
        "module": get_module(form.module_id.data) if form.module_id.data else None,
        "kind": AssessmentKind(form.kind.data), "grading": GradingScheme(form.grading.data),
        "max_points": form.max_points.data, "pass_points": form.pass_points.data,
        "due_at": due_at, "required": bool(form.required.data),
    }
