"""Public addresses of the credentials: the issuer's DID document and the status lists.
Verifiers' programs read them; they carry no personal data."""

from flask import Blueprint

bp = Blueprint("credentials", __name__)

from lms.web.credentials import views  # noqa: E402, F401
