"""Reads of the audit trail."""

from __future__ import annotations

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
