from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from lms.certificates.queries import enrollment_progress
from lms.cohorts.queries import list_user_enrollments
from lms.db import utcnow
from lms.schedule.queries import list_cohort_meetings
from lms.web.participant import bp


@bp.get("/")
def home() -> ResponseReturnValue:
    now = utcnow()
    enrollments = list_user_enrollments(current_user)
    meetings = list_cohort_meetings([e.cohort_id for e in enrollments])
    return render_template(
        "participant/home.html",
        enrollments=enrollments,
        upcoming=[m for m in meetings if m.ends_at >= now],
        past=[m for m in meetings if m.ends_at < now],
        progress={e.id: enrollment_progress(e, now) for e in enrollments},
    )
