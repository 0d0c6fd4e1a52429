"""The JSON API for other systems (/api/v1): the company's HR system reads its cohorts'
status, the university's systems read everything and import participants and meetings.

Built with flask-openapi3: typed pydantic models for what goes in and out, from which the
OpenAPI 3.1 document at /api/v1/openapi.json is generated. Like the role blueprints it is
thin: it asks ``lms.access`` (with the request's token instead of a logged-in user) and
calls the areas' queries and operations.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response
from flask_openapi3.openapi import OpenAPI
from werkzeug.exceptions import HTTPException

from lms.i18n import API_PATH

API_ROOT = "/api/v1"


class LmsFlask(OpenAPI):
    """flask-openapi3's app class, whose own route decorators stay Flask's: only the API's
    APIBlueprint validates and documents its views; a route added to the app itself
    (``@app.get`` in a test or a benchmark) gets its URL arguments as in Flask."""

    get = Flask.get
    post = Flask.post
    put = Flask.put
    delete = Flask.delete
    patch = Flask.patch


def openapi_options() -> dict[str, Any]:
    """What :func:`lms.create_app` gives flask-openapi3's app class."""
    from flask_openapi3.models.info import Info

    from lms.api.problems import Problem, validation_problem

    return {
        "info": Info(title="lms API", version="1.0",
                     description="Cohorts, schedules, participants' progress, attendance "
                                 "and certificates of lms. Authenticate with "
                                 "`Authorization: Bearer <token>`; tokens are made on the "
                                 "coordinator's and the company contact's API token page."),
        "security_schemes": {"bearer": {"type": "http", "scheme": "bearer",
                                        "description": "An API token (lms_…)"}},
        "doc_ui": False,  # our own docs page (lms/api/docs.py): CSP, no inline script
        "validation_error_status": 422,
        "validation_error_model": Problem,
        "validation_error_callback": validation_problem,
    }


def register_api(app: Flask) -> None:
    from lms.api.docs import bp as docs_bp
    from lms.api.v1 import bp, register_problem_schema
    from lms.extensions import csrf

    # no forms and no cookies: a bearer token is the only credential (the stub knows
    # only views, Flask-WTF takes blueprints too)
    csrf.exempt(bp)  # type: ignore[type-var]
    app.register_api(bp)  # type: ignore[attr-defined]
    app.register_blueprint(docs_bp)
    register_problem_schema(app)


def is_api_request() -> bool:
    from flask import request

    return request.path.startswith(API_PATH)


def api_error(error: HTTPException) -> Response:
    """Every error under /api/ as problem details (the app's error handler asks here)."""
    from lms.api.problems import problem_for_http_error

    return problem_for_http_error(error)
