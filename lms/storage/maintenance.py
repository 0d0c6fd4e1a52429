"""Checking and moving the file store: ``lms doctor`` (every file the database names is in
the store with its SHA-256) and ``lms storage migrate`` (the local folder copied into the
bucket, every file verified). Both read files in pieces and several at a time; both only
report, the commands decide the exit code."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from typing import TypeVar

from lms.db import SessionLike
from lms.storage import AREAS
from lms.storage.backend import Backend, StorageError, StoredFileMissing
from lms.storage.inventory import NamedFile, models_with_files, named_files, named_in

# Files read at the same time: object stores answer each request slowly but many at once.
PARALLEL = 8
# Orphans listed by name; beyond that only counted.
LISTED = 20


Item = TypeVar("Item")
Outcome = TypeVar("Outcome")


def _in_parallel(work: Callable[[Item], Outcome], items: Iterable[Item],
                 batch: int = 256) -> Iterator[Outcome]:
    """``work(item)`` for every item, PARALLEL at a time, in order; never more than one
    batch of items in memory."""
    iterator = iter(items)
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        while chunk := list(islice(iterator, batch)):
            yield from pool.map(work, chunk)


@dataclass
class DoctorReport:
    store: str
    checked: int = 0
    problems: list[str] = field(default_factory=list)
    orphans: dict[str, list[str]] = field(default_factory=dict)
    hashed: bool = True

    @property
    def healthy(self) -> bool:
        return not self.problems


def check_store(session: SessionLike, backend: Backend, *, hash_files: bool = True) -> DoctorReport:
    """Every file the database names: present, of the recorded size, with the recorded
    SHA-256 (``hash_files=False``: present and of the size only, without reading them).
    Files in the store that no row names are listed as orphans, not as problems: a
    request that is storing a file has not committed its row yet."""
    report = DoctorReport(backend.description, hashed=hash_files)

    def examine(named: NamedFile) -> str | None:
        try:
            if hash_files:
                digest, size = backend.digest(named.area, named.name)
            else:
                digest, size = named.sha256, backend.size(named.area, named.name)
        except StoredFileMissing:
            return f"missing: {named.where} (named by {named.row})"
        except (StorageError, OSError) as exc:
            return f"unreadable: {named.where} (named by {named.row}): {exc}"
        if named.size is not None and size != named.size:
            return (f"wrong size: {named.where} (named by {named.row}) has {size} bytes, "
                    f"the database records {named.size}")
        if digest != named.sha256:
            return (f"changed: {named.where} (named by {named.row}) has SHA-256 {digest}, "
                    f"the database records {named.sha256}")
        return None

    for problem in _in_parallel(examine, named_files(session)):
        report.checked += 1
        if problem:
            report.problems.append(problem)
    for area in sorted({model.storage_area for model in models_with_files()}):
        unnamed = sorted(set(backend.names(area)) - named_in(session, area))
        if unnamed:
            report.orphans[area] = unnamed
    return report


@dataclass
class MigrationReport:
    source: str
    target: str
    copied: int = 0
    present: int = 0  # in the bucket already, verified identical
    problems: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.problems


def migrate_store(session: SessionLike, source: Backend, target: Backend) -> MigrationReport:
    """Copy every file of ``source`` into ``target`` and verify each SHA-256: the source's
    bytes against the database's record (where a row names the file), the target's
    bytes, read back after writing, against the source's. A file already in the target
    with the same bytes is left as it is (so a second run copies nothing); a file that
    differs anywhere is reported and never overwritten."""
    report = MigrationReport(source.description, target.description)
    recorded = {(f.area, f.name): f for f in named_files(session)}

    def copy(where: tuple[str, str]) -> tuple[str, str]:
        area, name = where
        try:
            digest, size = source.digest(area, name)
            named = recorded.get(where)
            if named is not None and digest != named.sha256:
                return "problem", (f"{area}/{name}: the folder's file has SHA-256 {digest}, "
                                   f"the database records {named.sha256} ({named.row}); "
                                   "not copied")
            try:
                there = target.digest(area, name)
            except StoredFileMissing:
                there = None
            if there is not None:
                if there == (digest, size):
                    return "present", ""
                return "problem", (f"{area}/{name}: the bucket holds other bytes (SHA-256 "
                                   f"{there[0]}) than the folder ({digest}); not overwritten")
            with source.open(area, name) as stream:
                target.put(area, name, stream, digest)
            if target.digest(area, name) != (digest, size):
                return "problem", f"{area}/{name}: read back with another SHA-256"
        except (StorageError, OSError) as exc:
            return "problem", f"{area}/{name}: {exc}"
        return "copied", ""

    everything = ((area, name) for area in AREAS for name in source.names(area))
    for outcome, message in _in_parallel(copy, everything):
        if outcome == "copied":
            report.copied += 1
        elif outcome == "present":
            report.present += 1
        else:
            report.problems.append(message)
    for (area, name), named in recorded.items():
        if not source.exists(area, name) and not target.exists(area, name):
            report.problems.append(f"{area}/{name} (named by {named.row}) is neither in "
                                   "the folder nor in the bucket")
    return report
