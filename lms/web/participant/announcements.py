"""Every announcement to the participant's cohorts, the newest first."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from lms.announcements.queries import list_announcements
from lms.cohorts.queries import list_user_enrollments
from lms.db import utcnow
from lms.web.participant import bp


@bp.get("/announcements")
def announcements() -> ResponseReturnValue:
    enrollments = list_user_enrollments(current_user)
    return render_template("participant/announcements.html", now=utcnow(),
                           announcements=list_announcements([e.cohort_id for e in enrollments]))
