"""Coordinators: courses, cohorts, schedules."""

from flask import Blueprint

from lms.access import role_required
from lms.accounts.models import Role

bp = Blueprint("coordinator", __name__, url_prefix="/coordination")
bp.before_request(role_required(Role.COORDINATOR))

from lms.web.coordinator import (  # noqa: E402, F401
    assignments,
    attendance,
    certificates,
    cohorts,
    companies,
    lecturers,
    roster,
    schedule,
    views,
)
