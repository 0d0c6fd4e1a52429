"""Content negotiation: a page unless the client asks for JSON."""

from __future__ import annotations

from flask import request


def wants_json() -> bool:
    """True only when the client prefers JSON to HTML explicitly (our scripts send
    ``Accept: application/json``). No Accept header, ``*/*`` (curl, many tools) or a
    browser's list all get the page: JSON merely being acceptable is not a preference."""
    accept = request.accept_mimetypes
    return accept["application/json"] > accept["text/html"]
