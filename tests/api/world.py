"""The access matrix's world (two companies' cohorts, A and B) with API tokens of every
kind, and objects of cohort B for each id the API takes."""

from __future__ import annotations

from dataclasses import dataclass

from lms.extensions import db

# Token kinds of the API matrix: a company contact's token (of company A), a
# coordinator's read-only and read-write tokens; "none" sends no token.
KINDS = ("none", "company", "read", "write")


@dataclass
class ApiWorld:
    people: dict
    objects: dict  # own (company A) objects by name, as the page matrix has them
    other: dict  # the same names for company B's objects
    tokens: dict  # kind -> token


def build_api_world(course_dir) -> ApiWorld:
    from lms.accounts.models import Role
    from lms.cohorts.models import Cohort, Enrollment
    from lms.integrations.models import TokenScope
    from lms.integrations.operations import create_api_token
    from lms.schedule.models import Meeting
    from tests.helpers import build_matrix_world

    people, objects = build_matrix_world(course_dir)
    coordinator, contact = people["coordinator"], people["contact"]
    cohort_b = db.session.scalar(db.select(Cohort).where(Cohort.id != objects["cohort"]))
    enrollment_b = db.session.scalar(db.select(Enrollment).filter_by(cohort_id=cohort_b.id))
    meeting_b = db.session.scalar(db.select(Meeting).filter_by(cohort_id=cohort_b.id))
    certificate_b = add_certificate(enrollment_b, "SMM-2026-9998")
    tokens = {
        "company": create_api_token(contact, "HR", TokenScope.COMPANY, 30)[1],
        "read": create_api_token(coordinator, "Archiv", TokenScope.READ, 30)[1],
        "write": create_api_token(coordinator, "Campus", TokenScope.WRITE, 30)[1],
    }
    assert contact.has_role(Role.COMPANY_CONTACT)
    db.session.commit()
    other = {"cohort": cohort_b.id, "enrollment": enrollment_b.id, "meeting": meeting_b.id,
             "certificate": certificate_b.id, "course": cohort_b.course_id}
    return ApiWorld(people, objects, other, tokens)


def add_certificate(enrollment, serial: str, *, revoked: bool = False):
    """A stored certificate PDF for ``enrollment`` (no credential); ``revoked`` ones may
    be many."""
    from lms.certificates.models import Certificate, CertificateKind
    from lms.certificates.operations import new_verification_code
    from lms.demo import _tiny_pdf
    from lms.storage import store_bytes

    stored, digest = store_bytes("certificates", _tiny_pdf("Zertifikat"), ".pdf")
    certificate = Certificate(
        enrollment=enrollment, kind=CertificateKind.CERTIFICATE, serial=serial,
        verification_code=new_verification_code(), stored_name=stored, sha256=digest,
        design="thk", language="de")
    if revoked:
        from lms.db import utcnow

        certificate.status, certificate.revoked_at = "revoked", utcnow()
        certificate.revoked_reason = "Test"
    db.session.add(certificate)
    db.session.flush()
    return certificate


def bearer(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}
