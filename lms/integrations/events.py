"""Events told to webhook subscriptions: a certificate issued or revoked, a participant
who has become at risk. Each event becomes one delivery per subscription that hears it,
in the transaction of the change (sent after its commit), with the payload its scope may
read:

- a company subscription gets what a company token reads of the participant (cohort,
  enrollment, name, standing) and nothing of grades, attendance or the document;
- a university subscription also gets the certificate as ``GET /api/v1/certificates/{id}``
  describes it, and the participant's e-mail address and attendance figures.

"At risk" is found by ``lms notify`` (hourly by default), not when attendance is marked:
a participant's standing changes with marks, but also with grades, with deadlines and
meetings passing, and with rule changes, and only the periodic run evaluates every
running cohort with the same rules the pages use (``cohort_progress``) whatever the
cause. Each participant's last seen standing is kept, so that the event fires once when
they become at risk (and again only after they were out of it).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from lms.certificates.models import Certificate, CertificateKind
from lms.certificates.queries import ParticipantProgress, cohort_progress
from lms.certificates.standing import Standing
from lms.cohorts.models import Cohort, Enrollment, EnrollmentStatus
from lms.db import utcnow
from lms.extensions import db
from lms.integrations.models import WebhookEvent, WebhookScope, WebhookSubscription
from lms.integrations.operations import add_delivery, note_standing
from lms.integrations.queries import (
    any_subscription_for,
    last_seen_standings,
    subscriptions_for,
)
from lms.urls import external_urls

log = logging.getLogger(__name__)


def participant_status(enrollment: Enrollment, standing: Standing) -> dict[str, Any]:
    """What a company token reads of a participant (``ParticipantOut`` of a company
    token: the name and the standing)."""
    return {"cohort_id": enrollment.cohort_id, "enrollment_id": enrollment.id,
            "first_name": enrollment.user.first_name, "last_name": enrollment.user.last_name,
            "standing": standing.value, "standing_label": str(standing.label)}


def participant_detail(progress: ParticipantProgress) -> dict[str, Any]:
    """What a university token reads of a participant, without the assessments."""
    enrollment, summary = progress.enrollment, progress.facts.attendance
    return {**participant_status(enrollment, progress.result.standing),
            "email": enrollment.user.email, "enrollment_status": enrollment.status.value,
            "attendance": {"scheduled_minutes": summary.scheduled,
                           "held_minutes": summary.held,
                           "attended_minutes": summary.attended,
                           "missed_minutes": summary.missed,
                           "required_minutes": summary.required,
                           "min_attendance_percent": summary.min_percent}}


def certificate_detail(certificate: Certificate) -> dict[str, Any]:
    """The certificate as a university token reads it."""
    link = external_urls()
    return {"id": certificate.id, "cohort_id": certificate.enrollment.cohort_id,
            "enrollment_id": certificate.enrollment_id, "kind": certificate.kind.value,
            "status": certificate.status.value, "serial": certificate.serial,
            "holder_name": certificate.holder_name, "language": certificate.language,
            "issued_at": certificate.issued_at.isoformat(),
            "revoked_at": certificate.revoked_at.isoformat()
            if certificate.revoked_at else None,
            "revoked_reason": certificate.revoked_reason or None,
            "verification_url": link("verify.show", code=certificate.verification_code),
            "pdf_url": link("api_v1.certificate_pdf", certificate_id=certificate.id)}


def _announce(subscriptions: list[WebhookSubscription], event: WebhookEvent,
              company: dict[str, Any], university: dict[str, Any], now: datetime) -> int:
    for subscription in subscriptions:
        data = university if subscription.scope == WebhookScope.UNIVERSITY else company
        add_delivery(subscription, event, data, now)
    return len(subscriptions)


def certificate_issued(certificate: Certificate, now: datetime | None = None) -> int:
    """Tell the subscriptions of the certificate's cohort; returns how many."""
    enrollment = certificate.enrollment
    event = WebhookEvent.CERTIFICATE_ISSUED
    subscriptions = subscriptions_for(event, enrollment.cohort_id)
    if not subscriptions:
        return 0
    standing = (Standing.CERTIFIED if certificate.kind == CertificateKind.CERTIFICATE
                else Standing.CONFIRMATION)
    participant = participant_status(enrollment, standing)
    return _announce(subscriptions, event, {"participant": participant},
                     {"participant": participant,
                      "certificate": certificate_detail(certificate)}, now or utcnow())


def certificate_revoked(certificate: Certificate, now: datetime | None = None) -> int:
    """Tell the subscriptions of the certificate's cohort, with the participant's
    standing as it is after the revocation."""
    from lms.certificates.queries import enrollment_progress

    enrollment = certificate.enrollment
    event = WebhookEvent.CERTIFICATE_REVOKED
    subscriptions = subscriptions_for(event, enrollment.cohort_id)
    if not subscriptions:
        return 0
    now = now or utcnow()
    participant = participant_status(enrollment,
                                     enrollment_progress(enrollment, now).result.standing)
    return _announce(subscriptions, event, {"participant": participant},
                     {"participant": participant,
                      "certificate": certificate_detail(certificate)}, now)


def participant_became_at_risk(subscriptions: list[WebhookSubscription],
                               progress: ParticipantProgress, now: datetime) -> int:
    return _announce(subscriptions, WebhookEvent.PARTICIPANT_AT_RISK,
                     {"participant": participant_status(progress.enrollment,
                                                        progress.result.standing)},
                     {"participant": participant_detail(progress)}, now)


def find_participants_at_risk(now: datetime | None = None) -> int:
    """Compare every active participant of a running cohort with the standing last seen
    and tell who has become at risk; returns how many events. Nothing is evaluated
    while nobody listens (the standings seen are then not kept either). Flushes only."""
    now = now or utcnow()
    if not any_subscription_for(WebhookEvent.PARTICIPANT_AT_RISK):
        return 0
    today = now.date()
    cohorts = db.session.scalars(
        sa.select(Cohort)
        .where(Cohort.archived_at.is_(None), Cohort.starts_on <= today, Cohort.ends_on >= today)
        .options(selectinload(Cohort.course))).all()
    told = 0
    for cohort in cohorts:
        enrollments = list(db.session.scalars(
            sa.select(Enrollment)
            .where(Enrollment.cohort_id == cohort.id,
                   Enrollment.status == EnrollmentStatus.ACTIVE)
            .options(selectinload(Enrollment.user))))
        seen = last_seen_standings([e.id for e in enrollments])
        listening: list[WebhookSubscription] | None = None  # (looked up once, if needed)
        for progress in cohort_progress(cohort, now, enrollments):
            enrollment = progress.enrollment
            if note_standing(enrollment.id, progress.result.standing, seen.get(enrollment.id),
                             now):
                if listening is None:
                    listening = subscriptions_for(WebhookEvent.PARTICIPANT_AT_RISK, cohort.id)
                told += participant_became_at_risk(listening, progress, now)
    log.info("participants at risk: %s deliveries", told)
    return told
