"""Calendars: the public feed URLs calendar programs poll (the token is the key), the
subscribe pages of every role, and single meetings as .ics files."""

from flask import Blueprint

bp = Blueprint("feeds", __name__, url_prefix="/calendar")

from lms.web.feeds import views  # noqa: E402, F401
