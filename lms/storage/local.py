"""The local folder (``LMS_STORAGE_DIR``): the embedded default, one folder per area.

A file is written under a temporary name, flushed to disk and renamed into place, so a
reader (or a crash) never sees half a file; downloads are served by ``send_file`` from
the file itself (sendfile where the server offers it, ranges, conditional requests).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from flask import send_file
from werkzeug.wrappers import Response

from lms.storage.backend import (
    CHUNK_BYTES,
    Backend,
    StorageError,
    StoredFileMissing,
    check_name,
)


class LocalStorage(Backend):
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.description = f"the folder {self.root}"

    def path(self, area: str, name: str) -> Path:
        """Where the file is (or would be); the area's folder is made on first need."""
        folder = self.root / area
        folder.mkdir(parents=True, exist_ok=True)
        return folder / check_name(name)

    def put(self, area: str, name: str, data: bytes | BinaryIO, sha256: str) -> None:
        target = self.path(area, name)
        temporary = target.with_name(f".{name}.partial")
        try:
            with open(temporary, "xb") as handle:
                source = io.BytesIO(data) if isinstance(data, bytes) else data
                digest = hashlib.sha256()
                while chunk := source.read(CHUNK_BYTES):
                    digest.update(chunk)
                    handle.write(chunk)
                handle.flush()
                os.fsync(handle.fileno())
            if digest.hexdigest() != sha256:
                raise StorageError(f"{area}/{name}: the bytes written are not those whose "
                                   "SHA-256 was given; nothing is stored")
            temporary.replace(target)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        _sync_folder(target.parent)  # the rename itself survives a power cut

    def open(self, area: str, name: str) -> BinaryIO:
        try:
            return open(self.path(area, name), "rb")
        except FileNotFoundError:
            raise StoredFileMissing(f"{area}/{name} is not in {self.description}") from None

    def size(self, area: str, name: str) -> int:
        try:
            return self.path(area, name).stat().st_size
        except FileNotFoundError:
            raise StoredFileMissing(f"{area}/{name} is not in {self.description}") from None

    def remove(self, area: str, name: str) -> None:
        self.path(area, name).unlink(missing_ok=True)

    def names(self, area: str) -> Iterator[str]:
        folder = self.root / area
        if not folder.is_dir():
            return
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            if entry.is_file() and not entry.name.startswith("."):
                yield entry.name

    def check_reachable(self) -> None:
        probe = self.root / f".probe-{os.getpid()}"
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise StorageError(f"{self.description} cannot be written "
                               f"({exc.strerror or exc})") from None

    def download(self, area: str, name: str, *, download_name: str, mimetype: str,
                 etag: str | None, cache_control: str) -> Response:
        path = self.path(area, name)
        if not path.is_file():
            raise StoredFileMissing(f"{area}/{name} is not in {self.description}")
        response = send_file(path, mimetype=mimetype, as_attachment=True,
                             download_name=download_name, etag=etag or True, max_age=0)
        response.headers["Cache-Control"] = cache_control
        return response


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):  # (not every file system lets a folder be opened)
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
