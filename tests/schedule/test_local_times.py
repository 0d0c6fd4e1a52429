"""Local times that do not exist, or exist twice (issue #11, item 1).

Europe/Berlin: on 2027-03-28 the clocks go forward from 02:00 to 03:00 (02:00–02:59 do
not exist); on 2026-10-25 they go back from 03:00 to 02:00 (02:00–02:59 happen twice).
Every place that turns a local date and time into an instant uses one helper,
:func:`lms.localtime.local_instant`; the first test makes sure no new place bypasses it,
the others walk every form that takes a date and a time, on both nights.
"""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from lms.accounts.models import Role
from lms.assignments.models import Assignment
from lms.attendance.models import AttendanceStatus
from lms.attendance.operations import record_attendance
from lms.attendance.queries import summarise_attendance
from lms.extensions import db
from lms.localtime import (
    NonexistentTime,
    ambiguity_notice,
    calendar_time,
    is_ambiguous,
    local_instant,
)
from lms.schedule.models import Meeting
from tests.factories import enroll, load_test_course, make_cohort, make_user
from tests.helpers import login, text_of

BERLIN = "Europe/Berlin"
SPRING, AUTUMN = date(2027, 3, 28), date(2026, 10, 25)
PACKAGE = Path(__file__).resolve().parents[2] / "lms"


# --------------------------------------------------------------------------- the helper


@pytest.mark.parametrize("wall", [time(2, 0), time(2, 30), time(2, 59)])
def test_a_time_the_clocks_skip_is_refused_with_the_day_and_the_jump(app, wall):
    with app.test_request_context(), force_locale("en"):
        with pytest.raises(NonexistentTime) as caught:
            local_instant(SPRING, wall, BERLIN)
        message = str(caught.value.message)
    assert wall.strftime("%H:%M") in message and "March 28, 2027" in message
    assert "from 02:00 to 03:00" in message
    assert caught.value.day == SPRING and caught.value.wall == wall


@pytest.mark.parametrize(("wall", "utc"), [(time(1, 59), time(0, 59)), (time(3, 0), time(1, 0))])
def test_the_times_around_the_gap_are_ordinary(app, wall, utc):
    instant = local_instant(SPRING, wall, BERLIN)
    assert not instant.ambiguous
    assert instant.at == datetime.combine(SPRING, utc, UTC)


@pytest.mark.parametrize(("wall", "first_utc", "second_utc"), [
    (time(2, 0), time(0, 0), time(1, 0)), (time(2, 30), time(0, 30), time(1, 30)),
    (time(2, 59), time(0, 59), time(1, 59))])
def test_a_doubled_time_is_its_first_occurrence_unless_told_or_kept(app, wall, first_utc,
                                                                    second_utc):
    first = datetime.combine(AUTUMN, first_utc, UTC)
    second = datetime.combine(AUTUMN, second_utc, UTC)
    instant = local_instant(AUTUMN, wall, BERLIN)
    assert instant.ambiguous and not instant.is_second and instant.at == first
    assert local_instant(AUTUMN, wall, BERLIN, second=True).at == second
    # Saving a form unchanged keeps the occurrence stored so far.
    kept = local_instant(AUTUMN, wall, BERLIN, keep=second)
    assert kept.at == second and kept.is_second
    assert local_instant(AUTUMN, wall, BERLIN, keep=first).at == first
    with app.test_request_context(), force_locale("en"):
        assert "the first" in ambiguity_notice(instant) and "CEST" in ambiguity_notice(instant)
        assert "the second" in ambiguity_notice(kept) and "CET" in ambiguity_notice(kept)
    assert is_ambiguous(first, BERLIN) and is_ambiguous(second, BERLIN)


def test_other_zones_and_half_hour_changes(app):
    with pytest.raises(NonexistentTime):
        local_instant(date(2026, 3, 8), time(2, 30), "America/New_York")
    with pytest.raises(NonexistentTime):  # Lord Howe Island moves its clocks by 30 minutes
        local_instant(date(2026, 10, 4), time(2, 15), "Australia/Lord_Howe")
    assert local_instant(date(2026, 4, 5), time(1, 45), "Australia/Lord_Howe").ambiguous
    assert not local_instant(date(2026, 6, 1), time(2, 30), "Asia/Kolkata").ambiguous


def test_no_local_date_and_time_becomes_an_instant_outside_the_helper():
    """``datetime.combine(day, t, zone)``, ``datetime(..., tzinfo=zone)`` and
    ``.replace(tzinfo=zone)`` pick an offset silently: only lms/localtime.py may."""
    allowed_zones = {"UTC", "None"}
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "localtime.py" or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = (node.func.attr if isinstance(node.func, ast.Attribute)
                    else getattr(node.func, "id", ""))
            zone = next((ast.unparse(k.value) for k in node.keywords if k.arg == "tzinfo"), None)
            builds = name in ("combine", "datetime", "replace")
            if (name == "combine" and len(node.args) > 2) or (
                    builds and zone is not None and zone not in allowed_zones):
                offenders.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    assert not offenders, f"use lms.localtime.local_instant instead: {offenders}"


def test_calendars_get_the_second_occurrence_in_utc(app):
    second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert calendar_time(second, BERLIN).tzinfo is UTC
    assert calendar_time(first, BERLIN).utcoffset().total_seconds() == 7200
    # (compared in UTC: Python never calls a time in a doubled hour equal across zones)
    assert calendar_time(first, BERLIN).astimezone(UTC) == first
    assert calendar_time(second, BERLIN) == second


# --------------------------------------------------------------------------- the forms


@pytest.fixture
def setup(app, client, course_dir):
    course = load_test_course(course_dir)
    cohort = make_cohort(course, starts_on=date(2026, 9, 1))  # until 2027-01-29
    cohort.ends_on = date(2027, 6, 30)
    coordinator = make_user(Role.COORDINATOR)
    db.session.commit()
    login(client, coordinator)
    return cohort


def _meeting_data(cohort, day: date, starts: str, ends: str, **extra) -> dict:
    return {"module_id": cohort.course.modules[0].id, "block_id": 0, "day": day.isoformat(),
            "starts": starts, "ends": ends, "location": "Raum 1", **extra}


def _series_data(cohort, day: date, starts: str, ends: str) -> dict:
    """Every Sunday from a week before ``day`` (a Sunday) to a week after it."""
    return {"module_id": cohort.course.modules[0].id, "block_id": 0,
            "first_day": (day - timedelta(days=7)).isoformat(),
            "last_day": (day + timedelta(days=7)).isoformat(),
            "weekdays": [6], "every_weeks": 1, "starts": starts, "ends": ends}


def _meetings() -> list[Meeting]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Meeting).order_by(Meeting.starts_at)))


def _existing_meeting(client, cohort) -> Meeting:
    response = client.post(f"/coordination/cohorts/{cohort.id}/meetings/new",
                           data=_meeting_data(cohort, date(2027, 3, 26), "09:00", "12:00"))
    assert response.status_code == 302
    return _meetings()[0]


# Every form that turns a date and times into instants: how to post a spring-night time.
TIME_FORMS = ["meeting_new", "meeting_edit", "meeting_series", "assignment_new",
              "assignment_edit"]


def _post_time(client, cohort, form: str, starts: str, ends: str, day: date = SPRING):
    if form == "meeting_new":
        return client.post(f"/coordination/cohorts/{cohort.id}/meetings/new",
                           data=_meeting_data(cohort, day, starts, ends))
    if form == "meeting_edit":
        meeting = _existing_meeting(client, cohort)
        return client.post(f"/coordination/meetings/{meeting.id}/edit",
                           data=_meeting_data(cohort, day, starts, ends))
    if form == "meeting_series":
        return client.post(f"/coordination/cohorts/{cohort.id}/meetings/series",
                           data=_series_data(cohort, day, starts, ends))
    data = {"title": "Hausarbeit Nacht", "module_id": 0, "kind": "paper",
            "grading": "pass_fail", "due_date": day.isoformat(), "due_time": starts}
    if form == "assignment_new":
        return client.post(f"/coordination/cohorts/{cohort.id}/assignments/new", data=data)
    assignment = db.session.scalar(sa.select(Assignment).filter_by(cohort_id=cohort.id))
    return client.post(f"/coordination/assignments/{assignment.id}/edit", data=data)


def _field_error(response, field: str) -> str:
    html = response.get_data(as_text=True)
    marker = f'id="{field}-error"'
    assert marker in html, f"no error on the field {field}"
    start = html.index(marker)
    return text_of_fragment(html[start:html.index("</p>", start)])


def text_of_fragment(html: str) -> str:
    import re

    return re.sub(r"<[^>]+>|^[^>]*>", "", html).strip()


SKIPPED_TIMES = [
    ("02:30", "03:30", "starts"),  # both ends would be 01:30 UTC: the 500 of the field test
    ("02:00", "04:00", "starts"),  # was silently one hour
    ("01:00", "02:15", "ends"),
]


@pytest.mark.parametrize(("form", "starts", "ends", "field"), [
    (form, *times) for form in TIME_FORMS for times in SKIPPED_TIMES
    if not (form.startswith("assignment") and times[2] == "ends")])  # one time only
def test_every_time_form_refuses_a_time_the_clocks_skip_on_its_field(
        client, setup, form, starts, ends, field):
    cohort = setup
    before_meetings = [(m.id, m.starts_at, m.ends_at) for m in _meetings()]
    response = _post_time(client, cohort, form, starts, ends)
    assert response.status_code in (200, 422), response.status_code
    field_id = "due_time" if form.startswith("assignment") else field
    message = _field_error(response, field_id)
    wall = starts if field == "starts" else ends
    assert wall in message and "28. März 2027" in message and "02:00" in message, message
    if form.startswith("meeting"):
        after = [(m.id, m.starts_at, m.ends_at) for m in _meetings()]
        if form == "meeting_edit":
            after_ids = {m[0] for m in after}
            assert len(after_ids) == 1 and after[0][1].hour == 8  # unchanged: 09:00 CET
        else:
            assert after == before_meetings == []
    if form == "assignment_new":
        assert db.session.scalar(sa.select(Assignment).filter_by(title="Hausarbeit Nacht")) is None


def test_the_series_names_the_day_the_time_does_not_exist(client, setup):
    response = _post_time(client, setup, "meeting_series", "02:30", "03:30")
    message = _field_error(response, "starts")
    assert "Sonntag, 28. März 2027" in message
    assert _meetings() == []  # the other Sundays of the series are not stored either


@pytest.mark.parametrize("form", ["meeting_new", "meeting_edit", "meeting_series"])
def test_a_doubled_time_is_the_first_and_the_form_says_so(client, setup, form):
    cohort = setup
    response = _post_time(client, cohort, form, "02:30", "03:30", day=AUTUMN)
    assert response.status_code == 302
    page = text_of(client.get(response.headers["Location"]))
    assert "02:30 Uhr gibt es am Sonntag, 25. Oktober 2026 zweimal" in page, page
    assert "das erste Mal 02:30 Uhr" in page and "MESZ" in page
    assert "Der Termin dauert 2 Stunden." in page
    autumn = [m for m in _meetings() if m.local_day == AUTUMN]
    assert len(autumn) == 1
    assert autumn[0].starts_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert autumn[0].ends_at == datetime(2026, 10, 25, 2, 30, tzinfo=UTC)
    # The schedule tells the doubled hour apart.
    schedule = text_of(client.get(f"/coordination/cohorts/{cohort.id}/schedule"))
    assert "25. Okt. 2026, 02:30 MESZ" in schedule


def test_saving_a_meeting_in_the_second_occurrence_unchanged_keeps_it(client, setup):
    cohort = setup
    module = cohort.course.modules[0]
    from lms.schedule.operations import schedule_meeting

    meeting = schedule_meeting(cohort, module, datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
                               datetime(2026, 10, 25, 2, 30, tzinfo=UTC))
    db.session.commit()
    page = text_of(client.get(f"/coordination/meetings/{meeting.id}/edit"))
    assert "das zweite Mal 02:30 Uhr" in page and "MEZ" in page  # the form says which one
    response = client.post(f"/coordination/meetings/{meeting.id}/edit",
                           data=_meeting_data(cohort, AUTUMN, "02:30", "03:30"))
    assert response.status_code == 302
    stored = _meetings()[0]
    assert (stored.starts_at, stored.ends_at) == (datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
                                                  datetime(2026, 10, 25, 2, 30, tzinfo=UTC))


def test_attendance_hours_are_the_real_duration(client, setup):
    cohort = setup
    participant = enroll(cohort)
    db.session.commit()
    client.post(f"/coordination/cohorts/{cohort.id}/meetings/new",
                data=_meeting_data(cohort, AUTUMN, "01:30", "03:30"))
    meeting = _meetings()[0]
    assert meeting.duration_minutes == 180  # 01:30 CEST to 03:30 CET
    record_attendance(meeting, participant, AttendanceStatus.PRESENT)
    db.session.commit()
    summary = summarise_attendance(cohort, [participant], datetime(2027, 1, 1, tzinfo=UTC))
    assert summary[participant.id].attended == summary[participant.id].scheduled == 180


def test_duration_is_real_before_the_row_is_read_back(app):
    """An unsaved meeting holds wall-clock times: its duration must still be the real one."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(BERLIN)
    meeting = Meeting(starts_at=datetime(2026, 10, 25, 2, 30, tzinfo=zone),
                      ends_at=datetime(2026, 10, 25, 3, 30, tzinfo=zone))
    assert meeting.duration_minutes == 120
