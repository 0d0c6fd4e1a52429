from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from lms.certificates.queries import list_completion_status
from lms.cohorts.queries import list_contact_cohorts
from lms.db import utcnow
from lms.schedule.queries import list_cohort_meetings
from lms.web.company import bp


@bp.get("/")
def home() -> ResponseReturnValue:
    """The company's view: roster, schedule and each participant's standing (on track,
    at risk, out of reach; once final certified, confirmation of participation, not
    completed, withdrawn) — never grades, feedback, submissions or attendance details."""
    now = utcnow()
    cohorts = list_contact_cohorts(current_user)
    return render_template(
        "company/home.html",
        cohorts=[(cohort, list_completion_status(cohort, now)) for cohort in cohorts],
        meetings=list_cohort_meetings([c.id for c in cohorts]),
    )
