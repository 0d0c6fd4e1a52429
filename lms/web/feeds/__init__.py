"""Calendars: the public feed URLs calendar programs poll (the token is the key), the
subscribe pages of every role, and single meetings as .ics files."""

from flask import Blueprint

from lms.ical.logs import install_log_redaction

bp = Blueprint("feeds", __name__, url_prefix="/calendar")
bp.record_once(lambda state: install_log_redaction(state.app))

from lms.web.feeds import views  # noqa: E402, F401
