"""The course as its people meet it, in Chromium: from an empty database to a
certificate that an anonymous visitor verifies."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role, User
from lms.accounts.operations import create_user
from lms.extensions import db

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "Rheinufer Laterne Kompass"
CSV = (
    "E-Mail;Vorname;Nachname;Titelform;Sprache\n"
    "ingrid.blessing@detecon.example;Ingrid;Blessing;Social Media Managerin;de\n"
    "juergen.mueller@detecon.example;Jürgen;Müller;Social Media Manager;de\n"
    "kim.oezdemir@detecon.example;Kim;Özdemir;Social Media Manager*in;en\n"
)


@pytest.fixture(scope="module")
def pages(browser, live_server):
    """One browser context per person, so that their sessions stay apart."""
    contexts = {
        "coordinator": browser.new_context(viewport=DESKTOP, locale="de-DE"),
        "participant": browser.new_context(viewport=PHONE, locale="de-DE"),
        "lecturer": browser.new_context(viewport=PHONE, locale="de-DE", has_touch=True),
        "visitor": browser.new_context(viewport=PHONE, locale="de-DE"),
    }
    opened = {name: context.new_page() for name, context in contexts.items()}
    yield opened
    for context in contexts.values():
        context.close()


@pytest.fixture(scope="module")
def coordinator(live_server):
    with live_server.app.app_context():
        user = create_user("koordination@th-koeln.example", "Clara", "Koordinatorin",
                           [Role.COORDINATOR], password=PASSWORD)
        db.session.commit()
        return user.email


def login(page, base: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button.primary")
    page.wait_for_load_state()
    assert "/login" not in page.url, page.content()


def mail_link(live_server, to: str, path: str) -> str:
    for message in reversed(live_server.mail.messages):
        if message["To"] == to:
            body = message.get_body(("plain",)).get_content()
            return re.search(rf"http://127\.0\.0\.1:\d+{path}\S+", body).group(0)
    raise AssertionError(f"no mail to {to}")


STATE: dict[str, object] = {}


def test_coordinator_sets_up_a_closed_cohort(pages, live_server, coordinator, tmp_path):
    page, base = pages["coordinator"], live_server.url
    login(page, base, coordinator)

    page.goto(f"{base}/coordination/companies/new")
    page.fill("#name", "Detecon International GmbH")
    page.fill("#contact_name", "Personalabteilung")
    page.click("button.primary")
    assert "Detecon International GmbH" in page.inner_text("main")

    page.goto(f"{base}/coordination/lecturers/new")
    page.fill("#email", "dozentin@agentur.example")
    page.fill("#first_name", "Dora")
    page.fill("#last_name", "Dozentin")
    page.fill("#affiliation", "Agentur Rhein")
    page.click("button.primary")

    page.goto(f"{base}/coordination/cohorts/new")
    page.select_option("#company_id", label="Detecon International GmbH")
    page.fill("#name", "Inhouse 2027 – Detecon")
    page.fill("#starts_on", "2027-01-15")
    page.fill("#ends_on", "2027-06-30")
    page.click("button.primary")
    assert "/roster" in page.url
    STATE["cohort_url"] = page.url.rsplit("/roster", 1)[0]

    csv_file = tmp_path / "teilnehmende.csv"
    csv_file.write_text("\ufeff" + CSV, encoding="utf-8")
    page.set_input_files("#file", str(csv_file))
    page.click("form[enctype] button[type=submit]")
    assert "3 Personen werden eingeladen" in page.inner_text("main")
    page.click("text=Alle 3 einladen")
    roster = page.inner_text("main")
    for name in ("Blessing", "Müller", "Özdemir"):
        assert name in roster
    assert len([m for m in live_server.mail.messages if "/invitation/" in
                m.get_body(("plain",)).get_content()]) == 3 + 1  # three participants + lecturer

    page.goto(f"{STATE['cohort_url']}/meetings/series")
    page.select_option("#module_id", index=0)
    page.fill("#first_day", "2027-01-15")
    page.fill("#last_day", "2027-01-17")
    for day in ("4", "5", "6"):
        page.check(f"input[name=weekdays][value='{day}']")
    page.fill("#starts", "09:00")
    page.fill("#ends", "17:00")
    page.check("input[name=lecturer_ids] >> nth=0")
    page.click("button.primary")
    schedule = page.inner_text("main")
    assert schedule.count("Dora Dozentin") == 3


def test_invited_participant_joins_and_sees_the_schedule(pages, live_server):
    page = pages["participant"]
    page.goto(mail_link(live_server, "ingrid.blessing@detecon.example", "/invitation/"))
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    page.check("input[name=title_form][value=female]")
    page.click("button.primary")
    text = page.inner_text("main")
    assert "Social Media Managerin" in text
    assert "Fr. 15. Jan. 2027, 09:00–17:00" in text
    with live_server.app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email.like("ingrid%")))
        assert user.password_hash is not None
