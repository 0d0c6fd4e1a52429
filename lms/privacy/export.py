"""Export (Art. 15 and 20 GDPR): a person's data as one ZIP file.

Each area's ``privacy.py`` has an ``export(person)`` that returns the person's records in
its tables (:class:`AreaExport`): the declared personal columns of each record, with a
little context a reader needs (which cohort, which meeting), and the files that belong
to them. :func:`build_export` writes, into one ZIP in the storage's ``exports`` area:

- ``data/<area>.json`` — one file per area, in the documented format (``schema.json``,
  generated from the registry: every field with its category, purpose, legal basis and
  retention);
- ``files/…`` — the files the person handed in, as handed in;
- ``certificates/<serial>.pdf`` and ``<serial>.credential.json`` — their documents as
  issued, with the Open Badges credential where there is one;
- ``index.html`` — a summary to read, in the person's language.

:func:`build_export` is plain (it flushes, reports its progress to a callback, and the
caller commits); :func:`run_export` is the job the queue runs (lms.jobs: a worker with
Redis, inline without), committing the progress step by step.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from lms.accounts.models import User
from lms.audit.operations import record_event
from lms.db import utcnow
from lms.errors import DomainError
from lms.extensions import db
from lms.labels import Label, LabelledEnum
from lms.privacy.models import DataExport, ExportState
from lms.privacy.registry import area_modules, personal_columns

FORMAT = "lms-personal-data-export"
VERSION = 1
AREA = DataExport.storage_area
Progress = Callable[[int, int], None]


class ExportError(DomainError):
    """An export cannot be started; the message says why."""


@dataclass(frozen=True)
class ExportFile:
    """A stored file that belongs in the export, under ``name`` inside the ZIP."""

    area: str
    stored_name: str
    name: str


@dataclass
class AreaExport:
    """One area's records about the person (table -> records) and their files."""

    title: Label = ""  # what the summary calls the area ("Your attendance")
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    files: list[ExportFile] = field(default_factory=list)
    texts: dict[str, bytes] = field(default_factory=dict)  # name in the ZIP -> content

    def add(self, table: str, records: Iterable[dict[str, Any]]) -> None:
        rows = list(records)
        if rows:
            self.tables.setdefault(table, []).extend(rows)


def record(obj: Any, columns: Iterable[str] = (), **context: Any) -> dict[str, Any]:
    """A record as exported: its id, the named columns, and ``context`` (what a reader
    needs to understand it: a cohort's name, a meeting's time)."""
    values: dict[str, Any] = {"id": getattr(obj, "id", None)}
    values.update({column: getattr(obj, column) for column in columns})
    if context:
        values["context"] = context
    return values


# Personal, but security secrets, not readable data: withheld from every export.
WITHHELD = frozenset({"password_hash", "token_hash"})


def personal(obj: Any, **context: Any) -> dict[str, Any]:
    """:func:`record` with the columns the registry declares personal for its table (the
    secrets in WITHHELD aside)."""
    table = obj.__tablename__
    return record(obj, [c.column for c in personal_columns()
                        if c.table == table and c.column not in WITHHELD], **context)


def to_json(value: Any) -> Any:
    if isinstance(value, LabelledEnum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [to_json(v) for v in value]
    return value


def area_exports(person: User) -> dict[str, AreaExport]:
    """Every area's export of ``person`` (areas without records left out)."""
    found = {}
    for module in area_modules():
        if not hasattr(module, "export"):
            continue
        exported = module.export(person)
        if exported.tables or exported.files or exported.texts:
            found[module.__name__.split(".")[1]] = exported
    return found


def schema() -> dict[str, Any]:
    """The documented format: for each table, every field a record may have, with its
    meaning (the registry's declaration: personal, or why not)."""
    from lms.privacy.registry import declarations

    tables: dict[str, dict[str, Any]] = {}
    for declaration in declarations():
        fields = tables.setdefault(declaration.table, {})
        for column in declaration.personal:
            fields[column.column] = {
                "personal": True, "category": column.category.value,
                "category_label": column.category.label, "purpose": str(column.purpose),
                "legal_basis": column.basis.label, "retention": column.retention.label}
        for name, reason in declaration.not_personal.items():
            fields[name] = {"personal": False, "about": reason.label}
    return {
        "format": FORMAT, "version": VERSION,
        "files": {
            "data/<area>.json": str(_l(
                "one file per area: {\"format\", \"version\", \"area\", \"generated_at\", "
                "\"person\", \"tables\": {table: [record]}}; each record has its \"id\", the "
                "fields below and a \"context\" that says what it refers to")),
            "files/": str(_l("the files you handed in, as handed in")),
            "certificates/": str(_l("your certificates as issued (PDF) and their digital "
                                    "credentials (Open Badges 3.0, JSON)")),
            "index.html": str(_l("a summary to read")),
        },
        "withheld": str(_l("the hashes of the password and of links, sessions and calendar "
                           "addresses (security secrets); of changes the person made to "
                           "other people's records, the contents (Art. 15(4) GDPR)")),
        "tables": tables,
    }


# --------------------------------------------------------------------------- requests


def start_export(person: User, *, by: User | None, now: datetime | None = None
                 ) -> DataExport:
    """A new export of ``person``'s data, asked for by themself or by the coordination
    (audited; ``by`` None: on the command line). One is prepared at a time."""
    from lms.privacy.queries import pending_export

    if person.is_erased:
        raise ExportError(_l("This person's data has been erased."))
    if pending_export(person) is not None:
        raise ExportError(_l("An export is being prepared already; it will be ready soon."))
    export = DataExport(user=person, requested_by=by, created_at=now or utcnow(),
                        state=ExportState.PENDING)
    db.session.add(export)
    db.session.flush()
    asked = "command line" if by is None else "self" if by.id == person.id else "coordination"
    record_event(by, "privacy.export_started", export, after={"asked_by": asked})
    return export


def build_export(export: DataExport, *, progress: Progress | None = None,
                 now: datetime | None = None) -> DataExport:
    """Write the export's ZIP to storage and note it on the row (flushes). A failure
    leaves the row failed, with the reason, and no file."""
    from lms.storage import remove_on_rollback, store_stream

    now = now or utcnow()
    person = export.user
    exports = area_exports(person)
    files = [f for exported in exports.values() for f in exported.files]
    total, done = len(exports) + len(files) + 1, 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    with tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024) as buffer:
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for area, exported in exports.items():
                archive.writestr(f"data/{area}.json", _area_json(area, person, exported, now))
                step()
            for item in files:
                archive.writestr(item.name, _read(item.area, item.stored_name))
                step()
            for exported in exports.values():
                for name, content in exported.texts.items():
                    archive.writestr(name, content)
            archive.writestr("schema.json", json.dumps(schema(), ensure_ascii=False, indent=2))
            archive.writestr("index.html", _summary(person, exports, files, now))
            step()
        size = buffer.tell()
        buffer.seek(0)
        stored_name, digest = store_stream(AREA, buffer, ".zip")  # type: ignore[arg-type]
    remove_on_rollback(db.session, AREA, stored_name)
    export.stored_name, export.sha256, export.size_bytes = stored_name, digest, size
    export.state, export.finished_at = ExportState.READY, utcnow()
    export.done = export.total = total
    db.session.flush()
    return export


def fail_export(export: DataExport, error: str) -> None:
    export.state, export.finished_at = ExportState.FAILED, utcnow()
    export.error = error[:500]
    db.session.flush()


def run_export(export_id: int) -> None:
    """Build the export ``export_id``, committing its progress step by step so that the
    page that waits for it shows how far it got: the job the queue runs (lms.jobs; inline
    when there is no Redis). A failure is recorded on the export when no retry is left."""
    from lms.jobs.queue import final_attempt

    export = db.session.get(DataExport, export_id)
    if export is None or export.state != ExportState.PENDING:
        return  # gone, or finished by an earlier attempt

    def progress(done: int, total: int) -> None:
        db.session.execute(sa.update(DataExport).where(DataExport.id == export_id)
                           .values(done=done, total=total)
                           .execution_options(synchronize_session=False))
        db.session.commit()

    try:
        build_export(export, progress=progress)
    except Exception as exc:
        db.session.rollback()
        current_app.logger.exception("export %s failed", export_id)
        export = db.session.get(DataExport, export_id)
        if export is not None and final_attempt():
            fail_export(export, f"{type(exc).__name__}: {exc}")
            db.session.commit()
        raise
    db.session.commit()


def note_download(export: DataExport, by: User) -> None:
    """Who fetched an export (the coordination's downloads are in the audit trail)."""
    if by.id != export.user_id:
        record_event(by, "privacy.export_downloaded", export)
        db.session.flush()


# --------------------------------------------------------------------------- the file


def _area_json(area: str, person: User, exported: AreaExport, now: datetime) -> str:
    document = {"format": FORMAT, "version": VERSION, "area": area,
                "generated_at": now.isoformat(), "person": {"id": person.id},
                "tables": to_json(exported.tables)}
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False)


def _read(area: str, name: str) -> bytes:
    """A stored file's bytes, whichever store holds it."""
    from lms.storage import read_stored

    return read_stored(area, name)


def _summary(person: User, exports: Mapping[str, AreaExport], files: list[ExportFile],
             now: datetime) -> str:
    with force_locale(person.locale.value):
        return render_template("privacy/export_summary.html", person=person,
                               exports=exports, files=files, generated_at=now,
                               columns=_column_meanings(), shown=_shown)


def _shown(value: Any) -> str:
    """A value as the summary shows it: times in the site's zone and the reader's
    language, states by their label, nested context as "key: value" pairs."""
    from babel.dates import format_date, format_datetime
    from flask_babel import get_locale

    from lms.i18n import site_timezone

    locale = str(get_locale())
    if value is None or value == "":
        return "–"
    if isinstance(value, LabelledEnum):
        return value.label
    if isinstance(value, bool):
        return str(_l("yes") if value else _l("no"))
    if isinstance(value, datetime):
        return format_datetime(value, "medium", tzinfo=ZoneInfo(site_timezone()),
                               locale=locale)
    if isinstance(value, date):
        return format_date(value, "medium", locale=locale)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_shown(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_shown(v) for v in value)
    return str(value)


def _column_meanings() -> dict[tuple[str, str], Any]:
    return {(c.table, c.column): c for c in personal_columns()}
