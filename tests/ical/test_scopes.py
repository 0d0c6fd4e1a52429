"""What each feed holds, by role: nothing of other participants or cohorts."""

from __future__ import annotations

import time
from datetime import date, timedelta

from lms.accounts.models import Locale, Role
from lms.cohorts.invitations import withdraw_enrollment
from lms.cohorts.models import EnrollmentStatus
from lms.cohorts.operations import add_company_contact, remove_company_contact
from lms.extensions import db
from lms.schedule.operations import cancel_meeting
from tests.factories import (
    berlin,
    enroll,
    feed_events,
    issue_feed_url,
    make_cohort,
    make_meeting,
    make_user,
    set_due_date,
)


def test_participant_feed_shows_nothing_of_others(client, course):
    mine, theirs = make_cohort(course), make_cohort(course)
    participant = make_user(Role.PARTICIPANT, first="Jürgen", last="Müller")
    classmate = make_user(Role.PARTICIPANT, first="Zoe", last="Quellenberg")
    stranger = make_user(Role.PARTICIPANT, first="Xaver", last="Ypsilon")
    enroll(mine, participant)
    enroll(mine, classmate)
    enroll(theirs, stranger)
    own = make_meeting(mine, berlin(2026, 12, 4))
    foreign = make_meeting(theirs, berlin(2026, 12, 4))
    url = issue_feed_url(participant)
    db.session.commit()

    data = client.get(url).data
    assert set(feed_events(data)) == {own.ical_uid}
    assert foreign.ical_uid.encode() not in data
    text = data.decode()
    for name in ("Zoe", "Quellenberg", "Xaver", "Ypsilon", theirs.name, classmate.email):
        assert name not in text
    assert b"ATTENDEE" not in data


def test_withdrawn_participant_feed_is_empty(client, course):
    cohort = make_cohort(course)
    participant = make_user(Role.PARTICIPANT)
    enrollment = enroll(cohort, participant)
    make_meeting(cohort, berlin(2026, 12, 4))
    url = issue_feed_url(participant)
    db.session.commit()
    assert len(feed_events(client.get(url).data)) == 1
    withdraw_enrollment(enrollment)
    db.session.commit()
    assert feed_events(client.get(url).data) == {}


def test_lecturer_feed_spans_their_cohorts_only(client, course):
    first, second, third = (make_cohort(course) for _ in range(3))
    lecturer = make_user(Role.LECTURER)
    colleague = make_user(Role.LECTURER)
    taught = [make_meeting(first, berlin(2026, 12, 4), lecturers=(lecturer,)),
              make_meeting(second, berlin(2027, 1, 8), lecturers=(lecturer, colleague))]
    not_mine = [make_meeting(first, berlin(2026, 12, 5), lecturers=(colleague,)),
                make_meeting(third, berlin(2026, 12, 6), lecturers=(colleague,))]
    set_due_date(first)
    url = issue_feed_url(lecturer)
    db.session.commit()

    found = feed_events(client.get(url).data)
    assert set(found) == {m.ical_uid for m in taught}
    assert not any(m.ical_uid in found for m in not_mine)
    # across cohorts, each event says which cohort it belongs to
    assert found[taught[0].ical_uid]["summary"].endswith(f"({first.name})")
    assert found[taught[1].ical_uid]["summary"].endswith(f"({second.name})")


def test_deadlines_are_events_in_participant_and_cohort_feeds(client, course):
    cohort = make_cohort(course)
    participant = make_user(Role.PARTICIPANT)
    enroll(cohort, participant)
    assignment = set_due_date(cohort)
    make_meeting(cohort, berlin(2026, 12, 4))
    personal = issue_feed_url(participant)
    company = issue_feed_url(cohort=cohort)
    db.session.commit()

    for url in (personal, company):
        found = feed_events(client.get(url).data)
        deadline = found[f"deadline-{assignment.id}@lms.test"]
        # due at 23:59: the whole due day (tests/ical/test_deadlines.py has every shape)
        assert (deadline["start"], deadline["end"]) == (date(2027, 1, 15), date(2027, 1, 16))
        assert assignment.title in deadline["summary"]
    before = feed_events(client.get(personal).data)[f"deadline-{assignment.id}@lms.test"]

    assignment.due_at = berlin(2027, 1, 22, 23, 59)
    assignment.updated_at = assignment.updated_at + timedelta(minutes=5)
    db.session.commit()
    after = feed_events(client.get(personal).data)[f"deadline-{assignment.id}@lms.test"]
    assert after["start"] == date(2027, 1, 22)
    assert after["sequence"] > before["sequence"]


def test_cohort_feed_holds_the_cohort_and_no_names(client, course):
    cohort, other = make_cohort(course, name="Nordlicht 2026"), make_cohort(course)
    enroll(cohort, make_user(Role.PARTICIPANT, first="Zoe", last="Quellenberg"))
    mine = make_meeting(cohort, berlin(2026, 12, 4))
    cancelled = make_meeting(cohort, berlin(2026, 12, 11))
    cancel_meeting(cancelled)
    make_meeting(other, berlin(2026, 12, 4))
    url = issue_feed_url(cohort=cohort)
    db.session.commit()
    data = client.get(url).data
    found = feed_events(data)
    assert set(found) == {mine.ical_uid, cancelled.ical_uid}
    assert found[cancelled.ical_uid]["status"] == "CANCELLED"
    assert b"Quellenberg" not in data


def test_coordinator_feed_holds_the_cohorts_they_manage(client, course):
    coordinator = make_user(Role.COORDINATOR)
    managed, unmanaged = make_cohort(course), make_cohort(course)
    managed.coordinator = coordinator
    ours = make_meeting(managed, berlin(2026, 12, 4))
    make_meeting(unmanaged, berlin(2026, 12, 4))
    url = issue_feed_url(coordinator)
    db.session.commit()
    assert set(feed_events(client.get(url).data)) == {ours.ical_uid}


def test_company_contact_feed_holds_their_cohort(client, course):
    contact = make_user(Role.COMPANY_CONTACT)
    theirs, other = make_cohort(course), make_cohort(course)
    add_company_contact(theirs, contact)
    ours = make_meeting(theirs, berlin(2026, 12, 4))
    make_meeting(other, berlin(2026, 12, 4))
    url = issue_feed_url(contact)
    db.session.commit()
    assert set(feed_events(client.get(url).data)) == {ours.ical_uid}


def test_feed_speaks_the_owners_language(client, course):
    participant = make_user(Role.PARTICIPANT)
    participant.locale = Locale.EN
    cohort = make_cohort(course)
    enroll(cohort, participant, status=EnrollmentStatus.INVITED)
    meeting = make_meeting(cohort, berlin(2026, 12, 4))
    cancel_meeting(meeting)
    url = issue_feed_url(participant)
    db.session.commit()
    found = feed_events(client.get(url).data)[meeting.ical_uid]
    assert found["summary"].startswith("Cancelled: 1. ")
    assert "Lecturers" not in found["description"] and "Cohort: " in found["description"]


def _since(response) -> dict[str, str]:
    """The If-Modified-Since a client sends after this response."""
    return {"If-Modified-Since": response.headers["Last-Modified"]}


def test_last_modified_moves_when_something_leaves_the_feed(client, course):
    """A client that only sends If-Modified-Since must not keep what left its feed: the
    withdrawal touches the enrollment, the unassigned lecturer the meeting."""
    from lms.schedule.operations import update_meeting

    cohort = make_cohort(course)
    participant, lecturer = make_user(Role.PARTICIPANT), make_user(Role.LECTURER)
    enrollment = enroll(cohort, participant)
    meeting = make_meeting(cohort, berlin(2026, 12, 4), lecturers=(lecturer,))
    participant_url, lecturer_url = issue_feed_url(participant), issue_feed_url(lecturer)
    db.session.commit()
    first = {url: client.get(url) for url in (participant_url, lecturer_url)}
    for url, response in first.items():
        assert client.get(url, headers=_since(response)).status_code == 304

    withdraw_enrollment(enrollment)
    update_meeting(meeting, lecturers=[])
    db.session.flush()
    # HTTP dates count whole seconds: let the changes happen visibly later
    enrollment.updated_at += timedelta(seconds=5)
    meeting.updated_at += timedelta(seconds=5)
    db.session.commit()
    for url, response in first.items():
        again = client.get(url, headers=_since(response))
        assert again.status_code == 200 and feed_events(again.data) == {}


def test_last_modified_moves_when_a_company_contact_is_removed(client, course):
    """(If-Modified-Since alone: the removed contact's calendar must empty out)"""
    contact = make_user(Role.COMPANY_CONTACT)
    cohort = make_cohort(course)
    add_company_contact(cohort, contact)
    make_meeting(cohort, berlin(2026, 12, 4))
    url = issue_feed_url(contact)
    db.session.commit()
    first = client.get(url)
    assert client.get(url, headers=_since(first)).status_code == 304

    time.sleep(1.1)  # HTTP dates count whole seconds: let the removal be visibly later
    remove_company_contact(cohort, contact)
    db.session.commit()
    again = client.get(url, headers=_since(first))
    assert again.status_code == 200 and feed_events(again.data) == {}
