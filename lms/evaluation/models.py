"""The anonymous module evaluation: what was asked, the answers, and who has answered.

Anonymity is a property of the schema, not a promise of the code:

- :class:`EvaluationResponse` (the answers) has no column that names a person, no
  timestamp, and a random UUID as its key; nothing refers to it.
- :class:`EvaluationParticipation` ("has answered", to remind and to refuse a second
  answer) names the enrollment and the evaluation only: no id of its own, no time, no
  reference to a response.
- The order rows were written in says nothing either: every new answer rewrites all
  responses of its evaluation in a new random order, in its own transaction
  (:func:`lms.evaluation.operations.submit_response`), so that neither SQLite's rowid nor
  PostgreSQL's physical order or transaction ids (``xmin``) follow the order of the
  "has answered" rows.

``tests/evaluation/test_anonymity.py`` inspects the migrated schema for all of this.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import Model
from lms.labels import LabelledEnum

if TYPE_CHECKING:
    from lms.accounts.models import User
    from lms.cohorts.models import Cohort
    from lms.curriculum.models import Module


class EvaluationWindow(LabelledEnum):
    """Where a module's evaluation stands in time (from the cohort's schedule)."""

    UPCOMING = "upcoming", _l("not open yet")
    OPEN = "open", _l("open")
    CLOSED = "closed", _l("closed")


def new_response_id() -> str:
    return str(uuid.uuid4())


class Evaluation(Model):
    """A module's evaluation in one cohort: made when it is first answered or reminded of,
    with the questions it is answered with."""

    __tablename__ = "evaluation"
    __table_args__ = (sa.UniqueConstraint("cohort_id", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohort.id", ondelete="CASCADE"))
    module_id: Mapped[int] = mapped_column(sa.ForeignKey("module.id", ondelete="RESTRICT"))
    # The questionnaire as it was when the evaluation was made (Questionnaire.as_data()).
    questionnaire: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    # The coordinator's one reminder to those who have not answered.
    reminded_at: Mapped[datetime | None]
    reminded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"))

    cohort: Mapped[Cohort] = relationship()
    module: Mapped[Module] = relationship()
    reminded_by: Mapped[User | None] = relationship()


class EvaluationResponse(Model):
    """One participant's answers, without the participant: a random key, the evaluation,
    the answers ({question key: scale position 1…n or text}); no person, no time."""

    __tablename__ = "evaluation_response"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True, default=new_response_id)
    evaluation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("evaluation.id", ondelete="CASCADE"), index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(sa.JSON)


class EvaluationParticipation(Model):
    """That an enrollment has answered an evaluation (never what, never when)."""

    __tablename__ = "evaluation_participation"

    evaluation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("evaluation.id", ondelete="CASCADE"), primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enrollment.id", ondelete="CASCADE"), primary_key=True, index=True)
