"""Mail about an evaluation: the coordinator's one reminder. Sent after the reminder was
committed (a mail cannot be rolled back); a recipient whose mail fails is logged and
skipped, so that one bad address stops nobody else's."""

from __future__ import annotations

from typing import Any

from flask import current_app

from lms.accounts.models import User
from lms.evaluation.queries import EvaluationStatus
from lms.mail import MailError, send_to_user


def evaluation_link(status: EvaluationStatus) -> str:
    return (f"{current_app.config['LMS_BASE_URL']}/me/cohorts/{status.cohort.id}"
            f"/modules/{status.module.id}/evaluation")


def send_reminders(status: EvaluationStatus, users: list[User]) -> int:
    """The reminder to each of ``users``, in their language; how many were sent."""
    sent = 0
    for user in users:
        try:
            send_to_user(user, "evaluation_reminder", **mail_context(status))
        except MailError:
            current_app.logger.warning("evaluation reminder to user %s failed", user.id)
            continue
        sent += 1
    return sent


def mail_context(status: EvaluationStatus) -> dict[str, Any]:
    return {"module": status.module, "cohort": status.cohort, "closes_at": status.closes_at,
            "link": evaluation_link(status), "reminder": True}
