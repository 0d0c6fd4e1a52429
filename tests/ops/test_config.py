"""Settings: safe defaults, a generated secret, and one clear sentence for a wrong value."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lms import ConfigError, create_app


def make(tmp_path: Path, **settings: str):
    settings.setdefault("LMS_INSTANCE_PATH", str(tmp_path / "instance"))
    return create_app(settings)


def test_defaults_use_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    for name in list(os.environ):
        if name.startswith("LMS_"):
            monkeypatch.delenv(name)
    app = make(tmp_path)
    instance = tmp_path / "instance"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'lms.sqlite3'}"
    assert app.config["LMS_STORAGE_DIR"] == str(instance / "storage")
    assert app.config["LMS_TIMEZONE"] == "Europe/Berlin"
    assert app.config["LMS_DEFAULT_LOCALE"] == "de"
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_sqlite_runs_with_wal_foreign_keys_and_busy_timeout(tmp_path):
    from lms.extensions import db

    app = make(tmp_path)
    with app.app_context(), db.engine.connect() as connection:
        pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") == 15000
    with app.app_context():
        db.engine.dispose()


def test_secret_key_is_generated_once_and_kept(tmp_path):
    first = make(tmp_path).config["SECRET_KEY"]
    second = make(tmp_path).config["SECRET_KEY"]
    assert len(first) >= 64 and first == second
    key_file = tmp_path / "instance" / "secret_key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert make(tmp_path / "other").config["SECRET_KEY"] != first


def test_secret_key_from_environment_wins(tmp_path):
    assert make(tmp_path, LMS_SECRET_KEY="from-the-environment").config["SECRET_KEY"] == (
        "from-the-environment")


def test_https_base_url_makes_cookies_secure(tmp_path):
    config = make(tmp_path, LMS_BASE_URL="https://lms.th-koeln.example").config
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["REMEMBER_COOKIE_SECURE"] is True
    assert config["PREFERRED_URL_SCHEME"] == "https"


def test_forwarded_headers_are_believed_only_from_configured_proxies(tmp_path, monkeypatch):
    from werkzeug.middleware.proxy_fix import ProxyFix

    monkeypatch.delenv("LMS_TRUSTED_PROXIES", raising=False)
    default = make(tmp_path)
    assert default.config["LMS_TRUSTED_PROXIES"] == 0
    assert not isinstance(default.wsgi_app, ProxyFix)
    proxied = make(tmp_path, LMS_TRUSTED_PROXIES="2").wsgi_app
    assert isinstance(proxied, ProxyFix)
    assert (proxied.x_for, proxied.x_proto, proxied.x_host) == (2, 2, 2)
    assert proxied.x_port == proxied.x_prefix == 0


def test_postgres_urls_use_psycopg(tmp_path):
    config = make(tmp_path, LMS_DATABASE_URL="postgres://lms@db.example/lms").config
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://lms@db.example/lms"


@pytest.mark.parametrize(
    ("setting", "value", "words"),
    [
        ("LMS_DATABASE_URL", "mysql://root@localhost/lms", "unsupported database 'mysql'"),
        ("LMS_DATABASE_URL", "not a url", "is not a database address"),
        ("LMS_TIMEZONE", "Mars/Olympus", "not a known time zone"),
        ("LMS_DEFAULT_LOCALE", "fr", "must be one of de, en"),
        ("LMS_BASE_URL", "lms.example", "absolute http or https address"),
        ("LMS_MAX_UPLOAD_MB", "-3", "whole number above 0"),
        ("LMS_TRUSTED_PROXIES", "yes", "number of proxies in front of the app"),
        ("LMS_TRUSTED_PROXIES", "-1", "from 0 to 5"),
        ("LMS_TRUSTED_PROXIES", "10.0.0.1", "number of proxies"),
    ],
)
def test_wrong_setting_stops_start_up_with_one_sentence(tmp_path, setting, value, words):
    with pytest.raises(ConfigError) as caught:
        make(tmp_path, **{setting: value})
    message = str(caught.value)
    assert setting in message and words in message
    assert message.endswith(".") and "\n" not in message


def test_unwritable_storage_folder_is_refused(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(ConfigError, match=r"storage folder .* cannot be written"):
        make(tmp_path, LMS_STORAGE_DIR=str(blocker / "storage"))


@pytest.mark.slow
def test_command_line_prints_the_sentence_not_a_traceback(tmp_path):
    env = {**os.environ, "LMS_DATABASE_URL": "oracle://scott@db/lms",
           "LMS_INSTANCE_PATH": str(tmp_path / "instance")}
    result = subprocess.run(
        [sys.executable, "-c", "from lms.cli import main; main()", "db", "upgrade"],
        env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "LMS_DATABASE_URL uses the unsupported database 'oracle'" in result.stderr
