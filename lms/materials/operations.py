"""Adding, replacing, withdrawing and reusing materials. Operations flush, never commit.

Files go through the checks and limits of submissions (their type judged by the content,
:func:`lms.assignments.files.detect_upload`) into the storage area "materials"; a file
whose row does not survive the transaction is removed again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln

from lms.accounts.models import User
from lms.assignments.files import clean_filename, detect_upload
from lms.audit.operations import record_event
from lms.cohorts.models import Cohort
from lms.curriculum.models import Module
from lms.db import max_length
from lms.errors import DomainError
from lms.extensions import db
from lms.materials.models import (
    AREA,
    NOTE_MAX,
    Material,
    MaterialKind,
    MaterialVersion,
    Release,
)
from lms.schedule.models import Meeting
from lms.storage import read_stored, remove_on_rollback, store_bytes


class MaterialError(DomainError):
    """A material cannot be added or changed."""


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


@dataclass(frozen=True)
class Placement:
    """Where a material belongs and when it is released."""

    cohort: Cohort
    module: Module
    meeting: Meeting | None
    release: Release
    release_at: datetime | None = None  # for Release.DATE


def _check_placement(placement: Placement, now: datetime) -> datetime | None:
    """The stored release moment (None for a meeting's release); refuses what does not fit."""
    cohort, module, meeting = placement.cohort, placement.module, placement.meeting
    if module.course_id != cohort.course_id:
        raise MaterialError(_l("The module belongs to another course."))
    if meeting is not None and (meeting.cohort_id != cohort.id or meeting.module_id != module.id):
        raise MaterialError(_l("The meeting belongs to another module or cohort."),
                            field="meeting_id")
    if placement.release.needs_meeting:
        if meeting is None:
            raise MaterialError(_l("Choose a meeting to release the material with it."),
                                field="meeting_id")
        return None
    if placement.release == Release.DATE:
        if placement.release_at is None:
            raise MaterialError(_l("Please give the date of the release."), field="release_on")
        return placement.release_at
    return now


def _check_text(title: str, note: str) -> tuple[str, str]:
    title, note = title.strip(), note.strip()
    if not title:
        raise MaterialError(_l("Please give the material a title."), field="title")
    if len(title) > max_length(Material.title):
        raise MaterialError(_ln("The title may have at most %(num)s character.",
                                "The title may have at most %(num)s characters.",
                                max_length(Material.title)), field="title")
    if len(note) > NOTE_MAX:
        raise MaterialError(_ln("The note may have at most %(num)s character.",
                                "The note may have at most %(num)s characters.", NOTE_MAX),
                            field="note")
    return title, note


def _check_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(
            ch.isspace() for ch in url):
        raise MaterialError(_l("Please give a complete web address (https://…)."), field="url")
    if len(url) > max_length(Material.url):
        raise MaterialError(_ln("The address may have at most %(num)s character.",
                                "The address may have at most %(num)s characters.",
                                max_length(Material.url)), field="url")
    return url


def _store_version(material: Material, upload: Upload, number: int, *, by: User | None,
                   now: datetime) -> MaterialVersion:
    kind = detect_upload(upload.filename, upload.data)  # UploadRejected says why
    suffix = kind.extensions[0]
    stored_name, digest = store_bytes(AREA, upload.data, suffix)
    remove_on_rollback(db.session, AREA, stored_name)
    version = MaterialVersion(
        material=material, version=number, original_filename=clean_filename(upload.filename),
        content_type=kind.mimetype, size_bytes=len(upload.data), stored_name=stored_name,
        sha256=digest, uploaded_at=now, uploaded_by=by)
    db.session.add(version)
    return version


def add_material(placement: Placement, title: str, note: str = "", *, by: User,
                 now: datetime, upload: Upload | None = None, url: str = "") -> Material:
    """A file (``upload``) or a link (``url``) for a module or one of its meetings."""
    title, note = _check_text(title, note)
    release_at = _check_placement(placement, now)
    if (upload is None) == (not url.strip()):
        raise MaterialError(_l("Please choose a file or give a web address."), field="file")
    material = Material(
        cohort=placement.cohort, module=placement.module, meeting=placement.meeting,
        kind=MaterialKind.FILE if upload is not None else MaterialKind.LINK,
        title=title, note=note, url=_check_url(url) if upload is None else "",
        release=placement.release, release_at=release_at, created_at=now, created_by=by)
    db.session.add(material)
    if upload is not None:
        _store_version(material, upload, 1, by=by, now=now)
    db.session.flush()
    record_event(by, "material.added", material, cohort_id=placement.cohort.id,
                 after=_state(material))
    return material


def replace_file(material: Material, upload: Upload, *, by: User,
                 now: datetime) -> MaterialVersion:
    """A new version of a material's file; the earlier ones stay, the newest is given out."""
    if material.kind != MaterialKind.FILE:
        raise MaterialError(_l("Only a file can be replaced."), field="file")
    if material.withdrawn_at is not None:
        raise MaterialError(_l("A withdrawn material cannot be replaced."), field="file")
    number = 1 + (db.session.scalar(sa.select(sa.func.max(MaterialVersion.version)).where(
        MaterialVersion.material_id == material.id)) or 0)
    version = _store_version(material, upload, number, by=by, now=now)
    db.session.flush()
    db.session.expire(material, ["versions"])
    record_event(by, "material.replaced", material, cohort_id=material.cohort_id,
                 after={"version": number, "sha256": version.sha256,
                        "size": version.size_bytes})
    return version


def withdraw_material(material: Material, *, by: User, now: datetime) -> None:
    """Participants no longer see it; it is kept (with every version)."""
    if material.withdrawn_at is not None:
        raise MaterialError(_l("The material has been withdrawn already."))
    material.withdrawn_at = now
    db.session.flush()
    record_event(by, "material.withdrawn", material, cohort_id=material.cohort_id,
                 after={"withdrawn_at": now.isoformat()})


def _state(material: Material) -> dict[str, object]:
    return {"title": material.title, "kind": material.kind.value,
            "module": material.module.number,
            "meeting": material.meeting_id, "release": material.release.value,
            "release_at": material.release_at.isoformat() if material.release_at else None}


# --------------------------------------------------------------------------- reuse


def reuse_materials(source: list[Material], target: Cohort, module: Module, *, by: User,
                    now: datetime) -> list[Material]:
    """Copies of ``source`` (materials of an earlier cohort of the same course) for
    ``target``: the newest version of each file (stored anew), links as they are. A
    meeting's material goes with the meeting of the same place among the module's meetings
    in ``target`` (the first with the first, …) and is released with it as before; any
    other is released on the date that lies as far from the new cohort's start as the old
    release from the old one's (at once, if that date has passed)."""
    from lms.schedule.queries import list_cohort_meetings

    meetings = [m for m in list_cohort_meetings([target.id])
                if m.module_id == module.id and not m.is_cancelled]
    copies = []
    for original in source:
        if original.cohort.course_id != target.course_id or original.module_id != module.id:
            raise MaterialError(_l("Only materials of the same course and module can be "
                                   "taken over."))
        meeting, release, release_at = _new_release(original, target, meetings, now)
        placement = Placement(target, module, meeting, release, release_at)
        upload = None
        if original.kind == MaterialKind.FILE and original.latest is not None:
            latest = original.latest
            upload = Upload(latest.original_filename, read_stored(AREA, latest.stored_name))
        copy = add_material(placement, original.title, original.note, by=by, now=now,
                            upload=upload, url=original.url)
        copy.reused_from_id = original.id
        copies.append(copy)
    db.session.flush()
    return copies


def _new_release(original: Material, target: Cohort, meetings: list[Meeting],
                 now: datetime) -> tuple[Meeting | None, Release, datetime | None]:
    if original.meeting is not None:
        old = sorted((m for m in original.cohort.meetings
                      if m.module_id == original.module_id and not m.is_cancelled),
                     key=lambda m: m.starts_at)
        place = next((i for i, m in enumerate(old) if m.id == original.meeting_id), None)
        if place is not None and place < len(meetings):
            meeting = meetings[place]
            if original.release.needs_meeting:
                return meeting, original.release, None
            return meeting, Release.DATE, max(now, _shifted(original, target))
    return None, Release.DATE, max(now, _shifted(original, target))


def _shifted(original: Material, target: Cohort) -> datetime:
    return original.released_at + (target.starts_on - original.cohort.starts_on)
