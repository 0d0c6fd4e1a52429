"""``participant.at_risk`` (#18 item 4): ``lms notify`` (run through the app's CLI runner)
compares every active participant of a running cohort with the standing the pages show
(``cohort_progress``, the rules of lms/certificates/rules.py) and tells the subscriptions
once when someone becomes at risk, again only after they recovered and fell back. The
deliveries reach a real HTTP receiver; nothing is evaluated while nobody listens."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role, User
from lms.attendance.models import AttendanceStatus
from lms.attendance.operations import record_attendance
from lms.cohorts.models import Enrollment
from lms.cohorts.operations import add_company_contact
from lms.db import utcnow
from lms.extensions import db
from lms.integrations.events import find_participants_at_risk
from lms.integrations.models import (
    DeliveryState,
    WebhookDelivery,
    WebhookEvent,
    WebhookScope,
    WebhookStanding,
)
from lms.integrations.operations import create_webhook_subscription
from lms.schedule.models import Meeting
from tests.factories import BERLIN, enroll, load_test_course, make_cohort, make_meeting, make_user
from tests.helpers import login
from tests.integrations.conftest import Receiver
from tests.sql import recorded_sql

STATUS_FIELDS = {"cohort_id", "enrollment_id", "first_name", "last_name", "standing",
                 "standing_label"}
# Six meetings of 3.5 hours held out of twenty (56 of 70 hours required): three absences
# and a late arrival leave 1.5 hours that may still be missed (at risk); all present is
# on track.
AT_RISK_MARKS = ("absent", "absent", "absent", "late", "present", "present")
RECOVERED_MARKS = ("present", "present", "absent", "late", "present", "present")


def at_nine(day) -> datetime:
    return datetime.combine(day, time(9), BERLIN)


@pytest.fixture
def world(app, course_dir):
    return running_world(course_dir)


def running_world(course_dir) -> dict[str, int]:
    """A running cohort: Rita on track for now, Paula always present; the cohort's
    company contact and a coordinator."""
    course = load_test_course(course_dir)
    today = utcnow().astimezone(BERLIN).date()
    lecturer = make_user(Role.LECTURER)
    cohort = make_cohort(course, name="Laufend", starts_on=today - timedelta(days=60))
    cohort.ends_on = today + timedelta(days=100)
    for i in range(6):
        make_meeting(cohort, at_nine(today - timedelta(days=50 - 7 * i)), lecturers=(lecturer,))
    for i in range(14):
        make_meeting(cohort, at_nine(today + timedelta(days=5 + 5 * i)), module_number=2,
                     lecturers=(lecturer,))
    rita = enroll(cohort, make_user(Role.PARTICIPANT, first="Rita", last="Risiko"))
    paula = enroll(cohort, make_user(Role.PARTICIPANT, first="Paula", last="Plan"))
    contact = make_user(Role.COMPANY_CONTACT, first="Hanna", last="Personal")
    add_company_contact(cohort, contact)
    coordinator = make_user(Role.COORDINATOR)
    db.session.commit()
    mark(rita.id, ("present",) * 6, lecturer.id)
    mark(paula.id, ("present",) * 6, lecturer.id)
    return {"cohort": cohort.id, "rita": rita.id, "paula": paula.id, "contact": contact.id,
            "coordinator": coordinator.id, "lecturer": lecturer.id}


def mark(enrollment_id: int, statuses: tuple[str, ...], lecturer_id: int) -> None:
    enrollment = db.session.get_one(Enrollment, enrollment_id)
    held = db.session.scalars(sa.select(Meeting).where(
        Meeting.cohort_id == enrollment.cohort_id, Meeting.starts_at < utcnow())
        .order_by(Meeting.starts_at)).all()
    lecturer = db.session.get_one(User, lecturer_id)
    for meeting, status in zip(held, statuses, strict=True):
        record_attendance(meeting, enrollment, AttendanceStatus(status), by=lecturer,
                          minutes_attended=90 if status == "late" else None)
    db.session.commit()


def subscribe(user_id: int, url: str, scope: WebhookScope,
              events: tuple[WebhookEvent, ...] = (WebhookEvent.PARTICIPANT_AT_RISK,)) -> int:
    row, _secret = create_webhook_subscription(db.session.get_one(User, user_id), "HR", url,
                                               list(events), scope)
    db.session.commit()
    return row.id


def deliveries(subscription_id: int | None = None) -> list[WebhookDelivery]:
    db.session.expire_all()
    query = sa.select(WebhookDelivery).order_by(WebhookDelivery.id)
    if subscription_id is not None:
        query = query.where(WebhookDelivery.subscription_id == subscription_id)
    return list(db.session.scalars(query))


def notify(runner) -> str:
    result = runner.invoke(args=["notify"])
    assert result.exit_code == 0, result.output
    return result.output


def test_becoming_at_risk_is_told_once_and_again_after_recovering(
        app, runner, world, receiver: Receiver, smtp_server):
    company = subscribe(world["contact"], receiver.url, WebhookScope.COMPANY)
    university = subscribe(world["coordinator"], receiver.url, WebhookScope.UNIVERSITY)
    notify(runner)  # everyone on track: their standing is noted, nothing is told
    assert deliveries() == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookStanding)) == 2

    mark(world["rita"], AT_RISK_MARKS, world["lecturer"])
    notify(runner)
    [told] = deliveries(company)
    assert (told.event, told.state, told.last_status_code) == (
        WebhookEvent.PARTICIPANT_AT_RISK, DeliveryState.DELIVERED, 200)
    assert len(deliveries(university)) == 1
    assert len(receiver.received) == 2

    # the page calls her what the event says (the same rules)
    client = app.test_client()
    login(client, db.session.get_one(User, world["contact"]))
    page = client.get("/company/").get_data(as_text=True)
    assert 'standing standing-at_risk">gefährdet<' in page

    by_scope = {told.event_id: "company", deliveries(university)[0].event_id: "university"}
    payloads = {by_scope[headers["webhook-id"]]: json.loads(body)
                for headers, body in receiver.received}
    assert set(payloads) == {"company", "university"}  # both about Rita
    status_only = payloads["company"]
    assert status_only["type"] == "participant.at_risk"
    assert list(status_only["data"]) == ["participant"]
    assert set(status_only["data"]["participant"]) == STATUS_FIELDS
    assert status_only["data"]["participant"]["standing"] == "at_risk"
    assert status_only["data"]["participant"]["last_name"] == "Risiko"
    detail = payloads["university"]["data"]["participant"]
    assert detail["attendance"]["missed_minutes"] == 3 * 210 + 120
    assert "@" in detail["email"]

    notify(runner)  # still at risk: nothing new
    assert len(deliveries()) == 2

    mark(world["rita"], RECOVERED_MARKS, world["lecturer"])
    notify(runner)  # on track again: noted, not told
    assert len(deliveries()) == 2
    assert db.session.get_one(WebhookStanding, world["rita"]).standing.value == "on_track"

    mark(world["rita"], AT_RISK_MARKS, world["lecturer"])
    notify(runner)  # fell back: told again
    again = deliveries(company)
    assert len(again) == 2 and again[1].event_id != again[0].event_id
    assert again[1].payload["data"]["participant"]["enrollment_id"] == world["rita"]
    assert len(deliveries()) == 4 and len(receiver.received) == 4
    assert {d.payload["data"]["participant"]["enrollment_id"] for d in deliveries()} == {
        world["rita"]}  # never Paula


def test_nobody_listening_for_it_skips_the_check(app, runner, world, receiver: Receiver,
                                                 smtp_server):
    subscribe(world["contact"], receiver.url, WebhookScope.COMPANY,
              (WebhookEvent.CERTIFICATE_ISSUED, WebhookEvent.CERTIFICATE_REVOKED))
    mark(world["rita"], AT_RISK_MARKS, world["lecturer"])
    with recorded_sql() as statements:
        assert find_participants_at_risk() == 0
    db.session.rollback()
    assert len(statements) == 1 and "webhook_subscription" in statements[0]
    notify(runner)
    assert deliveries() == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookStanding)) == 0
    assert receiver.received == []

    # the same world with a listener is evaluated (so the check above can fail)
    subscribe(world["contact"], receiver.url, WebhookScope.COMPANY)
    notify(runner)
    assert len(deliveries()) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookStanding)) == 2


def test_a_company_subscription_hears_nothing_of_another_companys_cohort(
        app, runner, world, receiver: Receiver, smtp_server):
    other = make_user(Role.COMPANY_CONTACT, first="Fremd")
    db.session.commit()
    subscribe(other.id, receiver.url, WebhookScope.COMPANY)
    mark(world["rita"], AT_RISK_MARKS, world["lecturer"])
    notify(runner)
    assert deliveries() == [] and receiver.received == []
