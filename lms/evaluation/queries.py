"""Reads of the module evaluation: when it is open, how many have answered, and the results
(only from the configured minimum of answers on, ``LMS_EVALUATION_MIN_ANSWERS``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from lms.accounts.models import User
from lms.cohorts.models import Cohort, Enrollment, EnrollmentStatus
from lms.curriculum.models import Module
from lms.evaluation.models import (
    Evaluation,
    EvaluationParticipation,
    EvaluationResponse,
    EvaluationWindow,
)
from lms.evaluation.questionnaire import Question, Questionnaire
from lms.extensions import db
from lms.i18n import sort_key
from lms.schedule.models import Meeting, MeetingStatus, meeting_lecturer

# Who is asked: participants who take part or have completed (not the invited who never
# logged in, not the withdrawn).
ASKED_ENROLLMENT = (EnrollmentStatus.ACTIVE, EnrollmentStatus.COMPLETED)


def minimum_answers() -> int:
    """How many answers a result needs before anyone sees it (never fewer than 3)."""
    return int(current_app.config["LMS_EVALUATION_MIN_ANSWERS"])


@dataclass(frozen=True)
class EvaluationStatus:
    """A module's evaluation in a cohort: its window, its questions, who answered how much."""

    cohort: Cohort
    module: Module
    questionnaire: Questionnaire
    last_meeting_ends: datetime
    evaluation: Evaluation | None
    answered: int
    asked: int
    now: datetime

    @property
    def opens_at(self) -> datetime:
        return self.last_meeting_ends

    @property
    def closes_at(self) -> datetime:
        return self.last_meeting_ends + timedelta(days=self.questionnaire.open_days)

    @property
    def window(self) -> EvaluationWindow:
        if self.now < self.opens_at:
            return EvaluationWindow.UPCOMING
        if self.now < self.closes_at:
            return EvaluationWindow.OPEN
        return EvaluationWindow.CLOSED

    @property
    def is_open(self) -> bool:
        return self.window == EvaluationWindow.OPEN

    @property
    def rate_percent(self) -> int:
        return round(100 * self.answered / self.asked) if self.asked else 0

    @property
    def reminded_at(self) -> datetime | None:
        return self.evaluation.reminded_at if self.evaluation is not None else None

    @property
    def results_visible(self) -> bool:
        return self.answered >= minimum_answers()

    @property
    def may_remind(self) -> bool:
        return self.is_open and self.reminded_at is None and self.answered < self.asked


def course_questionnaire(cohort: Cohort) -> Questionnaire | None:
    data = cohort.course.evaluation
    return Questionnaire.from_data(data) if data else None


def cohort_evaluations(cohort: Cohort, now: datetime,
                       modules: set[int] | None = None) -> list[EvaluationStatus]:
    """The evaluation of every module the cohort meets for (in module order), or of the
    modules in ``modules``; empty when the course has no questionnaire. A fixed number of
    queries, however many modules."""
    questionnaire = course_questionnaire(cohort)
    if questionnaire is None:
        return []
    ends = dict(db.session.execute(
        sa.select(Meeting.module_id, sa.func.max(Meeting.ends_at))
        .where(Meeting.cohort_id == cohort.id, Meeting.status == MeetingStatus.SCHEDULED)
        .group_by(Meeting.module_id)).all())
    if modules is not None:
        ends = {k: v for k, v in ends.items() if k in modules}
    if not ends:
        return []
    evaluations = {e.module_id: e for e in db.session.scalars(
        sa.select(Evaluation).where(Evaluation.cohort_id == cohort.id))}
    answered = dict(db.session.execute(
        sa.select(EvaluationParticipation.evaluation_id, sa.func.count())
        .join(Evaluation, Evaluation.id == EvaluationParticipation.evaluation_id)
        .where(Evaluation.cohort_id == cohort.id)
        .group_by(EvaluationParticipation.evaluation_id)).all())
    asked = count_asked(cohort)
    result = []
    for module in cohort.course.modules:
        if module.id not in ends:
            continue
        evaluation = evaluations.get(module.id)
        stored = evaluation.questionnaire if evaluation is not None else None
        result.append(EvaluationStatus(
            cohort=cohort, module=module,
            questionnaire=Questionnaire.from_data(stored) if stored else questionnaire,
            last_meeting_ends=ends[module.id], evaluation=evaluation,
            answered=answered.get(evaluation.id, 0) if evaluation is not None else 0,
            asked=asked, now=now))
    return result


def evaluation_status(cohort: Cohort, module: Module, now: datetime) -> EvaluationStatus | None:
    """The evaluation of ``module`` in ``cohort``; None when there is none (no
    questionnaire, or the cohort does not meet for the module)."""
    found = cohort_evaluations(cohort, now, modules={module.id})
    return found[0] if found else None


def count_asked(cohort: Cohort) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Enrollment).where(
        Enrollment.cohort_id == cohort.id, Enrollment.status.in_(ASKED_ENROLLMENT))) or 0


def has_answered(evaluation: Evaluation | None, enrollment: Enrollment) -> bool:
    if evaluation is None:
        return False
    return bool(db.session.scalar(sa.select(sa.exists().where(
        EvaluationParticipation.evaluation_id == evaluation.id,
        EvaluationParticipation.enrollment_id == enrollment.id))))


@dataclass(frozen=True)
class OpenEvaluation:
    status: EvaluationStatus
    enrollment: Enrollment
    answered: bool


def open_evaluations_for(enrollments: list[Enrollment], now: datetime) -> list[OpenEvaluation]:
    """The evaluations a participant may answer now (and whether they have), for the
    start page."""
    found = []
    for enrollment in enrollments:
        if enrollment.status not in ASKED_ENROLLMENT:
            continue
        for status in cohort_evaluations(enrollment.cohort, now):
            if status.is_open:
                found.append(OpenEvaluation(status, enrollment,
                                            has_answered(status.evaluation, enrollment)))
    return found


def lecturer_evaluations(user: User, now: datetime) -> list[EvaluationStatus]:
    """The evaluations of the modules ``user`` teaches, in every cohort they teach them in
    (newest cohort first)."""
    pairs = db.session.execute(
        sa.select(Meeting.cohort_id, Meeting.module_id).distinct()
        .join(meeting_lecturer, meeting_lecturer.c.meeting_id == Meeting.id)
        .where(meeting_lecturer.c.user_id == user.id)).all()
    by_cohort: dict[int, set[int]] = {}
    for cohort_id, module_id in pairs:
        by_cohort.setdefault(cohort_id, set()).add(module_id)
    cohorts = db.session.scalars(
        sa.select(Cohort).where(Cohort.id.in_(by_cohort))
        .options(selectinload(Cohort.course), selectinload(Cohort.company))
        .order_by(Cohort.starts_on.desc(), Cohort.id.desc())).all()
    return [status for cohort in cohorts
            for status in cohort_evaluations(cohort, now, modules=by_cohort[cohort.id])]


def users_not_answered(status: EvaluationStatus) -> list[User]:
    """Who is asked and has not answered (active accounts only), for the reminder."""
    answered = sa.select(EvaluationParticipation.enrollment_id).where(
        EvaluationParticipation.evaluation_id == (status.evaluation.id if status.evaluation
                                                  else -1))
    return list(db.session.scalars(
        sa.select(User).join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.cohort_id == status.cohort.id,
               Enrollment.status.in_(ASKED_ENROLLMENT), Enrollment.id.not_in(answered),
               User.is_active_account.is_(True))
        .order_by(User.id)))


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Distribution:
    """How often each answer of the scale was given to one statement."""

    question: Question
    counts: tuple[int, ...]  # per scale position, lowest agreement first
    no_answer: int

    @property
    def answered(self) -> int:
        return sum(self.counts)

    @property
    def mean(self) -> float | None:
        if not self.answered:
            return None
        return sum(i * n for i, n in enumerate(self.counts, start=1)) / self.answered

    def percent(self, count: int) -> int:
        return round(100 * count / self.answered) if self.answered else 0


@dataclass(frozen=True)
class Results:
    status: EvaluationStatus
    responses: int
    distributions: tuple[Distribution, ...]
    # Per free-text question, its answers in alphabetical order (never in the order given).
    texts: tuple[tuple[Question, tuple[str, ...]], ...] = field(default=())


def evaluation_results(status: EvaluationStatus) -> Results | None:
    """The answers summed up, or None while fewer than the minimum exist."""
    if status.evaluation is None or not status.results_visible:
        return None
    answers: list[dict[str, Any]] = list(db.session.scalars(
        sa.select(EvaluationResponse.answers)
        .where(EvaluationResponse.evaluation_id == status.evaluation.id)))
    if len(answers) < minimum_answers():
        return None
    questionnaire = status.questionnaire
    size = len(questionnaire.scale)
    distributions = []
    for question in questionnaire.scale_questions:
        given = Counter(a.get(question.key) for a in answers)
        distributions.append(Distribution(
            question, tuple(given.get(position, 0) for position in range(1, size + 1)),
            no_answer=sum(n for value, n in given.items()
                          if not (isinstance(value, int) and 1 <= value <= size))))
    texts = tuple(
        (question, tuple(sorted((a[question.key] for a in answers
                                 if isinstance(a.get(question.key), str)
                                 and a[question.key].strip()), key=lambda t: sort_key(t))))
        for question in questionnaire.text_questions)
    return Results(status, len(answers), tuple(distributions), texts)
