"""A cohort's modules, each with its materials."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from lms.access import get_cohort_or_404
from lms.db import utcnow
from lms.materials.queries import cohort_modules
from lms.web.coordinator import bp


@bp.get("/cohorts/<int:cohort_id>/materials")
def cohort_materials(cohort_id: int) -> ResponseReturnValue:
    cohort = get_cohort_or_404(current_user, cohort_id)
    return render_template("materials/overview.html", role="coordinator", cohort=cohort,
                           rows=cohort_modules(cohort, utcnow()))
