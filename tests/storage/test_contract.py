"""What every file store promises, checked on each backend alike: bytes come back as
stored, in pieces; names are the storage's own; a write is whole or absent; a file of a
rolled-back transaction is removed; downloads stream with the attachment headers."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import tracemalloc

import pytest
import sqlalchemy as sa

from lms.extensions import db
from lms.storage import (
    AREAS,
    StorageError,
    StoredFileMissing,
    open_stored,
    read_stored,
    remove_on_rollback,
    remove_stored,
    send_stored,
    storage_reachable,
    store_bytes,
    store_stream,
    stored_chunks,
    stored_exists,
)
from lms.storage.backend import CHUNK_BYTES
from tests.storage.conftest import use_storage

HOSTILE_NAMES = ["", "../secret", "a/b", ".hidden", "..", "x" * 300, "ABC\x00.pdf",
                 "/etc/passwd", "0123456789abcdef/../../x"]


def test_bytes_come_back_as_stored_under_a_name_of_the_storage(backend):
    data = b"%PDF-1.7 Hausarbeit \xe4\xf6\xfc" * 100
    name, digest = store_bytes("certificates", data, ".pdf")
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", name)
    assert digest == hashlib.sha256(data).hexdigest()
    assert read_stored("certificates", name) == data
    assert backend.size("certificates", name) == len(data)
    assert backend.digest("certificates", name) == (digest, len(data))
    assert stored_exists("certificates", name)
    assert not stored_exists("submissions", name)  # areas are apart
    other, _ = store_bytes("certificates", data, ".pdf")
    assert other != name  # the same bytes twice are two files


def test_a_large_file_is_read_in_pieces(backend):
    data = os.urandom(2 * CHUNK_BYTES + 12345)
    name, _ = store_bytes("submissions", data)
    pieces = list(stored_chunks("submissions", name))
    assert len(pieces) == 3 and all(len(p) <= CHUNK_BYTES for p in pieces)
    assert b"".join(pieces) == data
    with open_stored("submissions", name) as stream:
        assert stream.read(10) == data[:10]


def test_a_large_file_is_stored_from_disk_in_pieces(backend):
    data = os.urandom(3 * CHUNK_BYTES + 7)
    with tempfile.SpooledTemporaryFile(max_size=1024) as upload:  # (on disk, as Werkzeug
        upload.write(b"header to skip" + data)                     # spools a large upload)
        upload.seek(len(b"header to skip"))
        name, digest = store_stream("materials", upload, ".pptx")
    assert digest == hashlib.sha256(data).hexdigest() and name.endswith(".pptx")
    assert read_stored("materials", name) == data
    assert backend.digest("materials", name) == (digest, len(data))


def test_names_lists_an_area_and_removal_is_idempotent(backend):
    first, _ = store_bytes("exports", b"one")
    second, _ = store_bytes("exports", b"two")
    assert sorted(backend.names("exports")) == sorted([first, second])
    remove_stored("exports", first)
    remove_stored("exports", first)  # (gone already: nothing happens)
    assert list(backend.names("exports")) == [second]
    assert not stored_exists("exports", first)
    with pytest.raises(StoredFileMissing):
        read_stored("exports", first)
    with pytest.raises(StoredFileMissing):
        backend.size("exports", first)


def test_only_known_areas_and_the_storages_own_names_are_taken(backend):
    name, _ = store_bytes("submissions", b"x")
    with pytest.raises(ValueError, match="unknown storage area"):
        store_bytes("../etc", b"x")
    with pytest.raises(ValueError, match="unknown storage area"):
        read_stored("secrets", name)
    for hostile in HOSTILE_NAMES:
        for call in (read_stored, stored_exists, remove_stored):
            with pytest.raises(ValueError, match="not a stored name"):
                call("submissions", hostile)
    with pytest.raises(ValueError, match="not a stored name"):
        store_bytes("submissions", b"x", suffix="/../../x")
    assert set(AREAS) >= {"submissions", "certificates", "exports", "materials"}


def test_a_file_of_a_rolled_back_transaction_is_removed_and_a_committed_one_kept(backend, app):
    db.session.execute(sa.text("SELECT 1"))  # (the transaction the files belong to)
    kept, _ = store_bytes("submissions", b"kept")
    remove_on_rollback(db.session, "submissions", kept)
    db.session.commit()
    db.session.execute(sa.text("SELECT 1"))
    dropped, _ = store_bytes("submissions", b"dropped")
    remove_on_rollback(db.session, "submissions", dropped)
    db.session.rollback()
    assert stored_exists("submissions", kept)
    assert not stored_exists("submissions", dropped)
    db.session.rollback()  # (a second rollback has nothing left to remove)
    assert stored_exists("submissions", kept)


def test_a_savepoints_rollback_decides_nothing_the_outer_transaction_does(backend, app):
    db.session.execute(sa.text("SELECT 1"))
    name, _ = store_bytes("certificates", b"pdf", ".pdf")
    remove_on_rollback(db.session, "certificates", name)
    savepoint = db.session.begin_nested()
    savepoint.rollback()
    assert stored_exists("certificates", name)
    db.session.commit()
    db.session.rollback()
    assert stored_exists("certificates", name)


def test_a_download_streams_the_stored_bytes_as_an_attachment(backend, app):
    data = os.urandom(CHUNK_BYTES + 99)
    name, digest = store_bytes("submissions", data)
    with app.test_request_context():
        response = send_stored("submissions", name, download_name="Hausarbeit Jörg.pdf",
                               mimetype="application/pdf", etag=digest)
        assert response.is_streamed or response.direct_passthrough
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.headers["Cache-Control"] == "private, no-store"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["ETag"] == f'"{digest}"'
        assert response.content_length == len(data)
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert "filename*=UTF-8''Hausarbeit%20J%C3%B6rg.pdf" in disposition
        assert b"".join(response.response) == data
        response.close()
    with app.test_request_context(headers={"If-None-Match": f'"{digest}"'}):
        response = send_stored("submissions", name, download_name="a.pdf",
                               mimetype="application/pdf", etag=digest)
        assert response.status_code == 304
        response.close()


def test_the_store_is_reachable(backend):
    assert storage_reachable() == (True, "ok")


def test_bytes_other_than_those_hashed_are_refused_and_leave_nothing(backend):
    """The SHA-256 goes along with every write; the store refuses bytes that differ
    (the folder checks what it wrote, an object store what it received)."""
    with pytest.raises(StorageError):
        backend.put("submissions", "0" * 32, b"these bytes", hashlib.sha256(b"other").hexdigest())
    assert list(backend.names("submissions")) == []
    assert not backend.exists("submissions", "0" * 32)
    if hasattr(backend, "root"):
        assert list((backend.root / "submissions").iterdir()) == []  # no partial file


def test_a_write_that_fails_midway_leaves_no_file_in_the_folder(app, tmp_path, monkeypatch):
    from lms.storage import local

    with use_storage(app, {"LMS_STORAGE_URL": "", "LMS_STORAGE_DIR": str(tmp_path)}) as folder:
        def full_disk(_fd):
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(local.os, "fsync", full_disk)
        with pytest.raises(OSError, match="No space"):
            store_bytes("submissions", b"half")
        monkeypatch.undo()
        assert list(folder.names("submissions")) == []
        assert list((tmp_path / "submissions").iterdir()) == []


def test_a_download_holds_a_piece_of_the_file_never_all_of_it(backend, app):
    data = os.urandom(8 * 1024 * 1024)
    name, digest = store_bytes("submissions", data)
    del data
    received = hashlib.sha256()
    with app.test_request_context():
        tracemalloc.start()
        try:
            response = send_stored("submissions", name, download_name="big.bin",
                                   mimetype="application/octet-stream")
            for piece in response.response:
                received.update(piece)
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
            response.close()
    assert received.hexdigest() == digest
    assert peak < 1024 * 1024, f"{peak} bytes held while sending an 8 MB file"
