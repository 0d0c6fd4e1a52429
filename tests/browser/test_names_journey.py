"""In Chromium, on a phone and at a desk: the coordinator corrects a name from the roster
and replaces the certificate printed with the old one, which then verifies as superseded;
the participant corrects her own details on her account page; the company contact reads
final words for a finished cohort. axe checks every page on the way."""

from __future__ import annotations

from pathlib import Path

import pytest

from lms.accounts.models import Locale, Role
from lms.certificates.operations import issue_certificate
from lms.cohorts.operations import add_company_contact
from lms.extensions import db
from tests.browser.a11y import AxeLog
from tests.factories import load_test_course, make_finished_cohort, make_user
from tests.helpers import browser_login

SIZES = {"phone": {"width": 390, "height": 844}, "desk": {"width": 1280, "height": 800}}
AXE = AxeLog()


@pytest.fixture(scope="module")
def names_world(live_server):
    with live_server.app.app_context():
        course = load_test_course(Path(__file__).resolve().parents[2] / "course_content" /
                                  "social-media-manager")
        worlds = {}
        for size in SIZES:
            cohort, (jana, other) = make_finished_cohort(course, participants=2)
            jana.user.first_name, jana.user.last_name = "Jana", f"Schmidt{size.title()}"
            coordinator = make_user(Role.COORDINATOR, email=f"namen-{size}@th-koeln.example")
            contact = make_user(Role.COMPANY_CONTACT, email=f"hr-{size}@firma.example")
            add_company_contact(cohort, contact)
            for user in (coordinator, contact, jana.user, other.user):
                user.locale = Locale.DE
            db.session.commit()
            issue_certificate(jana)
            db.session.commit()
            worlds[size] = {"cohort": cohort.id, "enrollment": jana.id,
                            "last": jana.user.last_name, "participant": jana.user.email,
                            "coordinator": coordinator.email, "contact": contact.email}
        return worlds


# What sticks out of the page (not counting what scrolls inside a .table-wrap).
WIDEST = """() => [...document.querySelectorAll('body *')]
    .filter(e => !e.closest('.table-wrap') || e.classList.contains('table-wrap'))
    .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
    .map(e => e.tagName + '.' + e.className + ' ' + (e.innerText || '').slice(0, 40))"""


def fits(page, size: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= SIZES[size]["width"], page.evaluate(WIDEST)


@pytest.mark.parametrize("size", list(SIZES))
def test_correct_a_name_and_the_certificate(browser, live_server, names_world, size):
    base, world = live_server.url, names_world[size]
    context = browser.new_context(viewport=SIZES[size], locale="de-DE")
    page = context.new_page()
    try:
        browser_login(page, base, world["coordinator"])
        page.goto(f"{base}/coordination/cohorts/{world['cohort']}/roster")
        AXE.assert_accessible(page, f"{size}: roster")
        fits(page, size)
        row = page.locator("tr", has_text=f"{world['last']}, Jana")
        row.locator("a[href$='/edit']").click()
        page.wait_for_load_state()
        AXE.assert_accessible(page, f"{size}: edit a name")
        page.fill("#last_name", f"{world['last']}-Wolf")
        page.click("button.primary")
        page.wait_for_load_state()
        assert "/certificates" in page.url  # on to the correction
        assert page.locator("text=Gedruckt als").count() == 1
        AXE.assert_accessible(page, f"{size}: certificates with a changed name")
        fits(page, size)
        card = page.locator("li.cert-person", has_text=f"{world['last']}-Wolf, Jana")
        old_check = card.locator("a", has_text="Prüfseite").first.get_attribute("href")
        card.locator("details[open] textarea").fill("Name korrigiert")
        card.locator("details[open] button").click()
        page.wait_for_load_state()
        assert page.locator("text=ist widerrufen und durch").count() == 1
        page.goto(base + old_check)
        assert page.locator("text=Ersetzt:").count() == 1
        AXE.assert_accessible(page, f"{size}: superseded certificate")
        page.click("text=Abmelden")

        browser_login(page, base, world["participant"])
        page.click("header a.who")
        page.wait_for_load_state()
        AXE.assert_accessible(page, f"{size}: my account")
        fits(page, size)
        assert page.input_value("#last_name") == f"{world['last']}-Wolf"
        page.check("input[name=language][value=en]")
        page.click("button.primary")
        page.wait_for_load_state()
        assert page.locator("text=Your details are saved.").count() == 1
        page.goto(f"{base}/me/progress")
        AXE.assert_accessible(page, f"{size}: progress after the correction")
        page.click("text=Log out")

        browser_login(page, base, world["contact"])
        assert page.locator("tbody .standing-certified").count() == 2  # both done
        assert page.locator("tbody .standing-at_risk, tbody .standing-on_track").count() == 0
        AXE.assert_accessible(page, f"{size}: company, finished cohort")
        fits(page, size)
    finally:
        context.close()
