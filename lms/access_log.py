"""A gunicorn logger whose access and error logs never show a token (a calendar feed's,
an invitation's or a password reset's, see :mod:`lms.logs`).

Used by gunicorn.conf.py at the top of the repository (``logger_class``); gunicorn
reads that file when it is started from there, or with ``-c path/to/gunicorn.conf.py``.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from lms.logs import add_redaction, redact_tokens


class RedactingLogger(Logger):
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        add_redaction(self.error_log)  # "Error handling request /calendar/feed/..."
        add_redaction(self.access_log)

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        """Every atom the access log format may use (request line, path, query, Referer,
        headers, environ) with tokens replaced."""
        return {key: redact_tokens(value) if isinstance(value, str) else value
                for key, value in super().atoms(resp, req, environ, request_time).items()}
