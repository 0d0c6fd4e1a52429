"""Companies and courses."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from lms.cohorts.models import Company
from lms.cohorts.operations import create_company, update_company
from lms.cohorts.queries import get_company, list_companies
from lms.curriculum.queries import get_course, list_courses
from lms.web.coordinator import bp
from lms.web.coordinator.forms import CompanyForm
from lms.web.fields import filled
from lms.web.saving import committing


@bp.get("/courses")
def courses() -> ResponseReturnValue:
    return render_template("coordinator/courses.html", courses=list_courses())


@bp.get("/courses/<int:course_id>")
def course(course_id: int) -> ResponseReturnValue:
    item = get_course(course_id) or abort(404)
    return render_template("coordinator/course.html", course=item)


@bp.get("/companies")
def companies() -> ResponseReturnValue:
    return render_template("coordinator/companies.html", companies=list_companies())


@bp.route("/companies/new", methods=["GET", "POST"])
def company_new() -> ResponseReturnValue:
    return _company_form(None)


@bp.route("/companies/<int:company_id>/edit", methods=["GET", "POST"])
def company_edit(company_id: int) -> ResponseReturnValue:
    return _company_form(get_company(company_id) or abort(404))


def _company_form(company: Company | None) -> ResponseReturnValue:
    """Creating and editing share the form; a name taken already is said on its field."""
    form = CompanyForm(obj=company)
    if form.validate_on_submit():
        values = {"name": filled(form.name.data), "contact_name": form.contact_name.data or "",
                  "contact_email": form.contact_email.data or ""}
        with committing(form, "name") as saved:
            if company is None:
                create_company(**values, by=current_user)
            else:
                update_company(company, **values, by=current_user)
        if saved:
            flash(_("The company has been created.") if company is None
                  else _("The company has been saved."), "info")
            return redirect(url_for("coordinator.companies"))
    return render_template("coordinator/company_form.html", form=form, company=company)
