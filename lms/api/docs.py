"""The API's description: the OpenAPI document and a page to browse it.

The page is Swagger UI from the flask-openapi3-swagger wheel, served from here (no CDN),
started by our own script (lms/static/api-docs.js) so that the site's Content Security
Policy needs no inline script. Neither needs a token: they describe, they show no data.
"""

from __future__ import annotations

from pathlib import Path

import flask_openapi3_swagger
from flask import Blueprint, current_app, jsonify, render_template
from flask.typing import ResponseReturnValue

from lms.api import API_ROOT

ASSETS = Path(flask_openapi3_swagger.__file__).parent / "templates" / "swagger"

bp = Blueprint("api_docs", __name__, url_prefix=API_ROOT, static_folder=str(ASSETS),
               static_url_path="/docs/assets")


@bp.get("/openapi.json")
def spec() -> ResponseReturnValue:
    return jsonify(current_app.api_doc)  # type: ignore[attr-defined]


@bp.get("/docs")
def docs() -> ResponseReturnValue:
    return render_template("api/docs.html")
