"""Participants: their schedule and progress."""

from flask import Blueprint

from lms.access import role_required
from lms.accounts.models import Role

bp = Blueprint("participant", __name__, url_prefix="/me")
bp.before_request(role_required(Role.PARTICIPANT))

from lms.web.participant import (  # noqa: E402, F401
    announcements,
    assignments,
    attendance,
    certificates,
    checkin,
    evaluation,
    materials,
    views,
)
