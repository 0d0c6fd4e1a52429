"""Every form stores what the user typed, or refuses it with a message (issue #11, item 4).

The walk starts from the URL map: every route that takes a POST is either walked here
or skipped with a reason, so a new form cannot be forgotten. A walked form is read
from its page as a browser sees it, every field gets a distinctive value (a select
the option it did not have, a checkbox the other state, text with an umlaut), and
after the save each value must come back: from the object's edit form when it has
one, else from the database. Ids that arrive through a form (selects of ids, hidden
ids) beyond 64 bits must be refused with a message, never a 500.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import url_for

from lms.accounts.models import Role, User
from lms.assignments.models import Assignment
from lms.attendance.models import AbsenceNotice
from lms.cohorts.models import Cohort, Company, Enrollment
from lms.extensions import db
from lms.schedule.models import Block, Meeting
from lms.schedule.operations import create_block, schedule_meeting
from lms.web import MAX_ID
from tests.factories import berlin, enroll, load_test_course, make_cohort, make_user
from tests.forms import Form, parse_forms
from tests.helpers import login, text_of

# POST routes that are not walked here, and why.
SKIPPED = {
    "public.login": "signs in; the password is never stored as typed (test_web_shell)",
    "public.logout": "a button, no fields",
    "public.set_language": "a button; the choice is kept in the session (test_web_shell)",
    "public.password_forgot": "sends a mail, stores nothing typed (test_accounts)",
    "public.password_reset": "needs a mailed token; stores a hash only (test_accounts)",
    "public.invitation": "needs a mailed token (test_coordinator_pages)",
    "participant.assignment": "a file upload (test_assignments_upload)",
    "participant.withdraw": "a button, no fields",
    "participant.check_in": "a rotating code, not stored (test_attendance_checkin)",
    "lecturer.attendance": "a roster of marks, one row per participant (test_attendance_marking)",
    "coordinator.attendance": "the lecturer's roster form (test_attendance_marking)",
    "coordinator.absence_decision": "one choice of two buttons (test_attendance_absences)",
    "coordinator.certificate_issue": "a button, no fields",
    "coordinator.certificates_issue_all": "a button, no fields",
    "coordinator.cohort_export": "a button, no fields",
    "coordinator.certificate_revoke": "needs an issued certificate (test_certificates_web)",
    "coordinator.certificate_correct": "needs an issued certificate (test_certificates_web)",
    "coordinator.cohort_archive": "a button, no fields",
    "coordinator.resend": "a button, no fields",
    "coordinator.withdraw": "a button, no fields",
    "coordinator.contact_remove": "a button, no fields",
    "coordinator.roster_import": "a file upload, checked and previewed (test_roster_import)",
    "coordinator.roster_import_confirm": "the previewed file again (test_roster_import)",
    "verify.check_file": "a file upload, nothing stored (test_certificates_web)",
    "feeds.issue_personal": "a button, no fields",
    "feeds.revoke_personal": "a button, no fields",
    "feeds.issue_cohort": "a button, no fields",
    "feeds.revoke_cohort": "a button, no fields",
    "coordinator.api_tokens": "makes a token: its name comes back in the list, the token "
                              "once (tests/api/test_token_pages)",
    "company.api_tokens": "makes a token: its name comes back in the list, the token once "
                          "(tests/api/test_token_pages)",
    "coordinator.api_token_revoke": "a button, no fields",
    "company.api_token_revoke": "a button, no fields",
    "coordinator.webhook_create": "subscribes: its name and address come back in the list, "
                                  "the secret once (tests/integrations/test_webhook_pages)",
    "company.webhook_create": "subscribes: its name and address come back in the list, the "
                              "secret once (tests/integrations/test_webhook_pages)",
    "coordinator.webhook_delete": "a button, no fields",
    "company.webhook_delete": "a button, no fields",
    "coordinator.webhook_resend": "a button, no fields",
    "company.webhook_resend": "a button, no fields",
    "api_v1.import_participants": "JSON through the API, no form (tests/api/test_api)",
    "api_v1.create_meeting": "JSON through the API, no form (tests/api/test_api)",
    "coordinator.evaluation_remind": "a button, no fields",
    "participant.evaluation": "anonymous answers, never read back per person "
                              "(tests/evaluation/test_evaluation)",
    "coordinator.materials": "a file or a link, read back on the page (tests/materials)",
    "lecturer.materials": "a file or a link, read back on the page (tests/materials)",
    "coordinator.material_replace": "a file upload (tests/materials)",
    "lecturer.material_replace": "a file upload (tests/materials)",
    "coordinator.material_withdraw": "a button, no fields",
    "lecturer.material_withdraw": "a button, no fields",
    "coordinator.materials_reuse": "a button, no fields",
    "lecturer.materials_reuse": "a button, no fields",
    "public.erasure_request": "a request for erasure; its message is read back by the "
                              "coordination's pages (tests/privacy/test_erasure_web.py)",
    "coordinator.person_erase": "erases a person; stores nothing typed but the reason in the "
                                "audit trail (tests/privacy/test_erasure_web.py)",
    "coordinator.erasure_refuse": "needs an open request (tests/privacy/test_erasure_web.py)",
    "public.data_export": "a button, no fields (tests/privacy/test_export.py)",
    "coordinator.person_export": "a button, no fields (tests/privacy/test_export.py)",
}


@dataclass
class World:
    cohort: Cohort
    coordinator: User
    lecturer: User
    participant: User
    enrollment: Enrollment
    block: Block
    meeting: Meeting
    paper: Assignment
    company: Company


@dataclass(frozen=True)
class Case:
    """How to reach a form and where its values come back."""

    page: Callable[[World], str]  # the page that shows the form
    # The page whose form shows the stored values (after the save), or None.
    read_back: Callable[[World, dict], str | None]
    # Values read from the database for fields no edit form shows.
    stored: Callable[[World, dict], dict] = lambda world, sent: {}
    user: str = "coordinator"
    # Values a generic one would not fit (dates that must be in order, a list of dates).
    values: Callable[[World], dict] = lambda world: {}
    # Fields that are not data (a confirmation, a choice that only steers the form).
    not_data: tuple[str, ...] = ()


def _u(endpoint: str, **values) -> str:
    from flask import current_app

    with current_app.test_request_context():
        return url_for(endpoint, **values)


def _edit_of_new(model, key: str, endpoint: str, arg: str):
    def read_back(world: World, sent: dict) -> str:
        row = db.session.scalar(sa.select(model).where(getattr(model, key) == sent[key]))
        assert row is not None, f"no {model.__name__} with the {key} that was typed"
        return _u(endpoint, **{arg: row.id})
    return read_back


def _user_fields(sent: dict, email_field: str = "email") -> dict:
    user = db.session.scalar(sa.select(User).where(User.email == sent[email_field].lower()))
    assert user is not None, "nobody with the address that was typed"
    result = {email_field: user.email, "first_name": user.first_name,
              "last_name": user.last_name, "title_form": user.title_form.value,
              "language": user.locale.value}
    return {k: v for k, v in result.items() if k in sent}


def _series_dates(sent: dict) -> list[str]:
    first, last = date.fromisoformat(sent["first_day"]), date.fromisoformat(sent["last_day"])
    weekdays = {int(d) for d in sent["weekdays"]}
    skip = {date.fromisoformat(d) for d in sent["skip"].split()}
    week_zero = first - timedelta(days=first.weekday())
    day, dates = first, []
    while day <= last:
        if (day.weekday() in weekdays and ((day - week_zero).days // 7)
                % int(sent["every_weeks"]) == 0 and day not in skip):
            dates.append(day.isoformat())
        day += timedelta(days=1)
    return dates


def _series_stored(world: World, sent: dict) -> dict:
    meetings = db.session.scalars(sa.select(Meeting).where(
        Meeting.cohort_id == world.cohort.id, Meeting.id != world.meeting.id)
        .order_by(Meeting.starts_at)).all()
    assert meetings, "the series stored no meeting"
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(world.cohort.timezone)
    expected = _series_dates(sent)
    days = [m.starts_at.astimezone(zone).date().isoformat() for m in meetings]
    per_meeting = {
        (m.module_id, m.block_id or 0, m.starts_at.astimezone(zone).strftime("%H:%M"),
         m.ends_at.astimezone(zone).strftime("%H:%M"), m.location, m.online_url,
         tuple(sorted(str(u.id) for u in m.lecturers))) for m in meetings}
    assert len(per_meeting) == 1, "the meetings of one series differ"
    module_id, block_id, starts, ends, location, online_url, lecturers = per_meeting.pop()
    dates_ok = days == expected
    return {
        "first_day": sent["first_day"] if dates_ok else f"dates {days} != {expected}",
        "last_day": sent["last_day"] if dates_ok else days,
        "weekdays": sent["weekdays"] if dates_ok else days,
        "every_weeks": sent["every_weeks"] if dates_ok else days,
        "skip": sent["skip"] if dates_ok else days,
        "module_id": str(module_id), "block_id": str(block_id), "starts": starts, "ends": ends,
        "location": location, "online_url": online_url, "lecturer_ids": list(lecturers),
    }


def _contact_stored(world: World, sent: dict) -> dict:
    stored = _user_fields(sent)
    db.session.refresh(world.cohort)
    assert any(c.email == stored["email"] for c in world.cohort.contacts)
    return stored


def _cancel_stored(world: World, sent: dict) -> dict:
    meeting = db.session.get(Meeting, world.meeting.id)
    assert meeting.is_cancelled
    return {"reason": meeting.cancelled_reason}


def _shown_until(world: World) -> dict:
    """An announcement is shown for a year at most, counted from today."""
    return {"shown_until": (datetime.now(UTC).date() + timedelta(days=10)).isoformat()}


def _announcement_stored(world: World, sent: dict) -> dict:
    from lms.announcements.models import Announcement

    announcement = db.session.scalars(sa.select(Announcement).order_by(
        Announcement.id.desc())).first()
    assert announcement is not None
    last_day = (announcement.expires_at.astimezone(ZoneInfo(announcement.cohort.timezone))
                - timedelta(minutes=1)).date()
    return {"title": announcement.title, "body": announcement.body,
            "shown_until": last_day.isoformat(), "cohort_id": str(announcement.cohort_id)}


def _change_announced(world: World, sent: dict) -> dict:
    """The meeting's new time and place announced, with the note typed."""
    from lms.announcements.models import Announcement

    announcement = db.session.scalar(sa.select(Announcement).filter_by(
        meeting_id=world.meeting.id))
    assert announcement is not None
    return {"announce": True, "announcement_note": announcement.body}


def _absence_stored(world: World, sent: dict) -> dict:
    notice = db.session.scalar(sa.select(AbsenceNotice).filter_by(
        meeting_id=world.meeting.id, enrollment_id=world.enrollment.id))
    assert notice is not None
    return {"reason": notice.reason}


def _grade_page(prefix: str):
    return lambda w: _u(f"{prefix}.grade_participant", assignment_id=w.paper.id,
                        enrollment_id=w.enrollment.id)


def _new_cohort_stored(world: World, sent: dict) -> dict:
    cohort = db.session.scalar(sa.select(Cohort).where(Cohort.name == sent["name"]))
    return {"course_id": str(cohort.course_id)}


def _dates(*names: str, start: date = date(2027, 1, 11), step: int = 3):
    return lambda world: {n: (start + timedelta(days=step * i)).isoformat()
                          for i, n in enumerate(names)}


CASES: dict[str, Case] = {
    "coordinator.company_new": Case(
        page=lambda w: _u("coordinator.company_new"),
        read_back=_edit_of_new(Company, "name", "coordinator.company_edit", "company_id")),
    "coordinator.company_edit": Case(
        page=lambda w: _u("coordinator.company_edit", company_id=w.company.id),
        read_back=lambda w, sent: _u("coordinator.company_edit", company_id=w.company.id)),
    "coordinator.cohort_new": Case(
        page=lambda w: _u("coordinator.cohort_new"),
        read_back=_edit_of_new(Cohort, "name", "coordinator.cohort_edit", "cohort_id"),
        stored=_new_cohort_stored, values=_dates("starts_on", "ends_on", step=120)),
    "coordinator.cohort_edit": Case(
        page=lambda w: _u("coordinator.cohort_edit", cohort_id=w.cohort.id),
        read_back=lambda w, sent: _u("coordinator.cohort_edit", cohort_id=w.cohort.id),
        values=_dates("starts_on", "ends_on", step=120)),
    "coordinator.roster": Case(
        page=lambda w: _u("coordinator.roster", cohort_id=w.cohort.id),
        read_back=lambda w, sent: None, stored=lambda w, sent: _user_fields(sent)),
    "coordinator.contact_add": Case(
        page=lambda w: _u("coordinator.roster", cohort_id=w.cohort.id),
        read_back=lambda w, sent: None, stored=_contact_stored),
    "coordinator.block_new": Case(
        page=lambda w: _u("coordinator.schedule", cohort_id=w.cohort.id),
        read_back=_edit_of_new(Block, "title", "coordinator.block_edit", "block_id"),
        values=_dates("starts_on", "ends_on")),
    "coordinator.block_edit": Case(
        page=lambda w: _u("coordinator.block_edit", block_id=w.block.id),
        read_back=lambda w, sent: _u("coordinator.block_edit", block_id=w.block.id),
        values=_dates("starts_on", "ends_on")),
    "coordinator.meeting_new": Case(
        page=lambda w: _u("coordinator.meeting_new", cohort_id=w.cohort.id),
        read_back=_edit_of_new(Meeting, "title", "coordinator.meeting_edit", "meeting_id"),
        values=_dates("day")),
    "coordinator.meeting_edit": Case(
        page=lambda w: _u("coordinator.meeting_edit", meeting_id=w.meeting.id),
        read_back=lambda w, sent: _u("coordinator.meeting_edit", meeting_id=w.meeting.id),
        stored=_change_announced, values=_dates("day")),
    "coordinator.announcements": Case(
        page=lambda w: _u("coordinator.announcements", cohort_id=w.cohort.id),
        read_back=lambda w, sent: None, stored=_announcement_stored,
        values=_shown_until),
    "lecturer.announcements": Case(
        page=lambda w: _u("lecturer.announcements"), user="lecturer",
        read_back=lambda w, sent: None, stored=_announcement_stored,
        values=_shown_until),
    "coordinator.meeting_cancel": Case(
        page=lambda w: _u("coordinator.meeting_edit", meeting_id=w.meeting.id),
        read_back=lambda w, sent: None, stored=_cancel_stored),
    "coordinator.meeting_series": Case(
        page=lambda w: _u("coordinator.meeting_series", cohort_id=w.cohort.id),
        read_back=lambda w, sent: None, stored=_series_stored,
        values=lambda w: {"first_day": "2027-01-06", "last_day": "2027-02-04",
                          "skip": "2027-01-07", "every_weeks": "2"}),
    "coordinator.lecturer_new": Case(
        page=lambda w: _u("coordinator.lecturer_new"),
        read_back=lambda w, sent: _u("coordinator.lecturer_edit", user_id=db.session.scalar(
            sa.select(User.id).where(User.email == sent["email"].lower()))),
        stored=lambda w, sent: {"email": sent["email"].lower() if db.session.scalar(
            sa.select(User.id).where(User.email == sent["email"].lower())) else None}),
    "coordinator.lecturer_edit": Case(
        page=lambda w: _u("coordinator.lecturer_edit", user_id=w.lecturer.id),
        read_back=lambda w, sent: _u("coordinator.lecturer_edit", user_id=w.lecturer.id)),
    "coordinator.assignment_new": Case(
        page=lambda w: _u("coordinator.assignment_new", cohort_id=w.cohort.id),
        read_back=_edit_of_new(Assignment, "title", "coordinator.assignment_edit",
                               "assignment_id"),
        values=lambda w: {"max_points": "87.5", "pass_points": "43.25", **_dates("due_date")(w)}),
    "coordinator.assignment_edit": Case(
        page=lambda w: _u("coordinator.assignment_edit", assignment_id=w.paper.id),
        read_back=lambda w, sent: _u("coordinator.assignment_edit", assignment_id=w.paper.id),
        # The paper is graded with points; switching to pass/fail drops the points with a
        # message (test_points_with_pass_fail_grading_are_dropped_with_a_message).
        values=lambda w: {"grading": "points", "max_points": "91.5", "pass_points": "45.75",
                          **_dates("due_date")(w)}),
    "coordinator.grade_participant": Case(
        page=_grade_page("coordinator"), read_back=lambda w, sent: _grade_page("coordinator")(w),
        values=lambda w: {"points": "61.25"}),
    "lecturer.grade_participant": Case(
        page=_grade_page("lecturer"), read_back=lambda w, sent: _grade_page("lecturer")(w),
        user="lecturer", values=lambda w: {"points": "58.5"}),
    "coordinator.participant_edit": Case(
        page=lambda w: _u("coordinator.participant_edit", cohort_id=w.cohort.id,
                          enrollment_id=w.enrollment.id),
        read_back=lambda w, sent: _u("coordinator.participant_edit", cohort_id=w.cohort.id,
                                     enrollment_id=w.enrollment.id)),
    "public.account": Case(
        page=lambda w: _u("public.account"), read_back=lambda w, sent: _u("public.account"),
        user="participant"),
    "participant.announce": Case(
        page=lambda w: _u("participant.announce", meeting_id=w.meeting.id),
        read_back=lambda w, sent: _u("participant.announce", meeting_id=w.meeting.id),
        stored=_absence_stored, user="participant"),
}


@pytest.fixture
def world(app, course_dir) -> World:
    course = load_test_course(course_dir)
    cohort = make_cohort(course, starts_on=date(2026, 10, 1))
    cohort.ends_on = date(2027, 7, 31)
    coordinator = make_user(Role.COORDINATOR)
    lecturer = make_user(Role.LECTURER, first="Lehrende")
    participant = make_user(Role.PARTICIPANT, first="Teilnehmende")
    enrollment = enroll(cohort, participant)
    block = create_block(cohort, "Präsenzblock 1", date(2026, 11, 6), date(2026, 11, 8))
    paper = db.session.scalar(sa.select(Assignment).filter_by(cohort_id=cohort.id,
                                                              key="hausarbeit"))
    module = next(m for m in course.modules if m.id == paper.module_id) if paper.module_id \
        else course.modules[-1]
    meeting = schedule_meeting(cohort, module, berlin(2030, 11, 6, 9), berlin(2030, 11, 6, 12),
                               lecturers=[lecturer])
    db.session.commit()
    return World(cohort, coordinator, lecturer, participant, enrollment, block, meeting,
                 paper, cohort.company)


_serial = itertools.count(1)


def _distinct(form: Form, name: str, overrides: dict) -> str | list[str] | bool:
    """A value for the field that differs from what it holds and tells it apart."""
    if name in overrides:
        return overrides[name]
    group = form.group(name)
    control = group[0]
    current = form.current()[name]
    n = next(_serial)
    if control.tag == "select":
        options = [v for v, _selected in control.options if v not in ("", "0")]
        if control.multiple:
            return [v for v in options if v not in current] or options[:1]
        others = [v for v in options if v != current]
        return others[-1] if others else current
    if form.is_switch(name):
        return not current
    if control.type == "checkbox":
        return [c.value for c in group if c.value not in current] or [group[0].value]
    if control.type == "radio":
        others = [c.value for c in group if c.value != current]
        return others[-1] if others else current
    if control.type == "email":
        return f"walk{n}.{name.replace('_', '-')}@walk.example"
    if control.type == "url":
        return f"https://walk.example/{name}/{n}"
    if control.type == "date":
        return (date(2027, 1, 11) + timedelta(days=n)).isoformat()
    if control.type == "time":  # later fields later in the day: "until" after "from"
        return f"{min(8 + form.names().index(name), 22):02d}:{n % 50 + 5:02d}"
    if control.type == "number":
        low = int(control.attrs.get("min") or 0)
        high = int(control.attrs.get("max") or low + 50)
        candidates = [v for v in range(low + 1, high) if str(v) != current] or [low, high]
        return str(candidates[n % len(candidates)])
    text = f"Wert {name} Ä{n}"
    limit = int(control.attrs.get("maxlength") or 200)
    return text[:limit]


def _payload(form: Form, values: dict) -> dict:
    data = {}
    for name, value in values.items():
        if value is False:
            continue
        data[name] = "y" if value is True else value
    return data


def _form_for(html: str, action: str) -> Form:
    forms = [f for f in parse_forms(html) if f.method == "post"
             and (f.action or "").split("?")[0] in (action, "")]
    exact = [f for f in forms if f.action.split("?")[0] == action]
    assert exact or forms, f"no form posts to {action}"
    return (exact or forms)[0]


def _same(sent, stored) -> bool:
    if isinstance(sent, list) or isinstance(stored, list):
        return sorted(map(str, sent or [])) == sorted(map(str, stored or []))
    if isinstance(sent, bool) or isinstance(stored, bool):
        return bool(sent) == bool(stored)
    sent, stored = str(sent).strip(), str(stored if stored is not None else "").strip()
    try:
        return Decimal(sent) == Decimal(stored)
    except InvalidOperation:
        return sent.casefold() == stored.casefold() if "@" in sent else sent == stored


def _login(app, world: World, who: str):
    client = app.test_client()
    login(client, getattr(world, who).email)
    return client


def _fill(client, case: Case, world: World, endpoint: str) -> tuple[str, Form, dict]:
    page = client.get(case.page(world))
    assert page.status_code == 200, page.status_code
    action = _action(endpoint, world, case)
    form = _form_for(page.get_data(as_text=True), action)
    overrides = case.values(world)
    values = {}
    for name in form.names():
        control = form.group(name)[0]
        if control.type in ("hidden", "file", "password") or name in case.not_data:
            continue
        values[name] = _distinct(form, name, overrides)
    return action, form, values


def _action(endpoint: str, world: World, case: Case) -> str:
    """The URL the form posts to: the endpoint's rule with the world's objects."""
    from flask import current_app

    rule = next(r for r in current_app.url_map.iter_rules() if r.endpoint == endpoint)
    args = {"cohort_id": world.cohort.id, "company_id": world.company.id,
            "block_id": world.block.id, "meeting_id": world.meeting.id,
            "user_id": world.lecturer.id, "assignment_id": world.paper.id,
            "enrollment_id": world.enrollment.id}
    return _u(endpoint, **{k: v for k, v in args.items() if k in rule.arguments})


def test_every_post_route_is_walked_or_skipped_with_a_reason(app):
    posts = {r.endpoint for r in app.url_map.iter_rules() if "POST" in r.methods}
    assert not posts - set(CASES) - set(SKIPPED), (
        f"POST routes neither walked nor skipped: {sorted(posts - set(CASES) - set(SKIPPED))}")
    assert not (set(CASES) | set(SKIPPED)) - posts, "entries for routes that do not exist"
    assert not set(CASES) & set(SKIPPED)
    assert all(reason.strip() for reason in SKIPPED.values())


@pytest.mark.parametrize("endpoint", sorted(CASES))
def test_every_form_stores_every_value_typed(app, world, endpoint):
    case = CASES[endpoint]
    client = _login(app, world, case.user)
    action, form, values = _fill(client, case, world, endpoint)
    assert values, "the form has no fields"
    response = client.post(action, data={**_hidden(form), **_payload(form, values)})
    assert response.status_code == 302, (
        f"refused: {_errors(response)}" if response.status_code in (200, 422)
        else response.status_code)
    db.session.expire_all()
    read_back = case.read_back(world, values)
    shown = {}
    if read_back is not None:
        page = client.get(read_back)
        assert page.status_code == 200
        shown = _form_for(page.get_data(as_text=True), read_back).current()
    stored = {**shown, **case.stored(world, values)}
    lost = {name: (value, stored.get(name, "— not stored anywhere —"))
            for name, value in values.items() if not _same(value, stored.get(name))}
    assert not lost, f"typed → stored: {lost}"


def _hidden(form: Form) -> dict:
    return {c.name: c.value for c in form.controls if c.type == "hidden"}


def _errors(response) -> str:
    html = response.get_data(as_text=True)
    found = re.findall(r'class="(?:error|flash flash-error)"[^>]*>(.*?)</p>', html, re.S)
    return "; ".join(found) or text_of(response)[:500]


def _id_fields(form: Form) -> list[str]:
    """Fields whose options or value are ids: every option a whole number."""
    names = []
    for name in form.names():
        group = form.group(name)
        control = group[0]
        values = ([v for v, _s in control.options] if control.tag == "select"
                  else [c.value for c in group] if control.type in ("radio", "checkbox")
                  else [control.value] if control.type == "hidden" and name != "csrf_token"
                  else [])
        if values and all(v.isdigit() for v in values) and (name.endswith("_id")
                                                             or name.endswith("_ids")):
            names.append(name)
    return names


def _row_counts() -> dict[str, int]:
    with db.engine.connect() as connection:
        return {t.name: connection.scalar(sa.select(sa.func.count()).select_from(t))
                for t in db.metadata.sorted_tables if t.name != "audit_event"}


@pytest.mark.parametrize("endpoint", sorted(CASES))
@pytest.mark.parametrize("bad_id", [MAX_ID + 1, 2**63, 10**30])
def test_ids_beyond_64_bits_in_a_form_are_refused_with_a_message(app, world, endpoint,
                                                                  bad_id):
    case = CASES[endpoint]
    client = _login(app, world, case.user)
    action, form, values = _fill(client, case, world, endpoint)
    for name in _id_fields(form):
        before = _row_counts()
        data = {**_hidden(form), **_payload(form, values), name: str(bad_id)}
        response = client.post(action, data=data)
        where = f"{endpoint}: {name}={bad_id}"
        assert response.status_code in (200, 422), f"{where}: {response.status_code}"
        assert re.search(r'class="(error|flash flash-error)"', response.get_data(as_text=True)), (
            f"{where}: no message")
        assert _row_counts() == before, f"{where}: something was stored"


def test_attendance_ids_in_hidden_fields_are_refused_with_a_message(app, world):
    """The roster form carries each row's enrollment id in a hidden field."""
    world.meeting.starts_at = world.meeting.starts_at.replace(year=2026, month=1)
    world.meeting.ends_at = world.meeting.ends_at.replace(year=2026, month=1)
    db.session.commit()
    client = _login(app, world, "coordinator")
    url = _u("coordinator.attendance", meeting_id=world.meeting.id)
    for bad in (str(MAX_ID + 1), str(10**30), "²", "-1"):
        response = client.post(url, data={
            "marks-0-enrollment_id": bad, "marks-0-shown": "n", "marks-0-status": "present",
            "reason": "Nachtrag"})
        assert response.status_code in (200, 422), (bad, response.status_code)
        assert "class=\"error\"" in response.get_data(as_text=True), bad


def test_points_with_pass_fail_grading_are_dropped_with_a_message(app, world):
    client = _login(app, world, "coordinator")
    response = client.post(_u("coordinator.assignment_edit", assignment_id=world.paper.id),
                           data={"title": "Hausarbeit", "module_id": 0, "kind": "paper",
                                 "grading": "pass_fail", "max_points": "100",
                                 "pass_points": "50"}, follow_redirects=True)
    assert "Bestanden/nicht bestanden braucht keine Punkte" in text_of(response)
    db.session.expire_all()
    assert db.session.get(Assignment, world.paper.id).max_points is None


@pytest.mark.parametrize("endpoint", ["coordinator.roster", "coordinator.contact_add",
                                      "coordinator.lecturer_new"])
def test_a_name_typed_for_an_existing_account_is_stored_or_said_to_be_not(app, world,
                                                                          endpoint):
    """An address that has an account keeps that account's name; the form says so."""
    existing = world.lecturer if endpoint == "coordinator.roster" else world.participant
    case = CASES[endpoint]
    client = _login(app, world, case.user)
    action, form, values = _fill(client, case, world, endpoint)
    values["email"] = existing.email
    response = client.post(action, data={**_hidden(form), **_payload(form, values)},
                           follow_redirects=True)
    assert response.status_code == 200
    db.session.expire_all()
    user = db.session.get(User, existing.id)
    stored = (user.first_name, user.last_name) == (values["first_name"], values["last_name"])
    said = (f"{existing.email} hat bereits ein Konto, als {user.full_name}" in text_of(response)
            and "der hier eingegebene Name wurde nicht gespeichert" in text_of(response))
    assert stored or said, text_of(response)[:1500]
