"""Lecturers: the meetings they teach."""

from flask import Blueprint

from lms.access import role_required
from lms.accounts.models import Role

bp = Blueprint("lecturer", __name__, url_prefix="/teaching")
bp.before_request(role_required(Role.LECTURER))

from lms.web.lecturer import (  # noqa: E402, F401
    assignments,
    attendance,
    checkin,
    views,
)
