"""Keep the secrets in URLs out of logs: calendar feed tokens, invitation and
password-reset links.

A feed URL's token is the only key to a person's schedule, an e-mailed link the key to
an account, and request logs are read by more people (and kept longer) than the
database. Requests are logged by werkzeug's development server, by Flask for an
unhandled exception ("Exception on <path>"), and by gunicorn's access and error logs
(see :mod:`lms.access_log` and gunicorn.conf.py); each gets :class:`RedactTokens`,
installed by :func:`lms.create_app` for the first two.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from flask import Flask

# Paths that carry a secret in their last segment: feed URLs (lms.web.feeds), and,
# while we are at it, the invitation and password-reset links sent by email.
TOKEN_PATHS = ("/calendar/feed/", "/invitation/", "/password/reset/")
TOKEN_PATTERN = re.compile(
    "(" + "|".join(re.escape(p) for p in TOKEN_PATHS) + r")[^\s\"'?#/]+?(\.ics)?(?=[\s\"'?#/]|$)"
)
REDACTED = r"\1[redacted]\2"


def redact_tokens(text: str) -> str:
    if not any(path in text for path in TOKEN_PATHS):
        return text
    return TOKEN_PATTERN.sub(REDACTED, text)


def _redact(value: Any) -> Any:
    return redact_tokens(value) if isinstance(value, str) else value


class RedactTokens(logging.Filter):
    """Rewrites a record's message and arguments; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _redact(record.msg)
        if isinstance(record.args, dict):
            record.args = {key: _redact(value) for key, value in record.args.items()}
        elif record.args:
            record.args = tuple(_redact(value) for value in record.args)
        return True


def add_redaction(logger: logging.Logger) -> None:
    if not any(isinstance(f, RedactTokens) for f in logger.filters):
        logger.addFilter(RedactTokens())


def install_log_redaction(app: Flask) -> None:
    """Werkzeug's request log and the app's own log (exceptions name the path)."""
    add_redaction(logging.getLogger("werkzeug"))
    add_redaction(app.logger)
