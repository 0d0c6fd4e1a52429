"""/api/v1: the blueprint, its hooks (token, rate limit, ETags) and what every operation
documents about its answers."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import Flask, Response, current_app, request
from flask_openapi3.blueprint import APIBlueprint
from pydantic import BaseModel

from lms.api import API_ROOT
from lms.api.auth import authenticate, rate_limit_key
from lms.api.problems import MEDIA_TYPE, Problem
from lms.extensions import limiter

bp = APIBlueprint(
    "api_v1", __name__, url_prefix=API_ROOT,
    abp_security=[{"bearer": []}],
    operation_id_callback=lambda name, path, method: name,
)
bp.before_request(authenticate)
# Per token (or per address without one). Failed authentications are counted per address
# in lms.api.auth, so that guessing is slowed without ever refusing a working token.
limiter.limit(lambda: current_app.config["LMS_API_RATE_LIMIT"], key_func=rate_limit_key,
              scope="api")(bp)


@bp.after_request
def conditional(response: Response) -> Response:
    """Reads carry an ETag of their body and answer 304 to a matching If-None-Match;
    nothing is cached anywhere but by the client that holds the token."""
    response.headers.setdefault("Cache-Control", "private, no-cache")
    response.vary.update(("Authorization", "Accept-Language"))
    if (request.method in ("GET", "HEAD") and response.status_code == 200
            and response.mimetype == "application/json"):
        response.add_etag()
        response.make_conditional(request)
    return response


# --------------------------------------------------------------------------- documentation

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
ERRORS = {
    401: "No token, or one that is unknown, expired or revoked",
    403: "The token's scope does not allow this",
    404: "Not there, or outside the token's reach",
    422: "A parameter or the body does not fit",
    429: "Too many requests; see Retry-After",
}


def problem_doc(description: str, *, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {"description": description,
                           "content": {MEDIA_TYPE: {"schema": PROBLEM_REF}}}
    if headers:
        doc["headers"] = headers
    return doc


Responses = dict[str | int | HTTPStatus, type[BaseModel] | dict[Any, Any] | None]


def answers(ok: type[BaseModel] | dict[str, Any] | None, *, status: int = 200,
            extra: tuple[int, ...] = (), read: bool = True) -> Responses:
    """The documented answers of an operation: ``ok`` for success, 304 for reads (ETag),
    and the problems it can give (401, 404, 422, 429 always; ``extra`` adds e.g. 403)."""
    docs: Responses = {status: ok}
    if read:
        docs[304] = {"description": "Not modified (If-None-Match matched the ETag)"}
    for code in (401, 404, 422, 429, *extra):
        headers = None
        if code == 401:
            headers = {"WWW-Authenticate": {"schema": {"type": "string"}}}
        elif code == 429:
            headers = {"Retry-After": {"schema": {"type": "string"}}}
        docs[code] = problem_doc(ERRORS[code], headers=headers)
    return docs


def register_problem_schema(app: Flask) -> None:
    """Problem (and what it contains) under components/schemas, for the $refs above."""
    from flask_openapi3.models.schema import Schema

    schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in schema.pop("$defs", {}).items():
        app.components_schemas[name] = Schema(**definition)  # type: ignore[attr-defined]
    app.components_schemas["Problem"] = Schema(**schema)  # type: ignore[attr-defined]


from lms.api.v1 import reads, writes  # noqa: E402, F401
