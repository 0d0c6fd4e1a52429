"""Between the meetings (#17), in Chromium: a lecturer uploads slides released at the
meeting's end, a participant downloads the module's ZIP, the coordinator posts an
announcement the participant sees on the start page and receives by mail (the real SMTP
server of the live server), and five participants answer the module's evaluation: the
lecturer sees nothing after four answers and the results after the fifth.

The cohort is set up with the operations (module 3 held yesterday, module 4 tomorrow);
everything people do is done in the browser. After every navigation axe checks the page
(WCAG 2.1 A and AA); the new pages are also checked at 390 px and at 1280 px. Screenshots
of the steps are kept in test-artifacts/between-meetings/.
"""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role
from lms.accounts.operations import create_user
from lms.cohorts.models import EnrollmentStatus
from lms.cohorts.operations import create_cohort, create_company, enroll_participant
from lms.curriculum.models import Course
from lms.db import utcnow
from lms.demo import _tiny_pdf
from lms.extensions import db
from lms.schedule.operations import schedule_meeting
from tests.browser.a11y import AxeLog
from tests.browser.conftest import ARTIFACTS, screenshot

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "Rheinufer Laterne Kompass"
PARTICIPANTS = [("Ida", "Anders"), ("Ben", "Brandt"), ("Cem", "Celik"), ("Dana", "Dorn"),
                ("Emil", "Esser")]
SHOTS = ARTIFACTS / "between-meetings"
AXE = AxeLog()
STATE: dict[str, object] = {}


def _email(first: str, last: str) -> str:
    return f"{first.lower()}.{last.lower()}@rheinwerk.example"


@pytest.fixture(scope="module")
def course_world(live_server):
    """A running cohort: module 3 held yesterday (its evaluation is open), module 4
    tomorrow; one lecturer for both, five participants, a coordinator."""
    with live_server.app.app_context():
        coordinator = create_user("koordination@th-koeln.example", "Clara", "Koordinatorin",
                                  [Role.COORDINATOR], password=PASSWORD)
        lecturer = create_user("dozentin@agentur.example", "Dora", "Dozentin",
                               [Role.LECTURER], password=PASSWORD)
        course = db.session.scalar(sa.select(Course))
        now = utcnow().replace(second=0, microsecond=0)
        cohort = create_cohort(course, create_company("Rheinwerk AG"), "Inhouse – Rheinwerk",
                               (now - timedelta(days=30)).date(),
                               (now + timedelta(days=60)).date(), coordinator=coordinator)
        modules = {m.number: m for m in course.modules}
        held = schedule_meeting(cohort, modules[3], now - timedelta(days=1, hours=4),
                                now - timedelta(days=1), lecturers=[lecturer])
        coming = schedule_meeting(cohort, modules[4], now + timedelta(days=1),
                                  now + timedelta(days=1, hours=4), lecturers=[lecturer])
        for first, last in PARTICIPANTS:
            user = create_user(_email(first, last), first, last, [Role.PARTICIPANT],
                               password=PASSWORD)
            enroll_participant(cohort, user, status=EnrollmentStatus.ACTIVE)
        db.session.commit()
        return {"cohort": cohort.id, "held": held.id, "coming": coming.id,
                "module": modules[3].id, "next_module": modules[4].id,
                "coordinator": coordinator.email, "lecturer": lecturer.email}


@pytest.fixture(scope="module")
def pages(browser, live_server):
    contexts = {
        "coordinator": browser.new_context(viewport=DESKTOP, locale="de-DE"),
        "lecturer": browser.new_context(viewport=PHONE, locale="de-DE", has_touch=True),
        "participant": browser.new_context(viewport=PHONE, locale="de-DE"),
    }
    opened = {name: context.new_page() for name, context in contexts.items()}
    yield opened
    for context in contexts.values():
        context.close()


def check(page, name: str, both_sizes: bool = False) -> None:
    """axe on the page (at 390 and 1280 px with ``both_sizes``), and a screenshot."""
    page.wait_for_load_state()
    SHOTS.mkdir(parents=True, exist_ok=True)
    sizes = [PHONE, DESKTOP] if both_sizes else [page.viewport_size]
    original = page.viewport_size
    for size in sizes:
        page.set_viewport_size(size)
        label = f"{name} {size['width']}"
        AXE.check(page, label)
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"], label
        screenshot(page, SHOTS / f"{label.replace(':', '').replace(' ', '_')}.png")
    page.set_viewport_size(original)


def login(page, base: str, email: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("button.primary")
    assert "/login" not in page.url, page.content()


def test_the_lecturer_uploads_slides_released_at_the_meetings_end(pages, live_server,
                                                                   course_world, tmp_path):
    page, base = pages["lecturer"], live_server.url
    login(page, base, course_world["lecturer"])
    page.click("main a:has-text('Materialien')")
    check(page, "lecturer: materials of my modules", both_sizes=True)
    page.click("main a:has-text('Community Management')")
    check(page, "lecturer: materials of module 3", both_sizes=True)

    slides = tmp_path / "Folien Community Management.pdf"
    slides.write_bytes(_tiny_pdf("Community Management: Folien"))
    page.fill("#title", "Folien Community Management")
    page.set_input_files("#file", str(slides))
    page.select_option("#meeting_id", value=str(course_world["held"]))
    page.check("input[name=release][value=meeting_end]")
    with page.expect_navigation():
        page.click("form[enctype] button.primary >> text=Material hinzufügen")
    check(page, "lecturer: slides added")
    text = page.inner_text("main")
    assert "Das Material wurde hinzugefügt." in text
    assert "freigegeben" in text  # the meeting is over: released at once

    # Slides for tomorrow's meeting, released at its end: not for the participants yet.
    page.goto(f"{base}/teaching/cohorts/{course_world['cohort']}/modules/"
              f"{course_world['next_module']}/materials")
    later = tmp_path / "recht.pdf"
    later.write_bytes(_tiny_pdf("Social-Media-Recht"))
    page.fill("#title", "Folien Social-Media-Recht")
    page.set_input_files("#file", str(later))
    page.select_option("#meeting_id", value=str(course_world["coming"]))
    page.check("input[name=release][value=meeting_end]")
    with page.expect_navigation():
        page.click("form[enctype] button.primary >> text=Material hinzufügen")
    check(page, "lecturer: slides for tomorrow added")
    assert "noch nicht freigegeben" in page.inner_text("main")
    STATE["slides"] = slides.read_bytes()


def test_a_participant_downloads_the_modules_zip(pages, live_server, course_world):
    page, base = pages["participant"], live_server.url
    first, last = PARTICIPANTS[0]
    login(page, base, _email(first, last))
    page.click("nav.subnav a:has-text('Materialien')")
    check(page, "participant: materials", both_sizes=True)
    text = page.inner_text("main")
    assert "Folien Community Management" in text
    assert "Folien Social-Media-Recht" not in text  # released only after tomorrow's meeting
    assert "Kursleitfaden" in text  # the course's own
    page.click("main a:has-text('Modul 3: Community Management')")
    check(page, "participant: module 3", both_sizes=True)
    with page.expect_download() as waiting:
        page.click("main a:has-text('Alle Dateien von Modul 3 (ZIP)')")
    download = waiting.value
    assert download.suggested_filename.startswith("Modul_03_")
    archive = zipfile.ZipFile(io.BytesIO(download.path().read_bytes()))
    assert archive.testzip() is None
    [name] = archive.namelist()
    assert name == "01_Folien_Community_Management.pdf"
    assert archive.read(name) == STATE["slides"]


def test_the_coordinator_posts_an_announcement_the_participant_sees_and_gets_by_mail(
        pages, live_server, course_world):
    page, base = pages["coordinator"], live_server.url
    login(page, base, course_world["coordinator"])
    page.goto(f"{base}/coordination/cohorts/{course_world['cohort']}")
    page.click("nav.subnav a:has-text('Mitteilungen')")
    check(page, "coordinator: announcements", both_sizes=True)
    page.fill("#title", "Raumwechsel am Freitag")
    page.fill("#body", "Wir treffen uns ausnahmsweise in Raum 2.114, Claudiusstraße 1.")
    with page.expect_navigation():
        page.click("button.primary")
    check(page, "coordinator: announcement posted")
    assert "an 5 Teilnehmer*innen gesendet" in page.inner_text("main")

    first, last = PARTICIPANTS[0]
    mails = [m for m in live_server.mail.messages if m["To"] == _email(first, last)
             and m["Subject"] == "Mitteilung: Raumwechsel am Freitag"]
    assert len(mails) == 1
    body = mails[0].get_body(("plain",)).get_content()
    assert "Raum 2.114" in body and "Hallo Ida" in body

    participant = pages["participant"]
    participant.goto(f"{base}/me/")
    check(participant, "participant: start page with the announcement", both_sizes=True)
    home = participant.inner_text("main")
    assert "Raumwechsel am Freitag" in home and "Raum 2.114" in home


def _answer(page, base: str, number: int) -> None:
    first, last = PARTICIPANTS[number]
    login(page, base, _email(first, last))
    page.click("main a:has-text('Modul 3: Community Management')")
    check(page, f"participant {number + 1}: evaluation", both_sizes=number == 0)
    for key, position in (("inhalt", 4), ("dozentin", 5), ("praxis", 3 + number % 3),
                          ("organisation", 4)):
        page.check(f"input[name=q_{key}][value='{position}']")
    page.fill("#q_kommentar", f"Anmerkung {number + 1}: gute Beispiele aus der Praxis.")
    with page.expect_navigation():
        page.click("button.primary")
    check(page, f"participant {number + 1}: answered")
    assert "Vielen Dank" in page.inner_text("main")


def test_five_answers_show_the_results_four_do_not(pages, live_server, course_world):
    base = live_server.url
    participant, lecturer = pages["participant"], pages["lecturer"]
    results = (f"{base}/teaching/cohorts/{course_world['cohort']}/modules/"
               f"{course_world['module']}/evaluation")
    for number in range(4):
        _answer(participant, base, number)

    lecturer.goto(f"{base}/teaching/evaluations")
    check(lecturer, "lecturer: evaluations after four answers", both_sizes=True)
    listing = lecturer.inner_text("main")
    assert "4 von 5 haben geantwortet" in listing
    assert "Ergebnisse ab 5 Antworten" in listing
    lecturer.goto(results)
    check(lecturer, "lecturer: results after four answers")
    assert "sobald mindestens 5 Teilnehmer*innen geantwortet haben" in lecturer.inner_text(
        "main")
    assert lecturer.locator("svg.chart").count() == 0
    assert lecturer.request.get(results + ".pdf").status == 404

    _answer(participant, base, 4)
    lecturer.goto(f"{base}/teaching/evaluations")
    lecturer.click("main a:has-text('Ergebnisse von Modul 3')")
    check(lecturer, "lecturer: results after five answers", both_sizes=True)
    text = lecturer.inner_text("main")
    assert "5 von 5 Teilnehmer*innen (100 %)" in text
    assert lecturer.locator("svg.chart").count() == 4
    assert "Anmerkung 5: gute Beispiele aus der Praxis." in text
    pdf = lecturer.request.get(results + ".pdf")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"

    # The company's contact never sees them (nor does any participant).
    participant.goto(results)
    assert "Evaluation von Modul 3" not in participant.inner_text("body")


def test_no_page_had_a_serious_accessibility_problem():
    problems = AXE.blocking()
    assert AXE.pages, "axe checked nothing"
    assert not problems, "\n".join(problems)
