"""Public verification of certificates: by code (typed or from the QR code) or by file."""

from flask import Blueprint

bp = Blueprint("verify", __name__, url_prefix="/verify")

from lms.web.verify import views  # noqa: E402, F401
