"""Webhooks end to end: a real HTTP receiver on 127.0.0.1 gets signed deliveries of
certificates issued and revoked, sent by a real RQ worker on Redis; retries wait the
pauses stored on the delivery; a company's subscription hears only its cohorts, with the
status only. Signatures are checked with the independent ``standardwebhooks`` library
and with a receiver's own few lines."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask
from standardwebhooks import Webhook

from lms.accounts.models import Role, User
from lms.certificates.models import Certificate
from lms.certificates.operations import issue_certificate, revoke_certificate
from lms.cohorts.models import Enrollment
from lms.cohorts.operations import add_company_contact
from lms.extensions import db
from lms.integrations.delivery import send_due
from lms.integrations.models import (
    DeliveryState,
    WebhookDelivery,
    WebhookEvent,
    WebhookScope,
    WebhookSubscription,
)
from lms.integrations.operations import (
    MAX_ATTEMPTS,
    RETRY_JITTER,
    create_webhook_subscription,
    record_answer,
    resend_delivery,
    retry_delay,
    retry_pause,
)
from lms.integrations.sending import WebhookTargetError, parse_target, resolve
from tests.factories import load_test_course, make_finished_cohort, make_user
from tests.jobs.conftest import work


@pytest.fixture
def world(app, course_dir):
    """Two finished cohorts of two companies, each with its contact; a coordinator."""
    course = load_test_course(course_dir)
    cohort_a, enrollments_a = make_finished_cohort(course, participants=1)
    cohort_b, enrollments_b = make_finished_cohort(course, participants=1)
    contact_a = make_user(Role.COMPANY_CONTACT, first="KontaktA")
    contact_b = make_user(Role.COMPANY_CONTACT, first="KontaktB")
    add_company_contact(cohort_a, contact_a)
    add_company_contact(cohort_b, contact_b)
    coordinator = make_user(Role.COORDINATOR, first="Koordinatorin")
    db.session.commit()
    return {"a": enrollments_a[0].id, "b": enrollments_b[0].id, "contact_a": contact_a.id,
            "contact_b": contact_b.id, "coordinator": coordinator.id}


def subscribe(user_id: int, url: str, scope: WebhookScope,
              events: list[WebhookEvent] | None = None) -> tuple[int, str]:
    user = db.session.get_one(User, user_id)
    row, secret = create_webhook_subscription(user, "HR", url, events or list(WebhookEvent),
                                              scope)
    db.session.commit()
    return row.id, secret


def issue(enrollment_id: int) -> int:
    certificate = issue_certificate(db.session.get_one(Enrollment, enrollment_id)).certificate
    db.session.commit()
    return certificate.id


def deliveries(subscription_id: int) -> list[WebhookDelivery]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(WebhookDelivery).where(
        WebhookDelivery.subscription_id == subscription_id).order_by(WebhookDelivery.id)))


def verify_plainly(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """What a receiver writes without a library."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(hmac.compare_digest(f"v1,{expected}", given)
               for given in headers["webhook-signature"].split())


def test_issued_and_revoked_reach_the_receiver_signed(queue_app: Flask, world, receiver):
    with queue_app.app_context():
        subscription_id, secret = subscribe(world["coordinator"], receiver.url,
                                            WebhookScope.UNIVERSITY)
        certificate_id = issue(world["a"])
        assert receiver.received == []  # queued, not sent by the request
        work(queue_app)
        assert len(receiver.received) == 1
        certificate = db.session.get_one(Certificate, certificate_id)
        revoke_certificate(certificate, "Falscher Name")
        db.session.commit()
        work(queue_app)

    assert len(receiver.received) == 2
    types = []
    for headers, body in receiver.received:
        payload = Webhook(secret).verify(body, headers)  # the independent library
        assert verify_plainly(secret, headers, body)
        assert not verify_plainly(secret, headers, body + b" ")
        types.append(payload["type"])
        assert payload["data"]["certificate"]["id"] == certificate_id
        assert headers["webhook-id"].startswith("msg_")
    assert types == ["certificate.issued", "certificate.revoked"]
    issued = json.loads(receiver.received[0][1])["data"]
    assert issued["certificate"]["status"] == "valid"
    assert issued["participant"]["standing"] == "certified"
    revoked = json.loads(receiver.received[1][1])["data"]
    assert revoked["certificate"]["revoked_reason"] == "Falscher Name"
    with queue_app.app_context():
        rows = deliveries(subscription_id)
        assert [(d.state, d.attempts, d.last_status_code, d.last_response) for d in rows] == [
            (DeliveryState.DELIVERED, 1, 200, "thanks")] * 2
        assert [d.event_id for d in rows] == [h["webhook-id"] for h, _ in receiver.received]


def test_a_failing_receiver_gets_it_on_the_third_attempt_after_growing_pauses(
        queue_app: Flask, world, receiver):
    receiver.statuses = [500, 500]
    with queue_app.app_context():
        subscription_id, secret = subscribe(world["coordinator"], receiver.url,
                                            WebhookScope.UNIVERSITY,
                                            [WebhookEvent.CERTIFICATE_ISSUED])
        issue(world["a"])
        work(queue_app)
        [first] = deliveries(subscription_id)
        assert (first.state, first.attempts, first.last_status_code) == (
            DeliveryState.PENDING, 1, 500)
        assert first.last_response == "try later"
        # the pause, longer by at most its jitter
        assert retry_pause(1) <= first.next_attempt_at - first.last_attempt_at \
            <= retry_pause(1) * (1 + RETRY_JITTER)
        # nothing is due before its pause is over
        assert send_due(first.last_attempt_at + retry_pause(1) - timedelta(seconds=1)) == 0
        assert send_due(first.next_attempt_at) == 1
        work(queue_app)
        [second] = deliveries(subscription_id)
        assert (second.state, second.attempts, second.last_status_code) == (
            DeliveryState.PENDING, 2, 500)
        assert retry_pause(2) <= second.next_attempt_at - second.last_attempt_at \
            <= retry_pause(2) * (1 + RETRY_JITTER)
        assert retry_pause(2) == 3 * retry_pause(1)
        assert send_due(second.next_attempt_at) == 1
        work(queue_app)
        [third] = deliveries(subscription_id)
        assert (third.state, third.attempts, third.last_status_code) == (
            DeliveryState.DELIVERED, 3, 200)
        assert third.next_attempt_at is None
    assert len(receiver.received) == 3
    assert len({headers["webhook-id"] for headers, _ in receiver.received}) == 1
    for headers, body in receiver.received:
        Webhook(secret).verify(body, headers)


def test_a_delivery_fails_after_the_last_attempt_and_can_be_sent_again(
        queue_app: Flask, world, receiver):
    receiver.statuses = [503] * MAX_ATTEMPTS
    with queue_app.app_context():
        subscription_id, _secret = subscribe(world["coordinator"], receiver.url,
                                             WebhookScope.UNIVERSITY)
        issue(world["a"])
        work(queue_app)
        for _attempt in range(MAX_ATTEMPTS - 1):
            [delivery] = deliveries(subscription_id)
            send_due(delivery.next_attempt_at)
            work(queue_app)
        [delivery] = deliveries(subscription_id)
        assert (delivery.state, delivery.attempts) == (DeliveryState.FAILED, MAX_ATTEMPTS)
        assert send_due(delivery.last_attempt_at + timedelta(days=30)) == 0
        coordinator = db.session.get_one(User, world["coordinator"])
        assert resend_delivery(delivery, by=coordinator)
        db.session.commit()
        work(queue_app)
        [delivery] = deliveries(subscription_id)
        assert (delivery.state, delivery.attempts) == (DeliveryState.DELIVERED,
                                                       MAX_ATTEMPTS + 1)
    assert len(receiver.received) == MAX_ATTEMPTS + 1


def test_a_company_hears_only_its_cohorts_and_no_grades(queue_app: Flask, world, receiver):
    with queue_app.app_context():
        own_id, secret = subscribe(world["contact_a"], receiver.url, WebhookScope.COMPANY)
        issue(world["b"])  # the other company's participant
        work(queue_app)
        assert deliveries(own_id) == []
        issue(world["a"])
        work(queue_app)
        [delivery] = deliveries(own_id)
        assert delivery.state == DeliveryState.DELIVERED
        enrollment = db.session.get_one(Enrollment, world["a"])
        expected = {"cohort_id": enrollment.cohort_id, "enrollment_id": enrollment.id,
                    "first_name": enrollment.user.first_name,
                    "last_name": enrollment.user.last_name, "standing": "certified"}
    [(headers, body)] = receiver.received
    payload = Webhook(secret).verify(body, headers)
    assert payload["type"] == "certificate.issued"
    assert list(payload["data"]) == ["participant"]
    participant = payload["data"]["participant"]
    assert participant.pop("standing_label")
    assert participant == expected
    text = body.decode()
    for word in ("grade", "assessment", "attendance", "certificate\"", "email", "serial"):
        assert word not in text, word


def test_a_subscription_whose_owner_lost_the_role_gets_nothing(queue_app: Flask, world,
                                                               receiver):
    with queue_app.app_context():
        subscription_id, _secret = subscribe(world["contact_a"], receiver.url,
                                             WebhookScope.COMPANY)
        issue(world["a"])  # queued while the contact may still receive
        contact = db.session.get_one(User, world["contact_a"])
        contact.roles = [r for r in contact.roles if r.role != Role.COMPANY_CONTACT]
        db.session.commit()
        work(queue_app)
        [delivery] = deliveries(subscription_id)
        assert delivery.state == DeliveryState.STOPPED
        certificate = db.session.scalars(sa.select(Certificate)).one()
        revoke_certificate(certificate, "Irrtum")
        db.session.commit()
        assert len(deliveries(subscription_id)) == 1  # no new delivery at all
    assert receiver.received == []


def test_a_deleted_subscription_gets_nothing_more(queue_app: Flask, world, receiver):
    from lms.integrations.operations import delete_webhook_subscription

    with queue_app.app_context():
        subscription_id, _secret = subscribe(world["coordinator"], receiver.url,
                                             WebhookScope.UNIVERSITY)
        issue(world["a"])
        subscription = db.session.get_one(WebhookSubscription, subscription_id)
        delete_webhook_subscription(subscription,
                                    by=db.session.get_one(User, world["coordinator"]))
        db.session.commit()
        work(queue_app)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookDelivery)) == 0
    assert receiver.received == []


@pytest.mark.parametrize("url", [
    "http://example.org/hook", "https://127.0.0.1/hook", "https://10.1.2.3/hook",
    "https://192.168.0.1/", "https://169.254.169.254/latest", "https://[::1]/",
    "https://localhost/", "https://user:pw@example.org/", "ftp://example.org/"])
def test_production_refuses_plain_http_and_private_targets(url):
    with pytest.raises(WebhookTargetError):
        resolve(parse_target(url, local=False), local=False)


def test_production_takes_a_public_https_address():
    target = parse_target("https://93.184.215.14/hooks?x=1", local=False)
    assert str(resolve(target, local=False)) == "93.184.215.14"
    assert target.path == "/hooks?x=1"


def test_tests_may_call_the_loopback_over_http():
    target = parse_target("http://127.0.0.1:8000/h", local=True)
    assert str(resolve(target, local=True)) == "127.0.0.1"


def test_the_jitter_lengthens_a_pause_by_at_most_a_tenth():
    assert RETRY_JITTER == 0.1
    assert [retry_delay(1, f) for f in (0, 0.5, 1)] == [
        timedelta(seconds=60), timedelta(seconds=63), timedelta(seconds=66)]
    assert retry_delay(2, 0.5) == timedelta(seconds=189)
    assert retry_delay(3, 0) == retry_pause(3)


def test_a_failed_attempt_waits_the_pause_with_the_jitter_given(queue_app: Flask, world,
                                                                 receiver):
    receiver.statuses = [500]
    with queue_app.app_context():
        subscription_id, _secret = subscribe(world["coordinator"], receiver.url,
                                             WebhookScope.UNIVERSITY,
                                             [WebhookEvent.CERTIFICATE_ISSUED])
        issue(world["a"])
        work(queue_app)
        [delivery] = deliveries(subscription_id)
        for jitter, pause in ((0.0, timedelta(minutes=1)), (0.5, timedelta(seconds=63)),
                              (1.0, timedelta(seconds=66))):
            delivery.attempts = 1
            record_answer(delivery, 500, "down", delivery.last_attempt_at, jitter=jitter)
            assert delivery.next_attempt_at - delivery.last_attempt_at == pause
        db.session.rollback()
