"""Creating and editing cohorts with their completion rules; the audit trail."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from lms.access import get_cohort_or_404
from lms.accounts.models import Role, User, UserRole
from lms.assignments.models import Assignment
from lms.audit.models import AuditEvent
from lms.cohorts.models import Cohort, Company
from lms.cohorts.operations import (
    CohortError,
    create_cohort,
    set_cohort_archived,
    update_cohort,
)
from lms.curriculum.models import Course
from lms.extensions import db
from lms.web.coordinator import bp
from lms.web.coordinator.forms import CohortForm, ConfirmForm

AUDIT_PAGE = 100


def _fill_choices(form: CohortForm, cohort: Cohort | None) -> None:
    form.course_id.choices = [
        (c.id, c.title_neutral)
        for c in db.session.scalars(sa.select(Course).order_by(Course.title_neutral))
    ]
    form.company_id.choices = [
        (c.id, c.name) for c in db.session.scalars(sa.select(Company).order_by(Company.name))
    ]
    coordinators = db.session.scalars(
        sa.select(User).join(UserRole).where(UserRole.role == Role.COORDINATOR)
        .order_by(User.last_name, User.first_name)
    )
    form.coordinator_id.choices = [(0, "–")] + [(u.id, u.full_name) for u in coordinators]
    if cohort is None:
        form.required_keys.choices = []
    else:
        form.required_keys.choices = [
            (a.key, a.title) for a in db.session.scalars(
                sa.select(Assignment).where(Assignment.cohort_id == cohort.id)
                .order_by(Assignment.id))
        ]


@bp.route("/cohorts/new", methods=["GET", "POST"])
def cohort_new():
    form = CohortForm(coordinator_id=current_user.id)
    _fill_choices(form, None)
    del form.required_keys  # the course's assessments are copied; edit them afterwards
    if request.method == "GET":
        course = db.session.scalar(sa.select(Course).order_by(Course.id))
        if course is not None:
            form.min_attendance_percent.data = course.default_min_attendance_percent
            form.excused_counts.data = course.default_excused_counts
    if form.validate_on_submit():
        course = db.session.get(Course, form.course_id.data)
        company = db.session.get(Company, form.company_id.data)

        def create() -> Cohort:
            cohort = create_cohort(
                course, company, form.name.data, form.starts_on.data, form.ends_on.data,
                timezone=form.timezone.data, location=form.location.data or "",
                coordinator=db.session.get(User, form.coordinator_id.data) or None,
                by=current_user,
            )
            update_cohort(cohort, min_attendance_percent=form.min_attendance_percent.data,
                          excused_counts=form.excused_counts.data,
                          attendance_edit_days=form.attendance_edit_days.data, by=current_user)
            return cohort

        cohort = _save(form, create)
        if cohort is not None:
            flash(_("The cohort has been created. Next: invite its participants."), "info")
            return redirect(url_for("coordinator.roster", cohort_id=cohort.id))
    return render_template("coordinator/cohort_form.html", form=form, cohort=None)


@bp.route("/cohorts/<int:cohort_id>/edit", methods=["GET", "POST"])
def cohort_edit(cohort_id: int):
    cohort = get_cohort_or_404(current_user, cohort_id)
    form = CohortForm(obj=cohort)
    _fill_choices(form, cohort)
    del form.course_id  # a cohort stays with its course
    if request.method == "GET":
        form.coordinator_id.data = cohort.coordinator_id or 0
        form.required_keys.data = list(db.session.scalars(
            sa.select(Assignment.key).where(Assignment.cohort_id == cohort.id,
                                            Assignment.required.is_(True))))
    if form.validate_on_submit():
        def save() -> Cohort:
            update_cohort(
                cohort, by=current_user, required_keys=set(form.required_keys.data),
                name=form.name.data.strip(), company_id=form.company_id.data,
                starts_on=form.starts_on.data, ends_on=form.ends_on.data,
                timezone=form.timezone.data, location=form.location.data or "",
                coordinator_id=form.coordinator_id.data or None,
                min_attendance_percent=form.min_attendance_percent.data,
                excused_counts=form.excused_counts.data,
                attendance_edit_days=form.attendance_edit_days.data,
            )
            return cohort

        if _save(form, save) is not None:
            flash(_("The cohort has been saved."), "info")
            return redirect(url_for("coordinator.cohort", cohort_id=cohort.id))
    return render_template("coordinator/cohort_form.html", form=form, cohort=cohort,
                           archive_form=ConfirmForm())


@bp.post("/cohorts/<int:cohort_id>/archive")
def cohort_archive(cohort_id: int):
    cohort = get_cohort_or_404(current_user, cohort_id)
    if ConfirmForm().validate_on_submit():
        archive = cohort.archived_at is None
        set_cohort_archived(cohort, archive, by=current_user)
        db.session.commit()
        flash(_("The cohort has been archived. Its records and certificates are kept.")
              if archive else _("The cohort is active again."), "info")
    return redirect(url_for("coordinator.cohort_edit", cohort_id=cohort.id))


def _save(form: CohortForm, change: Callable[[], Cohort]) -> Cohort | None:
    """Run one cohort change and commit it; a refusal becomes a field error and nothing
    is kept."""
    try:
        cohort = change()
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        form.name.errors.append(_("This course has a cohort of this name already."))
    except CohortError as error:
        db.session.rollback()
        form.ends_on.errors.append(error.message)
    else:
        return cohort
    return None




@bp.get("/cohorts/<int:cohort_id>/audit")
def audit(cohort_id: int) -> str:
    cohort = get_cohort_or_404(current_user, cohort_id)
    events = db.session.execute(
        sa.select(AuditEvent, User)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.cohort_id == cohort.id)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(AUDIT_PAGE)
    ).all()
    return render_template("coordinator/audit.html", cohort=cohort, events=events,
                           limit=AUDIT_PAGE)
