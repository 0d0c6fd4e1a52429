from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from lms.db import utcnow
from lms.schedule.queries import lecturer_agenda, teaching_minutes
from lms.web.lecturer import bp


@bp.get("/")
def home() -> ResponseReturnValue:
    """The lecturer's day: today first, then upcoming, then past meetings whose
    attendance is not complete yet, across all cohorts they teach."""
    now = utcnow()
    agenda = lecturer_agenda(current_user, now)
    total = teaching_minutes(agenda.today + agenda.upcoming + agenda.past)
    return render_template("lecturer/home.html", agenda=agenda, total_minutes=total, now=now)
