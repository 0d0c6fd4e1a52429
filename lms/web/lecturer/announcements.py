"""A lecturer's announcements to the cohorts they teach."""

from __future__ import annotations

from flask import render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from lms.access import get_cohort_to_announce_or_404
from lms.announcements.queries import list_announcements, taught_cohorts
from lms.db import utcnow
from lms.web.lecturer import bp
from lms.web.shared.announcements import announcement_form, post


@bp.route("/announcements", methods=["GET", "POST"])
def announcements() -> ResponseReturnValue:
    cohorts = taught_cohorts(current_user)
    form = announcement_form()
    form.cohort_id.choices = [(c.id, f"{c.name} · {c.company.name}") for c in cohorts]
    if cohorts and form.validate_on_submit():
        cohort = get_cohort_to_announce_or_404(current_user, form.cohort_id.data)
        posted = post(form, cohort, current_user, url_for("lecturer.announcements"))
        if posted is not None:
            return posted
    return render_template("lecturer/announcements.html", cohorts=cohorts, form=form,
                           announcements=list_announcements([c.id for c in cohorts]),
                           now=utcnow())
