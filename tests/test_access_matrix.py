"""Access control as a matrix: every route of the app x every kind of user.

The test walks ``app.url_map``: a route without an entry here fails the suite, so no
page can be added without deciding who may see it. Objects of another cohort answer
404, so that identifiers cannot be probed.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import url_for

from lms.attendance.models import AttendanceStatus
from lms.attendance.operations import record_attendance
from lms.extensions import db
from lms.schedule.operations import create_block

ROLES = ("anonymous", "participant", "other_participant", "lecturer", "other_lecturer",
         "contact", "coordinator")

LOGIN, OK = "login", "ok"


def policy(**expected: object) -> dict[str, object]:
    return {role: expected.get(role, expected.get("default")) for role in ROLES}


EVERYONE = policy(default=OK)
LOGGED_IN = policy(default=OK, anonymous=LOGIN)
COORDINATOR = policy(default=403, anonymous=LOGIN, coordinator=OK)
PARTICIPANT = policy(default=403, anonymous=LOGIN, participant=OK, other_participant=OK)
LECTURER = policy(default=403, anonymous=LOGIN, lecturer=OK, other_lecturer=OK)
CONTACT = policy(default=403, anonymous=LOGIN, contact=OK)
# Something of cohort A: its members see it, everybody else is told it does not exist.
COHORT_MEMBERS = policy(default=OK, anonymous=LOGIN, other_participant=404,
                        other_lecturer=404)
ANY_TOKEN_INVALID = policy(default=404)
# The lecturer who teaches the meeting or module; another cohort's lecturer is told 404.
TEACHER = policy(default=403, anonymous=LOGIN, lecturer=OK, other_lecturer=404)
# A participant's own things; another cohort's participant is told 404.
OWN_PARTICIPANT = policy(default=403, anonymous=LOGIN, participant=OK, other_participant=404)


@dataclass(frozen=True)
class Route:
    method: str
    expected: dict[str, object]
    params: tuple[tuple[str, str], ...] = ()  # URL argument -> key in the world


MATRIX: dict[str, list[Route]] = {
    "static": [Route("GET", EVERYONE, (("filename", "css"),))],
    "public.index": [Route("GET", policy(default=302, anonymous=LOGIN))],
    "public.login": [Route("GET", policy(default=302, anonymous=OK)),
                     Route("POST", policy(default=302, anonymous=OK))],
    "public.logout": [Route("POST", policy(default=302, anonymous=LOGIN))],
    "public.set_language": [Route("POST", policy(default=302))],
    "public.healthz": [Route("GET", EVERYONE)],
    "public.account": [Route("GET", LOGGED_IN), Route("POST", LOGGED_IN)],
    "public.meeting": [Route("GET", COHORT_MEMBERS)],
    "public.password_forgot": [Route("GET", EVERYONE), Route("POST", EVERYONE)],
    "public.password_reset": [Route("GET", ANY_TOKEN_INVALID, (("token", "bogus"),)),
                              Route("POST", ANY_TOKEN_INVALID, (("token", "bogus"),))],
    "public.invitation": [Route("GET", ANY_TOKEN_INVALID, (("token", "bogus"),)),
                          Route("POST", ANY_TOKEN_INVALID, (("token", "bogus"),))],
    "participant.home": [Route("GET", PARTICIPANT)],
    "participant.schedule": [Route("GET", PARTICIPANT)],
    "lecturer.home": [Route("GET", LECTURER)],
    "company.home": [Route("GET", CONTACT)],
    "coordinator.home": [Route("GET", COORDINATOR)],
    "coordinator.courses": [Route("GET", COORDINATOR)],
    "coordinator.course": [Route("GET", COORDINATOR)],
    "coordinator.companies": [Route("GET", COORDINATOR)],
    "coordinator.company_new": [Route("GET", COORDINATOR), Route("POST", COORDINATOR)],
    "coordinator.company_edit": [Route("GET", COORDINATOR), Route("POST", COORDINATOR)],
    "coordinator.cohort": [Route("GET", COORDINATOR)],
    "coordinator.cohort_new": [Route("GET", COORDINATOR), Route("POST", COORDINATOR)],
    "coordinator.cohort_edit": [Route("GET", COORDINATOR), Route("POST", COORDINATOR)],
    "coordinator.cohort_archive": [Route("POST", COORDINATOR)],
    "coordinator.audit": [Route("GET", COORDINATOR)],
    "coordinator.roster": [Route("GET", COORDINATOR), Route("POST", COORDINATOR)],
    "coordinator.roster_import": [Route("GET", COORDINATOR), Route("POST", COORDINATOR)],
    "coordinator.roster_import_confirm": [Route("POST", COORDINATOR)],
    "coordinator.resend": [Route("POST", COORDINATOR)],
    "coordinator.participant_edit": [Route("GET", COORDINATOR), Route("POST", COORDINATOR)],
    "coordinator.withdraw": [Route("POST", COORDINATOR)],
    "coordinator.contact_add": [Route("POST", COORDINATOR)],
    "coordinator.contact_remove": [Route("POST", COORDINATOR, (("user_id", "contact"),))],
    "coordinator.schedule": [Route("GET", COORDINATOR)],
    "coordinator.block_new": [Route("POST", COORDINATOR)],
    "coordinator.block_edit": [Route("GET", COORDINATOR), Route("POST", COORDINATOR)],
    "coordinator.meeting_new": [Route("GET", COORDINATOR), Route("POST", COORDINATOR)],
    "coordinator.meeting_edit": [Route("GET", COORDINATOR), Route("POST", COORDINATOR)],
    "coordinator.meeting_cancel": [Route("POST", COORDINATOR)],
    "coordinator.meeting_series": [Route("GET", COORDINATOR), Route("POST", COORDINATOR)],
    "coordinator.lecturers": [Route("GET", COORDINATOR)],
    "coordinator.lecturer": [Route("GET", COORDINATOR, (("user_id", "lecturer"),))],
    "coordinator.lecturer_new": [Route("GET", COORDINATOR), Route("POST", COORDINATOR)],
    "coordinator.lecturer_edit": [Route("GET", COORDINATOR, (("user_id", "lecturer"),)),
                                  Route("POST", COORDINATOR, (("user_id", "lecturer"),))],
    # attendance and assignments
    "lecturer.attendance": [Route("GET", TEACHER), Route("POST", TEACHER)],
    "lecturer.attendance_sheet": [Route("GET", TEACHER)],
    "lecturer.check_in_display": [Route("GET", TEACHER)],
    "lecturer.check_in_status": [Route("GET", TEACHER)],
    "lecturer.assignments": [Route("GET", LECTURER)],
    "lecturer.grading": [Route("GET", TEACHER)],
    "lecturer.grade_participant": [Route("GET", TEACHER), Route("POST", TEACHER)],
    "lecturer.download_all": [Route("GET", TEACHER)],
    "lecturer.download_submission": [Route("GET", TEACHER)],
    "coordinator.attendance_matrix": [Route("GET", COORDINATOR)],
    "coordinator.attendance_csv": [Route("GET", COORDINATOR)],
    "coordinator.attendance_xlsx": [Route("GET", COORDINATOR)],
    "coordinator.absences": [Route("GET", COORDINATOR)],
    "coordinator.absence_decision": [Route("POST", COORDINATOR)],
    "coordinator.attendance": [Route("GET", COORDINATOR), Route("POST", COORDINATOR)],
    "coordinator.attendance_sheet": [Route("GET", COORDINATOR)],
    "coordinator.cohort_assignments": [Route("GET", COORDINATOR)],
    "coordinator.cohort_grades": [Route("GET", COORDINATOR)],
    "coordinator.grades_download": [Route("GET", COORDINATOR, (("suffix", "csv"),)),
                                    Route("GET", COORDINATOR, (("suffix", "xlsx"),))],
    "coordinator.assignment_new": [Route("GET", COORDINATOR), Route("POST", COORDINATOR)],
    "coordinator.assignment_edit": [Route("GET", COORDINATOR), Route("POST", COORDINATOR)],
    "coordinator.grading": [Route("GET", COORDINATOR)],
    "coordinator.grade_participant": [Route("GET", COORDINATOR), Route("POST", COORDINATOR)],
    "coordinator.download_all": [Route("GET", COORDINATOR)],
    "coordinator.download_submission": [Route("GET", COORDINATOR)],
    "participant.my_attendance": [Route("GET", PARTICIPANT)],
    "participant.my_assignments": [Route("GET", PARTICIPANT)],
    "participant.check_in": [Route("GET", PARTICIPANT), Route("POST", PARTICIPANT)],
    "participant.announce": [Route("GET", OWN_PARTICIPANT, (("meeting_id", "tomorrow"),)),
                             Route("POST", OWN_PARTICIPANT, (("meeting_id", "tomorrow"),))],
    "participant.withdraw": [Route("POST", OWN_PARTICIPANT, (("meeting_id", "tomorrow"),))],
    "participant.assignment": [Route("GET", OWN_PARTICIPANT), Route("POST", OWN_PARTICIPANT)],
    "participant.my_submission": [Route("GET", OWN_PARTICIPANT)],
    # certificates
    "participant.progress": [Route("GET", PARTICIPANT)],
    "participant.certificate_download": [Route("GET", OWN_PARTICIPANT)],
    "coordinator.cohort_certificates": [Route("GET", COORDINATOR)],
    "coordinator.certificate_issue": [Route("POST", COORDINATOR)],
    "coordinator.certificates_issue_all": [Route("POST", COORDINATOR)],
    "coordinator.certificate_revoke": [Route("POST", COORDINATOR)],
    "coordinator.certificate_correct": [Route("POST", COORDINATOR)],
    "coordinator.certificate_download": [Route("GET", COORDINATOR)],
    "verify.index": [Route("GET", EVERYONE)],
    "verify.show": [Route("GET", EVERYONE, (("code", "verification_code"),))],
    "verify.check_file": [Route("POST", EVERYONE)],
    # open credentials: what verifiers' programs read is public; the credential is its holder's
    "credentials.did_json": [Route("GET", EVERYONE)],
    "credentials.status_list": [Route("GET", EVERYONE)],
    "participant.certificate_credential": [Route("GET", OWN_PARTICIPANT)],
    # calendars: the feed URL needs no login, its token is the key
    "feeds.feed": [Route("GET", EVERYONE, (("token", "feed_token"),))],
    "feeds.subscribe": [Route("GET", LOGGED_IN)],
    "feeds.issue_personal": [Route("POST", LOGGED_IN)],
    "feeds.revoke_personal": [Route("POST", LOGGED_IN)],
    "feeds.cohort_feed": [Route("GET", COORDINATOR)],
    "feeds.issue_cohort": [Route("POST", COORDINATOR)],
    "feeds.revoke_cohort": [Route("POST", COORDINATOR)],
    "feeds.meeting_ics": [Route("GET", COHORT_MEMBERS)],
}

# URL arguments that name an object of cohort A ("this cohort").
DEFAULT_PARAMS = {
    "cohort_id": "cohort", "meeting_id": "meeting", "enrollment_id": "enrollment",
    "block_id": "block", "company_id": "company", "course_id": "course",
    "user_id": "lecturer", "assignment_id": "assignment", "submission_id": "submission",
    "notice_id": "notice", "certificate_id": "certificate", "list_id": "status_list",
}


@pytest.fixture
def world(app, course_dir):
    return build_matrix_world(course_dir)


def build_matrix_world(course_dir):
    """Two closed cohorts around the real present (the pages use the clock): cohort A with
    everything a route can name, cohort B with its own participant and lecturer."""
    from lms.assignments.models import Assignment
    from lms.assignments.operations import submit_file
    from lms.attendance.absences import announce_absence
    from lms.certificates.models import Certificate, CertificateKind
    from lms.certificates.operations import new_verification_code
    from lms.demo import _tiny_pdf
    from lms.ical.operations import issue_personal_feed
    from lms.storage import store_bytes
    from tests.attendance_world import build_world

    built = build_world(course_dir, participants=1)
    a, b = built.a, built.b
    enrollment = a.enrollments[0]
    record_attendance(a.ongoing, enrollment, AttendanceStatus.PRESENT)
    block = create_block(a.cohort, "Block 1", a.cohort.starts_on, a.cohort.starts_on)
    paper = db.session.scalar(db.select(Assignment).filter_by(cohort_id=a.cohort.id,
                                                              key="hausarbeit"))
    submission = submit_file(paper, enrollment, "arbeit.pdf", _tiny_pdf("Hausarbeit"))
    notice = announce_absence(a.tomorrow, enrollment, "Termin beim Amt")
    pdf = _tiny_pdf("Zertifikat")
    stored, digest = store_bytes("certificates", pdf, ".pdf")
    certificate = Certificate(
        enrollment=enrollment, kind=CertificateKind.CERTIFICATE, serial="SMM-2026-9999",
        verification_code=new_verification_code(), stored_name=stored, sha256=digest,
        design="thk", language="de")
    db.session.add(certificate)
    status_list = _credential_for(certificate)
    code = certificate.verification_code
    _feed, feed_token = issue_personal_feed(a.participants[0])
    db.session.commit()
    people = {"participant": a.participants[0], "other_participant": b.participants[0],
              "lecturer": a.lecturer, "other_lecturer": b.lecturer, "contact": a.contact,
              "coordinator": built.coordinator}
    objects = {
        "cohort": a.cohort.id, "meeting": a.ongoing.id, "tomorrow": a.tomorrow.id,
        "enrollment": enrollment.id, "block": block.id, "company": a.cohort.company_id,
        "course": a.cohort.course_id, "lecturer": a.lecturer.id, "contact": a.contact.id,
        "assignment": paper.id, "submission": submission.id, "notice": notice.id,
        "certificate": certificate.id, "verification_code": code, "feed_token": feed_token,
        "bogus": "not-a-token", "css": "lms.css", "csv": "csv", "xlsx": "xlsx",
        "status_list": status_list.id,
    }
    return people, objects


def _credential_for(certificate):
    """A stored credential for the world's certificate, in a signed status list."""
    import hashlib
    import json

    from lms.credentials.keys import load_keyring
    from lms.credentials.models import CertificateCredential
    from lms.credentials.operations import open_status_list
    from lms.db import utcnow

    status_list = open_status_list(utcnow(), load_keyring())
    document = json.dumps({
        "id": "urn:uuid:00000000-0000-4000-8000-000000000001", "issuer": {"name": "TH Köln"},
        "credentialSubject": {"achievement": {"name": "Zertifikat: Social Media Manager*in"}},
    }) + "\n"
    db.session.add(CertificateCredential(
        certificate=certificate, credential_uri="urn:uuid:00000000-0000-4000-8000-000000000001",
        document=document, sha256=hashlib.sha256(document.encode()).hexdigest(),
        verification_method="did:web:lms.test#z", status_list=status_list, status_index=7))
    db.session.flush()
    return status_list


def _url(app, endpoint: str, route: Route, objects: dict) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    overrides = dict(route.params)
    values = {arg: objects.get(overrides.get(arg, DEFAULT_PARAMS.get(arg, arg)), 1)
              for arg in rule.arguments}
    with app.test_request_context():
        return url_for(endpoint, **values)


def test_every_route_is_in_the_matrix(app):
    routes = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    covered = {(endpoint, r.method) for endpoint, items in MATRIX.items() for r in items}
    missing = sorted(routes - covered)
    assert not missing, f"routes without an access decision: {missing}"
    assert not sorted(covered - routes), "matrix entries for routes that do not exist"


def _check(response, expected, role, endpoint, method):
    where = f"{method} {endpoint} as {role}"
    if expected == LOGIN:
        assert response.status_code == 302, where
        assert "/login" in response.headers["Location"], where
    elif expected == OK:
        allowed = {200} if method == "GET" else {200, 302, 400, 422}
        assert response.status_code in allowed, f"{where}: {response.status_code}"
        if response.status_code == 302:
            assert "/login" not in response.headers["Location"], where
    else:
        assert response.status_code == expected, f"{where}: {response.status_code}"


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(app, world, role):
    from tests.test_web_shell import login

    people, objects = world
    client = app.test_client()
    if role != "anonymous":
        assert login(client, people[role].email).status_code == 302
    for endpoint, routes in sorted(MATRIX.items()):
        for route in routes:
            if endpoint == "public.logout":
                continue  # checked last: it ends the session the other checks need
            url = _url(app, endpoint, route, objects)
            response = client.open(url, method=route.method, data={})
            _check(response, route.expected[role], role, endpoint, route.method)
    logout = MATRIX["public.logout"][0]
    _check(client.post("/logout"), logout.expected[role], role, "public.logout", "POST")


def test_objects_of_another_cohort_answer_404_even_to_their_ids(app, world):
    """A lecturer of cohort B probing cohort A's meeting learns nothing."""
    from tests.test_web_shell import login

    people, objects = world
    client = app.test_client()
    login(client, people["other_lecturer"].email)
    existing = client.get(f"/meetings/{objects['meeting']}")
    missing = client.get("/meetings/987654")
    assert existing.status_code == missing.status_code == 404


@pytest.mark.parametrize("role", ["anonymous", "coordinator", "participant", "lecturer"])
def test_every_state_changing_route_refuses_a_request_without_csrf_token(app, world, role):
    from tests.test_web_shell import login

    people, objects = world
    client = app.test_client()
    if role != "anonymous":
        login(client, people[role].email)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        for rule in app.url_map.iter_rules():
            for method in rule.methods & {"POST", "PUT", "PATCH", "DELETE"}:
                route = next((r for r in MATRIX.get(rule.endpoint, []) if r.method == method),
                             Route(method, EVERYONE))
                response = client.open(_url(app, rule.endpoint, route, objects),
                                       method=method, data={})
                assert response.status_code == 400, f"{method} {rule.endpoint} as {role}"
                assert "<html" in response.get_data(as_text=True)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
