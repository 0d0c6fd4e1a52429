"""A gunicorn logger whose access and error logs never show a secret (a calendar feed's,
an invitation's or a password reset's token, a ``token=`` or ``password=`` in a query, an
e-mail address, a cookie; see :mod:`lms.logs`), and whose access lines carry the
request's and the user's id as the app's own lines do.

Used by gunicorn.conf.py at the top of the repository (``logger_class``); gunicorn
reads that file when it is started from there, or with ``-c path/to/gunicorn.conf.py``.
With ``LMS_LOG_FORMAT=json`` each access line is one JSON object.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from gunicorn.glogging import Logger

from lms.logs import ENVIRON_REQUEST_ID, ENVIRON_USER_ID, REDACTED, add_redaction, redact

if TYPE_CHECKING:
    from gunicorn.glogging import _AtomsDict

# Request and response headers (and their environ twins) that are secrets as a whole.
SECRET_HEADERS = frozenset({"cookie", "authorization", "proxy-authorization", "set-cookie",
                            "x-csrftoken", "x-csrf-token", "http_cookie", "http_authorization",
                            "http_proxy_authorization", "http_x_csrftoken"})


def _secret_atom(key: str) -> bool:
    """``{cookie}i``, ``{set-cookie}o``, ``{http_cookie}e``: a header or variable whose
    whole value is a secret."""
    return key.startswith("{") and key[1:].rsplit("}", 1)[0] in SECRET_HEADERS


class RedactingLogger(Logger):
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        add_redaction(self.error_log)  # "Error handling request /calendar/feed/..."
        add_redaction(self.access_log)

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> _AtomsDict:
        """Every atom the access log format may use (request line, path, query, Referer,
        headers, environ) with secrets replaced."""
        atoms = super().atoms(resp, req, environ, request_time)
        return cast("_AtomsDict", {
            key: REDACTED if _secret_atom(key) else redact(value) if isinstance(value, str)
            else value
            for key, value in atoms.items()})

    def access(self, resp: Any, req: Any, environ: Any, request_time: Any) -> None:
        if os.environ.get("LMS_LOG_FORMAT", "text").strip().lower() != "json":
            super().access(resp, req, environ, request_time)
            return
        if not self.cfg.accesslog:
            return
        atoms: dict[str, Any] = dict(self.atoms(resp, req, environ, request_time))
        self.access_log.info(json.dumps({
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "level": "INFO",
            "logger": "gunicorn.access",
            "message": f"{atoms['m']} {atoms['U']} {atoms['s']}",
            "request_id": environ.get(ENVIRON_REQUEST_ID),
            "user_id": _user_id(environ),
            "remote_addr": atoms["h"],
            "method": atoms["m"],
            "path": atoms["U"],
            "query": atoms["q"] or None,
            "status": int(atoms["s"]) if str(atoms["s"]).isdigit() else atoms["s"],
            "bytes": atoms["B"],
            "duration_ms": atoms["M"],
            "referer": atoms["f"],
            "user_agent": atoms["a"],
        }, ensure_ascii=False))


def _user_id(environ: Any) -> str | None:
    value = environ.get(ENVIRON_USER_ID)
    return value if isinstance(value, str) and value != "-" else None
