"""Answering an evaluation and reminding those who have not. Operations flush, never commit.

Answering is never written to the audit trail, and nothing about it is logged: the trail
names its actor and its moment, which is exactly what the answers must not have.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln

from lms.accounts.models import User
from lms.audit.operations import record_event
from lms.cohorts.models import Enrollment
from lms.db import insert_on_conflict
from lms.errors import DomainError
from lms.evaluation.models import (
    Evaluation,
    EvaluationParticipation,
    EvaluationResponse,
    new_response_id,
)
from lms.evaluation.queries import ASKED_ENROLLMENT, EvaluationStatus, users_not_answered
from lms.evaluation.questionnaire import TEXT_ANSWER_LIMIT, Questionnaire
from lms.extensions import db


class EvaluationError(DomainError):
    """An evaluation cannot be answered or reminded of."""


def _evaluation_for(status: EvaluationStatus) -> Evaluation:
    """The evaluation's row, made on first need with the questions of the moment, and
    locked for this transaction (PostgreSQL; SQLite has one writer anyway): answers to one
    evaluation are written one after the other."""
    db.session.execute(
        insert_on_conflict(db.session, Evaluation)
        .values(cohort_id=status.cohort.id, module_id=status.module.id,
                questionnaire=status.questionnaire.as_data())
        .on_conflict_do_nothing(index_elements=["cohort_id", "module_id"]))
    evaluation = db.session.scalars(
        sa.select(Evaluation)
        .where(Evaluation.cohort_id == status.cohort.id,
               Evaluation.module_id == status.module.id)
        .with_for_update()
        .execution_options(populate_existing=True)).one()
    return evaluation


def clean_answers(questionnaire: Questionnaire, given: dict[str, Any]) -> dict[str, Any]:
    """The answers as stored: a scale position (1…n) or nothing for each statement, a
    stripped text or nothing for each free question; anything else is refused."""
    size = len(questionnaire.scale)
    answers: dict[str, Any] = {}
    for question in questionnaire.questions:
        value = given.get(question.key)
        if value in (None, ""):
            continue
        if question.is_scale:
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= size:
                raise EvaluationError(_l("Please choose one of the answers given."),
                                      field=question.key)
            answers[question.key] = value
        else:
            text = str(value).strip()
            if len(text) > TEXT_ANSWER_LIMIT:
                raise EvaluationError(_ln("Please write at most %(num)s character.",
                                          "Please write at most %(num)s characters.",
                                          TEXT_ANSWER_LIMIT), field=question.key)
            if text:
                answers[question.key] = text
    if not answers:
        raise EvaluationError(_l("Please answer at least one question."))
    return answers


def submit_response(status: EvaluationStatus, enrollment: Enrollment,
                    given: dict[str, Any]) -> None:
    """Store ``enrollment``'s answers without them, and that they have answered.

    Every response of the evaluation is then written anew in a random order, in this
    transaction: the order and transaction of the rows tell nothing of who answered when
    (see :mod:`lms.evaluation.models`)."""
    if enrollment.cohort_id != status.cohort.id or enrollment.status not in ASKED_ENROLLMENT:
        raise EvaluationError(_l("Only the cohort's participants answer its evaluation."))
    if not status.is_open:
        raise EvaluationError(_l("This evaluation is not open."))
    answers = clean_answers(status.questionnaire, given)
    evaluation = _evaluation_for(status)
    claimed = db.session.scalar(
        insert_on_conflict(db.session, EvaluationParticipation)
        .values(evaluation_id=evaluation.id, enrollment_id=enrollment.id)
        .on_conflict_do_nothing(index_elements=["evaluation_id", "enrollment_id"])
        .returning(EvaluationParticipation.enrollment_id))
    if claimed is None:
        raise EvaluationError(_l("You have answered this evaluation already. Thank you!"))
    table = cast(sa.Table, EvaluationResponse.__table__)
    rows = [dict(row._mapping) for row in db.session.execute(
        sa.select(table.c.id, table.c.evaluation_id, table.c.answers)
        .where(table.c.evaluation_id == evaluation.id))]
    rows.append({"id": new_response_id(), "evaluation_id": evaluation.id, "answers": answers})
    _shuffle(rows)
    db.session.execute(sa.delete(table).where(table.c.evaluation_id == evaluation.id))
    for row in rows:  # one statement each: the order written is the order shuffled
        db.session.execute(sa.insert(table).values(**row))
    db.session.flush()


def _shuffle(rows: list[dict[str, Any]]) -> None:
    """A random order from the system's source (the order the rows are written in)."""
    secrets.SystemRandom().shuffle(rows)


def claim_reminder(status: EvaluationStatus, *, by: User, now: datetime) -> list[User]:
    """Note the evaluation's one reminder (a second is refused, also when two coordinators
    ask at once) and return whom to send it to: who is asked and has not answered."""
    if not status.is_open:
        raise EvaluationError(_l("Only an open evaluation can be reminded of."))
    evaluation = _evaluation_for(status)
    claimed = db.session.scalar(
        sa.update(Evaluation)
        .where(Evaluation.id == evaluation.id, Evaluation.reminded_at.is_(None))
        .values(reminded_at=now, reminded_by_id=by.id)
        .returning(Evaluation.id)
        .execution_options(synchronize_session=False))
    if claimed is None:
        raise EvaluationError(_l("The participants have been reminded of this evaluation "
                                 "already."))
    db.session.refresh(evaluation)
    recipients = users_not_answered(_with(status, evaluation))
    record_event(by, "evaluation.reminded", evaluation, cohort_id=status.cohort.id,
                 after={"module": status.module.number, "recipients": len(recipients)})
    return recipients


def _with(status: EvaluationStatus, evaluation: Evaluation) -> EvaluationStatus:
    from dataclasses import replace

    return replace(status, evaluation=evaluation)
