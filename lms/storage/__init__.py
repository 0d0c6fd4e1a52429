"""Files kept outside the package: submissions, issued certificates, exports, materials.

Every file goes through here, whichever store holds it: the local folder
(``LMS_STORAGE_DIR``, the embedded default) or S3-compatible object storage
(``LMS_STORAGE_URL=s3://bucket/prefix``). Files are stored under random names with
their SHA-256 recorded in the database by the row that names them; a name from a user
never becomes a path or a key. Writes are all-or-nothing; downloads stream.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from flask import Flask, current_app
from werkzeug.wrappers import Response

from lms.db import SessionLike, after_rollback
from lms.storage.backend import (
    Backend,
    StorageError,
    StoredFileMissing,
    check_name,
    sha256_of,
)

__all__ = [
    "AREAS", "Backend", "StorageError", "StoredFileMissing", "open_stored", "read_stored",
    "remove_on_rollback", "remove_stored", "send_stored", "storage", "storage_reachable",
    "store_bytes", "store_stream", "stored_chunks", "stored_exists", "stored_path",
]

# The areas files are kept in; a new kind of file is one more name here.
AREAS = ("submissions", "certificates", "exports", "data-exports", "materials")
_EXTENSION = "lms.storage"
# The settings a backend is built from: when a test (or the app) changes one, the next
# use builds the backend anew.
SETTINGS = ("LMS_STORAGE_URL", "LMS_STORAGE_DIR", "LMS_S3_ENDPOINT_URL",
            "LMS_STORAGE_PRESIGNED")


def backend_for(config: Mapping[str, Any]) -> Backend:
    """The backend the settings name: S3 when ``LMS_STORAGE_URL`` is set, else the folder."""
    url = config.get("LMS_STORAGE_URL") or ""
    if url:
        from lms.storage.s3 import S3Storage  # (boto3 is imported only when it is used)

        return S3Storage.from_url(url, endpoint_url=config.get("LMS_S3_ENDPOINT_URL") or None,
                                  presigned_seconds=int(config.get("LMS_STORAGE_PRESIGNED") or 0))
    from lms.storage.local import LocalStorage

    return LocalStorage(config["LMS_STORAGE_DIR"])


def storage(app: Flask | None = None) -> Backend:
    """The current app's file store."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    key = tuple(app.config.get(name) for name in SETTINGS)
    built = app.extensions.get(_EXTENSION)
    if built is None or built[0] != key:
        built = app.extensions[_EXTENSION] = (key, backend_for(app.config))
    return built[1]


def _area(area: str) -> str:
    if area not in AREAS:
        raise ValueError(f"unknown storage area {area!r}")
    return area


def store_bytes(area: str, data: bytes, suffix: str = "") -> tuple[str, str]:
    """Write ``data`` under a new random name; return (stored name, SHA-256 hex)."""
    name = check_name(secrets.token_hex(16) + suffix)
    digest = hashlib.sha256(data).hexdigest()
    storage().put(_area(area), name, data, digest)
    return name, digest


def store_stream(area: str, stream: BinaryIO, suffix: str = "") -> tuple[str, str]:
    """Like store_bytes, for a large file that is not in memory: a seekable binary file
    (an upload spooled to disk), read from where it stands, twice in pieces (once for
    its SHA-256, once to store it); return (stored name, SHA-256 hex)."""
    name = check_name(secrets.token_hex(16) + suffix)
    start = stream.tell()
    digest, _size = sha256_of(stream)
    stream.seek(start)
    storage().put(_area(area), name, stream, digest)
    return name, digest


def open_stored(area: str, name: str) -> BinaryIO:
    """A stored file for reading in pieces (use it as a context manager)."""
    return storage().open(_area(area), name)


def stored_chunks(area: str, name: str) -> Iterator[bytes]:
    return storage().chunks(_area(area), name)


def read_stored(area: str, name: str) -> bytes:
    """A whole stored file in memory: for small files (and tests); downloads stream."""
    with open_stored(area, name) as stream:
        return stream.read()


def stored_exists(area: str, name: str) -> bool:
    return storage().exists(_area(area), name)


def send_stored(area: str, name: str, *, download_name: str, mimetype: str,
                etag: str | None = None, cache_control: str = "private, no-store") -> Response:
    """A stored file as a download (an attachment, never shown inline), streamed from the
    store or redirected to a short-lived address of it (``LMS_STORAGE_PRESIGNED``)."""
    response = storage().download(_area(area), name, download_name=download_name,
                                  mimetype=mimetype, etag=etag, cache_control=cache_control)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def stored_path(area: str, name: str) -> Path:
    """The file's path, for the local folder only (object storage has no paths: use
    open_stored/read_stored, which work on both)."""
    from lms.storage.local import LocalStorage

    backend = storage()
    if not isinstance(backend, LocalStorage):
        raise StorageError(f"{backend.description} keeps objects, not paths")
    return backend.path(_area(area), name)


def remove_stored(area: str, name: str) -> None:
    storage().remove(_area(area), name)


def storage_reachable() -> tuple[bool, str]:
    """Whether the store answers and takes writes (for /readyz), and a short reason."""
    try:
        storage().check_reachable()
    except StorageError as exc:
        return False, str(exc)
    return True, "ok"


def remove_on_rollback(session: SessionLike, area: str, name: str) -> None:
    """A file stored for a row of ``session``'s transaction: removed again when that
    transaction is rolled back (the row never existed), kept when it commits.

    The one mechanism for files of failed transactions, whatever the store: the backend
    is taken now, so the removal needs no application context later."""
    backend, area, name = storage(), _area(area), check_name(name)
    after_rollback(session, lambda: _remove_quietly(backend, area, name))


def _remove_quietly(backend: Backend, area: str, name: str) -> None:
    try:
        backend.remove(area, name)
    except (StorageError, OSError):  # (`lms doctor` lists files no row names)
        logging.getLogger(__name__).warning(
            "A file of a rolled-back transaction could not be removed: %s/%s in %s",
            area, name, backend.description)
