"""The database itself refuses what must never be stored, even if the code had a bug."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, StatementError

from lms.accounts.models import Role, User
from lms.attendance.models import Attendance, AttendanceStatus
from lms.certificates.models import Certificate, CertificateKind, CertificateStatus
from lms.cohorts.models import Enrollment
from lms.extensions import db
from tests.factories import berlin, enroll, load_test_course, make_cohort, make_meeting, make_user


@pytest.fixture
def cohort(app, course_dir):
    cohort = make_cohort(load_test_course(course_dir))
    db.session.commit()
    return cohort


def _certificate(enrollment, serial, code, **kw):
    values = dict(
        enrollment=enrollment, kind=CertificateKind.CERTIFICATE, serial=serial,
        verification_code=code, stored_name=f"{code}.pdf", sha256="a" * 64,
        design="thk", language="de",
    )
    values.update(kw)
    return Certificate(**values)


def test_second_attendance_row_for_same_meeting_and_participant_is_refused(cohort):
    meeting = make_meeting(cohort, berlin(2026, 10, 16))
    enrollment = enroll(cohort)
    db.session.add(Attendance(meeting=meeting, enrollment=enrollment,
                              status=AttendanceStatus.PRESENT))
    db.session.commit()
    db.session.add(Attendance(meeting=meeting, enrollment=enrollment,
                              status=AttendanceStatus.ABSENT))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attendance)) == 1


def test_duplicate_certificate_serial_is_refused(cohort):
    first, second = enroll(cohort), enroll(cohort)
    db.session.add(_certificate(first, "SMM-2026-0001", "code-one"))
    db.session.commit()
    db.session.add(_certificate(second, "SMM-2026-0001", "code-two"))
    with pytest.raises(IntegrityError):
        db.session.commit()


def test_duplicate_verification_code_is_refused(cohort):
    first, second = enroll(cohort), enroll(cohort)
    db.session.add(_certificate(first, "SMM-2026-0001", "same-code"))
    db.session.commit()
    db.session.add(_certificate(second, "SMM-2026-0002", "same-code"))
    with pytest.raises(IntegrityError):
        db.session.commit()


def test_only_one_valid_certificate_per_enrollment_and_kind(cohort):
    enrollment = enroll(cohort)
    db.session.add(_certificate(enrollment, "SMM-2026-0001", "c1"))
    db.session.commit()
    db.session.add(_certificate(enrollment, "SMM-2026-0002", "c2"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()

    # Once the first is revoked, a corrected one may be issued; the revoked one stays.
    first = db.session.scalar(sa.select(Certificate))
    first.status = CertificateStatus.REVOKED
    first.revoked_at = datetime.now(UTC)
    first.revoked_reason = "Name falsch geschrieben"
    db.session.add(_certificate(enrollment, "SMM-2026-0002", "c2"))
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 2


def test_revocation_needs_a_reason(cohort):
    enrollment = enroll(cohort)
    db.session.add(_certificate(enrollment, "SMM-2026-0001", "c1",
                                status=CertificateStatus.REVOKED, revoked_at=datetime.now(UTC)))
    with pytest.raises(IntegrityError):
        db.session.commit()


def test_second_enrollment_of_a_person_in_one_cohort_is_refused(cohort):
    user = make_user(Role.PARTICIPANT)
    enroll(cohort, user)
    db.session.commit()
    db.session.add(Enrollment(cohort=cohort, user=user))
    with pytest.raises(IntegrityError):
        db.session.commit()


def test_email_is_unique_whatever_its_case(app):
    make_user(email="Jürgen.Müller@Example.org")
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(
            sa.insert(User).values(
                email="jürgen.müller@example.org", first_name="J", last_name="M",
                title_form="male", locale="de", is_active_account=True,
                created_at=datetime.now(UTC), updated_at=datetime.now(UTC),
            )
        )
        db.session.commit()
    db.session.rollback()
    with pytest.raises(IntegrityError):  # bypassing the model: mixed case never reaches a row
        db.session.execute(sa.text(
            "INSERT INTO user_account (email, first_name, last_name, title_form, locale,"
            " is_active_account, created_at, updated_at)"
            " VALUES ('Upper@Example.org', 'A', 'B', 'male', 'de', true, :t, :t)"
        ), {"t": datetime(2026, 1, 1, tzinfo=UTC)})
        db.session.commit()


@pytest.mark.parametrize(
    ("table", "column"),
    [("attendance", "status"), ("enrollment", "status"), ("meeting", "status"),
     ("certificate", "status"), ("user_account", "title_form")],
)
def test_check_constraints_refuse_unknown_states(cohort, table, column):
    """A raw UPDATE past the ORM still cannot store a state that does not exist."""
    meeting = make_meeting(cohort, berlin(2026, 10, 16))
    enrollment = enroll(cohort)
    db.session.add(Attendance(meeting=meeting, enrollment=enrollment,
                              status=AttendanceStatus.PRESENT))
    db.session.add(_certificate(enrollment, "SMM-2026-0001", "c1"))
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(sa.text(f"UPDATE {table} SET {column} = 'bogus'"))  # noqa: S608
        db.session.commit()


def test_foreign_keys_are_enforced(cohort):
    enrollment = enroll(cohort)
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(sa.text(
            "INSERT INTO attendance (meeting_id, enrollment_id, status, note, recorded_at)"
            " VALUES (999999, :e, 'present', '', :t)"
        ), {"e": enrollment.id, "t": datetime(2026, 1, 1, tzinfo=UTC)})
        db.session.commit()


def test_meeting_must_end_after_it_starts(cohort):
    meeting = make_meeting(cohort, berlin(2026, 10, 16))
    db.session.commit()
    meeting.ends_at = meeting.starts_at - timedelta(minutes=1)
    with pytest.raises(IntegrityError):
        db.session.commit()


def test_datetimes_are_timezone_aware_utc(cohort):
    meeting = make_meeting(cohort, berlin(2026, 10, 16, 9))
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(type(meeting), meeting.id)
    assert stored.starts_at.tzinfo is not None
    assert stored.starts_at.utcoffset() == timedelta(0)
    assert stored.starts_at == datetime(2026, 10, 16, 7, 0, tzinfo=UTC)  # 09:00 CEST


def test_naive_datetimes_are_refused(cohort):
    meeting = make_meeting(cohort, berlin(2026, 10, 16))
    db.session.commit()
    meeting.starts_at = datetime(2026, 10, 16, 9, 0)  # noqa: DTZ001 (the point of the test)
    with pytest.raises(StatementError, match="naive datetime"):
        db.session.commit()


# --------------------------------------------------------------------------- names taken
# The unique constraint decides; the operation says it as the area's error (on the field
# it concerns), in a savepoint, so that the caller's session stays usable.


def test_a_company_name_taken_is_the_operations_refusal(cohort):
    from lms.cohorts.operations import CohortError, create_company, update_company

    taken = cohort.company.name
    with pytest.raises(CohortError) as refused:
        create_company(f"  {taken} ")
    assert refused.value.field == "name"
    other = create_company("Andere GmbH")  # the session goes on after the refusal
    with pytest.raises(CohortError):
        update_company(other, name=taken, contact_name="", contact_email="")
    db.session.commit()
    db.session.refresh(other)
    assert other.name == "Andere GmbH"


def test_a_cohort_name_taken_in_its_course_is_the_operations_refusal(cohort):
    from lms.cohorts.operations import CohortError, create_cohort, update_cohort

    with pytest.raises(CohortError) as refused:
        create_cohort(cohort.course, cohort.company, cohort.name, cohort.starts_on,
                      cohort.ends_on)
    assert refused.value.field == "name"
    second = create_cohort(cohort.course, cohort.company, "Zweite Gruppe", cohort.starts_on,
                           cohort.ends_on)
    with pytest.raises(CohortError):
        update_cohort(second, name=cohort.name)
    db.session.rollback()


def test_an_account_address_taken_is_the_operations_refusal(app):
    from lms.accounts.operations import AccountError, create_user

    make_user(Role.PARTICIPANT, email="doppelt@example.org")
    with pytest.raises(AccountError) as refused:
        create_user("Doppelt@Example.org", "Zweite", "Person")
    assert refused.value.field == "email"


def test_a_refused_name_leaves_nothing_of_the_transaction_on_sqlite_too(cohort):
    """The savepoint of the check must not commit what the caller has not (Python's
    sqlite3 driver would let a SAVEPOINT start, and its RELEASE end, the transaction)."""
    from lms.cohorts.operations import CohortError, create_company

    db.session.expire_all()
    create_company("Erst angelegt GmbH")  # the first write of the transaction
    with pytest.raises(CohortError):
        create_company(cohort.company.name)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).where(
        sa.text("name = 'Erst angelegt GmbH'")).select_from(sa.table("company"))) == 0


def test_two_coordinators_creating_one_company_at_once(app):
    """Both pass every check made before the write; the constraint lets one in and the
    other is told, with the area's error, not an IntegrityError."""
    import threading

    from lms.cohorts.models import Company
    from lms.cohorts.operations import CohortError, create_company

    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def create() -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                create_company("Gleichzeitig GmbH")
                db.session.commit()
                outcomes.append("created")
            except BaseException as exc:  # reported below
                db.session.rollback()
                outcomes.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=create) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes.count("created") == 1, outcomes
    [refusal] = [o for o in outcomes if o != "created"]
    assert isinstance(refusal, CohortError), refusal
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Company).where(
        Company.name == "Gleichzeitig GmbH")) == 1
