"""Moving and cancelling meetings keeps the UID and raises SEQUENCE."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from lms.accounts.models import Role
from lms.audit.models import AuditEvent
from lms.extensions import db
from lms.schedule.models import MeetingStatus
from lms.schedule.operations import ScheduleError, cancel_meeting, update_meeting
from tests.factories import berlin, load_test_course, make_cohort, make_meeting, make_user


@pytest.fixture
def meeting(app, course_dir):
    cohort = make_cohort(load_test_course(course_dir))
    meeting = make_meeting(cohort, berlin(2026, 10, 16, 9))
    db.session.commit()
    return meeting


def test_moving_keeps_uid_and_raises_sequence(meeting):
    uid, sequence = meeting.ical_uid, meeting.ical_sequence
    change = update_meeting(meeting, starts_at=berlin(2026, 10, 23, 9),
                            ends_at=berlin(2026, 10, 23, 12, 30))
    assert change.moved and not change.cancelled
    assert meeting.ical_uid == uid and meeting.ical_sequence == sequence + 1
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "meeting.moved"))
    assert event.before["starts_at"].startswith("2026-10-16T07:00")
    assert event.after["starts_at"].startswith("2026-10-23T07:00")


def test_changing_only_the_title_keeps_the_sequence(meeting):
    update_meeting(meeting, title="Auftakt")
    assert meeting.ical_sequence == 0


def test_assigning_lecturers_is_recorded(meeting):
    lecturer = make_user(Role.LECTURER)
    before = meeting.updated_at
    update_meeting(meeting, lecturers=[lecturer])
    assert meeting.lecturers == [lecturer] and meeting.updated_at > before
    assert db.session.scalar(sa.select(AuditEvent.after).where(
        AuditEvent.action == "meeting.updated"))["lecturers"] == [lecturer.email]


def test_participant_cannot_be_assigned_as_lecturer(meeting):
    with pytest.raises(ScheduleError) as caught:
        update_meeting(meeting, lecturers=[make_user(Role.PARTICIPANT)])
    with force_locale("en"):
        assert "is not a lecturer" in str(caught.value.message)


def test_moving_to_an_end_before_the_start_is_refused(meeting):
    with pytest.raises(ScheduleError):
        update_meeting(meeting, ends_at=meeting.starts_at - timedelta(hours=1))


def test_cancelled_meeting_stays_with_status_and_higher_sequence(meeting):
    change = cancel_meeting(meeting, "Dozentin erkrankt")
    db.session.commit()
    assert change.cancelled
    assert meeting.status == MeetingStatus.CANCELLED and meeting.ical_sequence == 1
    assert meeting.cancelled_reason == "Dozentin erkrankt"
    with pytest.raises(ScheduleError) as caught:
        cancel_meeting(meeting)
    with force_locale("en"):
        assert "already cancelled" in str(caught.value.message)
