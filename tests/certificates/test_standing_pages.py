"""A participant's standing on every page that shows it, in German and English.

Two cohorts of one company around the real present (the pages use the clock): one mid-
course with a participant on track (every hour held so far attended), one at risk, one
who can no longer reach the minimum and one withdrawn; one finished a while ago with a
certificate issued, a confirmation of participation, one who attended nothing and one
withdrawn. Every page (participant home, attendance and progress; the coordinator's
cohort and certificates pages; the company contact's page) must name each of them with
the same words, from the one evaluation in ``lms.certificates.rules``.
"""

from __future__ import annotations

import html
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest

from lms.accounts.models import Locale, Role
from lms.assignments.models import Assignment
from lms.assignments.operations import grade
from lms.attendance.models import AttendanceStatus
from lms.attendance.operations import record_attendance
from lms.certificates.operations import issue_certificate
from lms.cohorts.invitations import withdraw_enrollment
from lms.cohorts.models import EnrollmentStatus
from lms.cohorts.operations import add_company_contact
from lms.db import utcnow
from lms.extensions import db
from tests.factories import (
    BERLIN,
    enroll,
    load_test_course,
    make_cohort,
    make_finished_cohort,
    make_meeting,
    make_user,
)
from tests.helpers import login, text_of

LABELS = {
    "en": {"on_track": "on track", "at_risk": "at risk", "out_of_reach": "minimum out of reach",
           "certified": "certificate earned", "confirmation": "confirmation of participation",
           "not_completed": "not completed", "withdrawn": "withdrawn"},
    "de": {"on_track": "auf Kurs", "at_risk": "gefährdet",
           "out_of_reach": "Minimum nicht mehr erreichbar", "certified": "Zertifikat erworben",
           "confirmation": "Teilnahmebescheinigung", "not_completed": "nicht abgeschlossen",
           "withdrawn": "ausgetragen"},
}

# What each participant reads about themselves on their home and attendance pages.
SENTENCES = {
    "en": {
        "on_track": "You are on track: 21 of 21 hours held so far attended; you may still "
                    "miss up to 14 hours.",
        "at_risk": "At risk: 8.5 of 21 hours held so far attended; you may miss only 1.5 more "
                   "hours.",
        "out_of_reach": "The minimum attendance can no longer be reached: 17.5 hours missed, "
                        "at most 14 hours may be missed.",
        "certified": "Completed: you have earned the certificate.",
        "confirmation": "Completed: you receive a confirmation of participation.",
        "not_completed": "The course is over; the minimum attendance was not reached "
                         "(0 of 6.4 hours).",
    },
    "de": {
        "on_track": "Sie sind auf Kurs: 21 von 21 bisher gehaltenen Stunden besucht; Sie "
                    "dürfen noch bis zu 14 Stunden fehlen.",
        "at_risk": "Gefährdet: 8,5 von 21 bisher gehaltenen Stunden besucht; Sie dürfen nur "
                   "noch 1,5 Stunden fehlen.",
        "out_of_reach": "Die Mindestanwesenheit ist nicht mehr erreichbar: 17,5 Stunden "
                        "versäumt, höchstens 14 Stunden dürfen fehlen.",
        "certified": "Abgeschlossen: Sie haben das Zertifikat erworben.",
        "confirmation": "Abgeschlossen: Sie erhalten eine Teilnahmebescheinigung.",
        "not_completed": "Der Kurs ist beendet; die Mindestanwesenheit wurde nicht erreicht "
                         "(0 von 6,4 Stunden).",
    },
}

# The progress page's attendance reason for the running cohort.
PROGRESS = {
    "en": {"on_track": "21 of 21 hours held so far attended; up to 14 more hours may be missed "
                       "(required: 56 of 70 hours, 80 %)."},
    "de": {"on_track": "21 von 21 bisher gehaltenen Stunden besucht; bis zu 14 weitere Stunden "
                       "dürfen noch fehlen (erforderlich: 56 von 70 Stunden, 80 %)."},
}


def at_nine(day: date) -> datetime:
    return datetime.combine(day, time(9), BERLIN)


@pytest.fixture
def world(app, course_dir):
    course = load_test_course(course_dir)
    today = utcnow().astimezone(BERLIN).date()
    lecturer = make_user(Role.LECTURER)
    # Running: 20 meetings of 3.5 hours (70 hours, 56 required), six of them held.
    running = make_cohort(course, name="Laufend", starts_on=today - timedelta(days=60))
    running.ends_on = today + timedelta(days=100)
    held = [make_meeting(running, at_nine(today - timedelta(days=50 - 7 * i)), hours=3.5,
                         lecturers=(lecturer,)) for i in range(6)]
    for i in range(14):
        make_meeting(running, at_nine(today + timedelta(days=5 + 5 * i)), hours=3.5,
                     module_number=2, lecturers=(lecturer,))
    people = {}
    for key, first, last in (("on_track", "Paula", "Plan"), ("at_risk", "Rita", "Risiko"),
                             ("out_of_reach", "Otto", "Ohne"), ("withdrawn", "Willi", "Weg")):
        enrollment = enroll(running, make_user(Role.PARTICIPANT, first=first, last=last))
        people[key] = enrollment
    marks = {
        "on_track": ["present"] * 6,
        "at_risk": ["absent", "absent", "absent", "late", "present", "present"],
        "out_of_reach": ["absent"] * 5 + ["present"],
        "withdrawn": ["present"] * 6,
    }
    for key, statuses in marks.items():
        for meeting, status in zip(held, statuses, strict=True):
            record_attendance(meeting, people[key], AttendanceStatus(status), by=lecturer,
                              minutes_attended=90 if status == "late" else None)
    withdraw_enrollment(people["withdrawn"])

    # Finished: two 3.2-hour meetings long ago, every grade recorded.
    starts = (today - timedelta(days=220)).replace(day=1)
    finished, (cert, conf, none, gone) = make_finished_cohort(
        course, participants=4, lecturer=lecturer, starts_on=starts)
    finished.name = "Abgeschlossen"
    for enrollment, first, last in ((cert, "Clara", "Zertifiziert"), (conf, "Bea", "Bescheinigt"),
                                    (none, "Nico", "Nichtda"), (gone, "Gustav", "Gegangen")):
        enrollment.user.first_name, enrollment.user.last_name = first, last
    paper = db.session.scalar(db.select(Assignment).filter_by(cohort_id=finished.id,
                                                              key="hausarbeit"))
    grade(paper, conf, points=Decimal(20), by=lecturer)
    for meeting in finished.meetings:
        record_attendance(meeting, none, AttendanceStatus.ABSENT, by=lecturer)
    gone.status = EnrollmentStatus.WITHDRAWN
    db.session.commit()
    issue_certificate(cert)
    contact = make_user(Role.COMPANY_CONTACT, first="Hanna", last="Personal")
    add_company_contact(running, contact)
    add_company_contact(finished, contact)
    coordinator = make_user(Role.COORDINATOR)
    db.session.commit()
    people.update(certified=cert, confirmation=conf, not_completed=none, withdrawn_past=gone)
    return {"running": running, "finished": finished, "people": people, "contact": contact,
            "coordinator": coordinator}


def login_in(client, user, lang: str):
    """Log in as ``user``, who reads the pages in ``lang``."""
    user.locale = Locale(lang)
    db.session.commit()
    login(client, user)


def standings_by_name(page: str) -> dict[str, tuple[str, str]]:
    """Last name → (standing, its label) for every participant a page lists."""
    found = {}
    pattern = re.compile(r'>\s*([^<>,]+), [^<>]+</(?:th|h3)>.*?'
                         r'<span class="badge standing standing-(\w+)">([^<]+)</span>', re.S)
    for last, standing, label in pattern.findall(page):
        found[html.unescape(last.strip())] = (standing, html.unescape(label))
    return found


def expected(world, keys) -> dict[str, str]:
    people = world["people"]
    return {people[k].user.last_name: {"withdrawn_past": "withdrawn"}.get(k, k) for k in keys}


RUNNING = ("on_track", "at_risk", "out_of_reach", "withdrawn")
FINISHED = ("certified", "confirmation", "not_completed", "withdrawn_past")


@pytest.mark.parametrize("lang", ["de", "en"])
def test_the_company_contact_sees_each_standing_in_words(client, world, lang):
    login_in(client, world["contact"], lang)
    page = client.get("/company/").get_data(as_text=True)
    shown = standings_by_name(page)
    want = expected(world, RUNNING + FINISHED)
    assert {name: state for name, (state, _label) in shown.items()} == want
    for name, (state, label) in shown.items():
        assert label == LABELS[lang][state], name
    # A finished cohort is final: nobody there is "at risk" or "on track".
    people = world["people"]
    assert {shown[people[k].user.last_name][0] for k in FINISHED} <= {
        "certified", "confirmation", "not_completed", "withdrawn"}
    # Only the standing: no hours, percentages, grades or reasons.
    text = text_of(page)
    assert not re.search(r"\d[\d.,]* ?(?:hours|Stunden|h|%|points|Punkte)\b", text)


@pytest.mark.parametrize("lang", ["de", "en"])
def test_the_coordinator_sees_the_same_standings(client, world, lang):
    login_in(client, world["coordinator"], lang)
    for cohort, keys in (("running", RUNNING), ("finished", FINISHED)):
        cohort_id = world[cohort].id
        for url in (f"/coordination/cohorts/{cohort_id}",
                    f"/coordination/cohorts/{cohort_id}/certificates"):
            shown = standings_by_name(client.get(url).get_data(as_text=True))
            assert {name: state for name, (state, _label) in shown.items()} == \
                expected(world, keys), url
            assert all(label == LABELS[lang][state] for state, label in shown.values()), url


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("key", ["on_track", "at_risk", "out_of_reach", "certified",
                                 "confirmation", "not_completed"])
def test_each_participant_reads_their_own_standing(client, world, lang, key):
    enrollment = world["people"][key]
    login_in(client, enrollment.user, lang)
    for url in ("/me/", "/me/attendance", "/me/progress"):
        page = client.get(url).get_data(as_text=True)
        text = text_of(page)
        assert f'standing standing-{key}">{LABELS[lang][key]}<' in page, url
        assert SENTENCES[lang][key] in text, url
    if key == "on_track":
        # Nothing that frightens: no cross, no "needed", the reassuring numbers instead.
        progress = client.get("/me/progress").get_data(as_text=True)
        assert "cert-reason-missing" not in progress and "✗" not in progress
        text = text_of(progress)
        assert PROGRESS[lang]["on_track"] in text
        assert "30 %" not in text


def test_attendance_warnings_go_to_those_the_pages_call_at_risk_or_out_of_reach(world):
    from lms.notifications.reminders import due_reminders

    warned = {r.user.last_name: r for r in due_reminders(utcnow())
              if r.kind == "attendance_warning"}
    assert set(warned) == {"Risiko", "Ohne"}  # not Plan (on track), not the withdrawn
    assert warned["Risiko"].key.endswith(":near") and warned["Ohne"].key.endswith(":below")


def test_the_warning_mail_has_the_numbers_of_the_page(runner, world, smtp_server):
    risk = world["people"]["at_risk"].user
    risk.locale = Locale.EN
    db.session.commit()
    assert runner.invoke(args=["notify"]).exit_code == 0
    [mail] = [m for m in smtp_server.messages
              if m["To"] == risk.email and "attendance" in m["Subject"].lower()]
    body = mail.get_body(("plain",)).get_content()
    assert "you may miss only 1.5 more hours" in re.sub(r"\s+", " ", body)
