"""Deadlines as calendar programs show them: on the due day, at the due time.

A zero-length event at 23:59 is what most LMS export, and khal (like some Outlook and
Thunderbird views) stretches it to an hour, 23:59 to 00:59 on the next day. Here the
served feed is read by two more parsers than the one that wrote it: vobject, and khal,
a calendar program, which imports the feed into a calendar folder and lists the days as
its users see them, across both changes between summer and winter time.
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role
from lms.assignments.models import Assignment
from lms.assignments.operations import create_assignment
from lms.curriculum.models import AssessmentKind, GradingScheme
from lms.extensions import db
from lms.ical.build import deadline_span
from tests.factories import (
    berlin,
    enroll,
    feed_events,
    issue_feed_url,
    make_cohort,
    make_user,
)

KHAL = Path(sys.executable).parent / "khal"
BERLIN = "Europe/Berlin"

# due (Berlin wall time) -> how a calendar shows it: (days listed, start, end)
CASES = {
    # the last Sunday of October 2026: summer time ends that night
    berlin(2026, 10, 25, 23, 59): (["2026-10-25"], "2026-10-25", "2026-10-25"),
    # the last Sunday of March 2027: summer time begins at 02:00
    berlin(2027, 3, 28, 14, 0): (["2027-03-28"], "2027-03-28 13:30", "2027-03-28 14:00"),
    berlin(2027, 3, 28, 23, 59): (["2027-03-28"], "2027-03-28", "2027-03-28"),
    # winter time; just after midnight: it starts at midnight, never the day before
    berlin(2027, 1, 15, 0, 10): (["2027-01-15"], "2027-01-15 00:00", "2027-01-15 00:10"),
    # midnight sharp is the end of the day before
    berlin(2027, 1, 20, 0, 0): (["2027-01-19"], "2027-01-19 23:30", "2027-01-20 00:00"),
}


@pytest.fixture
def deadlines_feed(client, course):
    """A participant's feed with one deadline for each case, as the participant's
    calendar program downloads it."""
    cohort = make_cohort(course)
    participant = make_user(Role.PARTICIPANT)
    enroll(cohort, participant)
    for assignment in db.session.scalars(sa.select(Assignment).filter_by(cohort_id=cohort.id)):
        assignment.due_at = None  # only the cases below are deadlines
    titles = {}
    for number, due in enumerate(CASES):
        titles[due] = create_assignment(
            cohort, key=f"aufgabe-{number}", title=f"Aufgabe {number}", due_at=due,
            kind=AssessmentKind.ASSESSMENT, grading=GradingScheme.PASS_FAIL).title
    url = issue_feed_url(participant)
    db.session.commit()
    response = client.get(url)
    assert response.status_code == 200
    return response.data, titles


def khal_days(data: bytes, folder: Path, first: str, last: str) -> dict[str, list[str]]:
    """What khal lists for each day between ``first`` and ``last``: one line per event,
    "start|end|title", after importing the feed as a user would."""
    calendar = folder / "calendar"
    calendar.mkdir()
    config = folder / "khal.conf"
    config.write_text(
        f"[calendars]\n[[lms]]\npath = {calendar}\ntype = calendar\n"
        f"[sqlite]\npath = {folder / 'khal.db'}\n"
        "[locale]\ntimeformat = %H:%M\ndateformat = %Y-%m-%d\n"
        "longdateformat = %Y-%m-%d\ndatetimeformat = %Y-%m-%d %H:%M\n"
        "longdatetimeformat = %Y-%m-%d %H:%M\n"
        f"local_timezone = {BERLIN}\ndefault_timezone = {BERLIN}\n[default]\n",
        encoding="utf-8")
    feed = folder / "feed.ics"
    feed.write_bytes(data)
    env = {"HOME": str(folder), "TZ": BERLIN, "LANG": "C.UTF-8"}
    subprocess.run([str(KHAL), "-c", str(config), "import", "--batch", str(feed)],
                   check=True, capture_output=True, env=env, timeout=60)
    listed = subprocess.run(
        [str(KHAL), "-c", str(config), "list", "--day-format", "DAY {date}",
         "--format", "{start-long}|{end-long}|{title}", first, last],
        check=True, capture_output=True, text=True, env=env, timeout=60).stdout
    days: dict[str, list[str]] = {}
    day = None
    for line in listed.splitlines():
        if line.startswith("DAY "):
            day = line.removeprefix("DAY ").strip()
            days[day] = []
        elif line.strip():
            days[day].append(line.strip())
    return days


@pytest.mark.slow
@pytest.mark.skipif(not KHAL.exists(), reason="khal is a test dependency: pip install -e '.[test]'")
def test_khal_shows_each_deadline_on_its_day_at_its_time(deadlines_feed, tmp_path):
    data, titles = deadlines_feed
    days = khal_days(data, tmp_path, "2026-10-01", "2027-04-30")
    for due, (on_days, start, end) in CASES.items():
        title = titles[due]
        listed_on = sorted(day for day, lines in days.items()
                           if any(line.endswith(f" {title} – Social Media Manager*in")
                                  for line in lines))
        assert listed_on == on_days, (due, days)
        (line,) = [line for line in days[on_days[0]] if title in line]
        shown_start, shown_end, shown_title = line.split("|", 2)
        assert (shown_start, shown_end) == (start, end), (due, line)
        # the due time is in the title: a whole-day event shows no time of its own
        assert re.match(rf"Abgabe bis {due:%H:%M} Uhr: {title} – ", shown_title), line


def test_vobject_reads_the_due_time_as_the_event_end(deadlines_feed):
    """The second parser (feed_events checks that icalendar and vobject agree) sees the
    due instant as the event's end, in UTC across both time changes."""
    data, titles = deadlines_feed
    events = {}
    for event in feed_events(data).values():
        found = re.match(r"Abgabe bis \d\d:\d\d Uhr: (.+?) – ", event["summary"])
        if found:
            events[found.group(1)] = event
    assert set(events) == set(titles.values())
    for due, (_days, start, _end) in CASES.items():
        event = events[titles[due]]
        if len(start) == len("2026-10-25"):  # the whole due day
            day = date.fromisoformat(start)
            assert (event["start"], event["end"]) == (day, day + timedelta(days=1))
            assert event["tzid"] is None
        else:
            assert event["end"].astimezone(UTC) == due.astimezone(UTC)
            assert event["tzid"] == BERLIN
            assert event["start"] < event["end"]
    # summer time: 14:00 in Berlin on 28 March 2027 is 12:00 UTC, not 13:00
    assert events[titles[berlin(2027, 3, 28, 14, 0)]]["end"].astimezone(UTC) == datetime(
        2027, 3, 28, 12, 0, tzinfo=UTC)


def test_a_deadline_is_never_a_zero_length_event():
    for due in CASES:
        start, end = deadline_span(due, BERLIN)
        assert start != end
        assert start < end
