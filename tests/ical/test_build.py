"""The builder and the token operations, without HTTP."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale

from lms.accounts.models import Role
from lms.audit.models import AuditEvent
from lms.cohorts.operations import create_cohort, create_company
from lms.extensions import db
from lms.ical.build import Person, build_feed, build_meeting_ics
from lms.ical.feeds import feed_etag
from lms.ical.models import CalendarFeed, FeedScope
from lms.ical.operations import (
    issue_cohort_feed,
    issue_personal_feed,
    revoke_cohort_feed,
    revoke_personal_feed,
)
from lms.ical.queries import load_meeting_rows, load_single_meeting
from lms.ical.version import find_feed_state
from lms.schedule.models import Meeting
from tests.factories import (
    berlin,
    enroll,
    make_cohort,
    make_meeting,
    make_user,
    parse_calendar,
)


def test_same_data_gives_the_same_bytes(course):
    cohort = make_cohort(course)
    for day in (4, 11, 18):
        make_meeting(cohort, berlin(2026, 12, day))
    db.session.commit()
    rows = load_meeting_rows(Meeting.cohort_id == cohort.id)

    def build() -> bytes:
        with force_locale("de"):
            return build_feed(rows, [], name="Kalender", timezone="Europe/Berlin",
                              base_url="https://lms.example.org", english=False)

    assert build() == build()  # no "now", nothing random: strong ETags, equal workers


def test_each_time_zone_gets_a_short_vtimezone_before_the_events(course):
    berlin_cohort = make_cohort(course)
    company = create_company("Harbor Inc.")
    new_york = create_cohort(course, company, "Harbor 2026", berlin_cohort.starts_on,
                             berlin_cohort.ends_on, timezone="America/New_York")
    lecturer = make_user(Role.LECTURER)
    make_meeting(berlin_cohort, berlin(2026, 10, 16), lecturers=(lecturer,))
    make_meeting(berlin_cohort, berlin(2027, 2, 5), lecturers=(lecturer,))
    make_meeting(new_york, berlin(2026, 11, 3, 15), lecturers=(lecturer,))
    db.session.commit()

    rows = load_meeting_rows(Meeting.id.in_(db.select(Meeting.id)))
    with force_locale("en"):
        data = build_feed(rows, [], name="Teaching", timezone="Europe/Berlin",
                          base_url="https://lms.example.org", english=True)
    ical, vcal = parse_calendar(data)
    zones = {str(z["TZID"]): z for z in ical.walk("VTIMEZONE")}
    assert set(zones) == {"Europe/Berlin", "America/New_York"}
    assert data.rindex(b"END:VTIMEZONE") < data.index(b"BEGIN:VEVENT")
    ny_starts = [c.decoded("DTSTART") for c in zones["America/New_York"].subcomponents]
    # New York's zone covers its one meeting (and its change on 1 Nov), not decades
    assert all(date(2026, 10, 31) <= s.date() <= date(2026, 11, 5) for s in ny_starts)
    assert len(zones["Europe/Berlin"].subcomponents) <= 3
    new_york_event = next(e for e in vcal.vevent_list
                          if e.dtstart.params.get("X-VOBJ-ORIGINAL-TZID") == ["America/New_York"]
                          or "New_York" in str(e.dtstart.value.tzinfo))
    assert new_york_event.dtstart.value.astimezone(UTC) == datetime(2026, 11, 3, 14,
                                                                    tzinfo=UTC)
    assert new_york_event.dtstart.value.hour == 9  # 09:00 in New York (EST)


def test_change_notice_file_names_only_the_recipient(course):
    cohort = make_cohort(course)
    meeting = make_meeting(cohort, berlin(2026, 12, 4))
    db.session.commit()
    row = load_single_meeting(meeting.id)
    with force_locale("de"):
        data = build_meeting_ics(
            row, base_url="https://lms.example.org", english=False, method="REQUEST",
            organizer=Person("TH Köln Weiterbildung", "weiterbildung@th-koeln.example"),
            attendee=Person("Jürgen Müller", "juergen@example.org"),
        )
    ical, vcal = parse_calendar(data)
    event = ical.walk("VEVENT")[0]
    assert str(event["ORGANIZER"]) == "mailto:weiterbildung@th-koeln.example"
    assert str(event["ATTENDEE"]) == "mailto:juergen@example.org"
    assert event["ATTENDEE"].params["CN"] == "Jürgen Müller"
    assert vcal.vevent.attendee.value == "mailto:juergen@example.org"
    with pytest.raises(ValueError, match="METHOD"):
        build_meeting_ics(row, base_url="https://x", english=False, method="REPLY")


def test_issuing_stores_only_a_hash_and_rotation_revokes_the_old_one(course):
    user = make_user(Role.PARTICIPANT)
    enroll(make_cohort(course), user)
    first, token = issue_personal_feed(user)
    assert len(token) >= 43  # 32 random bytes = 256 bits
    assert first.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert first.scope == FeedScope.PERSONAL and first.created_by_id == user.id
    second, other = issue_personal_feed(user)
    assert other != token
    assert first.revoked_at is not None and second.revoked_at is None
    assert revoke_personal_feed(user) == 1 and second.revoked_at is not None
    assert revoke_personal_feed(user) == 0
    actions = db.session.scalars(db.select(AuditEvent.action).where(
        AuditEvent.object_type == "calendar_feed").order_by(AuditEvent.id)).all()
    assert actions == ["calendar_feed.created", "calendar_feed.rotated", "calendar_feed.revoked"]
    for event in db.session.scalars(db.select(AuditEvent)):
        assert token not in str(event.before) + str(event.after)


def test_cohort_feed_operations(course):
    cohort = make_cohort(course)
    coordinator = make_user(Role.COORDINATOR)
    feed, token = issue_cohort_feed(cohort, by=coordinator)
    db.session.commit()
    assert feed.cohort_id == cohort.id and feed.user_id is None
    assert feed.created_by_id == coordinator.id
    assert find_feed_state(token, "de").cohort_id == cohort.id
    assert revoke_cohort_feed(cohort, by=coordinator) == 1
    db.session.commit()
    assert find_feed_state(token, "de") is None
    assert db.session.scalar(db.select(db.func.count()).select_from(CalendarFeed)) == 1


def test_etag_follows_the_data_version(course, app):
    cohort = make_cohort(course)
    user = make_user(Role.PARTICIPANT)
    enroll(cohort, user)
    meeting = make_meeting(cohort, berlin(2026, 12, 4))
    _feed, token = issue_personal_feed(user)
    db.session.commit()
    base = app.config["LMS_BASE_URL"]
    first = feed_etag(find_feed_state(token, "de"), base)
    assert feed_etag(find_feed_state(token, "de"), base) == first
    meeting.location = "Raum 9"
    db.session.commit()
    assert feed_etag(find_feed_state(token, "de"), base) != first
