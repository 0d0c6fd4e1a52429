"""Bearer tokens for /api/v1: no session, no cookie, no Flask-Login.

A request names its token in ``Authorization: Bearer lms_…``; a browser's session cookie
is never looked at here, so the API (exempt from CSRF checks, having no forms) cannot be
driven by another site through a logged-in browser.
"""

from __future__ import annotations

from typing import NoReturn

from flask import abort, current_app, g, request
from flask_babel import gettext as _
from limits import parse

from lms.addresses import request_client_network
from lms.db import utcnow
from lms.extensions import db, limiter
from lms.integrations.models import ApiToken
from lms.integrations.operations import note_token_use
from lms.integrations.queries import KEY_ID_LENGTH, TOKEN_PREFIX, find_api_token


def presented_token() -> str | None:
    scheme, _space, value = request.headers.get("Authorization", "").partition(" ")
    value = value.strip()
    return value if scheme.lower() == "bearer" and value else None


# Failed authentications per address: beyond this, that address's failures answer 429
# (a working token from it still gets in: nobody is locked out by another's guessing).
# app.config["API_FAILED_AUTHENTICATIONS"] overrides it (the Schemathesis test does).
FAILED_AUTHENTICATIONS = "60/minute"


def authenticate() -> None:
    """``before_request`` of the API: the request's token, or 401."""
    raw = presented_token()
    if raw is None:
        refuse()
    now = utcnow()
    token = find_api_token(raw, now)
    if token is None:
        refuse(_("The token is unknown, expired or revoked."))
    g.api_token = token
    if note_token_use(token, now):
        db.session.commit()  # its own small transaction, before the request's work


def refuse(description: str | None = None) -> NoReturn:
    """401, or 429 once this address has failed too often."""
    limit = parse(current_app.config.get("API_FAILED_AUTHENTICATIONS", FAILED_AUTHENTICATIONS))
    if not limiter.limiter.hit(limit, "api-failed-authentication", request_client_network()):
        abort(429)
    abort(401, description=description)


def current_token() -> ApiToken:
    token: ApiToken = g.api_token
    return token


def rate_limit_key() -> str:
    """Requests count per token (its public key id), or per address without one."""
    raw = presented_token() or ""
    if raw.startswith(TOKEN_PREFIX) and len(raw) > len(TOKEN_PREFIX) + KEY_ID_LENGTH:
        return "api-token:" + raw[len(TOKEN_PREFIX):len(TOKEN_PREFIX) + KEY_ID_LENGTH]
    return "api-address:" + request_client_network()


