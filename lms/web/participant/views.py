from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from lms.announcements.queries import current_announcements
from lms.certificates.queries import enrollment_progress
from lms.cohorts.queries import list_user_enrollments
from lms.db import utcnow
from lms.evaluation.queries import open_evaluations_for
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
        evaluations=open_evaluations_for(enrollments, now),
        announcements=current_announcements([e.cohort_id for e in enrollments], now), now=now,
    )
