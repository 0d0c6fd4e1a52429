"""Company contacts: their cohort's roster, schedule and completion status."""

from flask import Blueprint

from lms.access import role_required
from lms.accounts.models import Role

bp = Blueprint("company", __name__, url_prefix="/company")
bp.before_request(role_required(Role.COMPANY_CONTACT))

from lms.web.company import views  # noqa: E402, F401
from lms.web.shared import api_tokens as shared_api_tokens  # noqa: E402

shared_api_tokens.register(bp, Role.COMPANY_CONTACT)
