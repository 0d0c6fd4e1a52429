"""Reads for credentials: the facts a credential states, and credentials by id or hash."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from lms.assignments.models import Assignment
from lms.attendance.queries import participant_attendance
from lms.certificates.rules import assessment_passed
from lms.credentials.achievement import AssessmentOutcome, CredentialFacts, ModuleHours
from lms.credentials.models import CertificateCredential, CredentialStatusList
from lms.curriculum.models import GradingScheme
from lms.extensions import db

if TYPE_CHECKING:
    from lms.certificates.models import Certificate
    from lms.certificates.queries import ParticipantProgress
    from lms.certificates.render import CertificateData
    from lms.cohorts.models import Enrollment


def credential_facts(enrollment: Enrollment, kind: str, language: str,
                     data: CertificateData, progress: ParticipantProgress,
                     now: datetime) -> CredentialFacts:
    """What a certificate's credential states: the printed data, the hours attended per
    module (counted by the attendance rules) and the required assessments passed."""
    cohort, user = enrollment.cohort, enrollment.user
    course = cohort.course
    english = language == "en"
    scheduled: dict[int, int] = defaultdict(int)
    attended: dict[int, int] = defaultdict(int)
    titles: dict[int, str] = {}
    for row in participant_attendance(enrollment, now).rows:
        module = row.meeting.module
        titles[module.number] = module.title_en if english and module.title_en else module.title
        scheduled[module.number] += row.meeting.duration_minutes
        attended[module.number] += row.minutes or 0
    # The cohort's assignments in the order completion_facts lists them (by id).
    assignments = db.session.scalars(sa.select(Assignment).where(
        Assignment.cohort_id == cohort.id).order_by(Assignment.id)).all()
    assessments = tuple(
        AssessmentOutcome(
            key=assignment.key,
            title=item.title_en if english and item.title_en else item.title,
            points=item.points if item.grading == GradingScheme.POINTS else None,
            max_points=assignment.max_points if item.grading == GradingScheme.POINTS else None,
            pass_points=item.pass_points if item.grading == GradingScheme.POINTS else None,
        )
        for assignment, item in zip(assignments, progress.facts.assessments, strict=True)
        if item.required and assessment_passed(item)
    )
    summary = progress.facts.attendance
    return CredentialFacts(
        kind=kind, language=language, holder_name=data.full_name, email=user.email,
        course_slug=course.slug, course_title=data.course_title,
        course_description=course.description, provider=data.provider,
        provider_unit=data.provider_unit, credits=course.credits,
        starts_on=cohort.starts_on, ends_on=cohort.ends_on,
        min_percent=summary.min_percent, scheduled_minutes=summary.scheduled,
        required_minutes=summary.required, attended_minutes=summary.attended,
        modules=tuple(ModuleHours(n, titles[n], scheduled[n], attended[n])
                      for n in sorted(titles)),
        assessments=assessments, serial=data.serial,
        verification_url=data.verification_url, issued_at=now,
    )


def get_credential(certificate: Certificate) -> CertificateCredential | None:
    return db.session.scalar(sa.select(CertificateCredential).where(
        CertificateCredential.certificate_id == certificate.id))


def credential_document(credential: CertificateCredential) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(credential.document)
    return document


def get_credential_by_uri(uri: str) -> CertificateCredential | None:
    return db.session.scalar(
        sa.select(CertificateCredential).where(CertificateCredential.credential_uri == uri)
        .options(selectinload(CertificateCredential.certificate)))


def get_status_list(list_id: int) -> CredentialStatusList | None:
    return db.session.get(CredentialStatusList, list_id)


def credential_shares(certificates: Iterable[Certificate]) -> dict[int, str]:
    """For each valid certificate that has a credential: its LinkedIn add-to-profile
    address (name and organisation as the credential states them). One query."""
    from lms.certificates.models import CertificateStatus
    from lms.credentials.sharing import linkedin_add_url

    valid = {c.id: c for c in certificates if c.status == CertificateStatus.VALID}
    if not valid:
        return {}
    shares = {}
    for credential in db.session.scalars(sa.select(CertificateCredential).where(
            CertificateCredential.certificate_id.in_(valid))):
        if not credential.document:  # erased with its holder's data
            continue
        document = json.loads(credential.document)
        shares[credential.certificate_id] = linkedin_add_url(
            valid[credential.certificate_id],
            document["credentialSubject"]["achievement"]["name"],
            document["issuer"]["name"])
    return shares


def certificates_with_credential(certificate_ids: list[int]) -> set[int]:
    """Which of these certificates were issued with a credential."""
    if not certificate_ids:
        return set()
    return set(db.session.scalars(sa.select(CertificateCredential.certificate_id).where(
        CertificateCredential.certificate_id.in_(certificate_ids))))
