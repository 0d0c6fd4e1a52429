"""Files kept outside the package: submissions and issued certificates.

Stored under random names in ``LMS_STORAGE_DIR`` with their SHA-256 recorded in the
database; a name from a user never becomes a path.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

AREAS = ("submissions", "certificates")
_PENDING = "lms.storage.files_of_this_transaction"


def _area(area: str) -> Path:
    if area not in AREAS:
        raise ValueError(f"unknown storage area {area!r}")
    path = Path(current_app.config["LMS_STORAGE_DIR"]) / area
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_bytes(area: str, data: bytes, suffix: str = "") -> tuple[str, str]:
    """Write ``data`` under a new random name; return (stored name, SHA-256 hex)."""
    name = secrets.token_hex(16) + suffix
    target = _area(area) / name
    temporary = target.with_name(f".{name}.partial")
    with open(temporary, "xb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(target)
    return name, hashlib.sha256(data).hexdigest()


def stored_path(area: str, name: str) -> Path:
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise ValueError(f"not a stored name: {name!r}")
    return _area(area) / name


def remove_stored(area: str, name: str) -> None:
    stored_path(area, name).unlink(missing_ok=True)


def remove_on_rollback(session: Session, area: str, name: str) -> None:
    """A file stored for a row of ``session``'s transaction: removed again when that
    transaction is rolled back (the row never existed), kept when it commits."""
    session.info.setdefault(_PENDING, []).append(stored_path(area, name))


@event.listens_for(Session, "after_commit")
def _keep_files(session: Session) -> None:
    if not session.in_nested_transaction():  # (a savepoint's release decides nothing)
        session.info.pop(_PENDING, None)


@event.listens_for(Session, "after_rollback")
def _remove_files(session: Session) -> None:
    if session.in_nested_transaction():
        return
    for path in session.info.pop(_PENDING, []):
        path.unlink(missing_ok=True)
