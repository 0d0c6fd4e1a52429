"""Mail about an evaluation: the coordinator's one reminder, one mail per recipient handed
over with the claimed reminder and sent once it is committed (a mail cannot be rolled
back): by a worker, each retried on its own, or at once without Redis."""

from __future__ import annotations

from typing import Any

from flask import current_app

from lms.accounts.models import User
from lms.evaluation.queries import EvaluationStatus
from lms.mail import Outgoing, send_later


def evaluation_link(status: EvaluationStatus) -> str:
    return (f"{current_app.config['LMS_BASE_URL']}/me/cohorts/{status.cohort.id}"
            f"/modules/{status.module.id}/evaluation")


def send_reminders(status: EvaluationStatus, users: list[User]) -> list[Outgoing]:
    """The reminder to each of ``users``, in their language, once the transaction commits
    (call it before the commit)."""
    return [send_later(user, "evaluation_reminder", **mail_context(status)) for user in users]


def mail_context(status: EvaluationStatus) -> dict[str, Any]:
    return {"module": status.module, "cohort": status.cohort, "closes_at": status.closes_at,
            "link": evaluation_link(status), "reminder": True}
