"""Every page of the app, as each role that may see it, on a phone (390 x 844) and on a
desk (1280 x 800), in Chromium against the demo's data.

The walk takes its routes from the access matrix (tests/security/test_access_matrix.py), which
itself must name every route of ``app.url_map``: a new GET route is walked here as soon
as it has its access decision, or it must be listed in NOT_PAGES with what it answers
instead of HTML (and the walk checks that it does). Its URL arguments come from a world
of realistic size: the demo (``lms demo``) of a closed cohort of twenty participants with
attendance, submissions and grades, and a finished cohort with certificates.

On every page and at both sizes:
- the page does not scroll sideways as a whole;
- axe finds nothing serious or critical (WCAG 2.1 A/AA, tests/browser/a11y.py);
- every element that scrolls sideways (a wide table) can be reached with the keyboard,
  is a region and has a name (what the ``scroll_table`` macro renders);
- no control's text spills out of it or is cut off.
A screenshot of every page at both sizes is kept in test-artifacts/pages/.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import url_for

from lms.accounts.models import User
from lms.accounts.operations import request_password_reset
from lms.assignments.models import Assignment, Submission
from lms.attendance.absences import announce_absence
from lms.certificates.models import Certificate
from lms.certificates.operations import issue_certificate
from lms.cohorts.invitations import invite_participant
from lms.cohorts.models import Cohort, Enrollment
from lms.db import utcnow
from lms.demo import (
    COHORT,
    CONTACT,
    COORDINATOR,
    DEMO_PASSWORD,
    LECTURERS,
    PAST_COHORT,
    participant_email,
    seed_demo,
)
from lms.evaluation.queries import open_evaluations_for
from lms.extensions import db
from lms.ical.operations import issue_personal_feed
from lms.jobs.models import JobKind
from lms.jobs.operations import create_job
from lms.jobs.queue import dispatch
from lms.materials.models import CourseMaterial, Material, MaterialKind
from lms.schedule.models import Block, Meeting
from lms.schedule.operations import schedule_meeting
from tests.browser.a11y import AxeLog
from tests.browser.conftest import ARTIFACTS, screenshot
from tests.helpers import browser_login
from tests.security.test_access_matrix import API_MATRIX, DEFAULT_PARAMS, MATRIX, OK

SIZES = {"phone": {"width": 390, "height": 844}, "desk": {"width": 1280, "height": 800}}
# Who walks a page: the first of these that may see it (anonymous only where no one
# needs to log in); pages that differ by role are walked as every role that may see them.
WALKERS = ("coordinator", "lecturer", "participant", "contact")
# The lecturer of module 2 (its practice paper, handed in and graded) and module 9.
LECTURER = LECTURERS[1][0]
PARTICIPANT = participant_email("Jürgen", "Müller")
# A participant of the finished cohort, with her certificate: she walks the pages that
# show one, as a participant of the running cohort does.
GRADUATE = participant_email("Ingrid", "Becker")
GRADUATE_PAGES = {"participant.home", "participant.progress",
                  "participant.certificate_download", "participant.certificate_credential"}

# GET routes that answer something else than a page, and what (checked by the walk).
NOT_PAGES = {
    "static": "text/css",
    "public.index": "redirect",
    "public.healthz": "application/json",
    "public.readyz": "application/json",
    "lecturer.attendance_sheet": "application/pdf",
    "coordinator.attendance_sheet": "application/pdf",
    "lecturer.check_in_status": "application/json",
    "lecturer.download_all": "application/zip",
    "coordinator.download_all": "application/zip",
    "lecturer.download_submission": "application/pdf",
    "participant.my_submission": "application/pdf",
    "coordinator.download_submission": "application/pdf",
    "coordinator.attendance_csv": "text/csv",
    "coordinator.attendance_xlsx": "application/vnd.openxmlformats-officedocument",
    "coordinator.grades_download": "text/csv",
    "participant.certificate_download": "application/pdf",
    "participant.certificate_credential": "application/ld+json",
    "credentials.did_json": "application/did+json",
    "credentials.status_list": "application/ld+json",
    "coordinator.certificate_download": "application/pdf",
    "coordinator.job_download": "application/zip",
    "feeds.feed": "text/calendar",
    "feeds.meeting_ics": "text/calendar",
    "lecturer.evaluation_pdf": "application/pdf",
    "coordinator.evaluation_pdf": "application/pdf",
    "lecturer.evaluation_csv": "text/csv",
    "coordinator.evaluation_csv": "text/csv",
    "lecturer.material_version": "application/pdf",
    "coordinator.material_version": "application/pdf",
    "lecturer.course_material": "application/pdf",
    "coordinator.course_material": "application/pdf",
    "participant.material_download": "application/pdf",
    "participant.course_material_download": "application/pdf",
    "participant.module_zip": "application/zip",
    "public.data_download": "application/zip",
    "coordinator.export_download": "application/zip",
}


@dataclass(frozen=True)
class Visit:
    endpoint: str
    role: str
    params: tuple[tuple[str, str], ...]

    @property
    def name(self) -> str:
        return f"{self.endpoint}-{self.role}"


def _visits() -> list[Visit]:
    visits = []
    for endpoint, routes in sorted(MATRIX.items()):
        for route in routes:
            if route.method != "GET":
                continue
            roles = [r for r in WALKERS if route.expected[r] == OK]
            if route.expected["anonymous"] == OK or route.expected["anonymous"] == 404:
                roles = ["anonymous"]  # a public page, or a link from a mail
            if endpoint in GRADUATE_PAGES:
                roles = ["graduate"] if endpoint in NOT_PAGES else [*roles, "graduate"]
            elif endpoint in NOT_PAGES and roles:
                roles = roles[:1]
            if endpoint == "public.index":
                roles = ["participant"]
            visits.extend(Visit(endpoint, role, route.params) for role in roles)
            break  # one walk per route pattern (grades.csv and .xlsx are one pattern)
    return visits


VISITS = _visits()
PAGES = [v for v in VISITS if v.endpoint not in NOT_PAGES]
AXE = AxeLog()


@pytest.fixture(scope="module")
def site(live_server):
    """The demo seeded into the live server's database, plus what the demo leaves out:
    issued certificates, an announced absence, an open invitation, a password reset
    link and a calendar feed."""
    with live_server.app.app_context():
        seed_demo()
        db.session.commit()
        cohort = db.session.scalar(sa.select(Cohort).filter_by(name=COHORT))
        past = db.session.scalar(sa.select(Cohort).filter_by(name=PAST_COHORT))
        lecturer = db.session.scalar(sa.select(User).filter_by(email=LECTURER))
        participant = db.session.scalar(sa.select(User).filter_by(email=PARTICIPANT))
        coordinator = db.session.scalar(sa.select(User).filter_by(email=COORDINATOR[0]))
        enrollment = db.session.scalar(sa.select(Enrollment).filter_by(
            cohort_id=cohort.id, user_id=participant.id))
        now = utcnow()
        taught = [m for m in db.session.scalars(sa.select(Meeting).filter_by(
            cohort_id=cohort.id).order_by(Meeting.starts_at)) if lecturer in m.lecturers]
        held = [m for m in taught if m.ends_at < now] or taught
        future = db.session.scalars(sa.select(Meeting).where(
            Meeting.cohort_id == cohort.id, Meeting.starts_at > now + timedelta(days=1))
            .order_by(Meeting.starts_at)).first()
        if future is None:  # the demo's cohort has ended: one more meeting next week
            future = schedule_meeting(cohort, held[0].module, now + timedelta(days=7),
                                      now + timedelta(days=7, hours=3), by=coordinator)
        assignment = db.session.scalar(sa.select(Assignment).filter_by(
            cohort_id=cohort.id, key="redaktionsplan"))
        submission = db.session.scalar(sa.select(Submission).filter_by(
            assignment_id=assignment.id, enrollment_id=enrollment.id))
        notice = announce_absence(future, enrollment, "Termin beim Bürgeramt")
        graduate = db.session.scalar(sa.select(User).filter_by(email=GRADUATE))
        for issued in past.enrollments[:3]:
            issue_certificate(issued, by=coordinator)
        certificate = db.session.scalar(sa.select(Certificate).join(Enrollment).where(
            Enrollment.user_id == graduate.id))
        invitation = invite_participant(cohort, "neu.person@nordlicht.example", "Neu",
                                        "Person", by=coordinator)
        _user, reset_token = request_password_reset(CONTACT[0])
        _feed, feed_token = issue_personal_feed(participant)
        # The demo's evaluations: module 2 of the running cohort (the walking lecturer's,
        # with enough answers for results), and one open for the participant to answer.
        evaluated = next(m for m in cohort.course.modules if m.number == 2)
        material = db.session.scalar(sa.select(Material).where(
            Material.cohort_id == cohort.id, Material.module_id == evaluated.id,
            Material.kind == MaterialKind.FILE).order_by(Material.id))
        standing = db.session.scalar(sa.select(CourseMaterial).where(
            CourseMaterial.kind == MaterialKind.FILE))
        open_now = next(e for e in open_evaluations_for([enrollment], now) if not e.answered)
        from lms.privacy.export import build_export, start_export

        data_export = build_export(start_export(participant, by=participant))
        contact = db.session.scalar(sa.select(User).filter_by(email=CONTACT[0]))
        university_webhook = _webhook(coordinator, "Campus-Management", True)
        company_webhook = _webhook(contact, "Personalsystem Nordlicht", False)
        db.session.commit()
        # The rest of the finished cohort's documents as a batch (inline: no Redis here),
        # whose page shows how it ended.
        batch = create_job(JobKind.CERTIFICATE_BATCH, by=coordinator, cohort=past)
        export = create_job(JobKind.COHORT_EXPORT, by=coordinator, cohort=past)
        db.session.commit()
        dispatch(batch)
        dispatch(export)
        objects = {
            "cohort": cohort.id, "meeting": held[0].id, "tomorrow": future.id,
            "enrollment": enrollment.id, "company": cohort.company_id,
            "block": db.session.scalar(sa.select(Block.id).filter_by(cohort_id=cohort.id)),
            "course": cohort.course_id, "lecturer": lecturer.id,
            "contact": db.session.scalar(sa.select(User.id).filter_by(email=CONTACT[0])),
            "assignment": assignment.id, "submission": submission.id, "notice": notice.id,
            "certificate": certificate.id, "verification_code": certificate.verification_code,
            "feed_token": feed_token, "css": "lms.css", "csv": "csv", "xlsx": "xlsx",
            "status_list": certificate.credential.status_list_id, "job": batch.id,
            "export_job": export.id,
            "evaluated_module": evaluated.id, "open_module": open_now.status.module.id,
            "material": material.id, "version": 1, "course_material": standing.id,
            "data_export": data_export.id,
            "university_webhook": university_webhook.id, "company_webhook": company_webhook.id,
        }
        tokens = {"public.invitation": invitation.token, "public.password_reset": reset_token}
    logins = {"coordinator": COORDINATOR[0], "lecturer": LECTURER,
              "participant": PARTICIPANT, "contact": CONTACT[0], "graduate": GRADUATE}
    return {"objects": objects, "tokens": tokens, "logins": logins}


def _webhook(owner: User, name: str, university: bool):
    """A subscription with a delivery in each state, as a receiver's answers leave them
    (rows of their own: the live server sends nothing to the outside)."""
    from lms.integrations.models import DeliveryState, WebhookDelivery, WebhookEvent, WebhookScope
    from lms.integrations.operations import create_webhook_subscription
    from lms.integrations.signing import new_message_id

    subscription, _secret = create_webhook_subscription(
        owner, name, "https://93.184.215.14/webhooks/lms-zertifikate-und-teilnehmende",
        list(WebhookEvent), WebhookScope.UNIVERSITY if university else WebhookScope.COMPANY)
    now = utcnow()
    answers = [
        (WebhookEvent.CERTIFICATE_ISSUED, DeliveryState.DELIVERED, 1, 200, '{"ok":true}'),
        (WebhookEvent.PARTICIPANT_AT_RISK, DeliveryState.PENDING, 2, 503,
         "<html><head><title>503 Service Temporarily Unavailable</title></head><body>"
         "<center><h1>503 Service Temporarily Unavailable</h1></center></body></html>"),
        (WebhookEvent.CERTIFICATE_REVOKED, DeliveryState.FAILED, 8, None,
         "ConnectionRefusedError: [Errno 111] Connection refused"),
    ]
    for event, state, attempts, status, answer in answers:
        db.session.add(WebhookDelivery(
            subscription=subscription, event_id=new_message_id(), event=event, payload={},
            state=state, attempts=attempts, last_status_code=status, last_response=answer,
            created_at=now - timedelta(hours=attempts), last_attempt_at=now,
            next_attempt_at=now + timedelta(minutes=3) if state == DeliveryState.PENDING
            else None))
    db.session.flush()
    return subscription


def page_url(live_server, site, visit: Visit) -> str:
    app = live_server.app
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == visit.endpoint)
    overrides = dict(visit.params)
    values = {}
    for arg in rule.arguments:
        if arg == "token" and visit.endpoint in site["tokens"]:
            values[arg] = site["tokens"][visit.endpoint]
            continue
        key = overrides.get(arg, DEFAULT_PARAMS.get(arg, arg))
        assert key in site["objects"], f"{visit.endpoint}: nothing in the world for <{arg}>"
        values[arg] = site["objects"][key]
    with app.test_request_context():
        return live_server.url + url_for(visit.endpoint, **values)


@pytest.fixture(scope="module")
def contexts(browser, live_server, site):
    """One browser context per role and size; each role logs in once."""
    opened: dict[tuple[str, str], object] = {}
    states: dict[str, dict] = {}

    def get(role: str, size: str):
        if (role, size) in opened:
            return opened[(role, size)]
        context = browser.new_context(viewport=SIZES[size], locale="de-DE",
                                      storage_state=states.get(role),
                                      is_mobile=size == "phone", has_touch=size == "phone")
        page = context.new_page()
        if role != "anonymous" and role not in states:
            browser_login(page, live_server.url, site["logins"][role], DEMO_PASSWORD)
            states[role] = context.storage_state()
        opened[(role, size)] = page
        return page

    yield get
    for page in opened.values():
        page.context.close()


# Elements that scroll sideways, and whether the keyboard reaches them with a name.
_SCROLLERS = """() => [...document.querySelectorAll('body *')].filter(e => {
    const s = getComputedStyle(e);
    return ['auto', 'scroll'].includes(s.overflowX) && e.scrollWidth > e.clientWidth + 1;
  }).map(e => {
    const named = (e.getAttribute('aria-label') || (e.getAttribute('aria-labelledby') || '')
      .split(/\\s+/).filter(Boolean).map(id => document.getElementById(id)?.textContent || '')
      .join(' ')).trim();
    return {html: e.outerHTML.slice(0, 100), focusable: e.getAttribute('tabindex') === '0',
            region: e.getAttribute('role') === 'region', name: named,
            width: e.scrollWidth, shown: e.clientWidth};
  })"""

# Controls and cells whose text does not fit: it spills out of the box, or is cut off.
_SPILLS = """() => [...document.querySelectorAll(
    'button, a.button, .att-button, label, th, td, .badge, h1, h2, p, li, dd')]
  .filter(e => {
    const r = e.getBoundingClientRect();
    if (r.width <= 2 || r.height <= 2) return false;  // visually hidden
    return e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'auto';
  }).map(e => ({html: e.outerHTML.slice(0, 100), width: e.scrollWidth, box: e.clientWidth}))"""


# The outermost elements that reach past the window's right edge.
_STICKING_OUT = """(window) => [...document.querySelectorAll('body *')].filter(e =>
    e.getBoundingClientRect().right > window + 1 &&
    !(e.parentElement && e.parentElement.getBoundingClientRect().right > window + 1))
  .map(e => e.outerHTML.slice(0, 80) + ` (${Math.round(e.getBoundingClientRect().right)} px)`)
  .slice(0, 5)"""


def _save(page, size: str, visit: Visit) -> None:
    folder = ARTIFACTS / "pages" / size
    folder.mkdir(parents=True, exist_ok=True)
    screenshot(page, folder / f"{visit.name}.png")


@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("visit", PAGES, ids=lambda v: v.name)
def test_page_fits_and_is_accessible(contexts, live_server, site, visit, size):
    page = contexts(visit.role, size)
    response = page.goto(page_url(live_server, site, visit))
    assert response.status == 200, f"{visit.name}: {response.status}"
    assert response.headers["content-type"].startswith("text/html"), \
        f"{visit.endpoint} is not a page: list it in NOT_PAGES"
    page.wait_for_load_state()
    _save(page, size, visit)
    problems = []
    # A phone widens its layout viewport to what sticks out (innerWidth grows with it),
    # so the page is measured against the window it was given.
    window = SIZES[size]["width"]
    width = page.evaluate("Math.max(document.documentElement.scrollWidth, window.innerWidth)")
    if width > window:
        problems.append(f"the page is {width} px wide in a {window} px window; sticking "
                        f"out: {page.evaluate(_STICKING_OUT, window)}")
    for scroller in page.evaluate(_SCROLLERS):
        if not (scroller["focusable"] and scroller["region"] and scroller["name"]):
            problems.append(f"a sideways scroller the keyboard cannot reach or that has "
                            f"no name: {scroller}")
    for spill in page.evaluate(_SPILLS):
        problems.append(f"text does not fit its box: {spill}")
    AXE.check(page, f"{visit.name} {size}")
    problems += AXE.blocking(only=f"{visit.name} {size}")
    assert not problems, f"{visit.name} at {size}:\n" + "\n".join(problems)


@pytest.mark.parametrize("visit", [v for v in VISITS if v.endpoint in NOT_PAGES],
                         ids=lambda v: v.name)
def test_what_is_not_a_page_answers_what_it_says(contexts, live_server, site, visit):
    """The routes left out of the page walk answer what NOT_PAGES says, not HTML."""
    page = contexts(visit.role, "desk")
    response = page.request.get(page_url(live_server, site, visit), max_redirects=0)
    expected = NOT_PAGES[visit.endpoint]
    if expected == "redirect":
        assert response.status == 302, visit.name
    else:
        assert response.status == 200, f"{visit.name}: {response.status}"
        assert response.headers["content-type"].startswith(expected), \
            f"{visit.name}: {response.headers['content-type']}"


def test_every_get_route_is_walked(live_server):
    """A GET route of the URL map is either a page of the walk or listed in NOT_PAGES."""
    walked = {v.endpoint for v in VISITS}
    # (the JSON API and its description are walked by the access matrix and Schemathesis;
    # its docs page by tests/browser/test_api_docs.py)
    routes = {rule.endpoint for rule in live_server.app.url_map.iter_rules()
              if "GET" in rule.methods and rule.endpoint not in API_MATRIX}
    assert routes - walked == set(), "GET routes that nobody walks"
    assert set(NOT_PAGES) <= routes, "NOT_PAGES names routes that do not exist"
