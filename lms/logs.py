"""Logs: one line per event, carrying the request's id and the user's id, and no secret.

:func:`configure_logging` (called by :func:`lms.create_app`) sends the app's records
(``lms`` and its modules, werkzeug's development server, and every library's warnings) to
standard error, as text or, with ``LMS_LOG_FORMAT=json``, as one JSON object per line.
Each line says which request it belongs to (``request_id``: the trusted proxy's
``X-Request-ID``, else one made here, echoed in the response's ``X-Request-ID``) and who
made it (``user_id``, never the e-mail address); :func:`log_context` adds more fields
for work outside a request (a job's id).

Nothing secret reaches a line (:func:`redact`): the tokens in feed, invitation and
password-reset paths (a feed URL's token is the only key to a person's schedule, an
e-mailed link the key to an account), the values of ``token=``, ``password=`` and the
like in query strings, and e-mail addresses. Requests are also logged by gunicorn's
access and error logs (:mod:`lms.access_log`, gunicorn.conf.py), which redact the same
way and carry the same ids.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, TextIO

from flask import Flask, Response, g, has_request_context, request

# ---------------------------------------------------------------------------- redaction

# Paths that carry a secret in their last segment: feed URLs (lms.web.feeds), and the
# invitation and password-reset links sent by e-mail.
TOKEN_PATHS = ("/calendar/feed/", "/invitation/", "/password/reset/")
TOKEN_PATTERN = re.compile(
    "(" + "|".join(re.escape(p) for p in TOKEN_PATHS) + r")[^\s\"'?#/]+?(\.ics)?(?=[\s\"'?#/]|$)"
)
REDACTED = "[redacted]"
# Query-string and form-style values that are secrets whatever the route: ?token=…,
# &password=…, access_token=…, secret=…, key=…, code=… (check-in and verification codes).
SECRET_PARAMETER = re.compile(
    r"(?i)\b((?:[a-z]+_)?token|password\w*|passwd|secret|api_key|key|sig|signature|code|sid)"
    r"=[^&\s\"'#;,]+"
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def redact_tokens(text: str) -> str:
    """The tokens of secret paths replaced ("/calendar/feed/[redacted].ics")."""
    if not any(path in text for path in TOKEN_PATHS):
        return text
    return TOKEN_PATTERN.sub(r"\1" + REDACTED + r"\2", text)


def redact(text: str) -> str:
    """``text`` with every secret this module knows of replaced: tokens in secret paths,
    secret query parameters' values, e-mail addresses."""
    text = redact_tokens(text)
    if "=" in text:
        text = SECRET_PARAMETER.sub(r"\1=" + REDACTED, text)
    if "@" in text:
        text = EMAIL.sub("[e-mail]", text)
    return text


def _redact(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


class RedactTokens(logging.Filter):
    """Rewrites a record's message and arguments (see :func:`redact`); never drops one.

    On a handler it sees every record the handler writes; on a logger only the records
    logged on that logger itself (not its children's)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _redact(record.msg)
        if isinstance(record.args, Mapping):
            record.args = {key: _redact(value) for key, value in record.args.items()}
        elif record.args:
            record.args = tuple(_redact(value) for value in record.args)
        return True


def add_redaction(logger: logging.Logger) -> None:
    if not any(isinstance(f, RedactTokens) for f in logger.filters):
        logger.addFilter(RedactTokens())


# ---------------------------------------------------------------------------- context

REQUEST_ID_HEADER = "X-Request-ID"
# What a request id from a proxy may look like (nginx's $request_id, a UUID, a trace id):
# anything else is replaced by our own, so a client cannot write into our logs.
REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")
# The environ keys that hand the ids to gunicorn's access log (lms.access_log).
ENVIRON_REQUEST_ID = "lms.request_id"
ENVIRON_USER_ID = "lms.user_id"

_NO_FIELDS: Mapping[str, str] = MappingProxyType({})
_context: ContextVar[Mapping[str, str]] = ContextVar("lms_log_context", default=_NO_FIELDS)


@contextmanager
def log_context(**fields: str) -> Iterator[None]:
    """Every line logged inside the block carries ``fields`` too (``job_id=…``)."""
    token = _context.set({**_context.get(), **fields})
    try:
        yield
    finally:
        _context.reset(token)


def request_id() -> str:
    """The current request's id: made once per request, on first use, and kept in the
    request's environ (where gunicorn's access log finds it)."""
    known: str | None = request.environ.get(ENVIRON_REQUEST_ID)
    if known is None:
        known = _incoming_request_id() or secrets.token_hex(16)
        request.environ[ENVIRON_REQUEST_ID] = known
    return known


def _incoming_request_id() -> str | None:
    """The id a trusted proxy sent. Without trusted proxies (``LMS_TRUSTED_PROXIES=0``)
    the header would be the client's own, so it is ignored."""
    from flask import current_app

    if not current_app.config.get("LMS_TRUSTED_PROXIES"):
        return None
    sent = request.headers.get(REQUEST_ID_HEADER, "")
    return sent if REQUEST_ID.fullmatch(sent) else None


def user_id() -> str | None:
    """The id of the user the request has loaded, if it has (logging never loads one,
    nor refreshes an expired one: the id comes from the identity map's key)."""
    user = g.get("_login_user")  # where Flask-Login keeps the loaded user
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    import sqlalchemy as sa

    state = sa.inspect(user, raiseerr=False)
    identity = getattr(state, "identity", None)
    return str(identity[0]) if identity else None


def context_fields() -> dict[str, str | None]:
    """The fields every line carries: the request's and the user's id (None outside a
    request), and whatever :func:`log_context` added."""
    fields: dict[str, str | None] = {"request_id": None, "user_id": None}
    if has_request_context():
        fields["request_id"] = request_id()
        fields["user_id"] = user_id()
    fields.update(_context.get())
    return fields


class ContextFilter(logging.Filter):
    """Puts :func:`context_fields` on every record the handler writes."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.lms_context = context_fields()
        return True


# ---------------------------------------------------------------------------- formats


class TextFormatter(logging.Formatter):
    """``2026-12-02 10:00:00,123 INFO lms.mail [request 3f2a…, user 17] message``."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(lms_fields)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "lms_context", None) or {}
        record.lms_fields = ", ".join(f"{name.removesuffix('_id')} {value or '-'}"
                                      for name, value in fields.items())
        return redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the
    context's fields, and the exception's traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
            **(getattr(record, "lms_context", None) or {}),
        }
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = redact(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever ``sys.stderr`` is at the time (a test's capture, gunicorn's
    redirected stream), not to the stream there was when the app was made."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


HANDLER_NAME = "lms"
FORMATS: dict[str, type[logging.Formatter]] = {"text": TextFormatter, "json": JsonFormatter}
_HOOKS = "lms_logging"


def configure_logging(app: Flask) -> None:
    """The process's log handler (on the root logger, made once), in the app's format and
    level; the ids in and out of each of the app's requests; redaction everywhere."""
    set_format(app.config.get("LMS_LOG_FORMAT", "text"))
    level = app.config.get("LMS_LOG_LEVEL", "INFO")
    logging.getLogger(app.import_name).setLevel(level)  # "lms" and its modules
    logging.getLogger("werkzeug").setLevel(level)  # the development server's request lines

    from flask.logging import default_handler

    app.logger.removeHandler(default_handler)  # (the root's handler writes the app's lines)
    add_redaction(logging.getLogger("werkzeug"))
    add_redaction(app.logger)
    if _HOOKS not in app.extensions:
        app.extensions[_HOOKS] = True
        app.before_request(_start_request)
        app.after_request(_mark_response)


def set_format(name: str) -> logging.Handler:
    """Lines as ``name`` ("text" or "json") from now on, for the whole process."""
    root = logging.getLogger()
    handler = next((h for h in root.handlers if h.get_name() == HANDLER_NAME), None)
    if handler is None:
        handler = StderrHandler()
        handler.set_name(HANDLER_NAME)
        handler.addFilter(ContextFilter())
        handler.addFilter(RedactTokens())
        root.addHandler(handler)
        if root.level == logging.NOTSET or root.level > logging.WARNING:
            root.setLevel(logging.WARNING)  # libraries: their warnings and errors
    handler.setFormatter(FORMATS[name]())
    return handler


def _start_request() -> None:
    request_id()


def _mark_response(response: Response) -> Response:
    """The request's id in the response, and both ids for gunicorn's access log."""
    response.headers[REQUEST_ID_HEADER] = request_id()
    request.environ[ENVIRON_USER_ID] = user_id() or "-"
    return response
