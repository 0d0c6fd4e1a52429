"""A module's materials as one ZIP, streamed: written piece by piece while it is sent,
never whole in memory or on disk (each file is read from storage in chunks)."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import BinaryIO

from lms.i18n import file_name_part
from lms.materials.models import AREA, CourseMaterial, Material
from lms.storage import storage

CHUNK = 256 * 1024


@dataclass(frozen=True)
class Entry:
    arcname: str
    stored_name: str


class _Pipe:
    """A write-only file for ZipFile whose written bytes are taken out as they come."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.written = 0

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        self.written += len(data)
        return len(data)

    def tell(self) -> int:
        return self.written

    def flush(self) -> None:
        pass

    def close(self) -> None:  # (ZipFile never closes a file it was given)
        pass

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def entries(materials: Iterable[Material], standing: Iterable[CourseMaterial]) -> list[Entry]:
    """The files of a module's ZIP, each under a name of its own: "01_Title.pdf"."""
    found: list[Entry] = []
    used: set[str] = set()

    def add(title: str, original: str, stored: str) -> None:
        suffix = original.rsplit(".", 1)[-1].lower() if "." in original else ""
        stem = f"{len(found) + 1:02d}_{file_name_part(title, 'material')[:80]}"
        name = f"{stem}.{suffix}" if suffix else stem
        while name in used:
            name = "_" + name
        used.add(name)
        found.append(Entry(name, stored))

    for item in standing:
        if item.stored_name:
            add(item.title, item.original_filename, item.stored_name)
    for material in materials:
        latest = material.latest
        if latest is not None:
            add(material.title, latest.original_filename, latest.stored_name)
    return found


def opened(files: list[Entry]) -> list[tuple[str, Callable[[], BinaryIO]]]:
    """Each entry with how to open its stored file, decided now (while the request's
    application context is there), so that the stream needs no context of its own."""
    backend = storage()
    return [(entry.arcname, partial(backend.open, AREA, entry.stored_name)) for entry in files]


def zip_chunks(files: list[tuple[str, Callable[[], BinaryIO]]]) -> Iterator[bytes]:
    """The ZIP of ``files`` (name, opener), in pieces (files stored, not compressed again:
    PDFs, slides and images are compressed already)."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_STORED) as archive:
        for arcname, open_source in files:
            with open_source() as source, \
                    archive.open(arcname, "w", force_zip64=True) as target:
                while chunk := source.read(CHUNK):
                    target.write(chunk)
                    if pipe.written and pipe.parts:
                        yield pipe.take()
            yield pipe.take()
    yield pipe.take()
