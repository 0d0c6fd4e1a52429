"""The personal data of cohorts: who takes part, and the company's contact person."""

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

CONTACT_PERSON = _l("reaching the client's contact person about the booking")
TAKING_PART = _l("taking part in the cohort: invited, active, withdrawn or completed")

TABLES = (
    table(
        "company",
        personal("contact_name", C.IDENTITY, CONTACT_PERSON, B.CONTRACT, R.ACCOUNT, E.DELETE),
        personal("contact_email", C.CONTACT, CONTACT_PERSON, B.CONTRACT, R.ACCOUNT, E.DELETE),
        key=("id",), course=("name",), bookkeeping=("created_at", "updated_at"),
    ),
    table(
        "cohort",
        key=("id", "course_id", "company_id", "coordinator_id"),
        course=("name", "starts_on", "ends_on", "timezone", "location",
                "min_attendance_percent", "excused_counts", "attendance_edit_days",
                "archived_at"),
        # (moved on by the database's triggers: the attendance matrix's cache key)
        bookkeeping=("created_at", "updated_at", "data_version"),
    ),
    table(
        "enrollment",
        *(personal(column, C.PARTICIPATION, TAKING_PART, B.CONTRACT, R.EXAM_RECORDS, E.KEEP)
          for column in ("status", "invited_at", "activated_at", "withdrawn_at",
                         "completed_at")),
        key=("id", "cohort_id", "user_id"), bookkeeping=("created_at", "updated_at"),
    ),
    table(
        "cohort_contact",
        personal("user_id", C.PARTICIPATION,
                 _l("who sees a cohort's roster and status for the company"),
                 B.CONTRACT, R.ACCOUNT, E.DELETE),
        key=("cohort_id",),
    ),
)


def erase(context: ErasureContext) -> None:
    """Enrollments stay (they hold the exam records and certificates, without the name);
    a running one ends as withdrawn. The person stops being a company's contact."""
    import sqlalchemy as sa

    from lms.cohorts.models import Company, Enrollment, EnrollmentStatus, cohort_contact
    from lms.extensions import db
    from lms.privacy.erasure import delete_rows

    user = context.user
    for enrollment in db.session.scalars(sa.select(Enrollment).where(
            Enrollment.user_id == user.id)):
        context.note(enrollment)
        if enrollment.status in (EnrollmentStatus.INVITED, EnrollmentStatus.ACTIVE):
            enrollment.status, enrollment.withdrawn_at = EnrollmentStatus.WITHDRAWN, context.now
    gone = delete_rows(sa.delete(cohort_contact).where(
        cohort_contact.c.user_id == user.id))
    context.count("cohort_contact", gone)
    names = {n.casefold() for n in context.names}
    for company in db.session.scalars(sa.select(Company).where(sa.or_(
            Company.contact_email != "", Company.contact_name != ""))):
        if company.contact_email.casefold() in names or company.contact_name.casefold() in names:
            company.contact_name = company.contact_email = ""
            context.count("company_contact")


def export(person: User) -> AreaExport:
    """The cohorts the person takes part in or follows for their company."""
    import sqlalchemy as sa

    from lms.cohorts.models import Cohort, Company, Enrollment, cohort_contact
    from lms.extensions import db
    from lms.privacy.export import AreaExport, personal, record

    exported = AreaExport(_l("Your cohorts"))
    exported.add("enrollment", [
        personal(e, cohort=e.cohort.name, company=e.cohort.company.name,
                 course=e.cohort.course.title_neutral, starts_on=e.cohort.starts_on,
                 ends_on=e.cohort.ends_on)
        for e in db.session.scalars(sa.select(Enrollment).where(
            Enrollment.user_id == person.id).order_by(Enrollment.id))])
    exported.add("cohort_contact", [
        {"user_id": person.id, "context": {"cohort": c.name, "company": c.company.name}}
        for c in db.session.scalars(
            sa.select(Cohort).join(cohort_contact, cohort_contact.c.cohort_id == Cohort.id)
            .where(cohort_contact.c.user_id == person.id).order_by(Cohort.id))])
    exported.add("company", [
        record(c, ["contact_name", "contact_email"], company=c.name)
        for c in db.session.scalars(sa.select(Company).where(
            sa.func.lower(Company.contact_email) == person.email).order_by(Company.id))])
    return exported


def purge(context: PurgeContext) -> None:
    """A company's contact person, once the company's last cohort is past ACCOUNT."""
    import sqlalchemy as sa
    from flask_babel import lazy_gettext as _l

    from lms.cohorts.models import Cohort, Company
    from lms.extensions import db

    last = (sa.select(sa.func.max(Cohort.ends_on)).where(Cohort.company_id == Company.id)
            .scalar_subquery())
    companies = db.session.scalars(sa.select(Company).where(
        sa.or_(Company.contact_name != "", Company.contact_email != ""),
        last < context.ended_before(R.ACCOUNT))).all()
    context.found(R.ACCOUNT, _l("contact persons of companies"), len(companies))
    if context.apply:
        for company in companies:
            company.contact_name = company.contact_email = ""
