"""Recording the audit trail. Flushes with the change it describes, never commits."""

from __future__ import annotations

from typing import Any

from lms.accounts.models import User
from lms.audit.models import AuditEvent
from lms.extensions import db


def record_event(
    actor: User | None,
    action: str,
    obj: Any,
    *,
    cohort_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Note that ``actor`` did ``action`` (e.g. "meeting.moved") to ``obj``."""
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=type(obj).__tablename__,
        object_id=str(obj.id),
        cohort_id=cohort_id,
        before=before,
        after=after,
    )
    db.session.add(event)
    return event
