"""A feed token is the only key to someone's schedule: it never appears in a log."""

from __future__ import annotations

import logging
import runpy
import threading
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from werkzeug.serving import make_server

from lms.accounts.models import Role
from lms.extensions import db
from lms.ical import feeds
from lms.logs import RedactTokens, redact_tokens
from tests.factories import enroll, issue_feed_url, load_test_course, make_cohort, make_user

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "Zm9vYmFyLXNlY3JldC10b2tlbi1mb3ItdGVzdGluZy0xMjM"


def test_redaction_keeps_everything_but_the_token():
    line = f'127.0.0.1 - - [x] "GET /calendar/feed/{TOKEN}.ics HTTP/1.1" 304 -'
    assert redact_tokens(line) == (
        '127.0.0.1 - - [x] "GET /calendar/feed/[redacted].ics HTTP/1.1" 304 -')
    assert redact_tokens(f"/calendar/feed/{TOKEN}?x=1") == "/calendar/feed/[redacted]?x=1"
    assert redact_tokens("GET /calendar/ HTTP/1.1") == "GET /calendar/ HTTP/1.1"
    assert TOKEN not in redact_tokens(f"/invitation/{TOKEN} and /password/reset/{TOKEN}")


def test_filter_rewrites_message_and_arguments():
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '"%s" %s %s',
                               (f"GET /calendar/feed/{TOKEN}.ics HTTP/1.1", "200", "-"), None)
    assert RedactTokens().filter(record) is True
    assert TOKEN not in record.getMessage() and "[redacted].ics" in record.getMessage()
    record = logging.LogRecord("lms", logging.ERROR, __file__, 1,
                               f"Exception on /calendar/feed/{TOKEN}.ics [GET]", None, None)
    RedactTokens().filter(record)
    assert TOKEN not in record.getMessage()


@pytest.fixture
def feed_path(app, course_dir):
    participant = make_user(Role.PARTICIPANT)
    enroll(make_cohort(load_test_course(course_dir)), participant)
    path = issue_feed_url(participant)
    db.session.commit()
    return path


def test_werkzeug_request_log_has_no_token(app, feed_path, caplog):
    """A real development server, a real request, the real werkzeug log line."""
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    token = feed_path.split("/")[-1].removesuffix(".ics")
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            base = f"http://127.0.0.1:{server.server_port}"
            with urllib.request.urlopen(base + feed_path, timeout=10) as response:  # noqa: S310
                assert response.status == 200
            with pytest.raises(urllib.error.HTTPError):
                urllib.request.urlopen(f"{base}/calendar/feed/{TOKEN}.ics", timeout=10)  # noqa: S310
    finally:
        server.shutdown()
        thread.join(timeout=10)
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any("/calendar/feed/[redacted].ics" in line and " 200 " in line for line in lines)
    assert any("/calendar/feed/[redacted].ics" in line and " 404 " in line for line in lines)
    assert token not in caplog.text and TOKEN not in caplog.text


def test_exception_log_has_no_token(app, client, feed_path, caplog, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("lms.web.feeds.views.feed_answer", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    feeds.feed_cache.clear()
    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        assert client.get(feed_path).status_code == 500
    token = feed_path.split("/")[-1].removesuffix(".ics")
    assert "Exception on /calendar/feed/[redacted].ics" in caplog.text
    assert token not in caplog.text


def test_exception_log_of_an_emailed_link_has_no_token(app, client, caplog, monkeypatch):
    """Redaction is the app's (create_app installs it), not the calendar pages': an
    exception on an invitation link's page is logged without the link's token."""
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("lms.web.public.account.invitation_for", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    with caplog.at_level(logging.ERROR, logger=app.logger.name):
        assert client.get(f"/invitation/{TOKEN}").status_code == 500
    assert "Exception on /invitation/[redacted] [GET]" in caplog.text
    assert TOKEN not in caplog.text


def test_gunicorn_access_and_error_logs_have_no_token(capsys):
    from gunicorn.config import Config

    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    config = Config()
    for name in ("logger_class", "accesslog"):
        config.set(name, settings[name])
    logger = config.logger_class(config)

    path = f"/calendar/feed/{TOKEN}.ics"
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": path, "PATH_INFO": path,
               "QUERY_STRING": "", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "10.0.0.7",
               "HTTP_USER_AGENT": "Google-Calendar-Importer", "HTTP_REFERER": path}
    response = SimpleNamespace(status="304 Not Modified", sent=0, headers=[])
    request = SimpleNamespace(headers=[("User-Agent", "Google-Calendar-Importer")])
    logger.access(response, request, environ, timedelta(milliseconds=2))
    logger.error("Error handling request %s", path)
    for handler in (*logger.access_log.handlers, *logger.error_log.handlers):
        handler.flush()
    output = capsys.readouterr()
    written = output.out + output.err
    assert '"GET /calendar/feed/[redacted].ics HTTP/1.1" 304' in written
    assert "Error handling request /calendar/feed/[redacted].ics" in written
    assert TOKEN not in written
