"""Lecturers of a module list, download and grade; participants see published grades;
coordinators define a cohort's assignments."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from lms.accounts.models import Locale, Role
from lms.assignments.models import Assignment, Grade
from lms.assignments.operations import submit_file
from lms.audit.models import AuditEvent
from lms.demo import _tiny_pdf
from lms.extensions import db
from tests.factories import make_meeting, make_user
from tests.helpers import build_world, text_of


@pytest.fixture
def world(app, course_dir):
    world = build_world(course_dir, participants=3)
    world.paper = db.session.scalar(sa.select(Assignment).filter_by(
        cohort_id=world.a.cohort.id, key="hausarbeit"))
    world.oral = db.session.scalar(sa.select(Assignment).filter_by(
        cohort_id=world.a.cohort.id, key="muendliche-pruefung"))
    world.paper.due_at = world.now + timedelta(days=1)
    enrollments = world.a.enrollments
    submit_file(world.paper, enrollments[0], "Arbeit Ähm.pdf", _tiny_pdf("v1"))
    submit_file(world.paper, enrollments[0], "Arbeit final.pdf", _tiny_pdf("v2"))
    submit_file(world.paper, enrollments[1], "spät.pdf", _tiny_pdf("late"),
                now=world.now + timedelta(days=2))
    db.session.commit()
    return world


def grade_url(world, assignment, enrollment, prefix="teaching"):
    return f"/{prefix}/assignments/{assignment.id}/participants/{enrollment.id}"


def test_lecturer_lists_the_assignments_of_modules_they_teach(client, auth, world):
    auth.login(world.a.lecturer)
    text = text_of(client.get("/teaching/assignments"))
    assert "Hausarbeit" in text and world.a.cohort.name in text
    assert world.b.cohort.name not in text
    # A lecturer who teaches only another module of the cohort sees none of them.
    other = make_user(Role.LECTURER)
    other.locale = Locale.EN
    make_meeting(world.a.cohort, world.now + timedelta(days=3), module_number=2,
                 lecturers=(other,))
    db.session.commit()
    auth.logout()
    auth.login(other)
    assert "None of the modules you teach" in text_of(client.get("/teaching/assignments"))
    assert client.get(f"/teaching/assignments/{world.paper.id}").status_code == 404


def test_grading_list_shows_latest_version_and_late_flag(client, auth, world):
    auth.login(world.a.lecturer)
    page = client.get(f"/teaching/assignments/{world.paper.id}")
    assert page.status_code == 200
    text = text_of(page)
    assert "2 of 3 handed in, 0 graded." in text
    assert "Arbeit final.pdf" in text and "version 2" in text
    assert "Arbeit Ähm.pdf" not in text  # earlier versions are on the participant's page
    assert "late" in text and "not handed in" in text
    versions = text_of(client.get(grade_url(world, world.paper, world.a.enrollments[0])))
    assert "Arbeit Ähm.pdf" in versions and "Arbeit final.pdf" in versions


def test_download_all_is_a_zip_of_the_newest_versions(client, auth, world):
    auth.login(world.a.lecturer)
    response = client.get(f"/teaching/assignments/{world.paper.id}/submissions.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    names = sorted(archive.namelist())
    p0, p1 = world.a.participants[:2]
    assert names == sorted([
        f"{p0.last_name}_{p0.first_name}_v2_Arbeit_final.pdf",
        f"{p1.last_name}_{p1.first_name}_v1_late_spaet.pdf",
    ])
    assert archive.read(names[0]).startswith(b"%PDF")


def test_file_names_spell_umlauts_out_the_german_way(client, auth, world):
    """Every file name we make is ASCII, with umlauts written as a German would:
    "Jürgen Müller" is "Mueller_Juergen", never "Mller_Jrgen" or "Muller_Jurgen"."""
    p0 = world.a.participants[0]
    p0.first_name, p0.last_name = "Jürgen", "Müller-Lüdenscheidt"
    db.session.commit()
    auth.login(world.a.lecturer)
    response = client.get(f"/teaching/assignments/{world.paper.id}/submissions.zip")
    names = zipfile.ZipFile(io.BytesIO(response.get_data())).namelist()
    assert "Mueller-Luedenscheidt_Juergen_v2_Arbeit_final.pdf" in names


def test_points_grade_with_feedback_published_to_the_participant(client, auth, world):
    a = world.a
    auth.login(a.lecturer)
    url = grade_url(world, world.paper, a.enrollments[0])
    response = client.post(url, data={"points": "101", "feedback": "x", "publish": "y"})
    assert response.status_code == 200
    assert "Points must lie between 0 and the maximum" in text_of(response)
    assert client.post(url, data={"feedback": "x"}).status_code == 200  # points missing
    response = client.post(url, data={"points": "72.5", "feedback": "Gut begründet.",
                                      "publish": "y"})
    assert response.status_code == 302
    grade = db.session.scalar(sa.select(Grade))
    assert grade.points == Decimal("72.50") and grade.passed and grade.published_at
    assert grade.submission.version == 2 and grade.graded_by_id == a.lecturer.id
    auth.logout()
    auth.login(a.participants[0])
    text = text_of(client.get(f"/me/assignments/{world.paper.id}"))
    assert "72.5 of 100 points" in text and "Gut begründet." in text and "passed" in text


def test_unpublished_grade_stays_hidden_from_the_participant(client, auth, world):
    a = world.a
    auth.login(a.lecturer)
    url = grade_url(world, world.oral, a.enrollments[2])
    assert client.post(url, data={"feedback": "x"}).status_code == 200  # no result chosen
    assert client.post(url, data={"passed": "no", "feedback": "Bitte wiederholen."}
                       ).status_code == 302
    grade = db.session.scalar(sa.select(Grade))
    assert grade.passed is False and grade.published_at is None and grade.points is None
    auth.logout()
    auth.login(a.participants[2])
    text = text_of(client.get(f"/me/assignments/{world.oral.id}"))
    assert "Bitte wiederholen." not in text and "Your grade" not in text
    auth.logout()
    auth.login(a.lecturer)
    client.post(url, data={"passed": "no", "feedback": "Bitte wiederholen.", "publish": "y"})
    auth.logout()
    auth.login(a.participants[2])
    assert "Bitte wiederholen." in text_of(client.get(f"/me/assignments/{world.oral.id}"))
    events = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "grade.recorded").order_by(AuditEvent.id)).all()
    assert [e.after["published"] for e in events] == [False, True]


def test_grading_is_out_of_reach_for_other_cohorts(client, auth, world):
    auth.login(world.b.lecturer)
    assert client.get(f"/teaching/assignments/{world.paper.id}").status_code == 404
    assert client.post(grade_url(world, world.paper, world.a.enrollments[0]),
                       data={"points": "90"}).status_code == 404
    assert client.get(f"/teaching/assignments/{world.paper.id}/submissions.zip"
                      ).status_code == 404
    auth.logout()
    auth.login(world.a.lecturer)
    # An enrollment of another cohort is not part of this assignment.
    assert client.get(grade_url(world, world.paper, world.b.enrollments[0])).status_code == 404


def test_coordinator_defines_an_assignment_with_a_local_due_date(client, auth, world):
    auth.login(world.coordinator)
    cohort = world.a.cohort
    assert client.get(f"/coordination/cohorts/{cohort.id}/assignments").status_code == 200
    form = {"title": "Praxisbericht", "description": "Zwei Seiten.", "module_id": "0",
            "kind": "paper", "grading": "points", "max_points": "20", "pass_points": "30",
            "due_date": "2027-03-28", "due_time": "23:59", "required": "y"}
    response = client.post(f"/coordination/cohorts/{cohort.id}/assignments/new", data=form)
    assert response.status_code == 200
    assert "pass mark above 0 and at most the maximum" in text_of(response)
    form["pass_points"] = "10"
    assert client.post(f"/coordination/cohorts/{cohort.id}/assignments/new",
                       data=form).status_code == 302
    created = db.session.scalar(sa.select(Assignment).filter_by(cohort_id=cohort.id,
                                                                key="praxisbericht"))
    # The key is made by the operation from the title, umlauts spelled out.
    second = {**form, "title": "Übung für Köln"}
    assert client.post(f"/coordination/cohorts/{cohort.id}/assignments/new",
                       data=second).status_code == 302
    assert db.session.scalar(sa.select(Assignment.id).filter_by(
        cohort_id=cohort.id, key="uebung-fuer-koeln")) is not None
    # 23:59 in Cologne on the day the clocks go forward is 21:59 UTC.
    assert created.due_at == datetime(2027, 3, 28, 21, 59, tzinfo=UTC)
    assert created.module_id is None and created.required

    form.update(title="Praxisbericht (überarbeitet)", grading="pass_fail", required="")
    response = client.post(f"/coordination/assignments/{created.id}/edit", data=form)
    assert response.status_code == 302
    db.session.expire_all()
    assert created.title == "Praxisbericht (überarbeitet)"
    assert created.max_points is None and not created.required
    assert "Praxisbericht (überarbeitet)" in text_of(
        client.get(f"/coordination/cohorts/{cohort.id}/assignments"))
    auth.logout()
    auth.login(world.a.lecturer)
    assert client.get(f"/coordination/cohorts/{cohort.id}/assignments").status_code == 403
