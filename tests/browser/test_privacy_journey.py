"""Privacy in Chromium, on a phone and at a desk: a participant downloads her data from her
account page and asks for its erasure; the coordinator finds the request, erases her, and
her certificate still verifies."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from lms.accounts.models import Role
from lms.extensions import db
from tests.browser.a11y import AxeLog
from tests.browser.conftest import ARTIFACTS, screenshot
from tests.factories import PASSWORD, load_test_course, make_finished_cohort, make_user

SIZES = {"phone": {"width": 390, "height": 844}, "desk": {"width": 1280, "height": 800}}
AXE = AxeLog()


@pytest.fixture(scope="module")
def privacy_world(live_server):
    from lms.certificates.operations import issue_certificate

    with live_server.app.app_context():
        course = load_test_course(Path(__file__).resolve().parents[2] / "course_content" /
                                  "social-media-manager")
        _cohort, enrollments = make_finished_cohort(course, participants=1)
        person = enrollments[0].user
        person.first_name, person.last_name = "Zoë", "Łukasiewicz-Ørsted"
        coordinator = make_user(Role.COORDINATOR, email="datenschutz@th-koeln.example")
        certificate = issue_certificate(enrollments[0], by=coordinator).certificate
        db.session.commit()
        return {"person": person.email, "person_id": person.id,
                "coordinator": coordinator.email, "code": certificate.verification_code,
                "serial": certificate.serial}


def login(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button.primary")
    page.wait_for_load_state()


def shoot(page, name: str) -> None:
    folder = ARTIFACTS / "privacy"
    folder.mkdir(parents=True, exist_ok=True)
    screenshot(page, folder / f"{name}.png")


@pytest.mark.parametrize("size", ["phone", "desk"])
def test_download_my_data(browser, live_server, privacy_world, size):
    base = live_server.url
    context = browser.new_context(viewport=SIZES[size], locale="de-DE", accept_downloads=True)
    page = context.new_page()
    try:
        login(page, base, privacy_world["person"])
        page.click("a.who")  # her name in the header leads to her account
        page.wait_for_load_state()
        assert page.locator("#my-data-heading").inner_text() == "Meine Daten"
        AXE.assert_accessible(page, f"account ({size})")
        with page.expect_navigation():
            page.click("text=Meine Daten zusammenstellen")
        assert page.locator("text=Ihre Daten sind fertig").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
        shoot(page, f"account-my-data-{size}")
        AXE.assert_accessible(page, f"account with a copy ({size})")
        with page.expect_download() as download_info:
            page.locator("#my-data a.button", has_text="Herunterladen").first.click()
        data = Path(download_info.value.path()).read_bytes()
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
        assert {"data/accounts.json", "data/attendance.json", "schema.json",
                "index.html", f"certificates/{privacy_world['serial']}.pdf",
                f"certificates/{privacy_world['serial']}.credential.json"} <= set(names)
        account = json.loads(archive.read("data/accounts.json"))
        assert account["tables"]["user_account"][0]["last_name"] == "Łukasiewicz-Ørsted"
        # The summary opens in the browser, reads in German and needs nothing from outside.
        summary = Path(download_info.value.path()).with_suffix(".html")
        summary.write_bytes(archive.read("index.html"))
        outside: list[str] = []
        page.on("request", lambda r: outside.append(r.url)
                if not r.url.startswith("file:") else None)
        page.goto(summary.as_uri())
        assert "Zoë Łukasiewicz-Ørsted" in page.locator("h1").inner_text()
        assert page.locator("text=Ihre Anwesenheit").count() == 1
        assert outside == []
        assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
        shoot(page, f"export-summary-{size}")
        AXE.assert_accessible(page, f"export summary ({size})")
    finally:
        context.close()


def test_ask_for_erasure_and_the_certificate_still_verifies(browser, live_server,
                                                           privacy_world):
    base = live_server.url
    context = browser.new_context(viewport=SIZES["phone"], locale="de-DE")
    page = context.new_page()
    try:
        login(page, base, privacy_world["person"])
        page.goto(f"{base}/account")
        page.click("text=Löschung beantragen")
        page.fill("#message", "Bitte löschen Sie meine Daten.")
        with page.expect_navigation():
            page.click("text=Antrag senden")
        assert page.locator("text=Ihr Löschantrag ist an die Koordination gegangen").count() == 1
        page.click("text=Abmelden")

        login(page, base, privacy_world["coordinator"])
        page.goto(f"{base}/coordination/privacy")
        AXE.assert_accessible(page, "coordinator: privacy")
        shoot(page, "coordinator-privacy-phone")
        page.click("text=Zoë Łukasiewicz-Ørsted")
        page.wait_for_load_state()
        AXE.assert_accessible(page, "coordinator: person")
        page.fill("#reason", "auf Antrag der Person")
        page.check("#confirm")
        with page.expect_navigation():
            page.click("button.danger")
        assert page.locator("text=Die Daten sind gelöscht").count() == 1
        assert page.locator("h1", has_text="gelöschte Person P-").count() == 1
        shoot(page, "coordinator-person-erased-phone")

        page.goto(f"{base}/verify/{privacy_world['code']}")
        assert page.locator("text=Gültig").count() >= 1
        assert page.locator("text=Zoë Łukasiewicz-Ørsted").count() == 1
        shoot(page, "verify-after-erasure-phone")
        AXE.assert_accessible(page, "verify after erasure")
    finally:
        context.close()
