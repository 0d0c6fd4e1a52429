"""Creating and editing cohorts with their completion rules; the audit trail."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from lms.access import get_cohort_or_404
from lms.accounts.models import Role
from lms.accounts.queries import get_user, list_users_with_role
from lms.assignments.queries import list_assignments_by_creation
from lms.audit.queries import AUDIT_PAGE, list_cohort_events
from lms.cohorts.models import Cohort
from lms.cohorts.operations import create_cohort, set_cohort_archived, update_cohort
from lms.cohorts.queries import get_company, list_companies
from lms.curriculum.queries import first_course, get_course, list_courses
from lms.web.coordinator import bp
from lms.web.coordinator.forms import CohortForm, ConfirmForm
from lms.web.fields import filled
from lms.web.saving import committing


def _fill_choices(form: CohortForm, cohort: Cohort | None) -> None:
    form.course_id.choices = [(c.id, c.title_neutral) for c in list_courses()]
    form.company_id.choices = [(c.id, c.name) for c in list_companies()]
    form.coordinator_id.choices = [(0, "–")] + [
        (u.id, u.full_name) for u in list_users_with_role(Role.COORDINATOR)]
    if cohort is None:
        form.required_keys.choices = []
    else:
        form.required_keys.choices = [
            (a.key, a.title) for a in list_assignments_by_creation(cohort.id)]


@bp.route("/cohorts/new", methods=["GET", "POST"])
def cohort_new() -> ResponseReturnValue:
    form = CohortForm(coordinator_id=current_user.id)
    _fill_choices(form, None)
    del form.required_keys  # the course's assessments are copied; edit them afterwards
    if request.method == "GET":
        course = first_course()
        if course is not None:
            form.min_attendance_percent.data = course.default_min_attendance_percent
            form.excused_counts.data = course.default_excused_counts
    if form.validate_on_submit():
        course = get_course(form.course_id.data) or abort(400)
        company = get_company(form.company_id.data) or abort(400)
        with committing(form, "ends_on") as saved:
            cohort = create_cohort(
                course, company, filled(form.name.data), filled(form.starts_on.data),
                filled(form.ends_on.data),
                timezone=form.timezone.data, location=form.location.data or "",
                coordinator=get_user(form.coordinator_id.data), by=current_user,
            )
            update_cohort(cohort, min_attendance_percent=form.min_attendance_percent.data,
                          excused_counts=form.excused_counts.data,
                          attendance_edit_days=form.attendance_edit_days.data, by=current_user)
        if saved:
            flash(_("The cohort has been created. Next: invite its participants."), "info")
            return redirect(url_for("coordinator.roster", cohort_id=cohort.id))
    return render_template("coordinator/cohort_form.html", form=form, cohort=None)


@bp.route("/cohorts/<int:cohort_id>/edit", methods=["GET", "POST"])
def cohort_edit(cohort_id: int) -> ResponseReturnValue:
    cohort = get_cohort_or_404(current_user, cohort_id)
    form = CohortForm(obj=cohort)
    _fill_choices(form, cohort)
    del form.course_id  # a cohort stays with its course
    if request.method == "GET":
        form.coordinator_id.data = cohort.coordinator_id or 0
        form.required_keys.data = [a.key for a in list_assignments_by_creation(cohort.id)
                                   if a.required]
    if form.validate_on_submit():
        with committing(form, "ends_on") as saved:
            update_cohort(
                cohort, by=current_user, required_keys=set(form.required_keys.data or ()),
                name=filled(form.name.data).strip(), company_id=form.company_id.data,
                starts_on=form.starts_on.data, ends_on=form.ends_on.data,
                timezone=form.timezone.data, location=form.location.data or "",
                coordinator_id=form.coordinator_id.data or None,
                min_attendance_percent=form.min_attendance_percent.data,
                excused_counts=form.excused_counts.data,
                attendance_edit_days=form.attendance_edit_days.data,
            )
        if saved:
            flash(_("The cohort has been saved."), "info")
            return redirect(url_for("coordinator.cohort", cohort_id=cohort.id))
    return render_template("coordinator/cohort_form.html", form=form, cohort=cohort,
                           archive_form=ConfirmForm())


@bp.post("/cohorts/<int:cohort_id>/archive")
def cohort_archive(cohort_id: int) -> ResponseReturnValue:
    cohort = get_cohort_or_404(current_user, cohort_id)
    if ConfirmForm().validate_on_submit():
        archive = cohort.archived_at is None
        with committing():
            set_cohort_archived(cohort, archive, by=current_user)
        flash(_("The cohort has been archived. Its records and certificates are kept.")
              if archive else _("The cohort is active again."), "info")
    return redirect(url_for("coordinator.cohort_edit", cohort_id=cohort.id))


@bp.get("/cohorts/<int:cohort_id>/audit")
def audit(cohort_id: int) -> ResponseReturnValue:
    cohort = get_cohort_or_404(current_user, cohort_id)
    return render_template("coordinator/audit.html", cohort=cohort,
                           events=list_cohort_events(cohort.id), limit=AUDIT_PAGE)
