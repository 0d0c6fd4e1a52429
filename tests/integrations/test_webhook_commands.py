"""``lms webhooks send`` and ``lms webhooks at-risk`` do what their help says: ``send``
hands every due delivery over (to the queue with Redis, here and now without it): the new
ones whose hand-over failed in a Redis outage, the retries whose pause is over, and the
attempts lost with their worker; nothing that is not due. ``at-risk`` is the check of
``lms notify`` on its own."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from lms import create_app
from lms.accounts.models import Role, User
from lms.certificates.operations import issue_certificate
from lms.cohorts.models import Enrollment
from lms.db import utcnow
from lms.extensions import db
from lms.integrations.models import DeliveryState, WebhookDelivery, WebhookEvent, WebhookScope
from lms.integrations.operations import create_webhook_subscription, retry_pause
from tests.conftest import free_port
from tests.factories import load_test_course, make_finished_cohort, make_user
from tests.integrations.conftest import Receiver
from tests.integrations.test_webhook_at_risk import AT_RISK_MARKS, mark, running_world
from tests.jobs.conftest import work


def twin(app_config: dict, redis_url: str) -> Iterator[Flask]:
    app = create_app({**app_config, "LMS_REDIS_URL": redis_url, "RQ_ASYNC": True})
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def outage_app(app, app_config) -> Iterator[Flask]:
    """The app with its Redis gone: a port nobody listens on."""
    yield from twin(app_config, f"redis://127.0.0.1:{free_port()}/0")


@pytest.fixture
def inline_app(app, app_config) -> Iterator[Flask]:
    """The app without Redis: jobs run inline."""
    yield from twin(app_config, "")


@pytest.fixture
def finished(app, course_dir):
    course = load_test_course(course_dir)
    _cohort, (enrollment,) = make_finished_cohort(course, participants=1)
    coordinator = make_user(Role.COORDINATOR)
    db.session.commit()
    return {"enrollment": enrollment.id, "coordinator": coordinator.id}


def subscribe(user_id: int, url: str) -> int:
    row, _secret = create_webhook_subscription(db.session.get_one(User, user_id), "Campus",
                                               url, list(WebhookEvent),
                                               WebhookScope.UNIVERSITY)
    db.session.commit()
    return row.id


def the_delivery() -> WebhookDelivery:
    db.session.expire_all()
    return db.session.scalars(sa.select(WebhookDelivery)).one()


def send(app: Flask) -> str:
    result = app.test_cli_runner().invoke(args=["webhooks", "send"])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_help_says_what_each_command_does(runner):
    help_text = runner.invoke(args=["webhooks", "--help"]).output
    assert "send" in help_text and "at-risk" in help_text
    assert "due" in runner.invoke(args=["webhooks", "send", "--help"]).output
    assert "at risk" in runner.invoke(args=["webhooks", "at-risk", "--help"]).output


def test_send_delivers_what_a_redis_outage_left_without_redis(
        outage_app: Flask, inline_app: Flask, finished, receiver: Receiver):
    with outage_app.app_context():
        subscribe(finished["coordinator"], receiver.url)
        issue_certificate(db.session.get_one(Enrollment, finished["enrollment"]))
        db.session.commit()  # the hand-over to the queue fails: the delivery stays due
        delivery = the_delivery()
        assert (delivery.state, delivery.attempts) == (DeliveryState.PENDING, 0)
    assert receiver.received == []
    with inline_app.app_context():
        assert send(inline_app) == "1 webhook delivery due.\n"
        delivery = the_delivery()
        assert (delivery.state, delivery.attempts, delivery.last_status_code) == (
            DeliveryState.DELIVERED, 1, 200)
        event_id = delivery.event_id
        assert send(inline_app) == "0 webhook deliveries due.\n"
    [(headers, _body)] = receiver.received
    assert headers["webhook-id"] == event_id


def test_send_with_redis_queues_it_for_a_worker(outage_app: Flask, queue_app: Flask,
                                                finished, receiver: Receiver):
    with outage_app.app_context():
        subscribe(finished["coordinator"], receiver.url)
        issue_certificate(db.session.get_one(Enrollment, finished["enrollment"]))
        db.session.commit()
    with queue_app.app_context():
        assert send(queue_app) == "1 webhook delivery due.\n"
        assert receiver.received == []  # on the queue, not sent by the command
        work(queue_app)
        assert the_delivery().state == DeliveryState.DELIVERED
    assert len(receiver.received) == 1


def test_send_leaves_retries_that_are_not_due_and_picks_up_lost_attempts(
        inline_app: Flask, finished, receiver: Receiver):
    receiver.statuses = [500]
    with inline_app.app_context():
        subscribe(finished["coordinator"], receiver.url)
        issue_certificate(db.session.get_one(Enrollment, finished["enrollment"]))
        db.session.commit()  # sent inline at once: 500
        delivery = the_delivery()
        assert (delivery.state, delivery.attempts, delivery.last_status_code) == (
            DeliveryState.PENDING, 1, 500)
        assert delivery.next_attempt_at > utcnow()
        assert send(inline_app) == "0 webhook deliveries due.\n"
        assert len(receiver.received) == 1
        # an attempt whose worker vanished long ago counts as failed and is due again
        delivery.state = DeliveryState.SENDING
        delivery.attempts = 2
        delivery.last_attempt_at = utcnow() - timedelta(minutes=20)
        delivery.next_attempt_at = utcnow() + retry_pause(1)
        db.session.commit()
        assert send(inline_app) == "1 webhook delivery due.\n"
        delivery = the_delivery()
        assert (delivery.state, delivery.attempts, delivery.last_status_code) == (
            DeliveryState.DELIVERED, 3, 200)
    assert len(receiver.received) == 2


def test_at_risk_tells_once_what_notify_would(app, runner, course_dir, receiver: Receiver):
    world = running_world(course_dir)
    row, _secret = create_webhook_subscription(
        db.session.get_one(User, world["contact"]), "HR", receiver.url,
        [WebhookEvent.PARTICIPANT_AT_RISK], WebhookScope.COMPANY)
    db.session.commit()
    mark(world["rita"], AT_RISK_MARKS, world["lecturer"])
    first = runner.invoke(args=["webhooks", "at-risk"])
    assert first.exit_code == 0, first.output
    assert first.stdout == "1 webhook delivery for participants at risk.\n"
    again = runner.invoke(args=["webhooks", "at-risk"])
    assert again.stdout == "0 webhook deliveries for participants at risk.\n"
    db.session.expire_all()
    [delivery] = db.session.scalars(sa.select(WebhookDelivery)).all()
    assert delivery.subscription_id == row.id and delivery.state == DeliveryState.DELIVERED
    assert len(receiver.received) == 1
