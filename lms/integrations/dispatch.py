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

from lms.db import SessionLike, after_commit

log = logging.getLogger(__name__)

SEND = "lms.integrations.delivery.send_delivery"


def send_after_commit(session: SessionLike, delivery_id: int, attempt: int) -> None:
    after_commit(session, lambda: _hand_over_committed(delivery_id, attempt))


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


def _hand_over_committed(delivery_id: int, attempt: int) -> None:
    if not has_app_context():
        return
    try:
        hand_over(delivery_id, attempt)
    except Exception:  # the delivery stays due: the next `lms webhooks send` sends it
        log.exception("webhook delivery %s could not be queued", delivery_id)
