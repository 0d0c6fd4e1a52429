"""Reads for certificates: the facts the completion rules need, issued certificates,
verification look-ups, and the status a company contact may see."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from lms.accounts.models import User
from lms.assignments.models import Assignment, Grade
from lms.attendance.queries import summarise_attendance
from lms.certificates.models import Certificate, CertificateKind, CertificateStatus
from lms.certificates.rules import (
    AssessmentFacts,
    CompletionFacts,
    CompletionResult,
    evaluate_completion,
)
from lms.certificates.standing import Standing
from lms.cohorts.models import Cohort, Enrollment, EnrollmentStatus
from lms.curriculum.models import CourseAssessment, GradingScheme
from lms.extensions import db
from lms.i18n import sort_key

# Verification codes: Crockford's base32 without the letters people confuse.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 20  # 100 random bits
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})


@dataclass(frozen=True)
class ParticipantProgress:
    enrollment: Enrollment
    result: CompletionResult
    certificates: tuple[Certificate, ...]  # valid and revoked, newest first
    facts: CompletionFacts

    def valid(self, kind: CertificateKind) -> Certificate | None:
        return next((c for c in self.certificates
                     if c.kind == kind and c.status == CertificateStatus.VALID), None)

    def pending(self, kind: CertificateKind) -> Certificate | None:
        return next((c for c in self.certificates
                     if c.kind == kind and c.status == CertificateStatus.PENDING), None)

    @property
    def needs_issuing(self) -> bool:
        """Eligible for a kind of document that has no valid certificate yet, nor one
        being issued."""
        kind = self.result.kind
        return kind is not None and self.valid(kind) is None and self.pending(kind) is None


def completion_facts(
    cohort: Cohort, enrollments: list[Enrollment], now: datetime,
    certificates: dict[int, list[Certificate]] | None = None,
) -> dict[int, CompletionFacts]:
    """Facts for many enrollments of one cohort in a fixed number of queries."""
    summaries = summarise_attendance(cohort, enrollments, now)
    ids = [e.id for e in enrollments]
    # The cohort's assignments (by id) with their English titles and these enrollments'
    # published grades: one query (a row per grade; one without for an ungraded one).
    assignments: dict[int, _Assessed] = {}
    grades: dict[tuple[int, int], tuple[bool | None, Decimal | None]] = {}
    for (assignment_id, title, required, grading, pass_points, title_en, enrollment_id,
         passed, points) in db.session.execute(_assessments_and_grades(), {
             "cohort_id": cohort.id, "course_id": cohort.course_id, "enrollment_ids": ids}):
        if assignment_id not in assignments:
            assignments[assignment_id] = _Assessed(title, title_en or "", required, grading,
                                                   pass_points)
        if enrollment_id is not None:
            grades[(enrollment_id, assignment_id)] = (passed, points)
    if certificates is None:
        certificates = certificates_by_enrollment(ids)
    today = now.astimezone(ZoneInfo(cohort.timezone)).date()
    facts = {}
    for enrollment in enrollments:
        summary = summaries[enrollment.id]
        items = []
        for assignment_id, assignment in assignments.items():
            grade = grades.get((enrollment.id, assignment_id))
            items.append(AssessmentFacts(
                title=assignment.title,
                title_en=assignment.title_en,
                required=assignment.required,
                grading=assignment.grading,
                pass_points=assignment.pass_points,
                graded=grade is not None,
                passed=grade[0] if grade is not None else None,
                points=grade[1] if grade is not None else None,
            ))
        # Over on the cohort's last day, or earlier for whoever has nothing left to do:
        # every meeting held and every required assessment graded (a paper due after the
        # last meeting keeps the course open for those still waiting for its grade).
        everything_held = summary.scheduled > 0 and summary.held == summary.scheduled
        all_graded = all(item.graded for item in items if item.required)
        facts[enrollment.id] = CompletionFacts(
            withdrawn=enrollment.status == EnrollmentStatus.WITHDRAWN,
            attendance=summary,
            assessments=tuple(items),
            course_over=today > cohort.ends_on or (everything_held and all_graded),
            issued=frozenset(c.kind for c in certificates.get(enrollment.id, ())
                             if c.status == CertificateStatus.VALID),
        )
    return facts


# The statements above, built once: a page that shows progress runs them on every request,
# and building a statement costs about as much as running it.


class _Assessed(NamedTuple):
    title: str
    title_en: str
    required: bool
    grading: GradingScheme
    pass_points: Decimal | None


@cache
def _assessments_and_grades() -> sa.Select[
        int, str, bool, GradingScheme, Decimal | None, str | None, int | None, bool | None,
        Decimal | None]:
    return (
        sa.select(Assignment.id, Assignment.title, Assignment.required, Assignment.grading,
                  Assignment.pass_points, CourseAssessment.title_en, Grade.enrollment_id,
                  Grade.passed, Grade.points)
        .outerjoin(CourseAssessment, sa.and_(
            CourseAssessment.course_id == sa.bindparam("course_id"),
            CourseAssessment.key == Assignment.key))
        .outerjoin(Grade, sa.and_(
            Grade.assignment_id == Assignment.id,
            Grade.enrollment_id.in_(sa.bindparam("enrollment_ids", expanding=True)),
            Grade.published_at.is_not(None)))  # unpublished grades do not count yet
        .where(Assignment.cohort_id == sa.bindparam("cohort_id"))
        .order_by(Assignment.id)
    )


@cache
def _certificates_of() -> sa.Select[Certificate]:
    return (sa.select(Certificate)
            .where(Certificate.enrollment_id.in_(sa.bindparam("enrollment_ids",
                                                              expanding=True)))
            .options(selectinload(Certificate.replaced_by))
            .order_by(Certificate.issued_at.desc(), Certificate.id.desc()))


def cohort_progress(cohort: Cohort, now: datetime,
                    enrollments: list[Enrollment] | None = None) -> list[ParticipantProgress]:
    """Every participant of a cohort (or the given ones) with outcome, standing, reasons
    and certificates, in German alphabetical order."""
    if enrollments is None:
        enrollments = list(db.session.scalars(
            sa.select(Enrollment).where(Enrollment.cohort_id == cohort.id)
            .options(selectinload(Enrollment.user))
        ))
    enrollments = sorted(enrollments, key=lambda e: sort_key(e.user.last_name, e.user.first_name))
    certificates = certificates_by_enrollment([e.id for e in enrollments])
    facts = completion_facts(cohort, enrollments, now, certificates)
    return [
        ParticipantProgress(e, evaluate_completion(facts[e.id]), tuple(certificates[e.id]),
                            facts[e.id])
        for e in enrollments
    ]


def enrollment_progress(enrollment: Enrollment, now: datetime) -> ParticipantProgress:
    return cohort_progress(enrollment.cohort, now, [enrollment])[0]


def certificates_by_enrollment(enrollment_ids: list[int]) -> dict[int, list[Certificate]]:
    result: dict[int, list[Certificate]] = defaultdict(list)
    if enrollment_ids:
        for certificate in db.session.scalars(_certificates_of(),
                                              {"enrollment_ids": enrollment_ids}):
            result[certificate.enrollment_id].append(certificate)
    return result


def printed_differently(certificate: Certificate) -> bool:
    """Whether the holder's name or title form has changed since ``certificate`` printed
    them (documents from before these were kept cannot tell, and say no)."""
    enrollment = certificate.enrollment
    user, course = enrollment.user, enrollment.cohort.course
    if certificate.holder_name and certificate.holder_name != user.full_name:
        return True
    title = (course.title_en if certificate.language == "en"
             else course.title_for(user.title_form))
    return bool(certificate.course_title) and certificate.course_title != title


def get_valid_certificate(enrollment: Enrollment, kind: CertificateKind) -> Certificate | None:
    return db.session.scalar(
        sa.select(Certificate).where(
            Certificate.enrollment_id == enrollment.id,
            Certificate.kind == kind,
            Certificate.status == CertificateStatus.VALID,
        )
    )


def get_current_certificate(enrollment: Enrollment,
                            kind: CertificateKind) -> Certificate | None:
    """The valid certificate of ``kind``, or the one being issued (at most one of either
    exists: uq_certificate_one_valid)."""
    return db.session.scalar(
        sa.select(Certificate).where(
            Certificate.enrollment_id == enrollment.id,
            Certificate.kind == kind,
            Certificate.status.in_((CertificateStatus.PENDING, CertificateStatus.VALID)),
        )
    )


def list_pending_certificates(cohort: Cohort) -> list[Certificate]:
    """The cohort's certificates reserved and not rendered yet, oldest first."""
    return list(db.session.scalars(
        sa.select(Certificate).join(Certificate.enrollment)
        .where(Enrollment.cohort_id == cohort.id,
               Certificate.status == CertificateStatus.PENDING)
        .order_by(Certificate.id)))


def list_job_certificates(job_id: int) -> list[Certificate]:
    """The certificates a batch reserved, in the order of their serials."""
    return list(db.session.scalars(
        sa.select(Certificate).where(Certificate.job_id == job_id)
        .options(selectinload(Certificate.enrollment).selectinload(Enrollment.user))
        .order_by(Certificate.id)))


def list_user_certificates(user: User) -> list[Certificate]:
    """A participant's own certificates, valid and revoked, newest first."""
    return list(db.session.scalars(
        sa.select(Certificate)
        .join(Certificate.enrollment)
        .where(Enrollment.user_id == user.id)
        .options(selectinload(Certificate.enrollment).selectinload(Enrollment.cohort)
                 .selectinload(Cohort.course))
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    ))


# --------------------------------------------------------------------------- verification


def normalise_code(raw: str) -> str | None:
    """A code as typed or scanned ("k7qx-m2pa …") in its stored form, or None if it
    cannot be one."""
    code = re.sub(r"[\s\-–.]", "", raw or "").upper().translate(_CONFUSABLE)
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return None
    return code


CODE_GROUP = 4  # characters between the dashes of a code as printed


def group_code(code: str) -> str:
    return "-".join(code[i:i + CODE_GROUP] for i in range(0, len(code), CODE_GROUP))


def get_certificate_by_code(raw: str) -> Certificate | None:
    code = normalise_code(raw)
    if code is None:
        return None
    return db.session.scalar(
        sa.select(Certificate).where(Certificate.verification_code == code)
        .options(selectinload(Certificate.enrollment).selectinload(Enrollment.user),
                 selectinload(Certificate.enrollment).selectinload(Enrollment.cohort)
                 .selectinload(Cohort.course))
    )


def get_certificate_by_sha256(digest: str) -> Certificate | None:
    """The certificate whose stored file has exactly this SHA-256, if we issued one."""
    return db.session.scalar(
        sa.select(Certificate).where(Certificate.sha256 == digest.lower())
        .options(selectinload(Certificate.enrollment).selectinload(Enrollment.user),
                 selectinload(Certificate.enrollment).selectinload(Enrollment.cohort)
                 .selectinload(Cohort.course))
        .order_by(Certificate.id).limit(1)
    )


# --------------------------------------------------------------------------- company contacts


def list_completion_status(cohort: Cohort, now: datetime) -> list[tuple[Enrollment, Standing]]:
    """Each participant's standing for the company contact (on track, at risk, out of
    reach; once final certified, confirmation of participation, not completed,
    withdrawn), without grades or attendance details: only the standing leaves here."""
    return [(p.enrollment, p.result.standing) for p in cohort_progress(cohort, now)]


# --------------------------------------------------------------------------- for the API


def list_certificates_page(*, issued_since: datetime | None, after: tuple[datetime, int] | None,
                           limit: int) -> list[tuple[Certificate, int]]:
    """Certificates in the order they were issued (oldest first, so that a system syncing
    with ``issued_since`` finds new ones at the end), from just after the position
    ``after`` (issued_at, id) of the previous page: a keyset, stable while new ones are
    issued. One more than ``limit`` is read, to tell whether another page follows. Each
    comes with its cohort's id."""
    query = sa.select(Certificate, Enrollment.cohort_id).join(
        Enrollment, Enrollment.id == Certificate.enrollment_id)
    if issued_since is not None:
        query = query.where(Certificate.issued_at >= issued_since)
    if after is not None:
        issued_at, last_id = after
        query = query.where(sa.or_(
            Certificate.issued_at > issued_at,
            sa.and_(Certificate.issued_at == issued_at, Certificate.id > last_id)))
    rows = db.session.execute(
        query.order_by(Certificate.issued_at, Certificate.id).limit(limit + 1)).all()
    return [(certificate, cohort_id) for certificate, cohort_id in rows]


def get_certificate(certificate_id: int) -> Certificate | None:
    return db.session.get(Certificate, certificate_id)
