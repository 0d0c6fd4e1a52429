"""Coordinators: courses, cohorts, schedules."""

from flask import Blueprint

from lms.access import role_required
from lms.accounts.models import Role

bp = Blueprint("coordinator", __name__, url_prefix="/coordination")
bp.before_request(role_required(Role.COORDINATOR))

from lms.web.coordinator import (  # noqa: E402, F401
    announcements,
    assignments,
    attendance,
    certificates,
    cohorts,
    companies,
    evaluations,
    jobs,
    lecturers,
    materials,
    privacy,
    roster,
    schedule,
    views,
)
from lms.web.shared import api_tokens as shared_api_tokens  # noqa: E402
from lms.web.shared import attendance as shared_attendance  # noqa: E402
from lms.web.shared import evaluation as shared_evaluation  # noqa: E402
from lms.web.shared import grading as shared_grading  # noqa: E402
from lms.web.shared import materials as shared_materials  # noqa: E402

# The lecturers' pages, for coordinators under /coordination/…: any meeting (also after
# the lecturers' marking window, with a reason), any assignment.
shared_attendance.register(bp, Role.COORDINATOR)
shared_grading.register(bp, Role.COORDINATOR)
shared_api_tokens.register(bp, Role.COORDINATOR)
shared_evaluation.register(bp, Role.COORDINATOR)
shared_materials.register(bp, Role.COORDINATOR)
