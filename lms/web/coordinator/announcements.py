"""A cohort's announcements: post one (mailed to its participants), see all."""

from __future__ import annotations

from flask import render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from lms.access import get_cohort_or_404
from lms.announcements.queries import list_announcements
from lms.db import utcnow
from lms.web.coordinator import bp
from lms.web.shared.announcements import announcement_form, post


@bp.route("/cohorts/<int:cohort_id>/announcements", methods=["GET", "POST"])
def announcements(cohort_id: int) -> ResponseReturnValue:
    cohort = get_cohort_or_404(current_user, cohort_id)
    form = announcement_form()
    del form.cohort_id  # the cohort of the page
    if form.validate_on_submit():
        posted = post(form, cohort, current_user,
                      url_for("coordinator.announcements", cohort_id=cohort.id))
        if posted is not None:
            return posted
    return render_template("coordinator/announcements.html", cohort=cohort, form=form,
                           announcements=list_announcements([cohort.id]), now=utcnow())
