"""Logs as an operator reads them (#12 item 7, #15): every line a request writes carries
the request's id (the trusted proxy's, else our own; echoed in the response) and the
user's id, never an e-mail address, a token or a password; ``LMS_LOG_FORMAT=json`` writes
one JSON object per line. The gunicorn access log carries the same ids."""

from __future__ import annotations

import json
import logging
import re
import runpy
import threading
import urllib.request
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import request
from werkzeug.serving import make_server

from lms import ConfigError, create_app
from lms.accounts.models import Role
from lms.extensions import db
from lms.logs import log_context, redact, set_format
from tests.factories import PASSWORD, make_user

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "Zm9vYmFyLXNlY3JldC10b2tlbi1mb3ItdGVzdGluZy0xMjM"
SECRET = "hunter2-Secret-Passw0rd"
OUR_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def json_logs(app):
    set_format("json")
    yield
    set_format(app.config["LMS_LOG_FORMAT"])


def json_lines(text: str) -> list[dict]:
    """Every line must be one JSON object."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture
def participant(app, client):
    user = make_user(Role.PARTICIPANT, email="ida.sommer@nordlicht.example")
    db.session.commit()
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}
                       ).status_code == 302
    return user


@pytest.fixture
def failing_page(app, monkeypatch):
    """The participant's home fails with an error that names the URL and the address,
    as errors of HTTP clients and mail servers do."""
    def broken(user):
        raise RuntimeError(f"upstream refused {request.url} for {user.email}")

    monkeypatch.setattr("lms.web.participant.views.list_user_enrollments", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    return f"/me/?token={TOKEN}&password={SECRET}"


def test_every_response_names_its_request(client):
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/healthz").headers["X-Request-ID"]
    assert OUR_ID.fullmatch(first) and OUR_ID.fullmatch(second) and first != second


def test_the_request_id_is_the_trusted_proxys_only(app, client, monkeypatch):
    sent = {"X-Request-ID": "nginx-7f3a9c01e2"}
    assert OUR_ID.fullmatch(client.get("/healthz", headers=sent).headers["X-Request-ID"])
    monkeypatch.setitem(app.config, "LMS_TRUSTED_PROXIES", 1)
    assert client.get("/healthz", headers=sent).headers["X-Request-ID"] == "nginx-7f3a9c01e2"
    # A value that could forge a log line is not taken, even from the proxy.
    forged = client.get("/healthz", headers={"X-Request-ID": 'x" user=1 admin'})
    assert OUR_ID.fullmatch(forged.headers["X-Request-ID"])


def test_a_json_line_carries_request_and_user_and_no_secret(
        client, json_logs, participant, failing_page, capsys):
    response = client.get(failing_page)
    assert response.status_code == 500
    written = capsys.readouterr().err
    lines = json_lines(written)
    [line] = [x for x in lines if x["message"] == "Exception on /me/ [GET]"]
    assert line["level"] == "ERROR" and line["logger"] == "lms"
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert line["user_id"] == str(participant.id)
    assert "RuntimeError: upstream refused" in line["exception"]
    assert "token=[redacted]" in line["exception"] and "password=[redacted]" in line["exception"]
    assert "[e-mail]" in line["exception"]
    assert TOKEN not in written and SECRET not in written and participant.email not in written


def test_a_text_line_carries_request_and_user_and_no_secret(
        client, participant, failing_page, capsys):
    response = client.get(failing_page)
    written = capsys.readouterr().err
    [line] = [x for x in written.splitlines() if "Exception on /me/ [GET]" in x]
    assert (f"[request {response.headers['X-Request-ID']}, user {participant.id}]"
            in line)
    assert TOKEN not in written and SECRET not in written and participant.email not in written


def test_a_mail_is_logged_without_its_address(app, client, json_logs, capsys):
    user = make_user(Role.PARTICIPANT, email="jo.lindqvist@nordlicht.example")
    db.session.commit()
    response = client.post("/password/forgot", data={"email": user.email})
    assert response.status_code == 302
    written = capsys.readouterr().err
    [line] = [x for x in json_lines(written) if x["message"].startswith("a mail was written")]
    assert line["request_id"] == response.headers["X-Request-ID"] and line["user_id"] is None
    assert user.email not in written


def test_the_development_servers_lines_have_no_password_or_token(app, caplog, capsys):
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = (f"http://127.0.0.1:{server.server_port}/login?next=/me/"
           f"&password={SECRET}&token={TOKEN}&api_key={SECRET}")
    try:
        with (caplog.at_level(logging.INFO, logger="werkzeug"),
              urllib.request.urlopen(url, timeout=10) as response):
            assert response.status == 200
    finally:
        server.shutdown()
        thread.join(timeout=10)
    [line] = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert "password=[redacted]&token=[redacted]&api_key=[redacted]" in line
    written = caplog.text + capsys.readouterr().err
    assert SECRET not in written and TOKEN not in written


def gunicorn_logger():
    from gunicorn.config import Config

    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    config = Config()
    for name in ("logger_class", "accesslog", "access_log_format"):
        config.set(name, settings[name])
    return config.logger_class(config)


def poll(logger, **extra):
    path = f"/calendar/feed/{TOKEN}.ics"
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": f"{path}?password={SECRET}",
               "PATH_INFO": path, "QUERY_STRING": f"password={SECRET}",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "10.0.0.7",
               "HTTP_USER_AGENT": "Google-Calendar-Importer",
               "HTTP_COOKIE": f"session={SECRET}", "lms.request_id": "nginx-7f3a9c01e2",
               "lms.user_id": "17", **extra}
    response = SimpleNamespace(status="304 Not Modified", sent=0, headers=[])
    request = SimpleNamespace(headers=[("User-Agent", "Google-Calendar-Importer"),
                                       ("Cookie", f"session={SECRET}")])
    logger.access(response, request, environ, timedelta(milliseconds=2))
    for handler in logger.access_log.handlers:
        handler.flush()
    return response, request, environ


def test_gunicorns_access_line_carries_the_ids_and_no_secret(capsys):
    logger = gunicorn_logger()
    response, request_, environ = poll(logger)
    written = capsys.readouterr().out
    assert '"GET /calendar/feed/[redacted].ics?password=[redacted] HTTP/1.1" 304' in written
    assert "request=nginx-7f3a9c01e2 user=17" in written
    assert SECRET not in written and TOKEN not in written
    atoms = logger.atoms(response, request_, environ, timedelta(milliseconds=2))
    assert atoms["{cookie}i"] == "[redacted]" and atoms["{http_cookie}e"] == "[redacted]"


def test_gunicorns_access_line_in_json(capsys, monkeypatch):
    monkeypatch.setenv("LMS_LOG_FORMAT", "json")
    poll(gunicorn_logger())
    written = capsys.readouterr().out
    [line] = json_lines(written)
    assert line["request_id"] == "nginx-7f3a9c01e2" and line["user_id"] == "17"
    assert line["path"] == "/calendar/feed/[redacted].ics"
    assert line["query"] == "password=[redacted]" and line["status"] == 304
    assert SECRET not in written and TOKEN not in written


def test_work_outside_a_request_adds_its_own_fields(app, json_logs, capsys):
    with log_context(job_id="42"):
        logging.getLogger("lms.jobs").warning("sending %s", "mail to a@b.example")
    logging.getLogger("lms.jobs").warning("after")
    first, after = json_lines(capsys.readouterr().err)
    assert first["job_id"] == "42" and first["request_id"] is None
    assert first["message"] == "sending mail to [e-mail]"
    assert "job_id" not in after


@pytest.mark.parametrize(("raw", "redacted"), [
    (f"/calendar/feed/{TOKEN}.ics", "/calendar/feed/[redacted].ics"),
    (f"/invitation/{TOKEN}?x=1", "/invitation/[redacted]?x=1"),
    (f"/password/reset/{TOKEN}", "/password/reset/[redacted]"),
    ("GET /verify?code=ABCD-EFGH&lang=de", "GET /verify?code=[redacted]&lang=de"),
    (f"next=/me&access_token={SECRET}", "next=/me&access_token=[redacted]"),
    (f"Password={SECRET}; secret={SECRET}", "Password=[redacted]; secret=[redacted]"),
    ("mail to Anna.Lehmann+lms@th-koeln.example failed", "mail to [e-mail] failed"),
    ("GET /calendar/ HTTP/1.1 200", "GET /calendar/ HTTP/1.1 200"),
    ("did:web:lms.example user 17 at 2026-12-02", "did:web:lms.example user 17 at 2026-12-02"),
])
def test_what_is_redacted(raw, redacted):
    assert redact(raw) == redacted


@pytest.mark.parametrize(("setting", "value"), [("LMS_LOG_FORMAT", "xml"),
                                                 ("LMS_LOG_LEVEL", "chatty")])
def test_a_wrong_log_setting_stops_start_up_with_one_sentence(tmp_path, setting, value):
    with pytest.raises(ConfigError) as caught:
        create_app({"LMS_INSTANCE_PATH": str(tmp_path), setting: value})
    message = str(caught.value)
    assert setting in message and repr(value) in message and message.endswith(".")
