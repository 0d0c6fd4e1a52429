"""Deliveries go to the queue after their transaction commits (a worker must find the
row, and nothing is sent for a change that was rolled back), wherever the event
happened: a page, an API call, a job or a command. A delivery whose hand-over fails
(Redis away) stays due in the database; ``lms webhooks send`` (and ``lms notify``) hand
over every due one.
"""

from __future__ import annotations

import logging
from datetime import datetime

from flask import has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from lms.db import SessionLike

log = logging.getLogger(__name__)

_PENDING = "lms_webhook_deliveries"
SEND = "lms.integrations.delivery.send_delivery"


def send_after_commit(session: SessionLike, delivery_id: int, attempt: int) -> None:
    session.info.setdefault(_PENDING, []).append((delivery_id, attempt))


def hand_over(delivery_id: int, attempt: int) -> None:
    """Attempt ``attempt`` of the delivery, on the queue now (or here, without Redis).

    Where RQ runs its jobs at once (``TESTING``) the attempt runs as it does without
    Redis, in an application context and database session of its own, as a worker's
    would: it is handed over from the committing session's ``after_commit``, where that
    session can emit no more SQL."""
    from lms.jobs.queue import DEFAULT, enqueue, get_queue, queued, run_inline

    if queued() and not get_queue(DEFAULT).is_async:
        run_inline(SEND, delivery_id, attempt)
        return
    enqueue(DEFAULT, SEND, delivery_id, attempt, retry=False)


def hand_over_at(when: datetime, delivery_id: int, attempt: int) -> bool:
    """Attempt ``attempt`` at ``when``; False when the queue cannot wait (no Redis, or
    tests): ``lms webhooks send`` finds it when it is due."""
    from lms.jobs.queue import DEFAULT, enqueue_at

    return enqueue_at(when, DEFAULT, SEND, delivery_id, attempt)


@event.listens_for(Session, "after_commit")
def _send_committed(session: Session) -> None:
    if session.in_nested_transaction():
        return
    pending = session.info.pop(_PENDING, [])
    if not pending or not has_app_context():
        return
    for delivery_id, attempt in pending:
        try:
            hand_over(delivery_id, attempt)
        except Exception:  # the delivery stays due: the next `lms webhooks send` sends it
            log.exception("webhook delivery %s could not be queued", delivery_id)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_PENDING, None)
