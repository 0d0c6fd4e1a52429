"""Fixtures: one migrated database per test run, emptied after every test.

The database is SQLite in a temporary folder, or PostgreSQL when
``LMS_TEST_DATABASE_URL`` is set (as ``.ci/run`` does). It is built with the real
migrations, so every test also runs against the schema that production gets.
Tests commit like the app does; afterwards every table is emptied, so each test
starts from an empty database whatever it did.
"""

from __future__ import annotations

import contextvars
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from lms import create_app
from lms.extensions import db

TEST_DATABASE_URL = os.environ.get("LMS_TEST_DATABASE_URL", "")
BROWSER_TESTS = Path(__file__).resolve().parent / "browser"
RUN_ID = f"{os.getpid()}-{secrets.token_hex(4)}"  # this test run, in names it leaves in Redis
_CLAIM_KEY = "lms-test:claimed-by"
_CLAIM_SECONDS = 6 * 3600  # a run that dies frees its database after this long
_claimed: list = []  # the Redis database this run claimed (emptied when the run ends)


def _redis_url_for_this_run() -> str:
    """``LMS_TEST_REDIS_URL``, or a Redis database of this run's own.

    The run claims the first empty database of 1–15 on 127.0.0.1:6379 (a key naming the
    run, set only if absent, so two runs starting together take different ones) and
    empties it when it ends: runs on one machine never share feed generations, RQ queues
    or throttle counters. Database 0 (the development default) and 12 and 13 (bench/'s)
    are never taken.
    Without Redis (or with no database free) it is database 14, and the tests that need
    Redis skip (fail under CI)."""
    if url := os.environ.get("LMS_TEST_REDIS_URL"):
        return url
    import redis

    for number in (*range(1, 12), 14, 15):
        url = f"redis://127.0.0.1:6379/{number}"
        try:
            connection = redis.Redis.from_url(url, socket_connect_timeout=0.5)
            if connection.dbsize() == 0 and connection.set(_CLAIM_KEY, RUN_ID, nx=True,
                                                           ex=_CLAIM_SECONDS):
                _claimed.append(connection)
                return url
        except redis.RedisError:
            break
    return "redis://127.0.0.1:6379/14"


TEST_REDIS_URL = _redis_url_for_this_run()


def pytest_unconfigure(config: pytest.Config) -> None:
    """Give back the Redis database this run claimed, emptied."""
    import redis

    for connection in _claimed:
        try:
            if connection.get(_CLAIM_KEY) == RUN_ID.encode():
                connection.flushdb()
        except redis.RedisError:
            pass


def redis_reachable(url: str = TEST_REDIS_URL) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


def require_redis(url: str = TEST_REDIS_URL) -> None:
    """Skip without Redis locally; under CI a missing Redis is a failure."""
    if not redis_reachable(url):
        if os.environ.get("CI"):
            pytest.fail("Redis on 127.0.0.1:6379 is needed for this test in CI")
        pytest.skip("Redis is not running on 127.0.0.1:6379")


@pytest.fixture(scope="session")
def seaweed(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """A real S3-compatible store (SeaweedFS, tests/seaweed.py) for the whole session, with
    the standard AWS variables set to its credentials. Without the binary the tests that
    need it skip locally; under CI a store that does not start is a failure."""
    from tests.seaweed import SeaweedUnavailable, start_seaweed

    try:
        server = start_seaweed(tmp_path_factory.mktemp("seaweed"))
    except SeaweedUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"SeaweedFS (object storage) is needed for this test in CI: {exc}")
        pytest.skip(f"SeaweedFS (object storage) cannot be started: {exc}")
    try:
        with pytest.MonkeyPatch.context() as environment:
            for name, value in server.environment().items():
                environment.setenv(name, value)
            yield server
    finally:
        server.stop()


def reset_database(url: str) -> None:
    """Drop everything in the test database, so that the migrations start from empty."""
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if TEST_DATABASE_URL:
        reset_database(TEST_DATABASE_URL)
        return TEST_DATABASE_URL
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def app_config(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict:
    instance = tmp_path_factory.mktemp("instance")
    return {
        "TESTING": True,
        "LMS_INSTANCE_PATH": str(instance),
        "LMS_DATABASE_URL": database_url,
        "LMS_STORAGE_DIR": str(instance / "storage"),
        "LMS_BASE_URL": "http://lms.test",
        "WTF_CSRF_ENABLED": False,
        # Real argon2id, with the library's cheapest parameters: hashing stays fast in tests.
        "ARGON2_PROFILE": "CHEAPEST",
        # Feeds as production serves them, with the generation shared through Redis
        # (without Redis the suite still runs; the tests that need it skip).
        "LMS_REDIS_URL": TEST_REDIS_URL if redis_reachable() or os.environ.get("CI") else "",
        # (login throttling through Redis has its own test: test_rate_limit_shared)
        "LMS_RATELIMIT_STORAGE_URL": "memory://",
    }


class IsolatedClient(FlaskClient):
    """A test client whose requests run in their own application context.

    Flask would otherwise reuse the test's context, and with it the test's database
    session and cached locale: a view that forgot to commit would go unnoticed.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(scope="session")
def _migrated_app(app_config: dict) -> Iterator[Flask]:
    from flask_migrate import upgrade

    app = create_app(app_config)
    app.test_client_class = IsolatedClient
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(_migrated_app: Flask) -> Iterator[Flask]:
    from lms.extensions import limiter
    from lms.ical.feeds import feed_cache, recent_answers

    with _migrated_app.app_context():
        limiter.reset()  # throttling counters start from zero in every test
        feed_cache.clear()  # ids repeat across tests: no feed bytes from an earlier one
        recent_answers.clear()
        yield _migrated_app
        db.session.rollback()
        empty_all_tables()
        db.session.remove()


def empty_all_tables() -> None:
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def auth(client: FlaskClient):
    """Logging the test's ``client`` in and out, as in Flask's tutorial:
    ``auth.login(user)`` (fails the test unless it worked), ``auth.logout()``."""
    from tests.helpers import AuthActions

    return AuthActions(client)


@pytest.fixture
def csrf_app(app: Flask) -> Iterator[Flask]:
    """The app with CSRF protection switched on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture(scope="session")
def course_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "course_content" / "social-media-manager"


@pytest.fixture
def course(app, course_dir):
    """The bundled course, loaded into the test database."""
    from tests.factories import load_test_course

    return load_test_course(course_dir)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Collector:
    """aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        import email
        from email import policy

        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(message)
        return "250 OK"


@pytest.fixture
def smtp_server(app: Flask) -> Iterator[_Collector]:
    """A real SMTP server on 127.0.0.1; the app sends its mail there during the test."""
    from aiosmtpd.controller import Controller

    handler = _Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    saved = {k: app.config[k] for k in ("LMS_SMTP_HOST", "LMS_SMTP_PORT", "LMS_SMTP_TLS")}
    app.config.update(LMS_SMTP_HOST="127.0.0.1", LMS_SMTP_PORT=controller.port,
                      LMS_SMTP_TLS="none")
    try:
        yield handler
    finally:
        app.config.update(saved)
        controller.stop()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in tests/browser/ is marked ``browser``. Those tests serve their own
    SQLite file whatever LMS_TEST_DATABASE_URL says, so CI runs them in its SQLite leg
    only (``-m "not browser"`` in the PostgreSQL leg)."""
    for item in items:
        if BROWSER_TESTS in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)
