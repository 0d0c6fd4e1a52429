"""Companies and courses."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from lms.cohorts.models import Company
from lms.cohorts.operations import create_company, update_company
from lms.curriculum.models import Course
from lms.extensions import db
from lms.web.coordinator import bp
from lms.web.coordinator.forms import CompanyForm


@bp.get("/courses")
def courses():
    items = db.session.scalars(sa.select(Course).order_by(Course.title_neutral)).all()
    return render_template("coordinator/courses.html", courses=items)


@bp.get("/courses/<int:course_id>")
def course(course_id: int):
    item = db.session.get(Course, course_id) or abort(404)
    return render_template("coordinator/course.html", course=item)


@bp.get("/companies")
def companies():
    items = db.session.scalars(sa.select(Company).order_by(Company.name)).all()
    return render_template("coordinator/companies.html", companies=items)


@bp.route("/companies/new", methods=["GET", "POST"])
def company_new():
    form = CompanyForm()
    if form.validate_on_submit():
        try:
            create_company(form.name.data, form.contact_name.data or "",
                           (form.contact_email.data or "").lower())
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            form.name.errors.append(_("A company with this name exists already."))
        else:
            flash(_("The company has been created."), "info")
            return redirect(url_for("coordinator.companies"))
    return render_template("coordinator/company_form.html", form=form, company=None)


@bp.route("/companies/<int:company_id>/edit", methods=["GET", "POST"])
def company_edit(company_id: int):
    company = db.session.get(Company, company_id) or abort(404)
    form = CompanyForm(obj=company)
    if form.validate_on_submit():
        try:
            update_company(company, name=form.name.data,
                           contact_name=form.contact_name.data or "",
                           contact_email=form.contact_email.data or "", by=current_user)
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            form.name.errors.append(_("A company with this name exists already."))
        else:
            flash(_("The company has been saved."), "info")
            return redirect(url_for("coordinator.companies"))
    return render_template("coordinator/company_form.html", form=form, company=company)
