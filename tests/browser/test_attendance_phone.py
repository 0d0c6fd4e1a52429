"""Marking attendance on a phone held in one hand (390 x 844), and the self check-in list
filling up while the lecturer watches, in Chromium against a live server."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from lms.attendance.models import Attendance, AttendanceStatus
from lms.extensions import db
from tests.browser.a11y import AxeLog
from tests.helpers import browser_login, build_world

PHONE = {"width": 390, "height": 844}
COURSE = Path(__file__).resolve().parents[2] / "course_content" / "social-media-manager"
AXE = AxeLog()


@pytest.fixture(scope="module")
def world(live_server):
    with live_server.app.app_context():
        world = build_world(COURSE, participants=12)
        ids = {"meeting": world.a.ongoing.id, "lecturer": world.a.lecturer.email,
               "participant": world.a.participants[0].email,
               "enrollments": [e.id for e in world.a.enrollments]}
    return ids


@pytest.fixture(scope="module")
def pages(browser, live_server):
    contexts = {
        "lecturer": browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True),
        "participant": browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True),
    }
    opened = {name: context.new_page() for name, context in contexts.items()}
    yield opened
    for context in contexts.values():
        context.close()


def marks(live_server, meeting_id: int) -> dict[int, Attendance]:
    with live_server.app.app_context():
        rows = db.session.scalars(sa.select(Attendance).where(
            Attendance.meeting_id == meeting_id)).all()
        return {r.enrollment_id: (r.status, r.minutes_attended) for r in rows}


def test_lecturer_marks_a_roster_with_a_few_taps_on_a_phone(pages, live_server, world):
    page, base = pages["lecturer"], live_server.url
    browser_login(page, base, world["lecturer"])
    page.goto(f"{base}/teaching/meetings/{world['meeting']}/attendance")
    AXE.assert_accessible(page, "lecturer: attendance")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # Big enough to hit with a thumb, and the save button is always in reach.
    for box in (page.locator("label.att-choice").nth(i).bounding_box() for i in range(8)):
        assert box["height"] >= 44 and box["width"] >= 70
    save = page.locator(".att-save button")
    assert save.bounding_box()["y"] + save.bounding_box()["height"] <= PHONE["height"]

    page.locator("label.att-choice-late").nth(1).tap()
    minutes = page.locator(".att-minutes input").nth(1)
    assert minutes.is_visible()  # the minutes field appears with the late mark only
    assert not page.locator(".att-minutes input").nth(0).is_visible()
    minutes.fill("45")
    page.locator("label.att-choice-absent").nth(11).tap()
    with page.expect_navigation():
        save.tap()
    assert "Attendance saved (12 changes)." in page.inner_text("main")
    AXE.assert_accessible(page, "lecturer: attendance saved")

    saved = marks(live_server, world["meeting"])
    enrollments = world["enrollments"]
    assert len(saved) == 12
    assert saved[enrollments[1]][0] == AttendanceStatus.LATE
    assert saved[enrollments[1]][1] == 210 - 45
    assert saved[enrollments[11]] == (AttendanceStatus.ABSENT, None)
    assert {saved[e] for e in enrollments[2:11]} == {(AttendanceStatus.PRESENT, None)}


def test_check_in_list_fills_up_while_the_lecturer_watches(pages, live_server, world):
    lecturer, participant, base = pages["lecturer"], pages["participant"], live_server.url
    with live_server.app.app_context():
        db.session.execute(sa.delete(Attendance))
        db.session.commit()
    lecturer.goto(f"{base}/teaching/meetings/{world['meeting']}/check-in")
    AXE.assert_accessible(lecturer, "lecturer: check-in display")
    code = lecturer.inner_text("#checkin-code").strip()
    assert lecturer.inner_text("#checkin-count") == "0"
    assert lecturer.locator("#checkin-qr").get_attribute("src").startswith("data:image/svg+xml")

    browser_login(participant, base, world["participant"])
    participant.goto(f"{base}/me/check-in?code={code}")  # what the QR code opens
    AXE.assert_accessible(participant, "participant: check-in")
    with participant.expect_navigation():
        participant.locator("form[action$='/me/check-in'] button.primary").tap()
    assert "You are checked in" in participant.inner_text("main")
    AXE.assert_accessible(participant, "participant: checked in")

    for _ in range(40):  # checkin.js polls every few seconds
        if lecturer.inner_text("#checkin-count") == "1":
            break
        time.sleep(0.25)
    assert lecturer.inner_text("#checkin-count") == "1"
    assert "TeilnehmerA0" in lecturer.inner_text("#checkin-list")
