from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from lms.announcements.queries import current_announcements
from lms.assignments.queries import papers_to_hand_in
from lms.attendance.checkin import checkin_is_open
from lms.certificates.queries import enrollment_progress
from lms.cohorts.queries import list_user_enrollments
from lms.db import utcnow
from lms.evaluation.queries import open_evaluations_for
from lms.schedule.queries import list_cohort_meetings, next_meetings
from lms.web.participant import bp

# The start page shows what is next and what needs doing first; however long the
# schedule, it costs the same (the whole schedule is its own page).
NEXT_MEETINGS = 3
TO_DO_SHOWN = 5


@bp.get("/")
def home() -> ResponseReturnValue:
    now = utcnow()
    enrollments = list_user_enrollments(current_user)
    cohort_ids = [e.cohort_id for e in enrollments]
    upcoming = next_meetings(cohort_ids, now, NEXT_MEETINGS)
    todo = papers_to_hand_in([e.id for e in enrollments], now)
    return render_template(
        "participant/home.html",
        enrollments=enrollments,
        upcoming=upcoming,
        check_in_now=[m for m in upcoming if checkin_is_open(m, now)],
        todo=todo[:TO_DO_SHOWN],
        more_to_do=len(todo) - TO_DO_SHOWN,
        progress={e.id: enrollment_progress(e, now) for e in enrollments},
        evaluations=open_evaluations_for(enrollments, now),
        announcements=current_announcements([e.cohort_id for e in enrollments], now), now=now,
    )


@bp.get("/schedule")
def schedule() -> ResponseReturnValue:
    """Every meeting of the participant's cohorts, upcoming and past."""
    now = utcnow()
    enrollments = list_user_enrollments(current_user)
    meetings = list_cohort_meetings([e.cohort_id for e in enrollments])
    return render_template(
        "participant/schedule.html",
        enrollments=enrollments,
        upcoming=[m for m in meetings if m.ends_at >= now],
        past=[m for m in meetings if m.ends_at < now],
    )
