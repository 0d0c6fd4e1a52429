"""The lecturer's day and marking a whole roster with one submit."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.attendance.models import (
    AbsenceNotice,
    Attendance,
    AttendanceSource,
    AttendanceStatus,
)
from lms.attendance.operations import (
    AttendanceError,
    Mark,
    RosterEntry,
    record_attendance,
    save_roster,
)
from lms.audit.models import AuditEvent
from lms.extensions import db
from tests.forms import form_fields, row_index
from tests.helpers import build_world, text_of


@pytest.fixture
def world(app, course_dir):
    return build_world(course_dir, participants=3)


def marks_of(meeting) -> dict[int, Attendance]:
    db.session.expire_all()
    return {m.enrollment_id: m for m in db.session.scalars(
        sa.select(Attendance).where(Attendance.meeting_id == meeting.id))}


def page_url(meeting, coordinator=False) -> str:
    return f"/{'coordination' if coordinator else 'teaching'}/meetings/{meeting.id}/attendance"


# --------------------------------------------------------------------------- the day


def test_my_meetings_today_first_then_upcoming_then_incomplete_past(client, auth, world):
    a = world.a
    record_attendance(a.closed, a.enrollments[0], AttendanceStatus.PRESENT)
    for enrollment in a.enrollments:  # the meeting three days ago is complete
        record_attendance(a.recent, enrollment, AttendanceStatus.PRESENT)
    db.session.commit()
    auth.login(a.lecturer)
    html = client.get("/teaching/").get_data(as_text=True)
    today, upcoming, incomplete, earlier = (html.index(h) for h in (
        "Today", "Upcoming", "Attendance to complete", "Earlier meetings"))
    assert today < upcoming < incomplete < earlier
    ongoing = html.index(page_url(a.ongoing))
    tomorrow = html.index(page_url(a.tomorrow))
    closed = html.index(page_url(a.closed))
    recent = html.index(page_url(a.recent))
    assert today < ongoing < upcoming < tomorrow < incomplete < closed < earlier < recent
    assert "1 of 3 marked" in text_of(client.get("/teaching/"))
    assert world.b.cohort.name not in html  # only the cohorts they teach


# --------------------------------------------------------------------------- one submit


def test_page_marks_everyone_present_by_default_with_one_tap_per_exception(client, auth, world):
    a = world.a
    auth.login(a.lecturer)
    page = client.get(page_url(a.ongoing))
    assert page.status_code == 200
    fields = form_fields(page.get_data(as_text=True))
    statuses = [v for k, v in fields.items() if k.endswith("-status")]
    assert statuses == ["present"] * 3
    html = page.get_data(as_text=True)
    assert html.count('type="radio"') == 4 * 3  # four choices per participant
    assert "<script" not in html and "style=" not in html

    late, absent = row_index(fields, a.enrollments[1]), row_index(fields, a.enrollments[2])
    fields[f"{late}-status"] = "late"
    fields[f"{late}-minutes_missed"] = "30"
    fields[f"{late}-note"] = "Zug verspätet"
    fields[f"{absent}-status"] = "absent"
    response = client.post(page_url(a.ongoing), data=fields)
    assert response.status_code == 302
    marks = marks_of(a.ongoing)
    assert len(marks) == 3
    assert marks[a.enrollments[0].id].status == AttendanceStatus.PRESENT
    assert marks[a.enrollments[1].id].status == AttendanceStatus.LATE
    assert marks[a.enrollments[1].id].minutes_attended == a.ongoing.duration_minutes - 30
    assert marks[a.enrollments[1].id].note == "Zug verspätet"
    assert marks[a.enrollments[2].id].status == AttendanceStatus.ABSENT
    assert all(m.source == AttendanceSource.LECTURER for m in marks.values())
    assert {m.recorded_by_id for m in marks.values()} == {a.lecturer.id}


def test_saving_again_updates_and_keeps_one_row_each(client, auth, world):
    a = world.a
    auth.login(a.lecturer)
    client.post(page_url(a.ongoing), data=form_fields(client.get(page_url(a.ongoing)).get_data(
        as_text=True)))
    fields = form_fields(client.get(page_url(a.ongoing)).get_data(as_text=True))
    row = row_index(fields, a.enrollments[0])
    assert fields[f"{row}-status"] == "present"
    fields[f"{row}-status"] = "excused"
    assert client.post(page_url(a.ongoing), data=fields).status_code == 302
    marks = marks_of(a.ongoing)
    assert len(marks) == 3
    assert marks[a.enrollments[0].id].status == AttendanceStatus.EXCUSED
    # The page shows what was saved.
    fields = form_fields(client.get(page_url(a.ongoing)).get_data(as_text=True))
    assert fields[f"{row_index(fields, a.enrollments[0])}-status"] == "excused"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attendance)) == 3


def test_late_without_minutes_is_a_row_error_and_nothing_is_saved(client, auth, world):
    a = world.a
    auth.login(a.lecturer)
    fields = form_fields(client.get(page_url(a.ongoing)).get_data(as_text=True))
    row = row_index(fields, a.enrollments[1])
    fields[f"{row}-status"] = "late"
    response = client.post(page_url(a.ongoing), data=fields)
    assert response.status_code == 200
    assert "How many minutes were missed?" in text_of(response)
    fields[f"{row}-minutes_missed"] = str(a.ongoing.duration_minutes + 1)
    response = client.post(page_url(a.ongoing), data=fields)
    assert "At most" in text_of(response)
    assert marks_of(a.ongoing) == {}


def test_unknown_status_or_foreign_enrollment_is_refused(client, auth, world):
    a, b = world.a, world.b
    auth.login(a.lecturer)
    fields = form_fields(client.get(page_url(a.ongoing)).get_data(as_text=True))
    row = row_index(fields, a.enrollments[0])
    assert client.post(page_url(a.ongoing), data={**fields, f"{row}-status": "bogus"}
                       ).status_code == 200
    fields[f"{row}-enrollment_id"] = str(b.enrollments[0].id)
    response = client.post(page_url(a.ongoing), data=fields)
    assert response.status_code == 200
    assert marks_of(a.ongoing) == {}


def test_every_change_is_audited_with_before_and_after(world):
    a = world.a
    save_roster(a.ongoing, [RosterEntry(a.enrollments[0].id, Mark(AttendanceStatus.PRESENT),
                                        changed=False)], by=a.lecturer)
    save_roster(a.ongoing, [RosterEntry(a.enrollments[0].id, Mark(AttendanceStatus.ABSENT),
                                        changed=True)], by=a.lecturer)
    events = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "attendance.recorded").order_by(AuditEvent.id)).all()
    assert events[0].before is None
    assert events[0].after["status"] == "present"
    assert events[1].before["status"] == "present" and events[1].after["status"] == "absent"
    assert all(e.actor_id == a.lecturer.id and e.cohort_id == a.cohort.id for e in events)


def test_unchanged_rows_never_undo_what_another_lecturer_saved(world):
    """Two lecturers load the same unmarked roster; each changes one row and saves. In
    either order, both changes survive (the rows they left alone only fill gaps)."""
    a = world.a
    first, second, third = (e.id for e in a.enrollments)
    present = Mark(AttendanceStatus.PRESENT)
    mine = [RosterEntry(first, Mark(AttendanceStatus.LATE, 60), changed=True),
            RosterEntry(second, present, changed=False), RosterEntry(third, present, False)]
    theirs = [RosterEntry(first, present, changed=False),
              RosterEntry(second, Mark(AttendanceStatus.ABSENT), changed=True),
              RosterEntry(third, present, changed=False)]
    assert save_roster(a.ongoing, mine, by=a.lecturer) == 3
    assert save_roster(a.ongoing, theirs, by=world.coordinator, as_coordinator=True) == 1
    marks = marks_of(a.ongoing)
    assert marks[first].status == AttendanceStatus.LATE
    assert marks[second].status == AttendanceStatus.ABSENT
    assert marks[third].status == AttendanceStatus.PRESENT


# --------------------------------------------------------------------------- the window


def test_marking_opens_at_the_start(client, auth, world):
    a = world.a
    with pytest.raises(AttendanceError):
        save_roster(a.tomorrow, [RosterEntry(a.enrollments[0].id,
                                             Mark(AttendanceStatus.PRESENT), True)],
                    by=a.lecturer)
    auth.login(a.lecturer)
    page = client.get(page_url(a.tomorrow))
    assert page.status_code == 200
    assert "once the meeting has started" in text_of(page)
    fields = form_fields(page.get_data(as_text=True))
    client.post(page_url(a.tomorrow), data=fields)
    assert marks_of(a.tomorrow) == {}


def test_lecturers_mark_until_the_window_closes_then_only_the_coordinator(client, auth, world):
    a = world.a
    auth.login(a.lecturer)
    page = client.get(page_url(a.closed))
    assert "Please ask the coordination" in text_of(page)
    assert "disabled" in page.get_data(as_text=True)
    client.post(page_url(a.closed), data=form_fields(page.get_data(as_text=True)))
    assert marks_of(a.closed) == {}
    with pytest.raises(AttendanceError):
        save_roster(a.closed, [RosterEntry(a.enrollments[0].id,
                                           Mark(AttendanceStatus.PRESENT), True)],
                    by=a.lecturer)

    # The window is the cohort's: widen it, and the same meeting can be marked again.
    a.cohort.attendance_edit_days = 40
    db.session.commit()
    fields = form_fields(client.get(page_url(a.closed)).get_data(as_text=True))
    assert client.post(page_url(a.closed), data=fields).status_code == 302
    assert len(marks_of(a.closed)) == 3


def test_coordinator_corrects_after_the_window_only_with_a_reason(client, auth, world):
    a = world.a
    record_attendance(a.closed, a.enrollments[0], AttendanceStatus.ABSENT, by=a.lecturer)
    db.session.commit()
    auth.login(world.coordinator)
    page = client.get(page_url(a.closed, coordinator=True))
    assert page.status_code == 200
    assert "Changes need a reason" in text_of(page)
    fields = form_fields(page.get_data(as_text=True))
    row = row_index(fields, a.enrollments[0])
    fields[f"{row}-status"] = "present"
    response = client.post(page_url(a.closed, coordinator=True), data=fields)
    assert response.status_code == 200
    assert marks_of(a.closed)[a.enrollments[0].id].status == AttendanceStatus.ABSENT

    fields["reason"] = "Teilnahmeliste nachträglich geprüft: war anwesend."
    response = client.post(page_url(a.closed, coordinator=True), data=fields)
    assert response.status_code == 302
    mark = marks_of(a.closed)[a.enrollments[0].id]
    assert mark.status == AttendanceStatus.PRESENT and mark.source == AttendanceSource.COORDINATOR
    event = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "attendance.recorded", AuditEvent.actor_id == world.coordinator.id)
        .order_by(AuditEvent.id)).first()
    assert event.before["status"] == "absent" and event.after["status"] == "present"
    assert event.after["reason"].startswith("Teilnahmeliste")


def test_cancelled_meeting_cannot_be_marked(world):
    from lms.schedule.operations import cancel_meeting

    a = world.a
    cancel_meeting(a.ongoing, "Dozentin erkrankt")
    with pytest.raises(AttendanceError):
        save_roster(a.ongoing, [RosterEntry(a.enrollments[0].id,
                                            Mark(AttendanceStatus.PRESENT), True)],
                    by=world.coordinator, as_coordinator=True, reason="x")


def test_announced_absence_shows_on_the_page_and_presets_the_row(client, auth, world):
    a = world.a
    db.session.add(AbsenceNotice(meeting=a.ongoing, enrollment=a.enrollments[2],
                                 reason="Arzttermin", created_at=world.now - timedelta(days=2)))
    db.session.commit()
    auth.login(a.lecturer)
    page = client.get(page_url(a.ongoing))
    assert "Arzttermin" in text_of(page)
    fields = form_fields(page.get_data(as_text=True))
    assert fields[f"{row_index(fields, a.enrollments[2])}-status"] == "absent"
    assert fields[f"{row_index(fields, a.enrollments[0])}-status"] == "present"


def test_forms_carry_their_csrf_token(csrf_app, world):
    """With CSRF protection on (as in production): the page's own token is accepted, a
    post without it is refused and changes nothing."""
    from lms.attendance.absences import announce_absence

    a = world.a
    notice = announce_absence(a.tomorrow, a.enrollments[0], "Fortbildung")
    db.session.commit()
    client = csrf_app.test_client()
    page = client.get("/login").get_data(as_text=True)  # the login form needs its token too
    token = form_fields(page)["csrf_token"]
    client.post("/login", data={"email": a.lecturer.email, "password": "correct horse battery",
                                "csrf_token": token})
    fields = form_fields(client.get(page_url(a.ongoing)).get_data(as_text=True))
    assert fields["csrf_token"]
    without = {k: v for k, v in fields.items() if k != "csrf_token"}
    assert client.post(page_url(a.ongoing), data=without).status_code == 400
    assert marks_of(a.ongoing) == {}
    assert client.post(page_url(a.ongoing), data=fields).status_code == 302
    assert len(marks_of(a.ongoing)) == 3

    client.post("/logout", data={"csrf_token": fields["csrf_token"]})
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"email": world.coordinator.email,
                                "password": "correct horse battery",
                                "csrf_token": form_fields(page)["csrf_token"]})
    html = client.get(f"/coordination/cohorts/{a.cohort.id}/absences").get_data(as_text=True)
    decision = form_fields(html)
    assert f"n{notice.id}-csrf_token" in decision
    decision[f"n{notice.id}-decision"] = "excused"
    assert client.post(f"/coordination/absences/{notice.id}/decision",
                       data=decision).status_code == 302
    db.session.expire_all()
    assert notice.decision.value == "excused"
