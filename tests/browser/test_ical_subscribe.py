"""Subscribing on a phone, in Chromium: create the address, copy it with the button,
subscribe, switch it off after confirming."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from lms.accounts.models import Locale, Role
from lms.accounts.operations import create_user
from lms.cohorts.models import EnrollmentStatus
from lms.cohorts.operations import create_cohort, create_company, enroll_participant
from lms.curriculum.models import Course
from lms.extensions import db
from lms.schedule.operations import schedule_meeting
from tests.browser.a11y import AxeLog
from tests.helpers import browser_login

PHONE = {"width": 390, "height": 844}
PASSWORD = "Kalender Abo Domplatte"
AXE = AxeLog()


@pytest.fixture(scope="module")
def participant(live_server):
    with live_server.app.app_context():
        course = db.session.scalar(sa.select(Course))
        cohort = create_cohort(course, create_company("Kalender GmbH"), "Kalender 2026",
                               date(2026, 10, 1), date(2027, 3, 31))
        # English, so that the test does not wait for the German catalog of new texts
        user = create_user("abo@kalender.example", "Alex", "Abonnent", [Role.PARTICIPANT],
                           password=PASSWORD, locale=Locale.EN)
        enroll_participant(cohort, user, status=EnrollmentStatus.ACTIVE)
        start = datetime(2026, 12, 4, 9, tzinfo=ZoneInfo("Europe/Berlin"))
        schedule_meeting(cohort, course.modules[0], start, start + timedelta(hours=4))
        db.session.commit()
        return user.email


def test_participant_subscribes_on_a_phone(browser, live_server, participant):
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    context.grant_permissions(["clipboard-read", "clipboard-write"],
                              origin=live_server.url)
    page = context.new_page()
    try:
        browser_login(page, live_server.url, participant, PASSWORD)
        page.click("nav >> text=Calendar")
        assert page.url.endswith("/calendar/")
        AXE.assert_accessible(page, "participant: calendar")
        page.click("text=Create a calendar address")
        page.wait_for_load_state()

        AXE.assert_accessible(page, "participant: calendar address")
        # shown in the answer to the form, which the address bar does not keep
        assert page.url.endswith("/calendar/")
        address = page.input_value("#feed-https")
        assert "/calendar/feed/" in address
        copy = page.locator("button[data-copy='feed-https']")
        assert copy.is_visible()  # the script shows the button
        copy.click()
        page.wait_for_function(
            "document.querySelector('.copy-status').textContent.length > 0")
        assert page.locator(".copy-status").first.inner_text() == "Copied"
        assert page.evaluate("navigator.clipboard.readText()") == address
        # nothing sticks out sideways on a 390 px phone
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        feed = context.request.get(address)  # what a calendar program does: no cookie needed
        assert feed.status == 200
        assert feed.headers["content-type"] == "text/calendar; charset=utf-8"

        page.reload()
        assert page.locator("#feed-https").count() == 0  # shown once only
        assert context.request.get(address).status == 200  # and the reload made no new one
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("text=Switch the address off")
        page.wait_for_load_state()
        assert page.locator("text=There is no calendar address yet").count() == 1
        AXE.assert_accessible(page, "participant: calendar address switched off")
        assert context.request.get(address).status == 404
    finally:
        context.close()
