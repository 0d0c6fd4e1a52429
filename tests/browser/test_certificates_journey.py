"""The certificate journey in Chromium, on a phone: the coordinator issues a cohort's
certificates with visible progress, a participant downloads hers, the QR code on it
opens the verification page, and a revoked one reads as revoked."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pypdfium2
import pytest
import sqlalchemy as sa
import zxingcpp

from lms.accounts.models import Locale, Role
from lms.certificates.models import Certificate
from lms.extensions import db
from lms.storage import read_stored
from tests.browser.a11y import AxeLog
from tests.factories import load_test_course, make_finished_cohort, make_user
from tests.helpers import browser_login

PHONE = {"width": 390, "height": 844}
AXE = AxeLog()


@pytest.fixture(scope="module")
def cohort_world(live_server):
    with live_server.app.app_context():
        course = load_test_course(Path(__file__).resolve().parents[2] / "course_content" /
                                  "social-media-manager")
        cohort, enrollments = make_finished_cohort(course, participants=3)
        coordinator = make_user(Role.COORDINATOR, email="zertifikate@th-koeln.example")
        for user in [coordinator] + [e.user for e in enrollments]:
            user.locale = Locale.EN
        enrollments[0].user.first_name, enrollments[0].user.last_name = "Jürgen", "Çelik-Øster"
        db.session.commit()
        return {"cohort": cohort.id, "coordinator": coordinator.email,
                "participant": enrollments[0].user.email, "enrollment": enrollments[0].id}


def test_issue_download_scan_and_revoke(browser, live_server, cohort_world, tmp_path):
    base = live_server.url
    context = browser.new_context(viewport=PHONE, locale="en-GB", accept_downloads=True)
    page = context.new_page()
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    try:
        browser_login(page, base, cohort_world["coordinator"])
        page.goto(f"{base}/coordination/cohorts/{cohort_world['cohort']}/certificates")
        AXE.assert_accessible(page, "coordinator: certificates")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        with page.expect_navigation():  # to the job's page (without Redis: already done)
            page.click("text=Issue all eligible (3)")
        page.wait_for_load_state()
        assert "/coordination/jobs/" in page.url
        assert page.locator("text=3 certificates issued.").count() == 1
        assert page.locator(".job-items li").count() == 3
        AXE.assert_accessible(page, "coordinator: the batch's job")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.goto(f"{base}/coordination/cohorts/{cohort_world['cohort']}/certificates")
        assert page.locator("text=Nobody is waiting for a certificate").count() == 1
        AXE.assert_accessible(page, "coordinator: certificates issued")
        assert [url for url in posts if "/certificates/" in url] == [
            f"{base}/coordination/cohorts/{cohort_world['cohort']}/certificates/issue-all"]
        with live_server.app.app_context():
            serials = db.session.scalars(sa.select(Certificate.serial)).all()
            mine = db.session.scalar(sa.select(Certificate).filter_by(
                enrollment_id=cohort_world["enrollment"]))
            stored = read_stored("certificates", mine.stored_name)
        assert len(serials) == 3 and len(set(serials)) == 3
        page.click("text=Log out")

        browser_login(page, base, cohort_world["participant"])
        page.goto(f"{base}/me/progress")
        AXE.assert_accessible(page, "participant: progress")
        with page.expect_download() as download_info:
            page.click("text=Download PDF")
        path = tmp_path / "certificate.pdf"
        download_info.value.save_as(path)
        data = path.read_bytes()
        assert data == stored and hashlib.sha256(data).hexdigest() == mine.sha256

        image = pypdfium2.PdfDocument(str(path))[0].render(scale=4).to_pil()
        (url,) = [code.text for code in zxingcpp.read_barcodes(image)]
        assert url.startswith(f"{base}/verify/")
        page.click("text=Log out")
        page.goto(url)  # what a phone's camera opens
        assert page.locator("text=Valid: this certificate was issued by us").count() == 1
        # the name as printed, in the verdict, and what the credential states (the same)
        assert page.locator(".cert-verdict", has_text="Jürgen Çelik-Øster").count() == 1
        assert page.locator(".cert-claims", has_text="Jürgen Çelik-Øster").count() == 1
        AXE.assert_accessible(page, "visitor: valid certificate")

        browser_login(page, base, cohort_world["coordinator"])
        page.goto(f"{base}/coordination/cohorts/{cohort_world['cohort']}/certificates")
        person = page.locator("li.cert-person", has_text="Çelik-Øster, Jürgen")
        person.locator("summary", has_text="Revoke").click()
        AXE.assert_accessible(page, "coordinator: revoke form open")
        person.locator("textarea[name=reason]").first.fill("Ausgestellt mit falschem Namen")
        person.locator("button.danger").click()
        page.wait_for_load_state()
        assert page.locator(f"text={mine.serial} is revoked.").count() == 1
        AXE.assert_accessible(page, "coordinator: certificate revoked")
        page.click("text=Log out")
        page.goto(url)
        assert page.locator("text=Revoked: this document was issued by us").count() == 1
        AXE.assert_accessible(page, "visitor: revoked certificate")
    finally:
        context.close()
