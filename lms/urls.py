"""Absolute links for emails, feeds and QR codes.

They are built from ``LMS_BASE_URL``, never from the request's Host header (which a
client controls), and work outside a request too (command line, cron).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import current_app


def external_url(endpoint: str, **values: Any) -> str:
    return external_urls()(endpoint, **values)


def external_urls() -> Callable[..., str]:
    """:func:`external_url` with the URL map bound once, for a page that builds many."""
    base = current_app.config["LMS_BASE_URL"]
    parts = urlsplit(base)
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/",
                                       url_scheme=parts.scheme)

    def build(endpoint: str, **values: Any) -> str:
        return adapter.build(endpoint, values, force_external=True)

    return build
