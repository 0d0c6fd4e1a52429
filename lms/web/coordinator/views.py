from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from lms.access import get_cohort_or_404
from lms.certificates.queries import cohort_progress
from lms.cohorts.queries import list_cohort_overview, list_roster
from lms.db import utcnow
from lms.schedule.queries import list_cohort_meetings
from lms.web.coordinator import bp


@bp.get("/")
def home() -> ResponseReturnValue:
    return render_template("coordinator/home.html", rows=list_cohort_overview())


@bp.get("/cohorts/<int:cohort_id>")
def cohort(cohort_id: int) -> ResponseReturnValue:
    cohort = get_cohort_or_404(current_user, cohort_id)
    return render_template(
        "coordinator/cohort.html",
        cohort=cohort,
        progress=cohort_progress(cohort, utcnow(), list_roster(cohort)),
        meetings=list_cohort_meetings([cohort.id]),
    )
