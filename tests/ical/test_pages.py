"""Subscribing: the calendar pages of every role, the cohort feed a coordinator hands to
the company, and a single meeting's .ics download; who may use which."""

from __future__ import annotations

import re

import pytest

from lms.extensions import db
from lms.ical.models import CalendarFeed
from lms.schedule.operations import cancel_meeting
from tests.factories import (
    PASSWORD,
    make_user,
    parse_calendar,
)
from tests.helpers import build_two_companies

FEED_URL = re.compile(r'value="(https?://[^"]+/calendar/feed/([A-Za-z0-9_-]+)\.ics)"')


@pytest.fixture
def world(app, course_dir):
    """Two companies' cohorts, each with its people (tests.helpers), and an account
    without a role."""
    world = build_two_companies(course_dir)
    world["nobody"] = make_user()
    db.session.commit()
    return world


def shown_feed(page) -> tuple[str, str] | None:
    match = FEED_URL.search(page.get_data(as_text=True))
    return (match.group(1), match.group(2)) if match else None


def test_anonymous_is_sent_to_login_but_feeds_need_no_login(client, world):
    for path in ("/calendar/", f"/calendar/cohorts/{world['a']['cohort'].id}",
                 f"/calendar/meetings/{world['a']['meeting'].id}.ics"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    for path in ("/calendar/personal", f"/calendar/cohorts/{world['a']['cohort'].id}/issue"):
        assert client.post(path).status_code == 302
    assert db.session.query(CalendarFeed).count() == 0
    assert client.get("/calendar/feed/" + "x" * 43 + ".ics").status_code == 404


@pytest.mark.parametrize("who", ["participant", "lecturer", "contact", "coordinator"])
def test_every_role_creates_sees_once_rotates_and_revokes_its_feed(client, auth, world, who):
    user = world["coordinator"] if who == "coordinator" else world["a"][who]
    auth.login(user)
    page = client.get("/calendar/")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert shown_feed(page) is None

    page = client.post("/calendar/personal")  # shown in the answer itself, never stored
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    url, token = shown_feed(page)
    html = page.get_data(as_text=True)
    assert 'data-page-url="/calendar/"' in html  # a reload asks for the page, not the form
    assert url.startswith("http://lms.test/calendar/feed/")
    assert f'value="webcal://lms.test/calendar/feed/{token}.ics"' in html
    assert "calendar.google.com" in html and "outlook.office.com" in html
    assert 'data-copy="feed-https"' in html and "ical-subscribe.js" in html
    assert "<script>" not in html and "style=" not in html
    path = url.removeprefix("http://lms.test")
    assert client.get(path).data.startswith(b"BEGIN:VCALENDAR")

    # shown once only: the database keeps just the hash
    again = client.get("/calendar/")
    assert shown_feed(again) is None and token not in again.get_data(as_text=True)
    feed = db.session.scalars(db.select(CalendarFeed)).one()
    assert feed.user_id == user.id and token not in feed.token_hash

    # a new address: the old one answers 404
    new_url, new_token = shown_feed(client.post("/calendar/personal"))
    assert new_token != token
    assert client.get(path).status_code == 404
    new_path = new_url.removeprefix("http://lms.test")
    assert client.get(new_path).data.startswith(b"BEGIN:VCALENDAR")

    client.post("/calendar/personal/revoke")
    assert client.get(new_path).status_code == 404
    page = client.get("/calendar/")
    assert shown_feed(page) is None


def test_account_without_role_gets_403(client, auth, world):
    auth.login(world["nobody"])
    assert client.get("/calendar/").status_code == 403
    assert client.post("/calendar/personal").status_code == 403
    assert db.session.query(CalendarFeed).count() == 0


def test_navigation_and_meeting_page_link_to_calendars(client, auth, world):
    participant, meeting = world["a"]["participant"], world["a"]["meeting"]
    auth.login(participant)
    home = client.get("/me/").get_data(as_text=True)
    assert 'href="/calendar/"' in home
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert f'href="/calendar/meetings/{meeting.id}.ics"' in page


def test_coordinator_lists_cohorts_and_manages_a_cohort_feed(client, auth, world):
    cohort = world["a"]["cohort"]
    auth.login(world["coordinator"])
    overview = client.get("/calendar/").get_data(as_text=True)
    assert f'href="/calendar/cohorts/{cohort.id}"' in overview
    assert f'href="/calendar/cohorts/{world["b"]["cohort"].id}"' in overview

    page = client.get(f"/calendar/cohorts/{cohort.id}")
    assert page.status_code == 200 and shown_feed(page) is None
    url, _token = shown_feed(client.post(f"/calendar/cohorts/{cohort.id}/issue"))
    path = url.removeprefix("http://lms.test")
    response = client.get(path)
    assert response.status_code == 200
    _ical, vcal = parse_calendar(response.data)
    assert [e.uid.value for e in vcal.vevent_list] == [m.ical_uid for m in cohort.meetings]
    assert world["a"]["participant"].last_name not in response.get_data(as_text=True)
    assert shown_feed(client.get(f"/calendar/cohorts/{cohort.id}")) is None

    new_url, _token = shown_feed(client.post(f"/calendar/cohorts/{cohort.id}/issue"))
    assert client.get(path).status_code == 404  # rotated
    client.post(f"/calendar/cohorts/{cohort.id}/revoke")
    assert client.get(new_url.removeprefix("http://lms.test")).status_code == 404
    assert client.get("/calendar/cohorts/999999").status_code == 404
    assert client.post("/calendar/cohorts/999999/issue").status_code == 404


@pytest.mark.parametrize("who", ["participant", "lecturer", "contact"])
def test_cohort_feed_pages_are_for_coordinators_only(client, auth, world, who):
    cohort = world["a"]["cohort"]
    auth.login(world["a"][who])
    assert client.get(f"/calendar/cohorts/{cohort.id}").status_code == 403
    assert client.post(f"/calendar/cohorts/{cohort.id}/issue").status_code == 403
    assert client.post(f"/calendar/cohorts/{cohort.id}/revoke").status_code == 403
    assert db.session.query(CalendarFeed).count() == 0


@pytest.mark.parametrize(("who", "own", "other"), [
    ("participant", 200, 404), ("lecturer", 200, 404), ("contact", 200, 404),
])
def test_single_meeting_download_follows_meeting_visibility(client, auth, world, who, own, other):
    auth.login(world["a"][who])
    mine = client.get(f"/calendar/meetings/{world['a']['meeting'].id}.ics")
    assert mine.status_code == own
    assert client.get(f"/calendar/meetings/{world['b']['meeting'].id}.ics").status_code == other
    assert client.get("/calendar/meetings/999999.ics").status_code == 404
    assert mine.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert mine.headers["Content-Disposition"].startswith("attachment; filename=")
    assert mine.headers["Content-Disposition"].endswith('-2026-10-16.ics"')  # the meeting's day
    ical, vcal = parse_calendar(mine.data)
    [event] = ical.walk("VEVENT")
    assert str(event["UID"]) == world["a"]["meeting"].ical_uid
    assert vcal.vevent.uid.value == world["a"]["meeting"].ical_uid
    assert str(ical["METHOD"]) == "PUBLISH" and "X-WR-CALNAME" not in ical


def test_coordinator_downloads_any_meeting_even_cancelled(client, auth, world):
    meeting = world["b"]["meeting"]
    cancel_meeting(meeting, "Raum nicht verfügbar")
    db.session.commit()
    auth.login(world["coordinator"])
    response = client.get(f"/calendar/meetings/{meeting.id}.ics")
    assert response.status_code == 200
    ical, vcal = parse_calendar(response.data)
    assert str(ical.walk("VEVENT")[0]["STATUS"]) == "CANCELLED"
    assert vcal.vevent.status.value == "CANCELLED"


def test_forms_are_csrf_protected(csrf_app, world):
    client = csrf_app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    client.post("/login", data={"email": world["coordinator"].email, "password": PASSWORD,
                                "csrf_token": token})
    cohort = world["a"]["cohort"]
    assert client.post("/calendar/personal").status_code == 400
    assert client.post(f"/calendar/cohorts/{cohort.id}/issue").status_code == 400
    assert db.session.query(CalendarFeed).count() == 0

    page = client.get("/calendar/").get_data(as_text=True)
    form_token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    issued = client.post("/calendar/personal", data={"csrf_token": form_token})
    assert issued.status_code == 200 and shown_feed(issued) is not None
    assert db.session.query(CalendarFeed).count() == 1


def test_english_on_request(client, auth, world):
    participant = world["a"]["participant"]
    auth.login(participant)
    client.post("/language", data={"language": "en"})
    page = client.get("/calendar/").get_data(as_text=True)
    assert "Calendar subscription" in page and "How to subscribe" in page
    assert "Outlook" in page and "Google Calendar" in page and "Apple Calendar" in page
