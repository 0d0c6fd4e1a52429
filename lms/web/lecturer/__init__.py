"""Lecturers: the meetings they teach."""

from flask import Blueprint

from lms.access import role_required
from lms.accounts.models import Role

bp = Blueprint("lecturer", __name__, url_prefix="/teaching")
bp.before_request(role_required(Role.LECTURER))

from lms.web.lecturer import (  # noqa: E402, F401
    announcements,
    assignments,
    checkin,
    evaluations,
    materials,
    views,
)
from lms.web.shared import attendance as shared_attendance  # noqa: E402
from lms.web.shared import evaluation as shared_evaluation  # noqa: E402
from lms.web.shared import grading as shared_grading  # noqa: E402
from lms.web.shared import materials as shared_materials  # noqa: E402

# The pages lecturers share with coordinators, under /teaching/…: lecturer.attendance, …
shared_attendance.register(bp, Role.LECTURER)
shared_grading.register(bp, Role.LECTURER)
shared_evaluation.register(bp, Role.LECTURER)
shared_materials.register(bp, Role.LECTURER)
