"""Certificate pages: the coordinator issues, revokes and corrects; a participant sees
progress and downloads only their own; anyone verifies by code or file; the CLI."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
import sqlalchemy as sa

from lms.accounts.models import Locale, Role
from lms.attendance.models import AttendanceStatus
from lms.attendance.operations import record_attendance
from lms.certificates import operations
from lms.certificates.models import Certificate, CertificateStatus
from lms.certificates.operations import issue_certificate, revoke_certificate
from lms.cohorts.operations import add_company_contact
from lms.db import utcnow
from lms.extensions import db
from lms.storage import read_stored
from tests.factories import enroll, load_test_course, make_finished_cohort, make_user
from tests.helpers import text_of
from tests.sql import statements_for_get

EN = {"Accept-Language": "en"}


@pytest.fixture
def world(app, course_dir):
    """A finished cohort: two eligible participants and one who attended nothing; a
    second cohort with its own participant; every other role."""
    course = load_test_course(course_dir)
    cohort, (anna, ben) = make_finished_cohort(course, participants=2)
    carl = enroll(cohort)
    other_cohort, (olga,) = make_finished_cohort(course)
    coordinator = make_user(Role.COORDINATOR, first="Koordinatorin")
    lecturer = make_user(Role.LECTURER)
    contact = make_user(Role.COMPANY_CONTACT)
    add_company_contact(cohort, contact)
    anna.user.first_name, anna.user.last_name = "Anna", "Ahlers"
    ben.user.first_name, ben.user.last_name = "Ben", "Brandt"
    carl.user.first_name, carl.user.last_name = "Carl", "Claussen"
    for user in (anna.user, ben.user, carl.user, olga.user, coordinator, lecturer, contact):
        user.locale = Locale.EN
    db.session.commit()
    return dict(cohort=cohort, other_cohort=other_cohort, anna=anna, ben=ben, carl=carl,
                olga=olga, coordinator=coordinator, lecturer=lecturer, contact=contact)


def issued(enrollment) -> Certificate:
    certificate = issue_certificate(enrollment).certificate
    db.session.commit()
    return certificate


def count_certificates() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Certificate))


# --------------------------------------------------------------------------- coordinator


def test_coordinator_sees_each_outcome_with_reasons(client, auth, world):
    auth.login(world["coordinator"])
    page = client.get(f"/coordination/cohorts/{world['cohort'].id}/certificates")
    assert page.status_code == 200
    text = text_of(page)
    assert "Ahlers, Anna" in text and "Claussen, Carl" in text
    assert "Attendance 100 % of 80 % required: met." in text
    assert "Attendance 0 % of 80 % required: not reached (0 of 8 hours attended)." in text
    assert "Written paper: passed." in text
    assert text.count("certificate earned") == 2 and text.count("not completed") == 1
    assert "Issue all eligible (2)" in text
    html = page.get_data(as_text=True)
    assert html.count('class="cert-issue"') == 2  # one form per eligible participant
    assert "<script>" not in html and 'style="' not in html
    assert "Olga" not in text  # nothing of the other cohort


def test_issue_one_then_again(client, auth, world):
    auth.login(world["coordinator"])
    url = f"/coordination/cohorts/{world['cohort'].id}/certificates/{world['anna'].id}/issue"
    response = client.post(url, data={"language": ""})
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    serial = db.session.scalar(sa.select(Certificate.serial))
    assert f"Issued {serial} for Anna Ahlers." in text_of(page)
    again = client.post(url, data={"language": ""}, headers={"Accept": "application/json"})
    assert again.json == {"ok": True, "created": False, "serial": serial,
                          "message": f"Anna Ahlers already has {serial}."}
    assert count_certificates() == 1


def test_issue_as_json_for_the_progress_script(client, auth, world):
    auth.login(world["coordinator"])
    base = f"/coordination/cohorts/{world['cohort'].id}/certificates"
    ok = client.post(f"{base}/{world['ben'].id}/issue", data={"language": "de"},
                     headers={"Accept": "application/json"})
    assert ok.status_code == 200 and ok.json["ok"] and ok.json["created"]
    assert db.session.scalar(sa.select(Certificate.language)) == "de"
    refused = client.post(f"{base}/{world['carl'].id}/issue", data={"language": ""},
                          headers={"Accept": "application/json"})
    assert refused.status_code == 409
    assert "not reached (0 of 8 hours attended)" in refused.json["error"]
    foreign = client.post(f"{base}/{world['olga'].id}/issue", data={"language": ""})
    assert foreign.status_code == 404  # an enrollment of another cohort
    assert count_certificates() == 1


def test_issue_all_starts_a_job_whose_page_shows_the_outcome(client, auth, world):
    """Without a worker (the tests run jobs at once) the job has finished when its page
    is shown."""
    auth.login(world["coordinator"])
    response = client.post(f"/coordination/cohorts/{world['cohort'].id}/certificates/issue-all")
    assert response.status_code == 302 and "/coordination/jobs/" in response.location
    page = client.get(response.location)
    assert page.status_code == 200
    assert "2 certificates issued." in text_of(page)
    assert "http-equiv" not in page.get_data(as_text=True)  # finished: no refresh
    serials = db.session.scalars(sa.select(Certificate.serial).order_by(Certificate.serial)).all()
    assert [s.rsplit("-", 1)[1] for s in serials] == ["0001", "0002"]  # gap-free
    assert all(s in text_of(page) for s in serials)
    after = client.get(f"/coordination/cohorts/{world['cohort'].id}/certificates")
    assert "Nobody is waiting for a certificate" in text_of(after)


def test_revoke_needs_a_reason_and_then_reads_as_revoked(client, auth, world):
    certificate = issued(world["anna"])
    auth.login(world["coordinator"])
    empty = client.post(f"/coordination/certificates/{certificate.id}/revoke",
                        data={"reason": "  "})
    assert empty.status_code == 400 and "Please give a reason." in text_of(empty)
    db.session.refresh(certificate)
    assert certificate.status == CertificateStatus.VALID
    done = client.post(f"/coordination/certificates/{certificate.id}/revoke",
                       data={"reason": "Prüfungsleistung aberkannt"})
    assert done.status_code == 302
    db.session.refresh(certificate)
    assert certificate.status == CertificateStatus.REVOKED
    assert certificate.revoked_reason == "Prüfungsleistung aberkannt"
    assert certificate.revoked_by_id == world["coordinator"].id
    verdict = client.get(f"/verify/{certificate.verification_code}", headers=EN)
    assert "Revoked" in text_of(verdict)
    assert "aberkannt" not in text_of(verdict)  # the reason stays internal


def test_issue_corrected(client, auth, world):
    certificate = issued(world["anna"])
    world["anna"].user.last_name = "Ahlers-Brinkmann"
    db.session.commit()
    auth.login(world["coordinator"])
    response = client.post(f"/coordination/certificates/{certificate.id}/correct",
                           data={"reason": "Name geändert"}, follow_redirects=True)
    assert response.status_code == 200
    db.session.expire_all()
    certificates = db.session.scalars(sa.select(Certificate).order_by(Certificate.id)).all()
    assert [c.status for c in certificates] == [CertificateStatus.REVOKED,
                                                CertificateStatus.VALID]
    assert f"{certificates[0].serial} is revoked and replaced by {certificates[1].serial}." \
        in text_of(response)


def test_only_coordinators_reach_the_coordinator_pages(client, auth, world):
    certificate = issued(world["anna"])
    cohort_id = world["cohort"].id
    pages = [("get", f"/coordination/cohorts/{cohort_id}/certificates"),
             ("post", f"/coordination/cohorts/{cohort_id}/certificates/issue-all"),
             ("post", f"/coordination/cohorts/{cohort_id}/certificates/{world['ben'].id}/issue"),
             ("post", f"/coordination/certificates/{certificate.id}/revoke"),
             ("post", f"/coordination/certificates/{certificate.id}/correct"),
             ("get", f"/coordination/certificates/{certificate.id}/download")]
    for method, path in pages:
        assert "/login" in getattr(client, method)(path).headers["Location"]
    for who in ("anna", "lecturer", "contact"):
        user = world[who].user if who == "anna" else world[who]
        auth.login(user)
        for method, path in pages:
            assert getattr(client, method)(path).status_code == 403, (who, path)
        auth.logout()
    auth.login(world["coordinator"])
    assert client.get("/coordination/cohorts/999999/certificates").status_code == 404
    assert client.get("/coordination/certificates/999999/download").status_code == 404
    download = client.get(f"/coordination/certificates/{certificate.id}/download")
    assert download.status_code == 200
    assert count_certificates() == 1 and certificate.status == CertificateStatus.VALID


# --------------------------------------------------------------------------- participant


def test_participant_sees_progress_with_reasons(client, auth, world):
    auth.login(world["carl"].user)
    page = client.get("/me/progress")
    assert page.status_code == 200
    assert "Attendance 0 % of 80 % required: not reached (0 of 8 hours attended)." in text_of(page)
    assert "the minimum attendance was not reached (0 of 6.4 hours)" in text_of(page)
    assert "Ahlers" not in text_of(page)


def test_participant_downloads_own_certificate_byte_identical(client, auth, world, monkeypatch):
    certificate = issued(world["anna"])
    stored = read_stored("certificates", certificate.stored_name)

    def no_rendering(*args, **kwargs):
        raise AssertionError("a download must never render again")

    monkeypatch.setattr(operations, "render_certificate", no_rendering)
    auth.login(world["anna"].user)
    page = client.get("/me/progress")
    assert f"/me/certificates/{certificate.id}/download" in page.get_data(as_text=True)
    first = client.get(f"/me/certificates/{certificate.id}/download")
    second = client.get(f"/me/certificates/{certificate.id}/download")
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    assert first.headers["Content-Disposition"] == \
        f"attachment; filename={certificate.serial}.pdf"
    assert first.data == second.data == stored
    assert hashlib.sha256(first.data).hexdigest() == certificate.sha256


def test_participant_cannot_fetch_anothers_or_a_revoked_certificate(client, auth, world):
    annas = issued(world["anna"])
    olgas = issued(world["olga"])
    auth.login(world["ben"].user)
    assert client.get(f"/me/certificates/{annas.id}/download").status_code == 404
    assert client.get(f"/me/certificates/{olgas.id}/download").status_code == 404
    assert client.get("/me/certificates/999999/download").status_code == 404
    auth.logout()
    revoke_certificate(annas, "Fehler")
    db.session.commit()
    auth.login(world["anna"].user)
    assert client.get(f"/me/certificates/{annas.id}/download").status_code == 404
    assert "can no longer be downloaded" in text_of(client.get("/me/progress"))
    auth.logout()
    for who in ("lecturer", "contact", "coordinator"):  # no participant role: not their pages
        auth.login(world[who])
        assert client.get(f"/me/certificates/{olgas.id}/download").status_code == 403, who
        auth.logout()
    assert "/login" in client.get(f"/me/certificates/{olgas.id}/download").headers["Location"]


# --------------------------------------------------------------------------- verification


def test_verify_by_code_shows_only_what_the_certificate_shows(client, world):
    certificate = issued(world["anna"])
    code = certificate.verification_code
    response = client.get(f"/verify/{code}", headers=EN)
    assert response.status_code == 200
    text = text_of(response)
    assert "Valid: this certificate was issued by us" in text
    assert "Anna Ahlers" in text
    assert "Social Media Manager (TH Köln)" in text  # as on her English certificate
    assert certificate.serial in text
    assert world["anna"].user.email not in text
    assert world["cohort"].company.name not in text
    # no results of hers (the rules the course sets are stated, her hours and points not)
    assert "Hours attended" not in text and "Written paper: 100" not in text
    assert response.headers["X-Robots-Tag"] == "noindex"
    # The address in the QR code is the same page; typed codes are forgiving.
    typed = "-".join(code[i:i + 4] for i in range(0, 20, 4)).lower()
    redirect = client.get(f"/verify?code={typed}")
    assert redirect.status_code == 302
    found = client.get(redirect.headers["Location"], headers=EN)
    assert found.status_code == 200 and certificate.serial in text_of(found)


def test_verification_shows_the_name_and_course_as_printed(client, world):
    """A later change of name (a marriage) or of the course title must not make the
    page disagree with the paper; documents from before these were kept show the
    current values."""
    certificate = issued(world["anna"])
    user = world["anna"].user
    course = world["cohort"].course
    user.last_name = "Berger"
    course.title_en = "Social Media Management"
    db.session.commit()
    text = text_of(client.get(f"/verify/{certificate.verification_code}", headers=EN))
    assert "Anna Ahlers" in text and "Anna Berger" not in text
    assert "Social Media Manager (TH Köln)" in text

    certificate.holder_name = certificate.course_title = certificate.provider = None
    db.session.commit()
    text = text_of(client.get(f"/verify/{certificate.verification_code}", headers=EN))
    assert "Anna Berger" in text and "Social Media Management (TH Köln)" in text


def test_unknown_code_says_so_without_hints(client, world):
    certificate = issued(world["anna"])
    near = certificate.verification_code[:-1] + (
        "0" if certificate.verification_code[-1] != "0" else "1")
    for code in (near, "nonsense", "A" * 200):
        response = client.get(f"/verify/{code}", headers=EN)
        assert response.status_code == 404
        text = text_of(response)
        assert "We have not issued a certificate with this code." in text
        assert certificate.serial not in text and "Anna" not in text


def test_verify_a_file_by_its_sha256(csrf_app, world):
    client = csrf_app.test_client()
    certificate = issued(world["anna"])
    data = read_stored("certificates", certificate.stored_name)
    form = client.get("/verify", headers=EN)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      form.get_data(as_text=True)).group(1)
    same = client.post("/verify/file", headers=EN, data={
        "csrf_token": token, "file": (io.BytesIO(data), "certificate.pdf")})
    assert same.status_code == 200
    assert "The uploaded file is exactly the file we issued." in text_of(same)
    changed = client.post("/verify/file", headers=EN, data={
        "csrf_token": token, "file": (io.BytesIO(data + b"\n"), "certificate.pdf")})
    assert changed.status_code == 404
    assert "This file was not issued by us." in text_of(changed)
    missing = client.post("/verify/file", headers=EN, data={"csrf_token": token})
    assert missing.status_code == 400 and "Please choose the PDF or JSON file." in text_of(
        missing)
    no_token = client.post("/verify/file", data={"file": (io.BytesIO(data), "c.pdf")})
    assert no_token.status_code == 400


def test_certificates_outlive_an_archived_cohort(client, auth, world):
    certificate = issued(world["anna"])
    world["cohort"].archived_at = utcnow()
    db.session.commit()
    verdict = client.get(f"/verify/{certificate.verification_code}", headers=EN)
    assert verdict.status_code == 200
    text = text_of(verdict)
    assert "Valid: this certificate was issued by us and has not been revoked." in text
    assert "Anna Ahlers" in text and certificate.serial in text
    auth.login(world["anna"].user)
    download = client.get(f"/me/certificates/{certificate.id}/download")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert hashlib.sha256(download.data).hexdigest() == certificate.sha256


# --------------------------------------------------------------------------- command line


def test_cli_issues_every_eligible_certificate(runner, world):
    cohort_id = world["cohort"].id
    result = runner.invoke(args=["certificates", "issue", str(cohort_id)])
    assert result.exit_code == 0, result.output
    assert "Issued 2 of 2." in result.output
    assert "Anna Ahlers" in result.output and "Ben Brandt" in result.output
    assert count_certificates() == 2
    again = runner.invoke(args=["certificates", "issue", str(cohort_id)])
    assert "nobody is waiting" in again.output
    missing = runner.invoke(args=["certificates", "issue", "999999"])
    assert missing.exit_code == 1 and "There is no cohort with the id 999999." in missing.output


def test_the_certificates_page_runs_a_fixed_number_of_queries(client, auth, world):
    """More participants and certificates must not add queries (no N+1)."""
    cohort = world["cohort"]
    issued(world["anna"])
    auth.login(world["coordinator"])
    path = f"/coordination/cohorts/{cohort.id}/certificates"
    before = statements_for_get(client, path)
    for _ in range(3):
        newcomer = enroll(cohort)
        for meeting in cohort.meetings:
            record_attendance(meeting, newcomer, AttendanceStatus.PRESENT)
    db.session.commit()
    issued(world["ben"])
    revoke_certificate(db.session.scalar(sa.select(Certificate).limit(1)), "Test")
    db.session.commit()
    assert statements_for_get(client, path) == before
