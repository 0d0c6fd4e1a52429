"""/readyz: ready when the database answers at the code's schema revision, Redis answers
(when configured) and the file store answers (a folder that takes files, a bucket that
answers with our credentials)."""

from __future__ import annotations

import logging

import sqlalchemy as sa

from lms.db import migration_heads
from lms.extensions import db
from tests.conftest import TEST_REDIS_URL, redis_reachable
from tests.storage.conftest import use_storage

# The test app uses Redis when it answers (tests/conftest.py), as production does.
READY = {"status": "ok", "database": "ok", "migrations": "ok",
         "redis": "ok" if redis_reachable(TEST_REDIS_URL) else "not used", "storage": "ok"}


def test_ready_with_the_folder(client, app, tmp_path):
    with use_storage(app, {"LMS_STORAGE_URL": "", "LMS_STORAGE_DIR": str(tmp_path)}):
        response = client.get("/readyz")
    assert response.status_code == 200 and response.json == READY


def test_a_folder_that_takes_no_files_is_not_ready(client, app, tmp_path, caplog):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    unwritable = {"LMS_STORAGE_URL": "", "LMS_STORAGE_DIR": str(blocker / "files")}
    with use_storage(app, unwritable), caplog.at_level(logging.WARNING):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json == {**READY, "status": "error", "storage": "unreachable"}
    assert "cannot be written" in caplog.text  # the reason is logged, not answered
    assert "cannot be written" not in response.get_data(as_text=True)


def test_ready_with_the_bucket_and_not_without_it(client, app, seaweed):
    with use_storage(app, seaweed.settings(prefix="ready")):
        assert client.get("/readyz").json == READY
    missing = {**seaweed.settings(), "LMS_STORAGE_URL": "s3://no-such-bucket-here"}
    with use_storage(app, missing):
        response = client.get("/readyz")
    assert response.status_code == 503 and response.json["storage"] == "unreachable"
    nobody = {**seaweed.settings(), "LMS_S3_ENDPOINT_URL": "http://127.0.0.1:9"}
    with use_storage(app, nobody):
        assert client.get("/readyz").json["storage"] == "unreachable"


def test_a_database_behind_the_code_is_not_ready(client, app):
    [head] = migration_heads()
    table = sa.table("alembic_version", sa.column("version_num"))
    with db.engine.begin() as connection:
        connection.execute(sa.update(table).values(version_num="0001"))
    try:
        response = client.get("/readyz")
    finally:
        with db.engine.begin() as connection:
            connection.execute(sa.update(table).values(version_num=head))
    assert response.status_code == 503
    assert response.json == {**READY, "status": "error", "migrations": "behind"}
    assert client.get("/readyz").status_code == 200


def test_redis_that_does_not_answer_is_not_ready(client, app, caplog):
    saved = app.config["LMS_REDIS_URL"]
    app.config["LMS_REDIS_URL"] = "redis://127.0.0.1:9/0"  # nothing listens there
    try:
        with caplog.at_level(logging.WARNING):
            response = client.get("/readyz")
    finally:
        app.config["LMS_REDIS_URL"] = saved
    assert response.status_code == 503
    assert response.json == {**READY, "status": "error", "redis": "unreachable"}
    assert "Redis is unreachable" in caplog.text
    app.config["LMS_REDIS_URL"] = ""
    try:
        without = client.get("/readyz")  # the embedded setting: no Redis, nothing missing
    finally:
        app.config["LMS_REDIS_URL"] = saved
    assert without.status_code == 200 and without.json["redis"] == "not used"
