"""The demo's feeds, as calendar programs see them: every role's and the company's feed
parses, a moved and a cancelled meeting show after a refresh, the token rotates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from lms.accounts.operations import get_user_by_email
from lms.demo import seed_demo
from lms.extensions import db
from lms.ical.feeds import feed_cache
from lms.ical.operations import issue_personal_feed
from lms.schedule.models import Meeting
from lms.schedule.operations import cancel_meeting, update_meeting
from tests.factories import feed_events, issue_feed_url


def test_demo_feeds_survive_a_move_a_cancellation_and_a_rotation(client, app, course_dir):
    now = datetime.now(UTC)  # the demo is dated around the day it is seeded
    result = seed_demo(course_dir, now=now)
    logins = dict(result.logins)
    participant = get_user_by_email(logins["participant"])
    [enrollment] = participant.enrollments
    cohort = enrollment.cohort  # the running cohort (the demo has a finished one too)
    meetings = db.session.scalars(
        sa.select(Meeting).where(Meeting.cohort_id == cohort.id).order_by(Meeting.starts_at)
    ).all()
    urls = {role: issue_feed_url(get_user_by_email(email)) for role, email in logins.items()}
    urls["company feed"] = issue_feed_url(cohort=cohort, by=get_user_by_email(
        logins["coordinator"]))
    db.session.commit()
    feed_cache.clear()

    seen = {}
    for role, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, role
        seen[role] = feed_events(response.data)
    every_uid = {m.ical_uid for m in meetings}
    for role in ("coordinator", "participant", "company contact", "company feed"):
        assert every_uid <= set(seen[role]), role  # the whole course window
    lecturer = get_user_by_email(logins["lecturer"])
    taught = {m.ical_uid for m in db.session.scalars(sa.select(Meeting)) if lecturer in m.lecturers}
    assert taught and set(seen["lecturer"]) == taught  # across all cohorts they teach
    participant_feed = client.get(urls["participant"]).get_data(as_text=True)
    for other in cohort.enrollments:
        if other.user_id != participant.id:
            assert other.user.last_name not in participant_feed

    future = [m for m in meetings if m.starts_at > now]
    moved, cancelled = future[0], future[1]
    update_meeting(moved, starts_at=moved.starts_at + timedelta(days=7),
                   ends_at=moved.ends_at + timedelta(days=7))
    cancel_meeting(cancelled, "Dozent erkrankt")
    db.session.commit()
    for role in ("participant", "company feed"):
        after = feed_events(client.get(urls[role]).data)
        assert after[moved.ical_uid]["start"] == moved.starts_at
        assert after[moved.ical_uid]["sequence"] == seen[role][moved.ical_uid]["sequence"] + 1
        assert after[cancelled.ical_uid]["status"] == "CANCELLED"
        assert set(after) == set(seen[role])

    _feed, token = issue_personal_feed(participant)
    db.session.commit()
    assert client.get(urls["participant"]).status_code == 404
    rotated = client.get(f"/calendar/feed/{token}.ics")
    assert rotated.status_code == 200
    assert set(feed_events(rotated.data)) == set(seen["participant"])
