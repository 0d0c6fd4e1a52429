"""RFC 9457 problem details: every error of the API, as ``application/problem+json``.

``title`` and ``detail`` are for people and follow the caller's Accept-Language (German
unless the caller asks for English); ``type`` and ``errors[].code`` are for programs and
never change with the language.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Response, current_app, json, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from pydantic import BaseModel, Field, ValidationError
from werkzeug.exceptions import HTTPException, NotFound

MEDIA_TYPE = "application/problem+json"

# Titles of the statuses the API answers with, in the caller's language.
TITLES = {
    400: _l("Bad request"),
    401: _l("Authentication required"),
    403: _l("Not allowed"),
    404: _l("Not found"),
    405: _l("Method not allowed"),
    406: _l("Not acceptable"),
    409: _l("Conflict"),
    413: _l("Request too large"),
    415: _l("Unsupported media type"),
    422: _l("The request cannot be processed"),
    429: _l("Too many requests"),
    500: _l("Internal server error"),
    503: _l("Service unavailable"),
}
# Problem types beyond the plain HTTP status (RFC 9457 3.1.1: "about:blank" otherwise).
INVALID_REQUEST = "urn:lms:problem:invalid-request"
INVALID_TOKEN = "urn:lms:problem:invalid-token"  # noqa: S105 (a problem type, no secret)
ROSTER_REJECTED = "urn:lms:problem:roster-rejected"
REFUSED = "urn:lms:problem:refused"


class ProblemItem(BaseModel):
    """One thing wrong with the request: where, a code for programs, words for people."""

    location: str = Field(description="Where: query.since, body.participants.2.email, …")
    code: str = Field(description="A stable code for programs (e.g. int_parsing, unknown_"
                                  "language)")
    detail: str = Field(description="What is wrong, in the caller's language")


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(default="about:blank", description="A URI that names the kind of problem")
    title: str = Field(description="Short, in the caller's language")
    status: int = Field(ge=400, le=599)
    detail: str | None = Field(default=None,
                               description="This occurrence, in the caller's language")
    instance: str | None = Field(default=None, description="The request path")
    errors: list[ProblemItem] | None = None


def problem(status: int, detail: str | None = None, *, type_: str = "about:blank",
            errors: list[ProblemItem] | None = None,
            headers: dict[str, str] | None = None) -> Response:
    body = Problem(type=type_, title=str(TITLES.get(status, _l("Error"))), status=status,
                   detail=detail, instance=request.path, errors=errors)
    response = Response(json.dumps(body.model_dump(exclude_none=True), ensure_ascii=False),
                        status=status,
                        mimetype=MEDIA_TYPE)
    response.headers.update(headers or {})
    response.headers["Content-Language"] = _current_locale()
    return response


def _current_locale() -> str:
    from flask_babel import get_locale

    return str(get_locale() or current_app.config["LMS_DEFAULT_LOCALE"])


def problem_for_http_error(error: HTTPException) -> Response:
    """The problem for a werkzeug error (404 of the routing, 405, 429, an abort(...))."""
    if isinstance(error.response, Response) and error.response.mimetype == MEDIA_TYPE:
        return error.response  # one of ours, raised with abort(problem(...))
    status = error.code or 500
    if status == 405 and _names_nothing(getattr(error, "valid_methods", None) or []):
        status, error = 404, NotFound()
    headers: dict[str, str] = {}
    detail = _detail(error, status)
    type_ = "about:blank"
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="lms"'
        if request.headers.get("Authorization"):
            headers["WWW-Authenticate"] += ', error="invalid_token"'
            type_ = INVALID_TOKEN
    elif status == 405:
        allowed = getattr(error, "valid_methods", None) or []
        headers["Allow"] = ", ".join(sorted(allowed))
    elif status == 429:
        headers["Retry-After"] = str(_retry_after())
    return problem(status, detail, type_=type_, headers=headers)


def _names_nothing(methods: list[str]) -> bool:
    """Whether no other method reaches this address either: werkzeug says 405 when a rule
    of another method matched the path's shape, even if its id is out of range (a path
    naming nothing is 404, as on the pages)."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    for method in methods:
        try:
            adapter.match(method=method)
        except HTTPException:
            continue
        return False
    return True


def _detail(error: HTTPException, status: int) -> str | None:
    """Our own descriptions (given with abort(code, description=…)) are shown; werkzeug's
    English defaults are replaced by a sentence in the caller's language."""
    own = error.description if error.description != type(error).description else None
    if own:
        return str(own)
    return {
        401: _("Send a valid API token as “Authorization: Bearer <token>”."),
        403: _("This token may not do this."),
        404: _("There is nothing here, or it is outside this token's reach."),
        405: _("This address does not take this method."),
        429: _("This token or address has sent too many requests; wait and try again."),
        500: _("Something went wrong on our side; it has been logged."),
    }.get(status)


def _retry_after() -> int:
    from lms.extensions import limiter

    current = limiter.current_limit
    if current is None:
        return 60
    return max(1, int(current.reset_at - time.time()))


def validation_problem(error: ValidationError, where: str | None = None) -> Response:
    """422 for a request that does not fit its model (flask-openapi3 calls this)."""
    items = [
        ProblemItem(location=_location(e.get("loc", ()), where), code=e.get("type", "invalid"),
                    detail=_field_detail(dict(e)))
        for e in error.errors(include_url=False)
    ]
    return problem(422, ngettext("The request has %(num)s invalid value.",
                                 "The request has %(num)s invalid values.", len(items)),
                   type_=INVALID_REQUEST, errors=items)


def _location(loc: tuple[Any, ...], where: str | None) -> str:
    parts = [str(part) for part in loc]
    if where:
        parts.insert(0, where)
    return ".".join(parts) or "request"


def _field_detail(error: dict[str, Any]) -> str:
    """A field's problem in the caller's language, for the kinds that occur; the code says
    it exactly in any case."""
    kind = error.get("type", "")
    context = error.get("ctx") or {}
    texts = {
        "missing": _("This value is required."),
        "extra_forbidden": _("This value is not expected here."),
        "int_parsing": _("A whole number is expected."),
        "int_type": _("A whole number is expected."),
        "string_type": _("A text is expected."),
        "bool_parsing": _("true or false is expected."),
        "datetime_parsing": _("A date and time (ISO 8601, with its offset) is expected."),
        "datetime_from_date_parsing": _("A date and time (ISO 8601, with its offset) is "
                                        "expected."),
        "datetime_type": _("A date and time (ISO 8601, with its offset) is expected."),
        "timezone_aware": _("The time needs its offset from UTC (e.g. +01:00 or Z)."),
        "date_parsing": _("A date (YYYY-MM-DD) is expected."),
        "date_from_datetime_parsing": _("A date (YYYY-MM-DD) is expected."),
        "list_type": _("A list is expected."),
        "model_type": _("An object is expected."),
        "model_attributes_type": _("An object is expected."),
        "enum": _("One of the listed values is expected."),
        "literal_error": _("One of the listed values is expected."),
        "value_error": _("This value is not valid."),
        "url_parsing": _("An address (URL) is expected."),
        "url_scheme": _("An http or https address is expected."),
    }
    if kind == "string_too_long":
        limit = int(context.get("max_length", 0))
        return ngettext("At most %(num)s character.", "At most %(num)s characters.", limit)
    if kind == "too_long":
        return _("Too many entries (at most %(limit)s).", limit=context.get("max_length", "?"))
    if kind == "string_too_short":
        return _("This value must not be empty.")
    if kind in ("greater_than_equal", "greater_than"):
        return _("At least %(limit)s.", limit=context.get("ge", context.get("gt", "?")))
    if kind in ("less_than_equal", "less_than"):
        return _("At most %(limit)s.", limit=context.get("le", context.get("lt", "?")))
    return texts.get(kind, _("This value is not valid."))
