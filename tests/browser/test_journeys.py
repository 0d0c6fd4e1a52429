"""The course as its people meet it, in Chromium: from an empty database to a
certificate that an anonymous visitor verifies.

The steps run in order and share what they learn in ``STATE``. The course is planned
in the recent past (a Friday-to-Sunday block that has just been held, in a cohort that
has just ended), so that the lecturer may still mark attendance and the coordinator may
already issue certificates, whatever day the suite runs. After every navigation axe
checks the page (WCAG 2.1 A and AA); the last test asserts that no page had a serious
or critical violation.
"""

from __future__ import annotations

import hashlib
import re
import urllib.request
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pypdfium2
import pytest
import sqlalchemy as sa
import zxingcpp
from babel.dates import format_date

from lms.accounts.models import Role, User
from lms.accounts.operations import create_user
from lms.assignments.models import Grade, Submission
from lms.attendance.models import Attendance, AttendanceStatus
from lms.certificates.models import Certificate, CertificateKind
from lms.cohorts.models import Enrollment
from lms.extensions import db
from lms.schedule.models import Meeting
from tests.browser.a11y import AxeLog
from tests.helpers import browser_login

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


def mail_link(live_server, to: str, path: str) -> str:
    for message in reversed(live_server.mail.messages):
        if message["To"] == to:
            body = message.get_body(("plain",)).get_content()
            return re.search(rf"http://127\.0\.0\.1:\d+{path}\S+", body).group(0)
    raise AssertionError(f"no mail to {to}")


STATE: dict[str, object] = {}
AXE = AxeLog()


def check(page, name: str) -> None:
    """What every step does after a navigation: let axe look at the page."""
    page.wait_for_load_state()
    AXE.check(page, name)


def the_block(today: date) -> tuple[date, date]:
    """The latest Friday-to-Sunday block that ended before ``today``."""
    friday = today - timedelta(days=(today.weekday() - 4) % 7)
    if friday + timedelta(days=2) >= today:
        friday -= timedelta(days=7)
    return friday, friday + timedelta(days=2)


TODAY = datetime.now(ZoneInfo("Europe/Berlin")).date()
FRIDAY, SUNDAY = the_block(TODAY)
COHORT_START = FRIDAY - timedelta(days=28)


def test_coordinator_sets_up_a_closed_cohort(pages, live_server, coordinator, tmp_path):
    page, base = pages["coordinator"], live_server.url
    page.goto(f"{base}/login")
    check(page, "login")
    browser_login(page, base, coordinator, PASSWORD)
    check(page, "start page")

    page.goto(f"{base}/coordination/companies/new")
    check(page, "coordinator: new company")
    page.fill("#name", "Detecon International GmbH")
    page.fill("#contact_name", "Personalabteilung")
    page.click("button.primary")
    check(page, "coordinator: companies")
    assert "Detecon International GmbH" in page.inner_text("main")

    page.goto(f"{base}/coordination/lecturers/new")
    check(page, "coordinator: new lecturer")
    page.fill("#email", "dozentin@agentur.example")
    page.fill("#first_name", "Dora")
    page.fill("#last_name", "Dozentin")
    page.fill("#affiliation", "Agentur Rhein")
    page.click("button.primary")
    check(page, "coordinator: lecturer")

    page.goto(f"{base}/coordination/cohorts/new")
    check(page, "coordinator: new cohort")
    page.select_option("#company_id", label="Detecon International GmbH")
    page.fill("#name", "Inhouse – Detecon")
    # The cohort has just ended: its last day is the Sunday of the block just held.
    page.fill("#starts_on", COHORT_START.isoformat())
    page.fill("#ends_on", SUNDAY.isoformat())
    page.click("button.primary")
    assert "/roster" in page.url
    check(page, "coordinator: roster")
    STATE["cohort_url"] = page.url.rsplit("/roster", 1)[0]

    csv_file = tmp_path / "teilnehmende.csv"
    csv_file.write_text("\ufeff" + CSV, encoding="utf-8")
    page.set_input_files("#file", str(csv_file))
    page.click("form[enctype] button[type=submit]")
    check(page, "coordinator: roster import preview")
    assert "3 Personen werden eingeladen" in page.inner_text("main")
    page.click("text=Alle 3 einladen")
    check(page, "coordinator: roster after import")
    roster = page.inner_text("main")
    for name in ("Blessing", "Müller", "Özdemir"):
        assert name in roster
    assert len([m for m in live_server.mail.messages if "/invitation/" in
                m.get_body(("plain",)).get_content()]) == 3 + 1  # three participants + lecturer

    page.goto(f"{STATE['cohort_url']}/meetings/series")
    check(page, "coordinator: plan a series")
    # The closing block: the module of the paper and the oral examination, so that its
    # lecturer grades them.
    final = page.locator("#module_id option", has_text="Abschlussprojekt")
    page.select_option("#module_id", value=final.get_attribute("value"))
    page.fill("#first_day", FRIDAY.isoformat())
    page.fill("#last_day", SUNDAY.isoformat())
    for day in ("4", "5", "6"):
        page.check(f"input[name=weekdays][value='{day}']")
    page.fill("#starts", "09:00")
    page.fill("#ends", "17:00")
    page.check("input[name=lecturer_ids] >> nth=0")
    page.click("button.primary")
    check(page, "coordinator: schedule")
    schedule = page.inner_text("main")
    assert schedule.count("Dora Dozentin") == 3


def test_invited_participant_joins_and_sees_the_schedule(pages, live_server):
    page = pages["participant"]
    page.goto(mail_link(live_server, "ingrid.blessing@detecon.example", "/invitation/"))
    check(page, "participant: invitation")
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    page.check("input[name=title_form][value=female]")
    page.click("button.primary")
    check(page, "participant: start page")
    assert "Social Media Managerin" in page.inner_text("main")
    # what is next on the start page; every meeting, the past ones too, on the schedule
    page.click("nav.subnav a[href$='/me/schedule']")
    check(page, "participant: schedule")
    text = page.inner_text("main")
    assert f"{format_date(FRIDAY, 'EEE d. MMM yyyy', locale='de')}, 09:00–17:00" in text
    with live_server.app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email.like("ingrid%")))
        assert user.password_hash is not None


def test_participant_subscribes_to_the_calendar(pages, live_server):
    page = pages["participant"]
    page.click("nav a[href$='/calendar/']")
    check(page, "participant: calendar subscription")
    page.click(".feed-panel button.primary")  # create the calendar address
    check(page, "participant: calendar address shown")
    address = page.input_value("#feed-https")
    assert address.startswith(f"{live_server.url}/calendar/feed/")

    # What a calendar program does: a plain GET, without the browser's cookie.
    with urllib.request.urlopen(address, timeout=10) as response:  # noqa: S310 (our server)
        assert response.headers.get_content_type() == "text/calendar"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        calendar = icalendar.Calendar.from_ical(response.read())
    berlin = ZoneInfo("Europe/Berlin")
    starts = sorted(event.decoded("dtstart").astimezone(berlin)
                    for event in calendar.walk("VEVENT"))
    assert [s.date() for s in starts] == [FRIDAY + timedelta(days=n) for n in range(3)]
    assert {(s.hour, s.minute) for s in starts} == {(9, 0)}


def test_participant_hands_in_the_paper(pages, live_server, tmp_path):
    from lms.demo import _tiny_pdf

    page, base = pages["participant"], live_server.url
    page.goto(f"{base}/me/assignments")
    check(page, "participant: assignments")
    page.click("main a:has-text('Hausarbeit')")
    check(page, "participant: the paper")
    paper = tmp_path / "hausarbeit-blessing.pdf"
    paper.write_bytes(_tiny_pdf("Hausarbeit: Corporate Influencer bei Detecon"))
    page.set_input_files("#file", str(paper))
    page.click("form[enctype] button.primary")
    check(page, "participant: paper handed in")
    assert "hausarbeit-blessing.pdf" in page.inner_text("main")
    with live_server.app.app_context():
        submission = db.session.scalar(sa.select(Submission))
        assert submission.original_filename == "hausarbeit-blessing.pdf"
        STATE["paper"] = paper.read_bytes()


def test_lecturer_joins_and_marks_attendance_on_a_phone(pages, live_server):
    page, base = pages["lecturer"], live_server.url
    page.goto(mail_link(live_server, "dozentin@agentur.example", "/invitation/"))
    check(page, "lecturer: invitation")
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    page.click("button.primary")
    check(page, "lecturer: start page")
    assert "/teaching" in page.url

    with live_server.app.app_context():
        meetings = db.session.scalars(sa.select(Meeting.id).order_by(Meeting.starts_at)).all()
    assert len(meetings) == 3
    for number, meeting in enumerate(meetings):
        page.goto(f"{base}/teaching/meetings/{meeting}/attendance")
        check(page, f"lecturer: attendance {number + 1}")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        if number == 2:  # Jürgen Müller missed the Sunday
            page.locator("li", has_text="Müller").locator("label.att-choice-absent").tap()
        with page.expect_navigation():
            page.locator(".att-save button").tap()
        check(page, f"lecturer: attendance {number + 1} saved")

    with live_server.app.app_context():
        rows = db.session.execute(
            sa.select(User.last_name, Attendance.status).join(
                Enrollment, Enrollment.id == Attendance.enrollment_id).join(
                User, User.id == Enrollment.user_id)).all()
    assert len(rows) == 9
    assert sorted(name for name, status in rows if status != AttendanceStatus.PRESENT) \
        == ["Müller"]


def grade(page, base: str, title: str, name: str) -> None:
    page.goto(f"{base}/teaching/assignments")
    check(page, "lecturer: assignments")
    page.click(f"main a:has-text('{title}')")
    check(page, f"lecturer: grading {title}")
    page.locator("tr", has_text=name).locator("a[href*='/participants/']").click()
    check(page, f"lecturer: grade {title}")


def test_lecturer_grades_the_paper_and_the_oral_examination(pages, live_server):
    page, base = pages["lecturer"], live_server.url
    grade(page, base, "Hausarbeit", "Blessing")
    with page.expect_download() as download:
        page.click("main a:has-text('hausarbeit-blessing.pdf')")
    assert Path(download.value.path()).read_bytes() == STATE["paper"]
    page.fill("#points", "78")
    page.fill("#feedback", "Klar gegliedert, gut belegt.")
    page.check("#publish")
    page.click("button.primary")
    check(page, "lecturer: paper graded")

    grade(page, base, "Mündliche Prüfung", "Blessing")
    page.check("input[name=passed][value=yes]")
    page.check("#publish")
    page.click("button.primary")
    check(page, "lecturer: oral examination graded")

    with live_server.app.app_context():
        grades = {g.assignment.key: g for g in db.session.scalars(sa.select(Grade))}
        assert grades["hausarbeit"].points == 78 and grades["hausarbeit"].passed
        assert grades["muendliche-pruefung"].passed
        assert all(g.published_at is not None for g in grades.values())


def test_attendance_choices_work_with_the_keyboard_alone(pages, live_server):
    """The roster's big choice buttons are radio buttons underneath: arrow keys choose,
    and the focused choice shows its focus."""
    page = pages["lecturer"]
    with live_server.app.app_context():
        meeting = db.session.scalar(sa.select(Meeting.id).order_by(Meeting.starts_at))
    page.goto(f"{live_server.url}/teaching/meetings/{meeting}/attendance")
    check(page, "lecturer: attendance, keyboard")
    page.focus("#marks-0-status-0")
    page.keyboard.press("ArrowRight")
    assert page.is_checked("#marks-0-status-1")  # late: the minutes field appears
    assert page.locator(".att-minutes input").first.is_visible()
    outline = page.evaluate("getComputedStyle(document.querySelector("
                            "'label[for=marks-0-status-1]')).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("ArrowRight")
    assert page.is_checked("#marks-0-status-2")
    assert not page.locator(".att-minutes input").first.is_visible()
    page.reload()  # nothing saved: the stored marks stay as they were


def test_coordinator_issues_the_certificates(pages, live_server):
    page = pages["coordinator"]
    page.goto(STATE["cohort_url"])
    check(page, "coordinator: cohort overview")
    page.goto(f"{STATE['cohort_url']}/attendance")
    check(page, "coordinator: attendance matrix")
    assert "Müller" in page.inner_text("main")
    page.goto(f"{STATE['cohort_url']}/assignments")
    check(page, "coordinator: assignments")
    page.goto(f"{STATE['cohort_url']}/grades")
    check(page, "coordinator: grades")
    assert "Blessing" in page.inner_text("main")
    page.goto(f"{STATE['cohort_url']}/certificates")
    check(page, "coordinator: certificates")
    with page.expect_navigation():  # the script reloads the page when all are done
        page.click("#cert-issue-all button.primary")
    page.wait_for_load_state()
    check(page, "coordinator: certificates issued")
    with live_server.app.app_context():
        issued = {c.enrollment.user.last_name: c for c in
                  db.session.scalars(sa.select(Certificate))}
        # Ingrid Blessing passed both assessments; Kim Özdemir attended but was not
        # assessed and gets a confirmation of participation; Jürgen Müller missed a day.
        assert {name: c.kind for name, c in issued.items()} == {
            "Blessing": CertificateKind.CERTIFICATE, "Özdemir": CertificateKind.CONFIRMATION}
        STATE["sha256"] = issued["Blessing"].sha256


def test_participant_downloads_the_certificate(pages, live_server, tmp_path):
    page, base = pages["participant"], live_server.url
    page.goto(f"{base}/me/progress")
    check(page, "participant: progress")
    with page.expect_download() as download:
        page.click("main a[href$='/download']")
    path = tmp_path / "zertifikat.pdf"
    download.value.save_as(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == STATE["sha256"]
    image = pypdfium2.PdfDocument(str(path))[0].render(scale=4).to_pil()
    (url,) = [code.text for code in zxingcpp.read_barcodes(image)]
    assert url.startswith(f"{base}/verify/")
    STATE["verify_url"] = url


def test_anonymous_visitor_verifies_the_certificate(pages, live_server):
    page, base = pages["visitor"], live_server.url
    page.goto(f"{base}/verify")
    check(page, "visitor: verification form")
    page.fill("#code", "AAAA-BBBB-CCCC-DDDD-EEEE")
    page.click("form[method=get] button.primary")
    check(page, "visitor: unknown code")
    page.goto(f"{base}/login")
    page.fill("#email", "niemand@example.org")
    page.fill("#password", "falsch")
    page.click("button.primary")
    check(page, "visitor: login refused")
    page.click("button.primary")  # empty fields: the errors name the fields
    check(page, "visitor: login with empty fields")
    for _ in range(5):  # guessing on: this address waits, and is told what still works
        page.fill("#email", "niemand@example.org")
        page.fill("#password", "falsch")
        page.click("button.primary")
    check(page, "visitor: login throttled")
    assert "fehlgeschlagene Anmeldeversuche von hier" in page.inner_text("main")
    page.click("text=Zurück zur Anmeldung")
    assert page.locator("a[href='/verify']").count() == 1  # the way to check a certificate
    page.goto(f"{base}/password/forgot")
    check(page, "visitor: password forgotten")
    page.goto(f"{base}/no-such-page")
    check(page, "visitor: page not found")

    page.goto(STATE["verify_url"])  # what a phone's camera opens
    check(page, "visitor: verification")
    assert page.locator(".cert-verdict-valid").count() == 1
    assert "Ingrid Blessing" in page.inner_text("main")
    assert re.fullmatch(r"[0-9a-f]{64}", page.inner_text("code.sha256"))


def test_login_form_works_with_the_keyboard_alone(browser, live_server, coordinator):
    context = browser.new_context(viewport=DESKTOP, locale="de-DE")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/login")
        focused = []
        for _ in range(10):  # from the top of the page to the e-mail field
            page.keyboard.press("Tab")
            focused.append(page.evaluate("document.activeElement.id || "
                                         "document.activeElement.tagName"))
            if focused[-1] == "email":
                break
        assert focused[-1] == "email", focused
        page.keyboard.type(coordinator)
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "password"
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.type") == "submit"
        # the focused element shows that it has the focus
        assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
        page.keyboard.press("Shift+Tab")
        with page.expect_navigation():
            page.keyboard.press("Enter")  # submitting from the password field
        assert "/coordination" in page.url
    finally:
        context.close()


def test_no_page_has_a_serious_or_critical_accessibility_violation():
    assert len(AXE.pages) >= 30, sorted(AXE.pages)
    blocking = AXE.blocking()
    assert not blocking, "\n".join(blocking)
