"""Self check-in: a rotating code and its QR code; once per participant; clear refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
import segno
import sqlalchemy as sa
from flask_babel import force_locale

from lms.attendance import checkin
from lms.attendance.models import Attendance, AttendanceSource, AttendanceStatus
from lms.attendance.operations import AttendanceError, check_in, record_attendance
from lms.db import utcnow
from lms.extensions import db
from tests.factories import make_meeting
from tests.helpers import build_world, text_of, whole_minute


@pytest.fixture
def world(app, course_dir):
    return build_world(course_dir, participants=2)


def mark_of(meeting, enrollment):
    db.session.expire_all()
    return db.session.scalar(sa.select(Attendance).filter_by(
        meeting_id=meeting.id, enrollment_id=enrollment.id))


def post_code(client, code):
    return client.post("/me/check-in", data={"code": code})


def test_codes_rotate_every_minute_and_the_previous_one_still_counts(world):
    meeting, now = world.a.ongoing, utcnow()
    code = checkin.current_code(meeting, now)
    assert len(code) == 6 and set(code) <= set(checkin.ALPHABET)
    later = now + timedelta(minutes=1)
    assert checkin.current_code(meeting, later) != code
    assert checkin.code_matches(meeting.id, code, later)  # typed while it changed
    assert not checkin.code_matches(meeting.id, code, now + timedelta(minutes=2))
    assert checkin.code_matches(meeting.id, f" {code[:3].lower()}-{code[3:]} ", now)
    assert not checkin.code_matches(world.b.ongoing.id, code, now)


def test_participant_checks_in_once_late_arrival_counts_the_rest(client, auth, world):
    a = world.a
    auth.login(a.participants[0])
    response = post_code(client, checkin.current_code(a.ongoing, utcnow()))
    assert response.status_code == 302
    mark = mark_of(a.ongoing, a.enrollments[0])
    assert mark.source == AttendanceSource.SELF_CHECK_IN
    # An hour after the start: late, with the minutes still ahead counted.
    assert mark.status == AttendanceStatus.LATE
    expected = (a.ongoing.ends_at - utcnow()).total_seconds() // 60
    assert abs(mark.minutes_attended - expected) <= 1

    again = post_code(client, checkin.current_code(a.ongoing, utcnow()))
    assert again.status_code == 200
    assert "You have already checked in to this meeting." in text_of(again)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attendance)) == 1


def test_checking_in_around_the_start_is_present(client, auth, world):
    a = world.a
    soon = make_meeting(a.cohort, whole_minute(utcnow()) + timedelta(minutes=10),
                        lecturers=(a.lecturer,))
    db.session.commit()
    auth.login(a.participants[1])
    assert post_code(client, checkin.current_code(soon, utcnow())).status_code == 302
    assert mark_of(soon, a.enrollments[1]).status == AttendanceStatus.PRESENT


def test_code_of_another_meeting_is_refused(client, auth, world):
    auth.login(world.a.participants[0])
    response = post_code(client, checkin.current_code(world.b.ongoing, utcnow()))
    assert response.status_code == 200
    assert "This code belongs to another meeting." in text_of(response)
    assert mark_of(world.b.ongoing, world.a.enrollments[0]) is None
    with force_locale("en"), pytest.raises(AttendanceError, match="another meeting"):
        check_in(world.a.ongoing, world.a.enrollments[0],
                 checkin.current_code(world.b.ongoing, utcnow()))


def test_code_outside_the_meetings_time_is_refused(client, auth, world):
    a = world.a
    auth.login(a.participants[0])
    response = post_code(client, checkin.current_code(a.tomorrow, utcnow()))
    assert "Check-in is open from 15 minutes before the start until the end" in text_of(
        response)
    with force_locale("en"), pytest.raises(AttendanceError, match="15 minutes before"):
        check_in(a.recent, a.enrollments[0], checkin.current_code(a.recent, utcnow()))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attendance)) == 0


def test_an_old_or_made_up_code_is_refused(client, auth, world):
    a = world.a
    auth.login(a.participants[0])
    old = checkin.current_code(a.ongoing, utcnow() - timedelta(minutes=5))
    for code in (old, "ZZZZZZ", "12"):
        response = post_code(client, code)
        assert response.status_code == 200
        assert "This code is not valid (any more)" in text_of(response)
    assert "Please type the code" in text_of(post_code(client, ""))
    assert mark_of(a.ongoing, a.enrollments[0]) is None


def test_a_lecturers_present_mark_stays_an_absent_mark_is_corrected(client, auth, world):
    a = world.a
    record_attendance(a.ongoing, a.enrollments[0], AttendanceStatus.PRESENT, by=a.lecturer)
    record_attendance(a.ongoing, a.enrollments[1], AttendanceStatus.ABSENT, by=a.lecturer)
    db.session.commit()
    auth.login(a.participants[0])
    response = post_code(client, checkin.current_code(a.ongoing, utcnow()))
    assert "already recorded" in text_of(response)
    assert mark_of(a.ongoing, a.enrollments[0]).source == AttendanceSource.LECTURER
    auth.logout()
    auth.login(a.participants[1])
    assert post_code(client, checkin.current_code(a.ongoing, utcnow())).status_code == 302
    mark = mark_of(a.ongoing, a.enrollments[1])
    assert mark.status == AttendanceStatus.LATE and mark.source == AttendanceSource.SELF_CHECK_IN


def test_the_qr_code_link_fills_in_the_code(client, auth, world):
    auth.login(world.a.participants[0])
    page = client.get("/me/check-in?code=ABC234")
    assert page.status_code == 200
    assert 'value="ABC234"' in page.get_data(as_text=True)


def test_lecturer_shows_code_and_qr_and_sees_the_list_fill_up(client, auth, world, app):
    a = world.a
    auth.login(a.lecturer)
    page = client.get(f"/teaching/meetings/{a.ongoing.id}/check-in")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'src="/static/checkin.js"' in html and "<script>" not in html
    state = client.get(f"/teaching/meetings/{a.ongoing.id}/check-in/status").get_json()
    assert state["open"] and state["checked_in"] == []
    assert checkin.code_matches(a.ongoing.id, state["code"], utcnow())
    assert state["url"] == f"http://lms.test/me/check-in?code={state['code']}"
    expected_qr = segno.make(state["url"], error="m").svg_data_uri(scale=6, border=2)
    assert state["qr"] == expected_qr

    check_in(a.ongoing, a.enrollments[1], state["code"])
    db.session.commit()
    state = client.get(f"/teaching/meetings/{a.ongoing.id}/check-in/status").get_json()
    assert [p["name"] for p in state["checked_in"]] == [a.participants[1].full_name]
    assert state["checked_in"][0]["late"] is True
    assert state["roster_size"] == 2

    closed = client.get(f"/teaching/meetings/{a.tomorrow.id}/check-in/status").get_json()
    assert closed["open"] is False and closed["code"] == "" and closed["qr"] == ""


def test_check_in_pages_are_for_the_right_people(client, auth, world):
    a, b = world.a, world.b
    auth.login(b.lecturer)
    assert client.get(f"/teaching/meetings/{a.ongoing.id}/check-in").status_code == 404
    assert client.get(f"/teaching/meetings/{a.ongoing.id}/check-in/status").status_code == 404
    auth.logout()
    auth.login(a.participants[0])
    assert client.get(f"/teaching/meetings/{a.ongoing.id}/check-in").status_code == 403
    auth.logout()
    assert client.get("/me/check-in").status_code == 302
