"""Pages for everybody: login, logout, the start page, language, health."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from lms.web.public import account, privacy, views  # noqa: E402, F401
