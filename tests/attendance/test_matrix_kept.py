"""The coordinator's matrix is kept rendered per cohort and data version, and is never
stale: after every kind of change of what it shows, the kept page equals one rendered
anew (issue 13). The version is moved by the database (migration 0006), whoever writes."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role
from lms.accounts.operations import rename_user
from lms.attendance.models import Attendance, AttendanceStatus
from lms.attendance.operations import Mark, RosterEntry, record_attendance, save_roster
from lms.cohorts.invitations import withdraw_enrollment
from lms.cohorts.models import Cohort
from lms.cohorts.operations import update_cohort
from lms.curriculum.models import Module
from lms.extensions import db
from lms.schedule.models import Meeting
from lms.schedule.operations import cancel_meeting, update_meeting
from lms.web.coordinator import matrix as kept_matrix
from tests.factories import enroll, make_meeting, make_user
from tests.helpers import build_world, login


@pytest.fixture
def world(app, course_dir):
    return build_world(course_dir, participants=3)


def matrix_path(world) -> str:
    return f"/coordination/cohorts/{world.a.cohort.id}/attendance"


def kept(client, path: str) -> str:
    """The page's content (the header around it carries a CSRF token of its own)."""
    page = client.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    return html[html.index('<main id="main">'):html.index("</main>")]


def anew(client, path: str) -> str:
    kept_matrix.fragments.clear()
    return kept(client, path)


def version(cohort: Cohort) -> int:
    return db.session.scalar(sa.select(Cohort.data_version).where(Cohort.id == cohort.id))


def mark_all(world, meeting, status=AttendanceStatus.PRESENT, minutes=None):
    for enrollment in world.a.enrollments:  # (no marking window: as an import would)
        record_attendance(meeting, enrollment, status, minutes_attended=minutes,
                          by=world.a.lecturer)


def _mark(world):  # the lecturer's roster, saved at once
    save_roster(world.a.recent, [RosterEntry(e.id, Mark(AttendanceStatus.PRESENT),
                                             changed=True) for e in world.a.enrollments],
                by=world.a.lecturer)


def _mark_changed(world):
    record_attendance(world.a.recent, world.a.enrollments[0], AttendanceStatus.LATE,
                      minutes_attended=30, by=world.a.lecturer)


def _mark_deleted(world):
    db.session.delete(db.session.scalar(sa.select(Attendance).limit(1)))


def _marks_by_a_bulk_statement(world):
    db.session.execute(sa.update(Attendance).values(status=AttendanceStatus.ABSENT))


def _meeting_scheduled(world):
    make_meeting(world.a.cohort, world.now - timedelta(days=5), module_number=3)


def _meeting_moved(world):
    meeting = world.a.closed
    update_meeting(meeting, starts_at=meeting.starts_at - timedelta(days=1),
                   ends_at=meeting.ends_at - timedelta(days=1))


def _meeting_cancelled(world):
    cancel_meeting(world.a.recent, "Dozentin krank")


def _meeting_deleted(world):
    db.session.delete(world.a.closed)


def _participant_enrolled(world):
    enroll(world.a.cohort, make_user(Role.PARTICIPANT, first="Neu", last="Aaberg"))


def _participant_withdrawn(world):
    withdraw_enrollment(world.a.enrollments[1])


def _participant_renamed(world):
    rename_user(world.a.participants[2], "Umbenannt", "Zander")


def _module_renumbered(world):
    module = db.session.get(Module, world.a.recent.module_id)
    module.number = 42


def _rule_changed(world):
    update_cohort(world.a.cohort, min_attendance_percent=50)


CHANGES = [_mark, _mark_changed, _mark_deleted, _marks_by_a_bulk_statement,
           _meeting_scheduled, _meeting_moved, _meeting_cancelled, _meeting_deleted,
           _participant_enrolled, _participant_withdrawn, _participant_renamed,
           _module_renumbered, _rule_changed]


@pytest.mark.parametrize("change", CHANGES, ids=lambda f: f.__name__.strip("_"))
def test_the_kept_matrix_is_never_stale(client, world, change):
    login(client, world.coordinator)
    mark_all(world, world.a.closed)  # something to delete, change and count
    db.session.commit()
    path = matrix_path(world)
    before = kept(client, path)
    assert kept(client, path) == before == anew(client, path)
    assert kept(client, path) == before  # (kept again)
    hits = kept_matrix.fragments.hits
    kept(client, path)
    assert kept_matrix.fragments.hits == hits + 1  # answered from what was kept

    was = version(world.a.cohort)
    change(world)
    db.session.commit()
    after = kept(client, path)
    assert after != before  # the change shows at once
    assert after == anew(client, path)
    if change is not _rule_changed:  # (a rule is the cohort's own: part of the key)
        assert version(world.a.cohort) > was


def test_other_cohorts_keep_their_version(client, world):
    b_was = version(world.b.cohort)
    mark_all(world, world.a.recent)
    _meeting_scheduled(world)
    db.session.commit()
    assert version(world.b.cohort) == b_was


def test_a_meeting_that_starts_shows_as_held_from_its_start(app, world):
    """What the matrix shows changes with the clock too: a kept page lasts until the
    next meeting starts."""
    cohort, tomorrow = world.a.cohort, world.a.tomorrow
    with app.test_request_context("/"):
        before = kept_matrix.matrix_fragment(cohort, 1, tomorrow.starts_at - timedelta(minutes=1))
        assert before.valid_until == tomorrow.starts_at
        assert kept_matrix.matrix_fragment(
            cohort, 1, tomorrow.starts_at - timedelta(seconds=1)) is before
        after = kept_matrix.matrix_fragment(cohort, 1, tomorrow.starts_at)
        assert after is not before and after.html != before.html


def test_large_cohorts_are_split_into_pages_of_participants(client, world, monkeypatch):
    monkeypatch.setattr(kept_matrix, "CELLS_PER_PAGE", 2 * len(world.a.meetings))
    monkeypatch.setattr(kept_matrix, "MIN_PEOPLE_PER_PAGE", 1)
    for n in range(3):
        enroll(world.a.cohort, make_user(Role.PARTICIPANT, first=f"Mehr{n}",
                                         last=f"Nachname{n}Z"))
    db.session.commit()
    login(client, world.coordinator)
    path = matrix_path(world)
    names = []
    for page in (1, 2, 3):
        html = kept(client, f"{path}?page={page}")
        rows = html.count('<th scope="row">') - 1  # (the footer's)
        assert rows == 2, (page, rows)
        assert html.count('<td class="att-cell') == 2 * len(world.a.meetings)
        assert f'aria-current="page">{page}</a>' in html
        names += [line for line in html.splitlines() if '<th scope="row">' in line][:-1]
    assert len(set(names)) == 6  # every participant on one page, none twice
    for hostile, shown in (("0", 1), ("-3", 1), ("99", 3), ("zwei", 1), ("1e9", 1),
                           ("99999999999999999999", 3)):
        html = kept(client, f"{path}?page={hostile}")
        assert f'aria-current="page">{shown}</a>' in html, hostile


def test_exports_count_what_the_page_shows(client, world):
    mark_all(world, world.a.closed, AttendanceStatus.LATE, minutes=60)
    db.session.commit()
    login(client, world.coordinator)
    csv = client.get(f"/coordination/cohorts/{world.a.cohort.id}/attendance.csv")
    assert csv.status_code == 200
    assert "Nachname" in csv.get_data(as_text=True)
    assert client.get(f"/coordination/cohorts/{world.a.cohort.id}/attendance.xlsx"
                      ).status_code == 200
    assert Meeting  # (the world's meetings are the matrix's columns)
