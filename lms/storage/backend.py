"""What every file store answers: the interface that the local folder and S3-compatible
object storage implement alike (the areas never see which one serves them).

A stored file is named by its *area* (``submissions``, ``certificates``, …) and a
*name* the storage chose (random, never a user's); its SHA-256 is recorded by the row
that names it. Writes are all-or-nothing: a file is either there whole or not at all.
"""

from __future__ import annotations

import hashlib
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import BinaryIO

from werkzeug.wrappers import Response

# One read of a stored file: large enough for few round trips, small enough that a
# download never holds more than this of a file in memory.
CHUNK_BYTES = 256 * 1024
# What the storage ever names a file: random hex, an optional suffix (".pdf"), nothing a
# path could be made of.
_NAME = re.compile(r"[0-9a-f]{8,64}(\.[a-z0-9]{1,10})?")


class StorageError(Exception):
    """The file store cannot do what was asked (unreachable, refused, misconfigured)."""


class StoredFileMissing(StorageError, FileNotFoundError):
    """No file of that name in that area."""


def check_name(name: str) -> str:
    """A name the storage gave, or ValueError: a name from elsewhere never reaches a path
    or an object key."""
    if not _NAME.fullmatch(str(name)):  # (also a None from a row without a file)
        raise ValueError(f"not a stored name: {name!r}")
    return name


def sha256_of(stream: BinaryIO) -> tuple[str, int]:
    """SHA-256 (hex) and size of what ``stream`` yields, read in chunks."""
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(CHUNK_BYTES):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


class Backend(ABC):
    """A file store. Every method takes an area (checked by the caller, lms.storage) and a
    stored name (checked here, :func:`check_name`)."""

    #: "the folder /srv/lms/storage", "s3://bucket/prefix at https://…": for messages.
    description: str

    @abstractmethod
    def put(self, area: str, name: str, data: bytes | BinaryIO, sha256: str) -> None:
        """Store ``data`` (bytes, or a seekable binary file read from its start) under
        ``name``, all or nothing; ``sha256`` is its digest, which the backend checks
        against what it received where it can."""

    @abstractmethod
    def open(self, area: str, name: str) -> BinaryIO:
        """The stored file for reading (close it, or use it as a context manager);
        StoredFileMissing when there is none."""

    @abstractmethod
    def size(self, area: str, name: str) -> int:
        """Size in bytes; StoredFileMissing when there is none."""

    @abstractmethod
    def remove(self, area: str, name: str) -> None:
        """Remove the file; nothing happens when there is none."""

    @abstractmethod
    def names(self, area: str) -> Iterator[str]:
        """Every stored name in ``area`` (files being written are not among them)."""

    @abstractmethod
    def check_reachable(self) -> None:
        """Return when the store can be read and written; StorageError saying why not."""

    @abstractmethod
    def download(self, area: str, name: str, *, download_name: str, mimetype: str,
                 etag: str | None, cache_control: str) -> Response:
        """The file as an attachment, streamed (or, where configured, a redirect to a
        short-lived address of the file itself)."""

    def exists(self, area: str, name: str) -> bool:
        try:
            self.size(area, name)
        except StoredFileMissing:
            return False
        return True

    def chunks(self, area: str, name: str) -> Iterator[bytes]:
        """The file in pieces of at most CHUNK_BYTES."""
        with self.open(area, name) as stream:
            while chunk := stream.read(CHUNK_BYTES):
                yield chunk

    def digest(self, area: str, name: str) -> tuple[str, int]:
        """SHA-256 (hex) and size of the stored file, read as stored."""
        with self.open(area, name) as stream:
            return sha256_of(stream)
