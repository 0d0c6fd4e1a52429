"""The personal data of assignments: work handed in and how it was graded."""

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

HANDED_IN = _l("grading the work handed in")
EXAM = _l("the exam record: whether an assessment was passed, and why")

TABLES = (
    table(
        "assignment",
        key=("id", "cohort_id", "module_id"),
        course=("key", "title", "description", "kind", "grading", "max_points",
                "pass_points", "due_at", "required"),
        bookkeeping=("created_at", "updated_at"),
    ),
    table(
        "submission",
        personal("stored_name", C.SUBMISSION,
                 _l("the file handed in (kept in the storage folder under this name)"),
                 B.CONTRACT, R.SUBMISSIONS, E.DELETE),
        personal("original_filename", C.SUBMISSION, HANDED_IN, B.CONTRACT, R.SUBMISSIONS,
                 E.DELETE),
        personal("submitted_at", C.SUBMISSION, HANDED_IN, B.CONTRACT, R.SUBMISSIONS,
                 E.DELETE),
        personal("is_late", C.SUBMISSION, HANDED_IN, B.CONTRACT, R.SUBMISSIONS, E.DELETE),
        key=("id", "assignment_id", "enrollment_id"),
        technical=("version", "content_type", "size_bytes", "sha256"),
    ),
    table(
        "grade",
        personal("passed", C.RESULT, EXAM, B.LEGAL_OBLIGATION, R.EXAM_RECORDS, E.KEEP),
        personal("points", C.RESULT, EXAM, B.LEGAL_OBLIGATION, R.EXAM_RECORDS, E.KEEP),
        personal("feedback", C.RESULT, EXAM, B.LEGAL_OBLIGATION, R.EXAM_RECORDS, E.KEEP),
        key=("id", "assignment_id", "enrollment_id", "submission_id", "graded_by_id"),
        bookkeeping=("graded_at", "published_at", "created_at", "updated_at"),
    ),
)


def erase(context: ErasureContext) -> None:
    """Work handed in goes, files included. Grades are exam records: kept while their
    period runs, the feedback without the name; deleted after it."""
    import sqlalchemy as sa
    from sqlalchemy.orm import selectinload

    from lms.assignments.models import Grade, Submission
    from lms.cohorts.models import Enrollment
    from lms.extensions import db

    theirs = sa.select(Enrollment.id).where(Enrollment.user_id == context.user.id)
    grades = db.session.scalars(sa.select(Grade).where(Grade.enrollment_id.in_(theirs)).options(
        selectinload(Grade.enrollment).selectinload(Enrollment.cohort))).all()
    context.note(*grades)
    for grade in grades:
        grade.submission_id = None
        if context.holds(R.EXAM_RECORDS, grade.enrollment.cohort.ends_on):
            grade.feedback = context.scrub(grade.feedback, own=True)
            context.count("grades_kept")
        else:
            db.session.delete(grade)
            context.count("grade")
    db.session.flush()
    submissions = db.session.scalars(sa.select(Submission).where(
        Submission.enrollment_id.in_(theirs))).all()
    context.note(*submissions)
    for submission in submissions:
        context.remove_file("submissions", submission.stored_name)
        db.session.delete(submission)
    context.count("submission", len(submissions))


def export(person: User) -> AreaExport:
    """Work handed in (with the files, as handed in) and the grades published."""
    import sqlalchemy as sa
    from werkzeug.utils import secure_filename

    from lms.assignments.models import Grade, Submission
    from lms.cohorts.models import Enrollment
    from lms.extensions import db
    from lms.privacy.export import AreaExport, ExportFile, personal

    theirs = sa.select(Enrollment.id).where(Enrollment.user_id == person.id)
    exported = AreaExport(_l("Your work and grades"))
    submissions = db.session.scalars(sa.select(Submission).where(
        Submission.enrollment_id.in_(theirs)).order_by(Submission.id)).all()
    for submission in submissions:
        assignment = submission.assignment
        name = (f"files/{submission.id}-{assignment.key}-v{submission.version}-"
                f"{secure_filename(submission.original_filename) or 'file'}")
        exported.files.append(ExportFile("submissions", submission.stored_name, name))
        exported.add("submission", [personal(
            submission, cohort=assignment.cohort.name, assignment=assignment.title,
            version=submission.version, size_bytes=submission.size_bytes,
            sha256=submission.sha256, file=name)])
    exported.add("grade", [
        personal(g, cohort=g.assignment.cohort.name, assignment=g.assignment.title,
                 graded_at=g.graded_at, published_at=g.published_at)
        for g in db.session.scalars(sa.select(Grade).where(
            Grade.enrollment_id.in_(theirs), Grade.published_at.is_not(None))
            .order_by(Grade.id))])
    return exported


def purge(context: PurgeContext) -> None:
    """Work handed in past SUBMISSIONS (counted from its grade, ungraded from the end of
    the cohort), files included; grades of cohorts past EXAM_RECORDS."""
    import sqlalchemy as sa
    from flask_babel import lazy_gettext as _l

    from lms.assignments.models import Assignment, Grade, Submission
    from lms.cohorts.models import Cohort
    from lms.extensions import db
    from lms.privacy.erasure import remove_after_commit

    graded_long_ago = sa.exists().where(
        Grade.assignment_id == Submission.assignment_id,
        Grade.enrollment_id == Submission.enrollment_id,
        Grade.graded_at < context.cutoff(R.SUBMISSIONS))
    graded = sa.exists().where(Grade.assignment_id == Submission.assignment_id,
                               Grade.enrollment_id == Submission.enrollment_id)
    cohort_over = Submission.assignment_id.in_(
        sa.select(Assignment.id).join(Cohort, Cohort.id == Assignment.cohort_id)
        .where(Cohort.ends_on < context.ended_before(R.SUBMISSIONS)))
    submissions = db.session.scalars(sa.select(Submission).where(
        sa.or_(graded_long_ago, sa.and_(~graded, cohort_over)))).all()
    context.found(R.SUBMISSIONS, _l("files handed in"), len(submissions))
    if context.apply and submissions:
        ids = [s.id for s in submissions]
        db.session.execute(sa.update(Grade).where(Grade.submission_id.in_(ids))
                           .values(submission_id=None)
                           .execution_options(synchronize_session=False))
        for submission in submissions:
            remove_after_commit(db.session, "submissions", submission.stored_name)
            db.session.delete(submission)

    grades = db.session.scalars(sa.select(Grade).where(Grade.assignment_id.in_(
        sa.select(Assignment.id).join(Cohort, Cohort.id == Assignment.cohort_id)
        .where(Cohort.ends_on < context.ended_before(R.EXAM_RECORDS))))).all()
    context.found(R.EXAM_RECORDS, _l("grades"), len(grades))
    if context.apply:
        for grade in grades:
            db.session.delete(grade)
