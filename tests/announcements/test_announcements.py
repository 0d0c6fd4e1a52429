"""Announcements: the coordinator to a cohort, a lecturer to the cohorts they teach; on the
start page until they expire, by mail in each recipient's language, kept in a list; a
meeting's change of time or place announced from the meeting with the change notice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale

from lms.accounts.models import Locale
from lms.announcements.models import Announcement
from lms.announcements.operations import AnnouncementError, post_announcement
from lms.announcements.queries import current_announcements, list_announcements
from lms.db import utcnow
from lms.extensions import db
from tests.helpers import build_world, login, text_of


@pytest.fixture
def world(app, course_dir):
    return build_world(course_dir, participants=3)


def _url(world) -> str:
    return f"/coordination/cohorts/{world.a.cohort.id}/announcements"


def test_the_coordinator_posts_to_a_cohort_its_participants_see_it_and_get_it_by_mail(
        app, world, smtp_server):
    a = world.a
    a.participants[0].locale = Locale.DE
    db.session.commit()
    client = app.test_client()
    login(client, world.coordinator)
    shown_until = (utcnow() + timedelta(days=3)).date()
    response = client.post(_url(world), data={
        "title": "Raumänderung am Freitag", "body": "Wir treffen uns in Raum 2.114.",
        "shown_until": shown_until.isoformat()}, follow_redirects=True)
    assert "sent to 3 participants" in text_of(response)
    assert "Raumänderung am Freitag" in text_of(response)  # in the list
    by_address = {m["To"]: m for m in smtp_server.messages}
    assert set(by_address) == {p.email for p in a.participants}
    german = by_address[a.participants[0].email]
    english = by_address[a.participants[1].email]
    assert german["Subject"] == "Mitteilung: Raumänderung am Freitag"
    assert english["Subject"] == "Announcement: Raumänderung am Freitag"
    assert "Hallo" in german.get_body(("plain",)).get_content()
    assert "Wir treffen uns in Raum 2.114." in english.get_body(("plain",)).get_content()
    # another cohort's participant gets nothing and sees nothing
    assert world.b.participants[0].email not in by_address
    participant = app.test_client()
    login(participant, a.participants[1])
    assert "Raumänderung am Freitag" in text_of(participant.get("/me/"))
    other = app.test_client()
    login(other, world.b.participants[0])
    assert "Raumänderung" not in text_of(other.get("/me/"))
    assert "Raumänderung" not in text_of(other.get("/me/announcements"))


def test_an_expired_announcement_leaves_the_start_page_and_stays_in_the_list(app, world):
    now = utcnow()
    old = post_announcement(world.a.cohort, "Alt", "Schon vorbei.", now + timedelta(hours=1),
                            by=world.coordinator, now=now - timedelta(days=2))
    new = post_announcement(world.a.cohort, "Neu", "Noch aktuell.", now + timedelta(days=2),
                            by=world.coordinator, now=now)
    db.session.commit()
    later = now + timedelta(hours=2)
    assert current_announcements([world.a.cohort.id], later) == [new]
    assert list_announcements([world.a.cohort.id]) == [new, old]
    client = app.test_client()
    login(client, world.a.participants[0])
    listing = text_of(client.get("/me/announcements"))
    assert "Alt" in listing and "Neu" in listing


@pytest.mark.parametrize("title, body, days, words", [
    ("", "Text", 3, "a title"),
    ("   ", "Text", 3, "a title"),
    ("x" * 201, "Text", 3, "at most 200"),
    ("Titel", "", 3, "write the announcement"),
    ("Titel", "x" * 5001, 3, "at most 5000"),
    ("Titel", "Text", -1, "cannot be in the past"),
    ("Titel", "Text", 400, "a year at most"),
])
def test_wrong_announcements_are_refused(app, world, title, body, days, words):
    now = utcnow()
    with force_locale("en"), pytest.raises(AnnouncementError, match=words):
        post_announcement(world.a.cohort, title, body, now + timedelta(days=days),
                          by=world.coordinator, now=now)
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count()).select_from(Announcement)) == 0


def test_hostile_text_is_shown_as_text(app, world, smtp_server):
    client = app.test_client()
    login(client, world.coordinator)
    client.post(_url(world), data={"title": "<b>Titel</b>", "body": "<script>x()</script>",
                                   "shown_until": (utcnow() + timedelta(days=2)).date()})
    participant = app.test_client()
    login(participant, world.a.participants[0])
    html = participant.get("/me/").get_data(as_text=True)
    assert "<script>x()" not in html and "&lt;script&gt;x()&lt;/script&gt;" in html
    assert "&lt;b&gt;Titel&lt;/b&gt;" in html


def test_a_lecturer_announces_only_to_the_cohorts_they_teach(app, world, smtp_server):
    client = app.test_client()
    login(client, world.a.lecturer)
    page = client.get("/teaching/announcements")
    assert world.a.cohort.name in text_of(page)
    assert world.b.cohort.name not in text_of(page)
    until = (utcnow() + timedelta(days=5)).date().isoformat()
    refused = client.post("/teaching/announcements", data={
        "cohort_id": world.b.cohort.id, "title": "Hallo", "body": "Fremd", "shown_until": until})
    assert refused.status_code == 200 and "Not a valid choice" in text_of(refused)
    assert smtp_server.messages == []
    done = client.post("/teaching/announcements", data={
        "cohort_id": world.a.cohort.id, "title": "Folien online", "body": "Siehe Materialien.",
        "shown_until": until}, follow_redirects=True)
    assert "sent to 3 participants" in text_of(done)
    [announcement] = list_announcements([world.a.cohort.id])
    assert announcement.author == world.a.lecturer


def test_a_company_contact_and_participants_cannot_post(app, world):
    for person in (world.a.contact, world.a.participants[0]):
        client = app.test_client()
        login(client, person)
        assert client.post(_url(world), data={"title": "x", "body": "y"}).status_code == 403
        assert client.post("/teaching/announcements", data={}).status_code == 403


def _edit(client, meeting, **changes):
    from tests.forms import form_fields

    url = f"/coordination/meetings/{meeting.id}/edit"
    html = client.get(url).get_data(as_text=True)
    fields = next(f for f in (form_fields(html, index) for index in range(html.count("<form")))
                  if "day" in f)
    # (the selects, which form_fields does not read, as they are)
    fields.update(module_id=meeting.module_id, block_id=meeting.block_id or 0,
                  lecturer_ids=[u.id for u in meeting.lecturers], **changes)
    return client.post(url, data=fields, follow_redirects=True)


def test_a_new_place_is_announced_from_the_meeting_with_the_change_notice(app, world,
                                                                         smtp_server):
    meeting = world.a.tomorrow
    client = app.test_client()
    login(client, world.coordinator)
    response = _edit(client, meeting, location="Raum 3.201, Claudiusstraße 1", announce="y",
                     announcement_note="Bitte den Eingang B nehmen.")
    assert "is announced on the participants" in text_of(response)
    [announcement] = list_announcements([world.a.cohort.id])
    assert announcement.meeting_change.place_changed
    assert announcement.expires_at == meeting.ends_at
    # one mail per person: the change notice, carrying the note
    notices = [m for m in smtp_server.messages if m["To"] == world.a.participants[0].email]
    assert len(notices) == 1
    body = notices[0].get_body(("plain",)).get_content()
    assert "Raum 3.201" in body and "Bitte den Eingang B nehmen." in body
    participant = app.test_client()
    login(participant, world.a.participants[0])
    home = text_of(participant.get("/me/"))
    assert "Changed: module 2" in home and "Raum 3.201" in home
    assert "Bitte den Eingang B nehmen." in home


def test_saving_a_meeting_unchanged_announces_nothing(app, world, smtp_server):
    client = app.test_client()
    login(client, world.coordinator)
    response = _edit(client, world.a.tomorrow, announce="y")
    assert "nothing was announced" in text_of(response)
    assert list_announcements([world.a.cohort.id]) == []
