"""Opaque cursors for keyset pagination: the position after the last item of a page,
signed with the app's secret (a client can neither forge nor read into one) and bound to
the list and filter it was made for."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from lms.api.problems import INVALID_REQUEST, ProblemItem, problem


def _serializer(kind: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"lms.api.cursor.{kind}")


def encode_cursor(kind: str, position: list[Any], bound_to: str) -> str:
    return _serializer(kind).dumps({"p": position, "b": bound_to})


def decode_cursor(kind: str, cursor: str, bound_to: str) -> list[Any]:
    """The position a cursor holds; 422 for a cursor that is not ours, or was made for
    another filter."""
    try:
        data = _serializer(kind).loads(cursor)
    except BadSignature:
        data = None
    if not isinstance(data, dict) or data.get("b") != bound_to or not isinstance(
            data.get("p"), list):
        abort(problem(422, _("The cursor is not valid for this list."), type_=INVALID_REQUEST,
                      errors=[ProblemItem(location="query.cursor", code="invalid_cursor",
                                          detail=_("Use the next_cursor of the previous "
                                                   "page, with the same filters."))]))
    position: list[Any] = data["p"]
    return position
