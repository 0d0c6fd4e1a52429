"""Each of issue 13's pages costs the same whatever the number of its rows, counted (not
timed): the same SQL statements, ORM objects, Babel locale look-ups and Babel formatting
calls for a short and for a long roster or schedule."""

from __future__ import annotations

from datetime import timedelta

from lms.accounts.models import Role
from lms.extensions import db
from tests.factories import enroll, make_meeting, make_user
from tests.helpers import build_world, login
from tests.web.budget import count_get


def test_the_attendance_page_costs_the_same_for_3_and_for_12_participants(app, client,
                                                                         course_dir):
    world = build_world(course_dir, participants=3)
    a = world.a
    path = f"/teaching/meetings/{a.ongoing.id}/attendance"
    login(client, a.lecturer)
    small = count_get(client, path)
    for n in range(9):
        enroll(a.cohort, make_user(Role.PARTICIPANT, first=f"Mehr{n}", last=f"Name{n:03d}"))
    db.session.commit()
    large = count_get(client, path)
    assert "marks-11-status" in client.get(path).get_data(as_text=True)  # 12 rows shown
    assert large == small
    assert small["ORM objects loaded"] <= 6, small  # the user, the meeting, its cohort…
    assert small["Babel locale look-ups"] <= 1, small  # the request's language, once
    assert small["Babel date formatting"] == 0, small  # (the readings of the first request)


def test_the_start_page_costs_the_same_for_5_and_for_45_meetings(app, client, course_dir):
    world = build_world(course_dir, participants=2)
    a = world.a
    participant = a.participants[0]
    login(client, participant)
    small = count_get(client, "/me/")
    start = a.final.starts_at
    for week in range(1, 41):
        make_meeting(a.cohort, start + timedelta(weeks=week), module_number=1 + week % 9,
                     lecturers=(a.lecturer,))
    db.session.commit()
    large = count_get(client, "/me/")
    assert large == small, (small, large)
    # the whole schedule is its own page, and shows every meeting
    page = client.get("/me/schedule").get_data(as_text=True)
    assert page.count('<li class="meeting') == 45


def test_the_matrix_rendered_anew_costs_the_same_for_3_and_for_12_participants(
        app, client, course_dir):
    from lms.web.coordinator.matrix import fragments

    world = build_world(course_dir, participants=3)
    a = world.a
    for meeting in (a.closed, a.recent, a.ongoing):
        for enrollment in a.enrollments:
            _mark(world, meeting, enrollment)
    db.session.commit()
    path = f"/coordination/cohorts/{a.cohort.id}/attendance"
    login(client, world.coordinator)

    def anew():
        fragments.clear()
        return count_get(client, path, before_each=fragments.clear)

    small = anew()
    for n in range(9):
        enrollment = enroll(a.cohort, make_user(Role.PARTICIPANT, first=f"Mehr{n}",
                                                last=f"Name{n:03d}"))
        for meeting in (a.closed, a.recent, a.ongoing):
            _mark(world, meeting, enrollment)
    db.session.commit()
    large = anew()
    assert client.get(path).get_data(as_text=True).count('<td class="att-cell') == 12 * 5
    assert large == small, (small, large)
    assert small["ORM objects loaded"] <= 3, small  # the user and the cohort
    assert small["Babel locale look-ups"] <= 1, small


def _mark(world, meeting, enrollment):
    from lms.attendance.models import AttendanceStatus
    from lms.attendance.operations import record_attendance

    record_attendance(meeting, enrollment, AttendanceStatus.PRESENT, by=world.a.lecturer)
