"""Login throttling is shared between worker processes through Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from tests.conftest import require_redis

REDIS = os.environ.get("LMS_TEST_REDIS_THROTTLE_URL", "redis://127.0.0.1:6379/15")


SCRIPT = textwrap.dedent("""
    import sys
    from lms import create_app
    app = create_app({"LMS_RATELIMIT_STORAGE_URL": sys.argv[1],
                      "LMS_INSTANCE_PATH": sys.argv[2], "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    codes = [client.post("/login", data={"email": "shared@example.org",
                                         "password": "wrong password!"},
                         environ_base={"REMOTE_ADDR": "10.9.8.7"}).status_code
             for _ in range(int(sys.argv[3]))]
    print(" ".join(map(str, codes)))
""")


def attempts(tmp_path, count: int) -> list[int]:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, REDIS, str(tmp_path / "instance"), str(count)],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "LMS_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"},
    )
    assert result.returncode == 0, result.stderr
    return [int(code) for code in result.stdout.split()]


def test_two_worker_processes_share_the_throttle(tmp_path):
    require_redis(REDIS)
    import redis

    redis.Redis.from_url(REDIS).flushdb()
    subprocess.run([sys.executable, "-m", "flask", "--app", "lms", "db", "upgrade"],
                   env={**os.environ, "LMS_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
                        "LMS_INSTANCE_PATH": str(tmp_path / "instance")},
                   check=True, capture_output=True, timeout=120)
    assert attempts(tmp_path, 3) == [200, 200, 200]  # the first worker: three failures
    assert attempts(tmp_path, 3) == [200, 200, 429]  # another process: the count goes on
    redis.Redis.from_url(REDIS).flushdb()
