"""The modules a lecturer teaches, each with its materials."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from lms.db import utcnow
from lms.materials.queries import taught_modules
from lms.web.lecturer import bp


@bp.get("/materials")
def material_overview() -> ResponseReturnValue:
    return render_template("materials/overview.html", role="lecturer",
                           rows=taught_modules(current_user, utcnow()), cohort=None)
