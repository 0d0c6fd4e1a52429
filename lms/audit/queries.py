"""Reads of the audit trail."""

from __future__ import annotations

import json
from collections.abc import Iterable

import sqlalchemy as sa

from lms.accounts.models import User
from lms.audit.models import AuditEvent
from lms.extensions import db

# How many events a cohort's change log shows, newest first.
AUDIT_PAGE = 100


def list_cohort_events(cohort_id: int, limit: int = AUDIT_PAGE
                       ) -> list[tuple[AuditEvent, User | None]]:
    """A cohort's newest events with who made them (None for the system or a deleted
    account)."""
    rows = db.session.execute(
        sa.select(AuditEvent, User)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.cohort_id == cohort_id)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(limit)
    ).all()
    return [(event, actor) for event, actor in rows]


def _as_stored(text: str) -> set[str]:
    """How ``text`` may appear inside a stored JSON payload, lower-cased: as it is, and
    with non-ASCII letters escaped (the JSON serializer writes "\\u00fc" for "ü")."""
    escaped = {json.dumps(variant)[1:-1].lower() for variant in (text, text.lower())}
    return {text.lower(), *escaped}


def events_naming(texts: Iterable[str], objects: Iterable[tuple[str, str]]
                  ) -> list[AuditEvent]:
    """Every event about one of ``objects`` ((table, id) pairs), and every event whose
    payload contains one of ``texts`` (case-insensitive): what an erasure pseudonymises.
    The database narrows them down; the caller reads the payloads themselves."""
    conditions = []
    by_table: dict[str, list[str]] = {}
    for table, object_id in objects:
        by_table.setdefault(table, []).append(object_id)
    for table, ids in by_table.items():
        for start in range(0, len(ids), 500):
            conditions.append(sa.and_(AuditEvent.object_type == table,
                                      AuditEvent.object_id.in_(ids[start:start + 500])))
    payload = sa.func.lower(sa.func.coalesce(sa.cast(AuditEvent.before, sa.Text), "") + " "
                            + sa.func.coalesce(sa.cast(AuditEvent.after, sa.Text), ""))
    for text in texts:
        for form in _as_stored(text):
            conditions.append(payload.contains(form, autoescape=True))
    if not conditions:
        return []
    return list(db.session.scalars(sa.select(AuditEvent).where(sa.or_(*conditions))
                                   .order_by(AuditEvent.id)))
