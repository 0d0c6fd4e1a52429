"""Absence announced in advance: the participant announces, the lecturer sees it, the
coordinator decides whether it counts as excused."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lms.attendance.absences import announce_absence, decide_absence
from lms.attendance.models import AbsenceDecision, AbsenceNotice, AttendanceStatus
from lms.attendance.operations import AttendanceError, record_attendance
from lms.attendance.queries import summarise_attendance
from lms.audit.models import AuditEvent
from lms.db import utcnow
from lms.extensions import db
from tests.helpers import build_world, text_of


@pytest.fixture
def world(app, course_dir):
    return build_world(course_dir, participants=2)


def notices():
    db.session.expire_all()
    return db.session.scalars(sa.select(AbsenceNotice)).all()


def test_participant_announces_and_changes_and_withdraws(client, auth, world):
    a = world.a
    auth.login(a.participants[0])
    url = f"/me/meetings/{a.tomorrow.id}/absence"
    assert client.get(url).status_code == 200
    assert client.post(url, data={"reason": "  "}).status_code == 200
    assert notices() == []
    assert client.post(url, data={"reason": "Dienstreise nach Hamburg"}).status_code == 302
    [notice] = notices()
    assert notice.reason == "Dienstreise nach Hamburg"
    assert notice.decision == AbsenceDecision.PENDING
    overview = text_of(client.get("/me/attendance"))
    assert "Absence announced: decision pending" in overview

    assert client.post(url, data={"reason": "Dienstreise (Kundentermin)"}).status_code == 302
    [notice] = notices()
    assert notice.reason == "Dienstreise (Kundentermin)"

    assert client.post(f"{url}/withdraw").status_code == 302
    assert notices() == []
    actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-3:] == ["absence.announced", "absence.announced", "absence.withdrawn"]


def test_only_before_the_meeting_and_only_for_own_cohort(client, auth, world):
    a, b = world.a, world.b
    auth.login(a.participants[0])
    response = client.post(f"/me/meetings/{a.ongoing.id}/absence", data={"reason": "krank"})
    assert response.status_code == 200
    assert "only be announced before the meeting starts" in text_of(response)
    assert client.get(f"/me/meetings/{b.tomorrow.id}/absence").status_code == 404
    assert client.post(f"/me/meetings/{b.tomorrow.id}/absence",
                       data={"reason": "x"}).status_code == 404
    assert notices() == []


def test_lecturer_sees_the_notice_and_coordinator_decides(client, auth, world):
    a = world.a
    notice = announce_absence(a.tomorrow, a.enrollments[1], "Elternzeit-Termin")
    db.session.commit()
    auth.login(a.lecturer)
    assert "Elternzeit-Termin" in text_of(client.get(f"/teaching/meetings/{a.tomorrow.id}"
                                                     "/attendance"))
    auth.logout()

    auth.login(world.coordinator)
    page = client.get(f"/coordination/cohorts/{a.cohort.id}/absences")
    assert page.status_code == 200 and "Elternzeit-Termin" in text_of(page)
    response = client.post(f"/coordination/absences/{notice.id}/decision",
                           data={f"n{notice.id}-decision": "excused"})
    assert response.status_code == 302
    [notice] = notices()
    assert notice.decision == AbsenceDecision.EXCUSED
    assert notice.decided_by_id == world.coordinator.id and notice.decided_at is not None
    # A decided notice cannot be changed by the participant any more.
    with pytest.raises(AttendanceError):
        announce_absence(a.tomorrow, a.enrollments[1], "anderer Grund")
    # Coordinators of course only: a lecturer cannot decide.
    auth.logout()
    auth.login(a.lecturer)
    assert client.post(f"/coordination/absences/{notice.id}/decision",
                       data={f"n{notice.id}-decision": "not_excused"}).status_code == 403


def test_the_mark_follows_the_decision_and_counts_by_the_cohorts_rule(world):
    a = world.a
    a.cohort.excused_counts = True
    notice = AbsenceNotice(meeting=a.recent, enrollment=a.enrollments[0], reason="krank",
                           created_at=a.recent.starts_at)
    db.session.add(notice)
    record_attendance(a.recent, a.enrollments[0], AttendanceStatus.ABSENT, by=a.lecturer)
    db.session.flush()
    before = summarise_attendance(a.cohort, [a.enrollments[0]], utcnow())[a.enrollments[0].id]
    decide_absence(notice, AbsenceDecision.EXCUSED, by=world.coordinator)
    after = summarise_attendance(a.cohort, [a.enrollments[0]], utcnow())[a.enrollments[0].id]
    assert after.attended - before.attended == a.recent.duration_minutes
    decide_absence(notice, AbsenceDecision.NOT_EXCUSED, by=world.coordinator)
    final = summarise_attendance(a.cohort, [a.enrollments[0]], utcnow())[a.enrollments[0].id]
    assert final.attended == before.attended
    with pytest.raises(AttendanceError):
        decide_absence(notice, AbsenceDecision.PENDING, by=world.coordinator)
