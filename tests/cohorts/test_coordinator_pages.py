"""The coordinator's way from nothing to a scheduled closed cohort with invited people."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role, TitleForm, User
from lms.audit.models import AuditEvent
from lms.cohorts.models import Cohort, Company, Enrollment, EnrollmentStatus
from lms.extensions import db
from lms.schedule.models import Meeting, MeetingStatus
from tests.factories import PASSWORD, load_test_course, make_cohort, make_user
from tests.helpers import login, text_of


@pytest.fixture
def coordinator(app, course_dir):
    load_test_course(course_dir)
    user = make_user(Role.COORDINATOR, first="Clara", last="Koordinatorin")
    db.session.commit()
    return user


@pytest.fixture
def client_c(client, coordinator):
    login(client, coordinator)
    return client


def _course_id() -> int:
    return db.session.scalar(sa.select(sa.func.min(Cohort.course_id))) or db.session.scalar(
        sa.text("SELECT min(id) FROM course"))


def test_company_and_cohort_are_created_with_the_course_rules(client_c):
    response = client_c.post("/coordination/companies/new", data={
        "name": "Detecon International GmbH", "contact_name": "Ingrid B.",
        "contact_email": "HR@detecon.example"})
    assert response.status_code == 302
    duplicate = client_c.post("/coordination/companies/new", data={"name":
                                                                   "Detecon International GmbH"})
    assert "existiert bereits" in text_of(duplicate)
    company = db.session.scalar(sa.select(Company))
    assert company.contact_email == "hr@detecon.example"
    # Creating a company is audited like every other create, with who did it.
    created = db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "company.created"))
    assert created is not None and created.object_id == str(company.id)
    assert created.actor_id is not None
    assert created.after["name"] == "Detecon International GmbH"
    # Renaming another company to a name taken is said on the name field; nothing changes.
    client_c.post("/coordination/companies/new", data={"name": "Zweite GmbH"})
    second = db.session.scalar(sa.select(Company).where(Company.name == "Zweite GmbH"))
    renamed = client_c.post(f"/coordination/companies/{second.id}/edit",
                            data={"name": "Detecon International GmbH"})
    assert renamed.status_code == 200 and "existiert bereits" in text_of(renamed)
    db.session.expire_all()
    assert second.name == "Zweite GmbH"

    response = client_c.post("/coordination/cohorts/new", data={
        "course_id": _course_id(), "company_id": company.id, "name": "Inhouse 2027",
        "starts_on": "2027-01-15", "ends_on": "2027-06-30", "timezone": "Europe/Berlin",
        "location": "Köln", "coordinator_id": 0, "min_attendance_percent": 75,
        "attendance_edit_days": 10})
    assert response.status_code == 302, text_of(response)
    cohort = db.session.scalar(sa.select(Cohort))
    assert (cohort.min_attendance_percent, cohort.attendance_edit_days) == (75, 10)
    assignments = db.session.execute(sa.text(
        "SELECT key, required FROM assignment WHERE cohort_id = :c ORDER BY key"),
        {"c": cohort.id}).all()
    assert [tuple(r) for r in assignments] == [("hausarbeit", True),
                                              ("muendliche-pruefung", True)]
    # A second cohort of the course with that name is refused on the name field.
    again = client_c.post("/coordination/cohorts/new", data={
        "course_id": _course_id(), "company_id": company.id, "name": "Inhouse 2027",
        "starts_on": "2027-01-15", "ends_on": "2027-06-30", "timezone": "Europe/Berlin",
        "coordinator_id": 0, "min_attendance_percent": 75, "attendance_edit_days": 10})
    assert again.status_code == 200
    assert "Dieser Kurs hat bereits eine Gruppe mit diesem Namen." in text_of(again)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Cohort)) == 1


def test_cohort_form_refuses_bad_dates_and_percent_with_field_messages(client_c):
    company = Company(name="X AG")
    db.session.add(company)
    db.session.commit()
    response = client_c.post("/coordination/cohorts/new", data={
        "course_id": _course_id(), "company_id": company.id, "name": "",
        "starts_on": "2027-06-30", "ends_on": "2027-01-15", "timezone": "Europe/Berlin",
        "coordinator_id": 0, "min_attendance_percent": 180, "attendance_edit_days": 14})
    text = text_of(response)
    assert response.status_code == 200
    assert "Bitte füllen Sie dieses Feld aus" in text
    assert "nicht vor dem ersten Tag" in text
    assert "0 bis 100" in text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Cohort)) == 0


def test_rules_changes_are_audited_and_shown(client_c, coordinator, course_dir):
    cohort = make_cohort(load_test_course(course_dir))
    db.session.commit()
    response = client_c.post(f"/coordination/cohorts/{cohort.id}/edit", data={
        "company_id": cohort.company_id, "name": cohort.name, "starts_on": str(cohort.starts_on),
        "ends_on": str(cohort.ends_on), "timezone": "Europe/Berlin", "coordinator_id": 0,
        "min_attendance_percent": 70, "excused_counts": "y", "attendance_edit_days": 14,
        "required_keys": ["hausarbeit"]})
    assert response.status_code == 302
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "cohort.updated"))
    assert event.actor_id == coordinator.id
    assert event.before["min_attendance_percent"] == 80
    assert event.after["min_attendance_percent"] == 70
    assert event.after["excused_counts"] is True
    assert event.after["required"] == ["hausarbeit"]
    log = text_of(client_c.get(f"/coordination/cohorts/{cohort.id}/audit"))
    assert "cohort.updated" in log and "Clara Koordinatorin" in log


def _invitation_path(smtp_server, to: str) -> str:
    message = next(m for m in reversed(smtp_server.messages) if m["To"] == to)
    body = message.get_body(("plain",)).get_content()
    return re.search(r"http://lms\.test(/invitation/\S+)", body).group(1)


def test_invitation_arrives_and_its_link_works_once(app, client_c, course_dir, smtp_server):
    cohort = make_cohort(load_test_course(course_dir), company_name="Detecon")
    db.session.commit()
    response = client_c.post(f"/coordination/cohorts/{cohort.id}/roster", data={
        "email": "Ingrid.Blessing@detecon.example", "first_name": "Ingrid",
        "last_name": "Blessing", "title_form": "female", "language": "de"})
    assert response.status_code == 302
    [message] = smtp_server.messages
    assert message["To"] == "ingrid.blessing@detecon.example"
    assert message["Subject"].startswith("Einladung: Social Media Manager*in")
    assert message.get_body(("plain",)).get_content()  # a plain-text part
    path = _invitation_path(smtp_server, "ingrid.blessing@detecon.example")

    visitor = app.test_client()
    page = visitor.get(path)
    assert page.status_code == 200 and "Detecon" in text_of(page)
    weak = visitor.post(path, data={"password": "1234567890", "confirm": "1234567890",
                                    "title_form": "female", "language": "en"})
    assert weak.status_code == 200 and "häufigsten" in text_of(weak)
    done = visitor.post(path, data={"password": "Domplatte Rheinblick 7",
                                    "confirm": "Domplatte Rheinblick 7",
                                    "title_form": "neutral", "language": "en"})
    assert done.status_code == 302
    home = visitor.get("/", follow_redirects=True)
    assert "Social Media Manager*in" in text_of(home) and 'lang="en"' in home.get_data(
        as_text=True)
    user = db.session.scalar(sa.select(User).where(User.email.like("ingrid%")))
    assert user.title_form == TitleForm.NEUTRAL and user.locale == "en"
    assert db.session.scalar(sa.select(Enrollment.status)) == EnrollmentStatus.ACTIVE

    again = app.test_client().get(path)
    assert again.status_code == 404 and "bereits verwendet" in text_of(again)


def test_resend_replaces_the_link_and_withdraw_closes_it(app, client_c, course_dir,
                                                         smtp_server):
    cohort = make_cohort(load_test_course(course_dir))
    db.session.commit()
    client_c.post(f"/coordination/cohorts/{cohort.id}/roster", data={
        "email": "p@example.org", "first_name": "Paula", "last_name": "Peters",
        "title_form": "neutral", "language": "de"})
    first = _invitation_path(smtp_server, "p@example.org")
    enrollment = db.session.scalar(sa.select(Enrollment))
    client_c.post(f"/coordination/cohorts/{cohort.id}/enrollments/{enrollment.id}/resend")
    second = _invitation_path(smtp_server, "p@example.org")
    assert first != second
    assert app.test_client().get(first).status_code == 404
    assert app.test_client().get(second).status_code == 200

    client_c.post(f"/coordination/cohorts/{cohort.id}/enrollments/{enrollment.id}/withdraw")
    db.session.expire_all()
    assert db.session.get(Enrollment, enrollment.id).status == EnrollmentStatus.WITHDRAWN
    assert app.test_client().get(second).status_code == 404


def test_inviting_someone_twice_is_a_field_error(client_c, course_dir, smtp_server):
    cohort = make_cohort(load_test_course(course_dir))
    db.session.commit()
    data = {"email": "p@example.org", "first_name": "Paula", "last_name": "Peters",
            "title_form": "neutral", "language": "de"}
    client_c.post(f"/coordination/cohorts/{cohort.id}/roster", data=data)
    again = client_c.post(f"/coordination/cohorts/{cohort.id}/roster", data=data)
    assert again.status_code == 200 and "bereits in dieser Gruppe" in text_of(again)
    assert len(smtp_server.messages) == 1


def test_meetings_added_moved_cancelled_and_planned_as_series(client_c, course_dir):
    cohort = make_cohort(load_test_course(course_dir))
    lecturer = make_user(Role.LECTURER, last="Özdemir")
    db.session.commit()
    module_id = cohort.course.modules[0].id
    base = f"/coordination/cohorts/{cohort.id}"
    response = client_c.post(f"{base}/meetings/new", data={
        "module_id": module_id, "block_id": 0, "day": "2027-03-26", "starts": "09:00",
        "ends": "12:30", "location": "Raum 1", "lecturer_ids": [lecturer.id]})
    assert response.status_code == 302
    meeting = db.session.scalar(sa.select(Meeting))
    assert meeting.starts_at == datetime(2027, 3, 26, 8, 0, tzinfo=UTC)  # 09:00 CET
    assert meeting.lecturers == [lecturer]

    # Moved past the change of the clocks: still 09:00 local, one hour earlier in UTC.
    client_c.post(f"/coordination/meetings/{meeting.id}/edit", data={
        "module_id": module_id, "block_id": 0, "day": "2027-04-02", "starts": "09:00",
        "ends": "12:30", "location": "Raum 2", "lecturer_ids": [lecturer.id]})
    db.session.expire_all()
    meeting = db.session.get(Meeting, meeting.id)
    assert meeting.starts_at == datetime(2027, 4, 2, 7, 0, tzinfo=UTC)
    assert meeting.ical_sequence == 1

    client_c.post(f"/coordination/meetings/{meeting.id}/cancel", data={"reason": "Krank"})
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).status == MeetingStatus.CANCELLED
    page = client_c.get(f"{base}/schedule").get_data(as_text=True)
    # Still listed, as cancelled: the status badge in its row.
    assert 'meeting-status-cancelled">abgesagt</span>' in page

    # A block Friday to Sunday 09:00–17:00, and every second Friday skipping a holiday.
    response = client_c.post(f"{base}/meetings/series", data={
        "module_id": module_id, "block_id": 0, "first_day": "2027-05-07",
        "last_day": "2027-05-09", "weekdays": [4, 5, 6], "every_weeks": 1, "starts": "09:00",
        "ends": "17:00"})
    assert response.status_code == 302
    response = client_c.post(f"{base}/meetings/series", data={
        "module_id": module_id, "block_id": 0, "first_day": "2027-05-14",
        "last_day": "2027-06-30", "weekdays": [4], "every_weeks": 2, "starts": "13:00",
        "ends": "17:00", "skip": "2027-05-28"})
    assert response.status_code == 302
    fridays = db.session.scalars(sa.select(Meeting.starts_at).where(
        Meeting.starts_at >= datetime(2027, 5, 14, tzinfo=UTC)).order_by(Meeting.starts_at))
    assert [d.date().isoformat() for d in fridays] == ["2027-05-14", "2027-06-11",
                                                       "2027-06-25"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 7


def test_series_with_a_bad_skip_date_is_a_field_error(client_c, course_dir):
    cohort = make_cohort(load_test_course(course_dir))
    db.session.commit()
    response = client_c.post(f"/coordination/cohorts/{cohort.id}/meetings/series", data={
        "module_id": cohort.course.modules[0].id, "block_id": 0, "first_day": "2027-05-07",
        "last_day": "2027-05-09", "weekdays": [4], "every_weeks": 1, "starts": "09:00",
        "ends": "17:00", "skip": "31.12.2027"})
    assert response.status_code == 200 and "JJJJ-MM-TT" in text_of(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 0


def test_lecturer_directory_totals_hours_across_cohorts(client_c, course_dir, smtp_server):
    response = client_c.post("/coordination/lecturers/new", data={
        "email": "dozentin@agentur.example", "first_name": "Dora", "last_name": "Dozentin",
        "affiliation": "Agentur Rhein", "job_title": "Strategin", "bio": "Seit 2010 …",
        "expertise": "Strategie, Community"})
    assert response.status_code == 302
    assert smtp_server.messages[0]["To"] == "dozentin@agentur.example"
    lecturer = db.session.scalar(sa.select(User).where(User.email == "dozentin@agentur.example"))
    assert lecturer.lecturer_profile.expertise == ["Strategie", "Community"]
    from tests.factories import berlin, make_meeting
    for name in ("A", "B"):
        cohort = make_cohort(load_test_course(course_dir), company_name=f"Firma {name}")
        make_meeting(cohort, berlin(2026, 11, 6), hours=3.5, lecturers=(lecturer,))
        make_meeting(cohort, berlin(2026, 11, 7), hours=4, lecturers=(lecturer,))
    db.session.commit()
    directory = text_of(client_c.get("/coordination/lecturers"))
    assert re.search(r"Dozentin, Dora Agentur Rhein Strategin 4 15 2", directory)
    profile = text_of(client_c.get(f"/coordination/lecturers/{lecturer.id}"))
    # 3.5 + 4 hours in each of the two cohorts
    assert "4 Termine, 15 Unterrichtsstunden (abgesagte Termine nicht mitgezählt)" in profile


def test_lecturer_invited_by_email_sets_a_password_and_sees_teaching(app, client_c,
                                                                    smtp_server):
    client_c.post("/coordination/lecturers/new", data={
        "email": "neu@agentur.example", "first_name": "Nora", "last_name": "Neu"})
    path = _invitation_path(smtp_server, "neu@agentur.example")
    visitor = app.test_client()
    done = visitor.post(path, data={"password": "Kranhaus Ufer Welle", "confirm":
                                    "Kranhaus Ufer Welle", "language": "de"})
    assert done.status_code == 302
    assert visitor.get("/", follow_redirects=True).request.path == "/teaching/"


def test_company_contact_added_from_the_roster_page(app, client_c, course_dir, smtp_server):
    cohort = make_cohort(load_test_course(course_dir))
    db.session.commit()
    client_c.post(f"/coordination/cohorts/{cohort.id}/contacts", data={
        "email": "hr@firma.example", "first_name": "Hanna", "last_name": "Rau"})
    db.session.expire_all()
    assert [u.email for u in db.session.get(Cohort, cohort.id).contacts] == ["hr@firma.example"]
    path = _invitation_path(smtp_server, "hr@firma.example")
    visitor = app.test_client()
    visitor.post(path, data={"password": PASSWORD, "confirm": PASSWORD, "language": "de"})
    assert visitor.get("/", follow_redirects=True).request.path == "/company/"


def test_archiving_keeps_records_and_certificates_verifiable(app, client_c, course_dir):
    from lms.certificates.operations import issue_certificate
    from tests.factories import make_finished_cohort

    cohort, [enrollment] = make_finished_cohort(load_test_course(course_dir), participants=1)
    certificate = issue_certificate(enrollment).certificate
    db.session.commit()
    code = certificate.verification_code

    response = client_c.post(f"/coordination/cohorts/{cohort.id}/archive")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Cohort, cohort.id).archived_at is not None
    home = text_of(client_c.get("/coordination/"))
    assert "Archivierte Gruppen (1)" in home
    verdict = app.test_client().get(f"/verify/{code}")
    assert verdict.status_code == 200
    assert "Gültig: Dieses Zertifikat wurde von uns ausgestellt und nicht widerrufen." in \
        text_of(verdict)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "cohort.archived"))
    assert event.cohort_id == cohort.id

    client_c.post(f"/coordination/cohorts/{cohort.id}/archive")
    db.session.expire_all()
    assert db.session.get(Cohort, cohort.id).archived_at is None


def test_a_second_cohort_of_the_same_name_is_a_field_error(client_c, course_dir):
    cohort = make_cohort(load_test_course(course_dir), name="Inhouse 2027")
    db.session.commit()
    data = {"course_id": cohort.course_id, "company_id": cohort.company_id,
            "name": "Inhouse 2027", "starts_on": "2027-01-15", "ends_on": "2027-06-30",
            "timezone": "Europe/Berlin", "coordinator_id": 0, "min_attendance_percent": 80,
            "attendance_edit_days": 14}
    response = client_c.post("/coordination/cohorts/new", data=data)
    assert response.status_code == 200 and "Gruppe mit diesem Namen" in text_of(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Cohort)) == 1


def test_field_messages_follow_the_users_language(client_c, coordinator):
    coordinator.locale = "en"
    db.session.commit()
    response = client_c.post("/coordination/companies/new", data={"name": ""})
    assert "Please fill in this field." in text_of(response)


def test_edit_form_shows_the_required_assessments_checked(client_c, course_dir):
    cohort = make_cohort(load_test_course(course_dir))
    db.session.commit()
    html = client_c.get(f"/coordination/cohorts/{cohort.id}/edit").get_data(as_text=True)
    checked = re.findall(r'name="required_keys" value="([^"]+)"[^>]*checked', html)
    assert sorted(checked) == ["hausarbeit", "muendliche-pruefung"]
