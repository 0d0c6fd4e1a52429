"""Login throttling is shared between worker processes through Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import TEST_REDIS_URL, require_redis

# The test run's own Redis database (tests/conftest.py), or LMS_TEST_REDIS_THROTTLE_URL;
# only the rate-limit counters there are deleted, before and after.
REDIS = os.environ.get("LMS_TEST_REDIS_THROTTLE_URL", TEST_REDIS_URL)

pytestmark = pytest.mark.slow  # two processes of the app, one after the other

SCRIPT = textwrap.dedent("""
    import sys
    from lms import create_app
    app = create_app({"LMS_RATELIMIT_STORAGE_URL": sys.argv[1], "LMS_INSTANCE_PATH": sys.argv[2],
                      "LMS_DATABASE_URL": sys.argv[3], "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    codes = [client.post("/login", data={"email": "shared@example.org",
                                         "password": "wrong password!"},
                         environ_base={"REMOTE_ADDR": "10.9.8.7"}).status_code
             for _ in range(int(sys.argv[4]))]
    print(" ".join(map(str, codes)))
""")


def attempts(app_config: dict, count: int) -> list[int]:
    """``count`` failed logins in a process of its own, on the test database."""
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, REDIS, app_config["LMS_INSTANCE_PATH"],
         app_config["LMS_DATABASE_URL"], str(count)],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return [int(code) for code in result.stdout.split()]


def forget_counts() -> None:
    import redis

    connection = redis.Redis.from_url(REDIS)
    keys = list(connection.scan_iter("LIMITS:*"))  # the limits library's keys
    if keys:
        connection.delete(*keys)


def test_two_worker_processes_share_the_throttle(app, app_config):
    require_redis(REDIS)
    forget_counts()
    try:
        assert attempts(app_config, 3) == [200, 200, 200]  # the first worker: three failures
        assert attempts(app_config, 3) == [200, 200, 429]  # another process: the count goes on
    finally:
        forget_counts()
