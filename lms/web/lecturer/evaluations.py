"""The evaluations of the modules a lecturer teaches, across cohorts."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from lms.db import utcnow
from lms.evaluation.queries import lecturer_evaluations, minimum_answers
from lms.web.lecturer import bp


@bp.get("/evaluations")
def evaluations() -> ResponseReturnValue:
    return render_template("lecturer/evaluations.html",
                           statuses=lecturer_evaluations(current_user, utcnow()),
                           minimum=minimum_answers())
