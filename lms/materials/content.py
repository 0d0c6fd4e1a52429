"""The course's standing materials as data: ``course_content/<course>/materials.toml``
(optional) lists them, files in the course folder or links; loaded with the course and
shared by every cohort.

Checked with the rest of the course before anything is written (a file must exist inside
the course folder and pass the checks every upload passes); a file whose bytes are
unchanged is not stored again.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import sqlalchemy as sa

from lms.extensions import db
from lms.materials.models import AREA, NOTE_MAX, CourseMaterial, MaterialKind

FILE_NAME = "materials.toml"
KEY = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")
# A standing material's file may be as large as this (what the course folder should carry).
LARGEST_FILE = 20 * 1024 * 1024


@dataclass(frozen=True)
class CourseMaterialData:
    key: str
    title: str
    note: str
    module_number: int | None
    url: str
    path: Path | None
    data: bytes = b""


def parse_course_materials(directory: Path, module_numbers: set[int]) -> list[CourseMaterialData]:
    from lms.assignments.files import UploadRejected, detect_upload
    from lms.curriculum.content import ContentError, _read_text, _Source

    path = Path(directory) / FILE_NAME
    if not path.exists():
        return []
    source = _Source(path, _read_text(path))
    raw = source.data.get("materials")
    unknown = sorted(set(source.data) - {"materials"})
    if unknown:
        raise source.error(unknown[0], f"unknown key {unknown[0]!r}")
    if not isinstance(raw, list):
        raise ContentError(path, None, "holds no [[materials]]")
    headers = [index for index, text in enumerate(source.lines)
               if re.match(r"^\s*\[\[\s*materials\s*\]\]", text)]
    folder = Path(directory).resolve()
    items: list[CourseMaterialData] = []
    for position, table in enumerate(raw):
        after = headers[position] if position < len(headers) else 0
        line = after + 1
        key = source.get(table, "key", str, after=after)
        if not KEY.fullmatch(key) or len(key) > 80:
            raise source.error("key", "'key' may hold only a-z, 0-9, '-' and '_'", after=after)
        if key in {i.key for i in items}:
            raise ContentError(path, line, f"the material key {key!r} appears twice")
        extra = sorted(set(table) - {"key", "title", "note", "module", "file", "url"})
        if extra:
            raise source.error(extra[0], f"unknown key {extra[0]!r}", after=after)
        title = source.get(table, "title", str, after=after)
        if len(title) > 200:
            raise source.error("title", "'title' may have at most 200 characters", after=after)
        note = source.get(table, "note", str, required=False, default="", after=after)
        if len(note) > NOTE_MAX:
            raise source.error("note", f"'note' may have at most {NOTE_MAX} characters",
                               after=after)
        module = source.get(table, "module", int, required=False, after=after)
        if module is not None and module not in module_numbers:
            raise source.error("module", f"there is no module {module}", after=after)
        file = source.get(table, "file", str, required=False, default="", after=after)
        url = source.get(table, "url", str, required=False, default="", after=after)
        if bool(file) == bool(url):
            raise ContentError(path, line, "a material has either 'file' or 'url'")
        data, target = b"", None
        if file:
            target = (folder / file).resolve()
            if not target.is_relative_to(folder) or not target.is_file():
                raise source.error("file", f"no file {file!r} in the course folder", after=after)
            data = target.read_bytes()
            if len(data) > LARGEST_FILE:
                raise source.error("file", f"{file!r} is larger than 20 MB", after=after)
            try:
                detect_upload(target.name, data)
            except UploadRejected as exc:
                raise source.error("file", f"{file!r} is not accepted: {exc}",
                                   after=after) from None
        else:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 500:
                raise source.error("url", "'url' must be a complete http(s) address",
                                   after=after)
        items.append(CourseMaterialData(key, title, note, module, url, target, data))
    return items


@dataclass
class MaterialChanges:
    created: list[str]
    updated: list[str]
    removed: list[str]


def store_course_materials(course_id: int, modules: dict[int, int],
                           items: list[CourseMaterialData]) -> MaterialChanges:
    """Create, update or remove the course's standing materials; flushes. Says what
    changed ("material <key>")."""
    from lms.assignments.files import clean_filename, detect_upload
    from lms.storage import remove_on_rollback, store_bytes

    existing = {m.key: m for m in db.session.scalars(
        sa.select(CourseMaterial).where(CourseMaterial.course_id == course_id))}
    changes = MaterialChanges([], [], [])
    for position, item in enumerate(items):
        row = existing.pop(item.key, None) or CourseMaterial(course_id=course_id, key=item.key)
        values = {
            "position": position, "title": item.title, "note": item.note, "url": item.url,
            "module_id": modules.get(item.module_number) if item.module_number else None,
            "kind": MaterialKind.FILE if item.path is not None else MaterialKind.LINK,
        }
        if item.path is not None:
            digest = hashlib.sha256(item.data).hexdigest()
            if row.sha256 != digest or not row.stored_name:
                kind = detect_upload(item.path.name, item.data)
                stored, digest = store_bytes(AREA, item.data, kind.extensions[0])
                remove_on_rollback(db.session, AREA, stored)
                values.update(stored_name=stored, sha256=digest, size_bytes=len(item.data),
                              content_type=kind.mimetype,
                              original_filename=clean_filename(item.path.name))
        else:
            values.update(stored_name=None, sha256="", size_bytes=0, content_type="",
                          original_filename="")
        new = row.id is None
        dirty = new or any(getattr(row, k) != v for k, v in values.items())
        for key, value in values.items():
            setattr(row, key, value)
        if dirty:
            db.session.add(row)
            (changes.created if new else changes.updated).append(f"material {item.key}")
    for key, row in existing.items():
        db.session.delete(row)
        changes.removed.append(f"material {key}")
    db.session.flush()
    return changes
