"""Issuing: gap-free serials (also with concurrent issuers), issuing twice, frozen files,
revocation and correction, and nothing left behind when rendering fails."""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from lms.audit.models import AuditEvent
from lms.certificates import operations
from lms.certificates.models import (
    Certificate,
    CertificateCounter,
    CertificateKind,
    CertificateStatus,
)
from lms.certificates.operations import (
    CertificateError,
    issue_certificate,
    issue_corrected_certificate,
    revoke_certificate,
)
from lms.certificates.queries import get_certificate_by_code, group_code, normalise_code
from lms.certificates.render import DEFAULT_DESIGNS_DIR, DesignError, RenderError
from lms.cohorts.models import Enrollment
from lms.extensions import db
from lms.storage import read_stored, storage, stored_exists
from tests.factories import enroll, make_finished_cohort

ISSUED = datetime(2026, 7, 1, 10, tzinfo=UTC)


@pytest.fixture(autouse=True)
def own_storage(app, tmp_path):
    """A storage folder of this test's own, so that it sees exactly its own files."""
    saved = app.config["LMS_STORAGE_DIR"]
    app.config["LMS_STORAGE_DIR"] = str(tmp_path / "storage")
    yield
    app.config["LMS_STORAGE_DIR"] = saved


def stored_files(app) -> list[str]:
    return sorted(storage(app).names("certificates"))


def counter(course) -> int | None:
    return db.session.scalar(sa.select(CertificateCounter.last_number).where(
        CertificateCounter.course_id == course.id, CertificateCounter.year == 2026))


def test_serials_are_gap_free_per_course_and_year(course):
    _cohort, enrollments = make_finished_cohort(course, participants=3)
    db.session.commit()
    serials = []
    for enrollment in enrollments:
        serials.append(issue_certificate(enrollment, now=ISSUED).certificate.serial)
        db.session.commit()
    assert serials == ["SMM-2026-0001", "SMM-2026-0002", "SMM-2026-0003"]
    next_year = issue_certificate(
        enroll_finished(course), now=datetime(2027, 1, 4, 10, tzinfo=UTC)).certificate
    assert next_year.serial == "SMM-2027-0001"
    assert counter(course) == 3


def enroll_finished(course) -> Enrollment:
    _cohort, (enrollment,) = make_finished_cohort(course)
    return enrollment


def test_issuing_again_returns_the_first(course):
    _cohort, (enrollment,) = make_finished_cohort(course)
    first = issue_certificate(enrollment, now=ISSUED)
    db.session.commit()
    again = issue_certificate(enrollment, now=ISSUED)
    assert first.created and not again.created
    assert again.certificate.id == first.certificate.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 1
    assert counter(course) == 1


def test_the_stored_file_is_frozen_with_its_sha256(course, app):
    _cohort, (enrollment,) = make_finished_cohort(course)
    certificate = issue_certificate(enrollment, now=ISSUED).certificate
    db.session.commit()
    data = read_stored("certificates", certificate.stored_name)
    assert data.startswith(b"%PDF-")
    assert hashlib.sha256(data).hexdigest() == certificate.sha256
    assert certificate.design == "thk" and certificate.language == "de"
    assert normalise_code(group_code(certificate.verification_code).lower()) == \
        certificate.verification_code
    assert len(certificate.verification_code) == 20
    event = db.session.scalar(sa.select(AuditEvent).filter_by(action="certificate.issued"))
    assert event.after["serial"] == certificate.serial


def test_not_eligible_is_refused_with_the_reasons(course):
    cohort, (enrollment,) = make_finished_cohort(course)
    newcomer = enroll(cohort)  # attended nothing
    db.session.commit()
    with force_locale("en"), pytest.raises(CertificateError, match="not reached"):
        issue_certificate(newcomer, now=ISSUED)
    db.session.rollback()
    with pytest.raises(CertificateError):
        issue_certificate(enrollment, kind=CertificateKind.CONFIRMATION, now=ISSUED)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 0


def test_revoke_keeps_the_certificate_and_a_corrected_one_replaces_it(course, app):
    _cohort, (enrollment,) = make_finished_cohort(course)
    first = issue_certificate(enrollment, now=ISSUED).certificate
    db.session.commit()
    enrollment.user.last_name = "Müller-Lüdenscheidt"
    result = issue_corrected_certificate(first, "Name war falsch geschrieben", now=ISSUED)
    db.session.commit()
    second = result.certificate
    assert result.created and second.id != first.id
    assert first.status == CertificateStatus.REVOKED
    assert first.revoked_reason == "Name war falsch geschrieben" and first.revoked_at
    assert second.status == CertificateStatus.VALID
    assert (first.serial, second.serial) == ("SMM-2026-0001", "SMM-2026-0002")
    assert second.verification_code != first.verification_code
    assert stored_exists("certificates", first.stored_name)  # kept, never deleted
    assert get_certificate_by_code(first.verification_code).status == CertificateStatus.REVOKED
    with pytest.raises(CertificateError):
        revoke_certificate(first, "noch einmal")
    with pytest.raises(CertificateError):
        revoke_certificate(second, "   ")


def test_rendering_failure_leaves_no_row_no_file_and_no_number(course, app, tmp_path):
    tmp_path = tmp_path / "designs"
    _cohort, (enrollment,) = make_finished_cohort(course)
    db.session.commit()
    broken = tmp_path / "thk"
    broken.mkdir(parents=True)
    for name in ("design.toml", "theme.css"):
        (broken / name).write_text((DEFAULT_DESIGNS_DIR / "thk" / name).read_text("utf-8"))
    (broken / "template.html").write_text("<p>{{ c.no_such_field.at_all }}</p>")
    app.config["LMS_CERTIFICATE_DESIGNS_DIR"] = str(tmp_path)
    try:
        with pytest.raises(CertificateError) as refused:
            issue_certificate(enrollment, now=ISSUED)
        assert isinstance(refused.value.__cause__, RenderError)
        db.session.rollback()
    finally:
        app.config.pop("LMS_CERTIFICATE_DESIGNS_DIR")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 0
    assert stored_files(app) == []
    assert counter(course) in (None, 0)
    # The next successful one still gets number 1.
    assert issue_certificate(enrollment, now=ISSUED).certificate.serial == "SMM-2026-0001"


def test_a_missing_design_is_refused_as_a_certificate_error(course, app, tmp_path):
    """Design and render problems surface as the area's one error, so that a caller
    catches CertificateError alone; the design's own error is the cause."""
    _cohort, (enrollment,) = make_finished_cohort(course)
    db.session.commit()
    app.config["LMS_CERTIFICATE_DESIGNS_DIR"] = str(tmp_path)  # no design in it
    try:
        with pytest.raises(CertificateError, match="does not exist") as refused:
            issue_certificate(enrollment, now=ISSUED)
        assert isinstance(refused.value.__cause__, DesignError)
        db.session.rollback()
    finally:
        app.config.pop("LMS_CERTIFICATE_DESIGNS_DIR")
    assert counter(course) in (None, 0)


def test_a_failure_after_storing_removes_the_file(course, app, monkeypatch):
    _cohort, (first, second) = make_finished_cohort(course, participants=2)
    taken = issue_certificate(first, now=ISSUED).certificate
    db.session.commit()
    before = stored_files(app)
    monkeypatch.setattr(operations, "new_verification_code", lambda: taken.verification_code)
    with pytest.raises(sa.exc.IntegrityError):
        issue_certificate(second, now=ISSUED)
    db.session.rollback()
    assert stored_files(app) == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 1
    assert counter(course) == 1


def test_a_file_of_a_rolled_back_issue_is_removed(course, app):
    _cohort, (enrollment,) = make_finished_cohort(course)
    db.session.commit()
    issue_certificate(enrollment, now=ISSUED)
    assert len(stored_files(app)) == 1
    db.session.rollback()  # e.g. the request failed after issuing
    assert stored_files(app) == []
    assert counter(course) in (None, 0)


def test_concurrent_issuers_get_unique_gap_free_serials(course, app):
    """Several issuers at once, each with its own app context and database session."""
    _cohort, enrollments = make_finished_cohort(course, participants=6)
    db.session.commit()
    ids = [e.id for e in enrollments]
    # Two issuers race for the same participant as well.
    jobs = [*ids, ids[0], ids[1]]
    barrier = threading.Barrier(len(jobs))
    results: list[tuple[int, str, bool]] = []
    errors: list[BaseException] = []

    def issue(enrollment_id: int) -> None:
        with app.app_context():
            try:
                enrollment = db.session.get(Enrollment, enrollment_id)
                barrier.wait(timeout=30)
                result = issue_certificate(enrollment, now=ISSUED)
                db.session.commit()
                results.append((enrollment_id, result.certificate.serial, result.created))
            except BaseException as exc:  # reported below
                db.session.rollback()
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=issue, args=(i,)) for i in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    created = sorted(serial for _, serial, new in results if new)
    assert created == [f"SMM-2026-{n:04d}" for n in range(1, 7)]
    by_enrollment = {}
    for enrollment_id, serial, _new in results:
        by_enrollment.setdefault(enrollment_id, set()).add(serial)
    assert all(len(serials) == 1 for serials in by_enrollment.values())  # same one returned
    db.session.expire_all()
    assert counter(course) == 6
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 6
    assert len(stored_files(app)) == 6
