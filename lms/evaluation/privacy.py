"""The module evaluation keeps its answers without the person: only that a participant
has answered is personal (to remind those who have not, and to refuse a second answer)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l

from lms.privacy.declare import Category as C
from lms.privacy.declare import Erasure as E
from lms.privacy.declare import LegalBasis as B
from lms.privacy.declare import personal, table
from lms.privacy.retention import Retention as R

if TYPE_CHECKING:
    from lms.accounts.models import User
    from lms.privacy.erasure import ErasureContext
    from lms.privacy.export import AreaExport
    from lms.privacy.purge import PurgeContext

TABLES = (
    table(
        "evaluation",
        key=("id", "cohort_id", "module_id", "reminded_by_id"),
        course=("questionnaire",),
        bookkeeping=("reminded_at",),
    ),
    table(
        "evaluation_response",
        key=("id", "evaluation_id"),
        anonymous=("answers",),
    ),
    table(
        "evaluation_participation",
        personal("enrollment_id", C.PARTICIPATION,
                 _l("that a participant has answered a module's evaluation (never what): "
                    "not reminded, not asked twice"),
                 B.PUBLIC_TASK, R.ATTENDANCE_DETAIL, E.DELETE),
        key=("evaluation_id",),
    ),
)


def erase(context: ErasureContext) -> None:
    """That the person answered an evaluation goes (the answers never named them)."""
    import sqlalchemy as sa

    from lms.cohorts.models import Enrollment
    from lms.evaluation.models import EvaluationParticipation
    from lms.privacy.erasure import delete_rows

    theirs = sa.select(Enrollment.id).where(Enrollment.user_id == context.user.id)
    context.count("evaluation_participation", delete_rows(sa.delete(
        EvaluationParticipation).where(EvaluationParticipation.enrollment_id.in_(theirs))))


def export(person: User) -> AreaExport:
    """Which module evaluations the person answered (what they answered is anonymous:
    nobody, the person included, can find it again)."""
    import sqlalchemy as sa

    from lms.cohorts.models import Enrollment
    from lms.evaluation.models import Evaluation, EvaluationParticipation
    from lms.extensions import db
    from lms.privacy.export import AreaExport

    exported = AreaExport(_l("Evaluations you answered"))
    theirs = sa.select(Enrollment.id).where(Enrollment.user_id == person.id)
    rows = db.session.execute(
        sa.select(EvaluationParticipation.enrollment_id, Evaluation)
        .join(Evaluation, Evaluation.id == EvaluationParticipation.evaluation_id)
        .where(EvaluationParticipation.enrollment_id.in_(theirs)))
    exported.add("evaluation_participation", [
        {"enrollment_id": enrollment_id,
         "context": {"cohort": evaluation.cohort.name, "module": evaluation.module.title}}
        for enrollment_id, evaluation in rows])
    return exported


def purge(context: PurgeContext) -> None:
    """Who answered, of cohorts past ATTENDANCE_DETAIL."""
    import sqlalchemy as sa

    from lms.cohorts.models import Cohort
    from lms.evaluation.models import Evaluation, EvaluationParticipation

    over = sa.select(Evaluation.id).join(Cohort, Cohort.id == Evaluation.cohort_id).where(
        Cohort.ends_on < context.ended_before(R.ATTENDANCE_DETAIL))
    context.delete_where(R.ATTENDANCE_DETAIL, _l("answered evaluations"),
                         EvaluationParticipation,
                         EvaluationParticipation.evaluation_id.in_(over))
