from __future__ import annotations

from flask import render_template
from flask_login import current_user

from lms.cohorts.queries import list_contact_cohorts
from lms.schedule.queries import list_cohort_meetings
from lms.web.company import bp


@bp.get("/")
def home():
    cohorts = list_contact_cohorts(current_user)
    return render_template(
        "company/home.html",
        cohorts=cohorts,
        meetings=list_cohort_meetings([c.id for c in cohorts]),
    )
