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


def events_of_person(user: User) -> tuple[list[AuditEvent], list[AuditEvent]]:
    """The events about ``user``'s own records (their account, participations, marks,
    work, grades, documents, feeds, requests), and the other events they made."""
    from lms.assignments.models import Grade, Submission
    from lms.attendance.models import AbsenceNotice, Attendance
    from lms.certificates.models import Certificate
    from lms.cohorts.models import Enrollment
    from lms.ical.models import CalendarFeed
    from lms.privacy.models import DataExport, ErasureRequest

    enrollments = sa.select(Enrollment.id).where(Enrollment.user_id == user.id)
    objects: list[tuple[str, str]] = [("user_account", str(user.id))]
    for model, owner in ((Enrollment, Enrollment.user_id == user.id),
                         (Attendance, Attendance.enrollment_id.in_(enrollments)),
                         (AbsenceNotice, AbsenceNotice.enrollment_id.in_(enrollments)),
                         (Submission, Submission.enrollment_id.in_(enrollments)),
                         (Grade, Grade.enrollment_id.in_(enrollments)),
                         (Certificate, Certificate.enrollment_id.in_(enrollments)),
                         (CalendarFeed, CalendarFeed.user_id == user.id),
                         (ErasureRequest, ErasureRequest.user_id == user.id),
                         (DataExport, DataExport.user_id == user.id)):
        objects += [(model.__tablename__, str(i))
                    for i in db.session.scalars(sa.select(model.id).where(owner))]
    about = events_naming((), objects)
    seen = {e.id for e in about}
    made = [e for e in db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.actor_id == user.id).order_by(AuditEvent.id)) if e.id not in seen]
    return about, made
