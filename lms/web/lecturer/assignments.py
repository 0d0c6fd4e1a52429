"""The assignments of the modules a lecturer teaches; grading them is the shared page
(:mod:`lms.web.shared.grading`), registered here for lecturers."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from lms.assignments.queries import list_lecturer_assignments
from lms.web.lecturer import bp


@bp.get("/assignments")
def assignments() -> ResponseReturnValue:
    return render_template("lecturer/assignments.html",
                           assignments=list_lecturer_assignments(current_user))
