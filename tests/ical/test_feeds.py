"""Subscription feeds over HTTP: what each feed holds, parsed with two independent
parsers, through moves, cancellations, daylight saving and token rotation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from lms.accounts.models import Role
from lms.extensions import db
from lms.ical.feeds import feed_cache, recent_answers
from lms.ical.freshness import EXTENSION
from lms.ical.operations import issue_personal_feed, revoke_personal_feed
from lms.schedule.operations import cancel_meeting, update_meeting
from tests.factories import (
    berlin,
    enroll,
    feed_events,
    issue_feed_url,
    make_cohort,
    make_meeting,
    make_user,
    parse_calendar,
    set_due_date,
)
from tests.sql import statements_for_get


def test_feed_is_a_calendar_that_two_parsers_read(client, course):
    cohort = make_cohort(course, name="Nordlicht 2026")
    lecturer = make_user(Role.LECTURER, first="Katharina", last="Berger")
    participant = make_user(Role.PARTICIPANT)
    enroll(cohort, participant)
    past = make_meeting(cohort, berlin(2026, 10, 16), lecturers=(lecturer,))
    # far beyond "the next 60 days": the whole course window is in the feed
    late = make_meeting(cohort, berlin(2027, 3, 26), module_number=2)
    url = issue_feed_url(participant)
    db.session.commit()

    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["ETag"].startswith('"')
    assert response.headers["Last-Modified"]
    assert "private" in response.headers["Cache-Control"]

    found = feed_events(response.data)
    assert set(found) == {past.ical_uid, late.ical_uid}
    first = found[past.ical_uid]
    assert first["summary"] == "1. Social-Media-Strategie und Ziele – Social Media Manager*in"
    assert "Katharina Berger" in first["description"]
    assert f"http://lms.test/meetings/{past.id}" in first["description"]
    assert first["tzid"] == "Europe/Berlin"

    calendar, _vobj = parse_calendar(response.data)
    assert str(calendar["NAME"]) == str(calendar["X-WR-CALNAME"]) == (
        "Social Media Manager*in – Nordlicht 2026")
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Berlin"
    assert calendar["REFRESH-INTERVAL"].dt == timedelta(hours=1)
    assert b"X-PUBLISHED-TTL:PT1H" in response.data
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H" in response.data
    assert str(calendar["METHOD"]) == "PUBLISH"
    # the time zone comes before the events, and only covers the feed's dates
    assert response.data.index(b"BEGIN:VTIMEZONE") < response.data.index(b"BEGIN:VEVENT")
    [zone] = calendar.walk("VTIMEZONE")
    starts = [c.decoded("DTSTART") for c in zone.subcomponents]
    assert min(starts).date() >= date(2026, 10, 14)
    assert max(starts).date() <= date(2027, 3, 28)
    assert b"RRULE" not in response.data.split(b"END:VTIMEZONE")[0]

    head = client.head(url)
    assert head.status_code == 200 and head.headers["ETag"] == response.headers["ETag"]


def test_daylight_saving_keeps_local_time_and_moves_in_utc(client, course):
    cohort = make_cohort(course)
    participant = make_user(Role.PARTICIPANT)
    enroll(cohort, participant)
    days = [(2026, 10, 23), (2026, 10, 30), (2027, 3, 26), (2027, 4, 2)]
    meetings = [make_meeting(cohort, berlin(*day)) for day in days]
    url = issue_feed_url(participant)
    db.session.commit()

    found = feed_events(client.get(url).data)
    _ical, vcal = parse_calendar(client.get(url).data)
    by_uid = {e.uid.value: e for e in vcal.vevent_list}
    utc_hours = []
    for meeting in meetings:
        start = found[meeting.ical_uid]["start"]
        assert (start.hour, start.minute) == (9, 0)  # 09:00 Berlin, whatever the season
        # vobject reads the time zone from the feed's own VTIMEZONE, not from a database
        mirrored = by_uid[meeting.ical_uid].dtstart.value
        assert (mirrored.hour, mirrored.minute) == (9, 0)
        assert mirrored.astimezone(UTC) == start.astimezone(UTC)
        utc_hours.append(start.astimezone(UTC).hour)
    # summer time (UTC+2) before 25 Oct and after 28 Mar; winter time (UTC+1) in between
    assert utc_hours == [7, 8, 8, 7]


def test_moved_meeting_keeps_uid_and_raises_sequence(client, course):
    cohort = make_cohort(course)
    participant = make_user(Role.PARTICIPANT)
    enroll(cohort, participant)
    moved = make_meeting(cohort, berlin(2026, 12, 4))
    other = make_meeting(cohort, berlin(2026, 12, 11))
    url = issue_feed_url(participant)
    db.session.commit()
    created_stamp = moved.updated_at.replace(microsecond=0)
    before = feed_events(client.get(url).data)
    again = feed_events(client.get(url).data)
    assert again == before  # DTSTAMP and everything else stable while nothing changes
    assert before[moved.ical_uid]["dtstamp"] == created_stamp

    update_meeting(moved, starts_at=berlin(2026, 12, 5, 10), ends_at=berlin(2026, 12, 5, 14),
                   location="Raum 2.14")
    db.session.commit()
    after = feed_events(client.get(url).data)

    assert set(after) == set(before)  # same UID: calendars replace, they do not add
    assert after[moved.ical_uid]["sequence"] == before[moved.ical_uid]["sequence"] + 1
    assert after[moved.ical_uid]["start"] == berlin(2026, 12, 5, 10)
    # DTSTAMP (= LAST-MODIFIED in a published feed) is the meeting's last change
    assert after[moved.ical_uid]["dtstamp"] == moved.updated_at.replace(microsecond=0)
    assert after[other.ical_uid] == before[other.ical_uid]


def test_cancelled_meeting_stays_with_status_cancelled(client, course):
    cohort = make_cohort(course)
    participant = make_user(Role.PARTICIPANT)
    enroll(cohort, participant)
    meeting = make_meeting(cohort, berlin(2026, 12, 4))
    url = issue_feed_url(participant)
    db.session.commit()
    before = feed_events(client.get(url).data)[meeting.ical_uid]
    assert before["status"] == "CONFIRMED"

    cancel_meeting(meeting, "Dozentin erkrankt")
    db.session.commit()
    after = feed_events(client.get(url).data)[meeting.ical_uid]
    assert after["status"] == "CANCELLED"
    assert after["sequence"] == before["sequence"] + 1
    assert after["summary"].startswith("Abgesagt: ")
    assert "Dozentin erkrankt" in after["description"]


def test_conditional_requests(client, course):
    cohort = make_cohort(course)
    participant = make_user(Role.PARTICIPANT)
    enroll(cohort, participant)
    meeting = make_meeting(cohort, berlin(2026, 12, 4))
    url = issue_feed_url(participant)
    db.session.commit()
    first = client.get(url)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert client.get(url).headers["ETag"] == etag  # stable while the data is

    def status(**headers):
        return client.get(url, headers=headers).status_code

    assert status(**{"If-None-Match": etag}) == 304
    assert status(**{"If-None-Match": f'"other", {etag}'}) == 304
    assert status(**{"If-Modified-Since": modified}) == 304
    assert status(**{"If-None-Match": '"stale"'}) == 200
    assert status(**{"If-None-Match": "not an etag"}) == 200
    assert status(**{"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}) == 200
    assert status(**{"If-Modified-Since": "yesterday-ish"}) == 200
    future = (datetime.now(UTC) + timedelta(days=3)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert status(**{"If-Modified-Since": future}) == 200  # a wrong clock is no validator
    # If-None-Match wins over If-Modified-Since
    assert status(**{"If-None-Match": '"stale"', "If-Modified-Since": modified}) == 200
    not_modified = client.get(url, headers={"If-None-Match": etag})
    assert not_modified.data == b"" and not_modified.headers["ETag"] == etag

    update_meeting(meeting, location="Raum 3.01")
    db.session.commit()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert b"Raum 3.01" in changed.data


def test_unchanged_feed_is_never_rebuilt(client, course):
    cohort = make_cohort(course)
    participant = make_user(Role.PARTICIPANT)
    enroll(cohort, participant)
    meeting = make_meeting(cohort, berlin(2026, 12, 4))
    url = issue_feed_url(participant)
    db.session.commit()
    first = client.get(url).data
    assert feed_cache.builds == 1
    for _ in range(3):
        assert client.get(url).data == first
    assert feed_cache.builds == 1 and feed_cache.hits + recent_answers.hits == 3

    cancel_meeting(meeting)
    db.session.commit()
    client.get(url)
    assert feed_cache.builds == 2


def test_revoked_rotated_unknown_and_malformed_tokens_answer_404(client, course):
    participant = make_user(Role.PARTICIPANT)
    enroll(make_cohort(course), participant)
    old_feed, old_token = issue_personal_feed(participant)
    db.session.commit()
    old_url = f"/calendar/feed/{old_token}.ics"
    assert client.get(old_url).data.startswith(b"BEGIN:VCALENDAR")

    _new_feed, new_token = issue_personal_feed(participant)  # rotation
    db.session.commit()
    assert client.get(old_url).status_code == 404
    new_url = f"/calendar/feed/{new_token}.ics"
    assert client.get(new_url).data.startswith(b"BEGIN:VCALENDAR")

    revoke_personal_feed(participant)
    db.session.commit()
    assert client.get(new_url).status_code == 404
    assert client.get("/calendar/feed/" + "A" * 43 + ".ics").status_code == 404
    assert client.get("/calendar/feed/short.ics").status_code == 404
    assert client.get("/calendar/feed/" + "ä" * 43 + ".ics").status_code == 404
    assert len(old_token) >= 43  # at least 256 bits, url-safe base64
    assert old_token not in old_feed.token_hash and len(old_feed.token_hash) == 64


def test_deactivated_owner_feed_answers_404(client, course):
    participant = make_user(Role.PARTICIPANT)
    enroll(make_cohort(course), participant)
    url = issue_feed_url(participant)
    db.session.commit()
    participant.is_active_account = False
    db.session.commit()
    assert client.get(url).status_code == 404


def redis_in_use(app) -> bool:
    return EXTENSION in app.extensions


def test_feed_request_runs_the_same_queries_for_10_and_100_meetings(app, client, course):
    cohort = make_cohort(course)
    participant = make_user(Role.PARTICIPANT)
    enroll(cohort, participant)
    lecturers = [make_user(Role.LECTURER) for _ in range(3)]
    start = berlin(2026, 10, 2)

    def add(count: int, offset: int) -> None:
        for n in range(offset, offset + count):
            make_meeting(cohort, start + timedelta(days=n), module_number=1 + n % 3,
                         lecturers=(lecturers[n % 3],))

    add(10, 0)
    set_due_date(cohort)
    url = issue_feed_url(participant)
    db.session.commit()
    feed_cache.clear()
    cold_10 = statements_for_get(client, url)
    warm_10 = statements_for_get(client, url)

    add(90, 10)
    db.session.commit()
    feed_cache.clear()
    cold_100 = statements_for_get(client, url)
    warm_100 = statements_for_get(client, url)
    assert len(feed_events(client.get(url).data)) == 101  # 100 meetings and a deadline
    assert cold_10 == cold_100
    # The unchanged feed: no SQL while the shared generation is unchanged (Redis), else
    # one statement (the version); never a rebuild.
    assert warm_10 == warm_100 == (0 if redis_in_use(app) else 1)
