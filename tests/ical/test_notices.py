"""Change notices: a moved or cancelled meeting reaches the people it concerns by email,
in their language, with an .ics file their mail program applies to the event."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lms.accounts.models import Locale, Role
from lms.cohorts.invitations import withdraw_enrollment
from lms.cohorts.models import EnrollmentStatus
from lms.extensions import db
from lms.ical import notices
from lms.mail import MailError
from lms.schedule.operations import cancel_meeting, update_meeting
from tests.factories import (
    berlin,
    enroll,
    load_test_course,
    make_cohort,
    make_meeting,
    make_user,
    parse_calendar,
)

NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)


@pytest.fixture
def scene(app, course_dir):
    course = load_test_course(course_dir)
    cohort = make_cohort(course)
    other_cohort = make_cohort(course)
    lecturer = make_user(Role.LECTURER, first="Katharina", last="Berger")
    english = make_user(Role.PARTICIPANT, first="Emma", last="English")
    english.locale = Locale.EN
    german = make_user(Role.PARTICIPANT, first="Jürgen", last="Müller")
    invited = make_user(Role.PARTICIPANT, first="Ines", last="Eingeladen")
    gone = make_user(Role.PARTICIPANT, first="Walter", last="Weg")
    outsider = make_user(Role.PARTICIPANT, first="Otto", last="Anders")
    enroll(cohort, english)
    enroll(cohort, german)
    enroll(cohort, invited, status=EnrollmentStatus.INVITED)
    withdraw_enrollment(enroll(cohort, gone))
    enroll(other_cohort, outsider)
    meeting = make_meeting(cohort, berlin(2026, 12, 4), lecturers=(lecturer,))
    db.session.commit()
    return dict(cohort=cohort, lecturer=lecturer, english=english, german=german,
                invited=invited, gone=gone, outsider=outsider, meeting=meeting)


def by_recipient(messages) -> dict:
    return {m["To"]: m for m in messages}


def attachment_of(message):
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    data = attachment.get_content()
    data = data.encode() if isinstance(data, str) else data
    ical, vcal = parse_calendar(data)
    return attachment, ical, vcal


def test_moved_meeting_notifies_participants_and_lecturers(scene, smtp_server):
    meeting = scene["meeting"]
    uid, sequence = meeting.ical_uid, meeting.ical_sequence
    change = update_meeting(meeting, starts_at=berlin(2026, 12, 5, 10),
                            ends_at=berlin(2026, 12, 5, 13, 30), location="Raum 2.14")
    db.session.commit()

    assert notices.notify_meeting_change(change, now=NOW) == 4
    received = by_recipient(smtp_server.messages)
    expected = {scene[k].email for k in ("english", "german", "invited", "lecturer")}
    assert set(received) == expected  # not the withdrawn one, nobody of another cohort

    for email, message in received.items():
        attachment, ical, vcal = attachment_of(message)
        assert attachment.get_param("method") == "REQUEST"
        assert str(ical["METHOD"]) == "REQUEST" and vcal.method.value == "REQUEST"
        [event] = ical.walk("VEVENT")
        assert str(event["UID"]) == uid and vcal.vevent.uid.value == uid
        assert int(event["SEQUENCE"]) == sequence + 1
        assert event.decoded("DTSTART") == berlin(2026, 12, 5, 10)
        assert vcal.vevent.dtstart.value.astimezone(UTC) == berlin(2026, 12, 5, 10)
        assert str(event["LOCATION"]) == "Raum 2.14"
        assert "ORGANIZER" in event
        # only the recipient is named: nobody learns who else takes part
        attendees = event.get("ATTENDEE")
        assert not isinstance(attendees, list)
        assert str(attendees).lower() == f"mailto:{email}"

    text_en = received[scene["english"].email].get_body(("plain",)).get_content()
    assert "Hello Emma" in text_en and "Raum 2.14" in text_en
    assert "Fri 4 Dec 2026, 09:00" in text_en  # previously
    assert "Sat 5 Dec 2026, 10:00" in text_en  # now
    # each in their own language: module titles differ between the languages
    subject_en = received[scene["english"].email]["Subject"]
    subject_de = received[scene["german"].email]["Subject"]
    module = meeting.module
    assert module.title_en in subject_en and module.title in subject_de
    assert module.title_en != module.title
    text_de = received[scene["german"].email].get_body(("plain",)).get_content()
    assert "Sa. 5. Dez. 2026, 10:00" in text_de


def test_cancelled_meeting_sends_a_cancel(scene, smtp_server):
    change = cancel_meeting(scene["meeting"], "Dozentin erkrankt")
    db.session.commit()
    assert notices.notify_meeting_change(change, now=NOW) == 4
    for message in smtp_server.messages:
        attachment, ical, vcal = attachment_of(message)
        assert attachment.get_param("method") == "CANCEL"
        assert str(ical["METHOD"]) == "CANCEL"
        event = ical.walk("VEVENT")[0]
        assert str(event["STATUS"]) == "CANCELLED" and vcal.vevent.status.value == "CANCELLED"
        assert str(event["UID"]) == scene["meeting"].ical_uid
        assert "Dozentin erkrankt" in message.get_body(("plain",)).get_content()
    english = by_recipient(smtp_server.messages)[scene["english"].email]
    assert english["Subject"].startswith("Cancelled: ")


def test_replaced_lecturer_gets_a_cancel_and_the_new_one_a_request(scene, smtp_server):
    substitute = make_user(Role.LECTURER, first="Sven", last="Vertretung")
    change = update_meeting(scene["meeting"], lecturers=[substitute])
    db.session.commit()
    # time, place and status unchanged: participants are not bothered
    assert notices.notify_meeting_change(change, now=NOW) == 2
    received = by_recipient(smtp_server.messages)
    assert set(received) == {scene["lecturer"].email, substitute.email}
    old = attachment_of(received[scene["lecturer"].email])
    new = attachment_of(received[substitute.email])
    assert old[0].get_param("method") == "CANCEL"
    assert str(old[1].walk("VEVENT")[0]["STATUS"]) == "CANCELLED"
    assert new[0].get_param("method") == "REQUEST"


def test_changes_to_meetings_that_are_over_send_nothing(scene, smtp_server):
    change = update_meeting(scene["meeting"], location="Raum 1.01")
    db.session.commit()
    later = datetime(2027, 1, 1, tzinfo=UTC)
    assert notices.notify_meeting_change(change, now=later) == 0
    assert smtp_server.messages == []


def test_change_without_calendar_effect_sends_nothing(scene, smtp_server):
    change = update_meeting(scene["meeting"], title="Auftakt")
    db.session.commit()
    assert notices.notify_meeting_change(change, now=NOW) == 0
    assert smtp_server.messages == []


def test_one_failing_address_stops_nobody_else(scene, smtp_server, monkeypatch):
    real_send = notices.send_to_user

    def flaky(user, *args, **kwargs):
        if user.email == scene["german"].email:
            raise MailError("mailbox unavailable")
        return real_send(user, *args, **kwargs)

    monkeypatch.setattr(notices, "send_to_user", flaky)
    change = cancel_meeting(scene["meeting"])
    db.session.commit()
    assert notices.notify_meeting_change(change, now=NOW) == 3
    assert scene["german"].email not in by_recipient(smtp_server.messages)
