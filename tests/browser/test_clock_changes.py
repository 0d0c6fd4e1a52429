"""A coordinator plans meetings on the nights the clocks change, on a phone and a desk,
in Chromium (issue #11, item 1): 02:30 on 2027-03-28 does not exist in Berlin and is
refused on its field; 02:30 on 2026-10-25 happens twice, and the schedule says which
one was used. axe checks every page; the screenshots are kept in the test's folder."""

from __future__ import annotations

from datetime import date

import pytest

from lms.accounts.models import Role
from lms.accounts.operations import create_user
from lms.cohorts.operations import create_cohort, create_company
from lms.curriculum.models import Course
from lms.extensions import db
from tests.browser.a11y import AxeLog
from tests.browser.conftest import screenshot
from tests.helpers import browser_login

PASSWORD = "Uhrumstellung Nacht Kerze"
SIZES = {"phone": {"width": 390, "height": 844}, "desk": {"width": 1280, "height": 800}}


@pytest.fixture(scope="module")
def cohort_id(live_server) -> int:
    with live_server.app.app_context():
        course = db.session.scalar(db.select(Course))
        cohort = create_cohort(course, create_company("Uhrwerk GmbH"), "Inhouse – Uhrwerk",
                               date(2026, 9, 1), date(2027, 6, 30))
        create_user("planung@th-koeln.example", "Paula", "Planung", [Role.COORDINATOR],
                    password=PASSWORD)
        db.session.commit()
        return cohort.id


@pytest.mark.parametrize("size", sorted(SIZES))
def test_meetings_on_the_nights_the_clocks_change(browser, live_server, cohort_id, size,
                                                  tmp_path):
    axe = AxeLog()
    context = browser.new_context(viewport=SIZES[size], locale="de-DE")
    page = context.new_page()
    base = live_server.url
    browser_login(page, base, "planung@th-koeln.example", PASSWORD)

    def plan(day: str) -> None:
        page.goto(f"{base}/coordination/cohorts/{cohort_id}/meetings/new")
        page.select_option("#module_id", index=1)
        page.fill("#day", day)
        page.fill("#starts", "02:30")
        page.fill("#ends", "03:30")
        page.fill("#title", f"Nachtschicht {day}")
        page.click("button.primary")
        page.wait_for_load_state()

    plan("2027-03-28")
    error = page.locator("#starts-error")
    assert error.is_visible()
    assert "02:30 Uhr gibt es am Sonntag, 28. März 2027" in error.inner_text()
    assert page.get_attribute("#starts", "aria-invalid") == "true"
    assert "starts-error" in page.get_attribute("#starts", "aria-describedby")
    assert page.input_value("#title") == "Nachtschicht 2027-03-28"  # nothing typed is lost
    screenshot(page, tmp_path / f"spring-{size}.png")
    axe.assert_accessible(page, "the time that does not exist")

    plan("2026-10-25")
    assert "/schedule" in page.url
    notice = page.locator(".flash-warning").first.inner_text()
    assert "das erste Mal 02:30 Uhr (Mitteleuropäische Sommerzeit, MESZ)" in notice
    assert "Der Termin dauert 2 Stunden." in page.content()
    assert "02:30 MESZ" in page.locator("table").inner_text()
    assert "Nachtschicht 2026-10-25" in page.locator("table").inner_text()  # the title, kept
    screenshot(page, tmp_path / f"autumn-{size}.png")
    axe.assert_accessible(page, "the doubled time")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= SIZES[size]["width"], f"the page is {width}px wide"
    context.close()
