"""Reads for privacy: who a person was (for the erasure), requests and their state."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from lms.accounts.models import User
from lms.audit.models import AuditEvent
from lms.cohorts.models import Enrollment
from lms.extensions import db
from lms.privacy.models import DataExport, ErasureDecision, ErasureRequest, ExportState

# Keys of audit payloads that hold an address or a whole name.
ADDRESS_KEYS = ("email", "user", "participant")
NAME_KEYS = ("name",)


@dataclass
class Identities:
    names: set[str] = field(default_factory=set)  # whole names and addresses
    words: set[str] = field(default_factory=set)  # first and last names alone


def earlier_identities(user: User) -> Identities:
    """The names and addresses the audit trail recorded for ``user`` before (a renamed
    person, an address that was corrected): an erasure removes those too."""
    enrollment_ids = [str(i) for i in db.session.scalars(
        sa.select(Enrollment.id).where(Enrollment.user_id == user.id))]
    events = db.session.scalars(sa.select(AuditEvent).where(sa.or_(
        sa.and_(AuditEvent.object_type == "user_account",
                AuditEvent.object_id == str(user.id)),
        sa.and_(AuditEvent.object_type == "enrollment",
                AuditEvent.object_id.in_(enrollment_ids)),
    )))
    found = Identities()
    for audit in events:
        for payload in (audit.before, audit.after):
            if payload:
                _collect(payload, user, found)
    return found


def _collect(payload: dict[str, Any], user: User, found: Identities) -> None:
    for key in ADDRESS_KEYS + NAME_KEYS:
        value = payload.get(key)
        if isinstance(value, str) and value.strip():
            found.names.add(value.strip())
    first, last = payload.get("first_name"), payload.get("last_name")
    if isinstance(first, str) or isinstance(last, str):
        first = first if isinstance(first, str) else user.first_name
        last = last if isinstance(last, str) else user.last_name
        found.names.add(f"{first} {last}")
        found.words.update((first, last))


def get_pending_request(user: User) -> ErasureRequest | None:
    return db.session.scalar(sa.select(ErasureRequest).where(
        ErasureRequest.user_id == user.id, ErasureRequest.decision == ErasureDecision.PENDING))


def get_erasure_request(request_id: int) -> ErasureRequest | None:
    return db.session.get(ErasureRequest, request_id)


def latest_request(user: User) -> ErasureRequest | None:
    return db.session.scalar(sa.select(ErasureRequest).where(ErasureRequest.user_id == user.id)
                             .order_by(ErasureRequest.requested_at.desc(),
                                       ErasureRequest.id.desc()).limit(1))


def list_erasure_requests(*, pending: bool) -> list[ErasureRequest]:
    """Open requests, oldest first; or decided ones, newest first."""
    query = sa.select(ErasureRequest).options(selectinload(ErasureRequest.user),
                                              selectinload(ErasureRequest.decided_by))
    if pending:
        query = query.where(ErasureRequest.decision == ErasureDecision.PENDING).order_by(
            ErasureRequest.requested_at, ErasureRequest.id)
    else:
        query = query.where(ErasureRequest.decision != ErasureDecision.PENDING).order_by(
            ErasureRequest.decided_at.desc(), ErasureRequest.id.desc()).limit(50)
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class PersonOverview:
    """What the coordination sees before it exports or erases a person's data."""

    user: User
    enrollments: list[Enrollment]
    contact_of: list[Any]  # the cohorts the person follows for their company
    teaches: int  # meetings the person is a lecturer of
    certificates: int
    requests: list[ErasureRequest]

    @property
    def pending(self) -> ErasureRequest | None:
        return next((r for r in self.requests if r.decision == ErasureDecision.PENDING), None)


def person_overview(user: User) -> PersonOverview:
    from lms.certificates.models import Certificate
    from lms.cohorts.models import Cohort, cohort_contact
    from lms.schedule.models import meeting_lecturer

    enrollments = list(db.session.scalars(
        sa.select(Enrollment).where(Enrollment.user_id == user.id)
        .options(selectinload(Enrollment.cohort).selectinload(Cohort.company))
        .order_by(Enrollment.id)))
    contact_of = list(db.session.scalars(
        sa.select(Cohort).join(cohort_contact, cohort_contact.c.cohort_id == Cohort.id)
        .where(cohort_contact.c.user_id == user.id).order_by(Cohort.starts_on)))
    teaches = db.session.scalar(sa.select(sa.func.count()).select_from(meeting_lecturer).where(
        meeting_lecturer.c.user_id == user.id)) or 0
    certificates = db.session.scalar(
        sa.select(sa.func.count(Certificate.id)).join(Certificate.enrollment)
        .where(Enrollment.user_id == user.id)) or 0
    requests = list(db.session.scalars(
        sa.select(ErasureRequest).where(ErasureRequest.user_id == user.id)
        .options(selectinload(ErasureRequest.decided_by))
        .order_by(ErasureRequest.requested_at.desc(), ErasureRequest.id.desc())))
    return PersonOverview(user, enrollments, contact_of, teaches, certificates, requests)


def pending_export(user: User) -> DataExport | None:
    return db.session.scalar(sa.select(DataExport).where(
        DataExport.user_id == user.id, DataExport.state == ExportState.PENDING).limit(1))


def get_export(export_id: int) -> DataExport | None:
    return db.session.get(DataExport, export_id)


def list_exports(user: User, limit: int = 5) -> list[DataExport]:
    """A person's latest exports, newest first (kept for the EXPORTS retention period)."""
    return list(db.session.scalars(
        sa.select(DataExport).where(DataExport.user_id == user.id)
        .options(selectinload(DataExport.requested_by))
        .order_by(DataExport.created_at.desc(), DataExport.id.desc()).limit(limit)))
