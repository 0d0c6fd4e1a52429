"""The storage tests run against each backend: the local folder, and S3-compatible object
storage served by a real SeaweedFS on 127.0.0.1 (tests/seaweed.py), never a mock."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask

from lms.storage import Backend, storage

BACKENDS = ["local", "s3"]


@contextmanager
def use_storage(app: Flask, settings: dict) -> Iterator[Backend]:
    """Run the app on the storage ``settings`` name, then restore its own."""
    keys = ("LMS_STORAGE_URL", "LMS_STORAGE_DIR", "LMS_S3_ENDPOINT_URL",
            "LMS_STORAGE_PRESIGNED")
    saved = {key: app.config.get(key) for key in keys}
    app.config.update(settings)
    try:
        yield storage(app)
    finally:
        app.config.update(saved)


@pytest.fixture(params=BACKENDS)
def backend(request, app, tmp_path) -> Iterator[Backend]:
    """The app on a store of this test's own: a fresh folder, or a fresh prefix in the
    test bucket."""
    if request.param == "local":
        with use_storage(app, {"LMS_STORAGE_URL": "",
                               "LMS_STORAGE_DIR": str(tmp_path / "storage")}) as backend:
            yield backend
    else:
        server = request.getfixturevalue("seaweed")
        with use_storage(app, server.settings(prefix=f"t-{uuid.uuid4().hex[:12]}")) as backend:
            yield backend
