"""The job that makes one attempt at a webhook delivery.

``send_delivery(delivery_id, attempt)`` takes the attempt (a conditional UPDATE: each
attempt is made once, however often it was queued), commits, posts the signed body
outside any transaction, and records the answer. A failed attempt puts the next one on
the queue for when its pause is over (RQ's scheduler, run by every ``lms worker``); where
the queue cannot wait, ``lms webhooks send`` hands it over when it is due. The job never
raises for a receiver's failure: the delivery's row, not RQ, keeps the retries.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime

from lms.db import utcnow
from lms.extensions import db
from lms.integrations.dispatch import hand_over, hand_over_at
from lms.integrations.models import DeliveryState, WebhookDelivery
from lms.integrations.operations import (
    claim_attempt,
    record_answer,
    recover_lost_attempts,
    stop_delivery,
)
from lms.integrations.queries import due_deliveries, subscription_may_receive
from lms.integrations.sending import post
from lms.integrations.signing import signed_headers
from lms.logs import log_context

log = logging.getLogger(__name__)


def body_of(delivery: WebhookDelivery) -> bytes:
    """The bytes sent (and signed): the stored payload as compact JSON."""
    return json.dumps(delivery.payload, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


def send_delivery(delivery_id: int, attempt: int) -> None:
    """Attempt number ``attempt`` at the delivery ``delivery_id`` (RQ's entry point)."""
    with log_context(webhook_delivery=str(delivery_id)):
        _attempt(delivery_id, attempt)


def _attempt(delivery_id: int, attempt: int) -> None:
    now = utcnow()
    delivery = claim_attempt(delivery_id, attempt, now)
    if delivery is None:
        db.session.rollback()
        return
    subscription = delivery.subscription
    if not subscription_may_receive(subscription):
        stop_delivery(delivery)
        db.session.commit()
        log.info("webhook delivery %s stopped: subscription %s may no longer receive",
                 delivery_id, subscription.id)
        return
    url, body = subscription.url, body_of(delivery)
    headers = signed_headers(subscription.secret, delivery.event_id, int(now.timestamp()),
                             body)
    db.session.commit()  # the attempt is taken; no transaction stays open while posting
    answer = post(url, body, headers)
    delivery = db.session.get(WebhookDelivery, delivery_id, populate_existing=True)
    if delivery is None:  # the subscription was deleted meanwhile
        db.session.rollback()
        return
    record_answer(delivery, answer.status, answer.excerpt, utcnow())
    db.session.commit()
    log.info("webhook delivery %s attempt %s: %s", delivery_id, attempt,
             answer.status if answer.status is not None else "no answer")
    if delivery.state == DeliveryState.PENDING and delivery.next_attempt_at is not None:
        hand_over_at(delivery.next_attempt_at, delivery.id, delivery.attempts + 1)


def send_due(now: datetime | None = None) -> int:
    """Hand every due delivery to the queue (or send it here, without Redis), after
    counting lost attempts as failed; returns how many were handed over. What ``lms
    webhooks send`` and ``lms notify`` run: the safety net under the queue's own
    scheduling, and the retries where there is no Redis."""
    now = now or utcnow()
    recover_lost_attempts(now)
    db.session.commit()
    due = due_deliveries(now)
    db.session.rollback()
    for delivery_id, attempt in due:
        hand_over(delivery_id, attempt)
    return len(due)
