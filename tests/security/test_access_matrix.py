"""Access control as a matrix: every route of the app x every kind of user.

The test walks ``app.url_map``: a route without an entry here fails the suite, so no
page can be added without deciding who may see it. Objects of another cohort answer
404, so that identifiers cannot be probed.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import url_for

from tests.helpers import build_matrix_world, login

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
# A copy of the participant's own data: nobody else's account page has it (the coordination
# downloads it on its own pages).
OWN_EXPORT = policy(default=404, anonymous=LOGIN, participant=OK)


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
    "public.readyz": [Route("GET", EVERYONE)],
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
    "coordinator.jobs": [Route("GET", COORDINATOR)],
    "coordinator.job": [Route("GET", COORDINATOR)],
    "coordinator.job_download": [Route("GET", COORDINATOR, (("job_id", "export_job"),))],
    "coordinator.cohort_export": [Route("POST", COORDINATOR)],
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
    # API tokens (the API itself is API_MATRIX below): each role manages its own kind
    "coordinator.api_tokens": [Route("GET", COORDINATOR), Route("POST", COORDINATOR)],
    "coordinator.api_token_revoke": [Route("POST", COORDINATOR,
                                           (("token_id", "university_token"),))],
    "company.api_tokens": [Route("GET", CONTACT), Route("POST", CONTACT)],
    "company.api_token_revoke": [Route("POST", CONTACT, (("token_id", "company_token"),))],
    # webhooks, on the same pages: each role its own kind of subscription (the other
    # kind's ids answer 404 to it); a second one is there to be deleted (the routes run
    # in the order of their names)
    "coordinator.webhook_create": [Route("POST", COORDINATOR)],
    "coordinator.webhook": [Route("GET", COORDINATOR,
                                  (("subscription_id", "university_webhook"),))],
    "coordinator.webhook_resend": [Route("POST", COORDINATOR,
                                         (("subscription_id", "university_webhook"),
                                          ("delivery_id", "university_delivery")))],
    "coordinator.webhook_delete": [Route("POST", COORDINATOR,
                                         (("subscription_id", "university_webhook_2"),))],
    "company.webhook_create": [Route("POST", CONTACT)],
    "company.webhook": [Route("GET", CONTACT, (("subscription_id", "company_webhook"),))],
    "company.webhook_resend": [Route("POST", CONTACT,
                                     (("subscription_id", "company_webhook"),
                                      ("delivery_id", "company_delivery")))],
    "company.webhook_delete": [Route("POST", CONTACT,
                                     (("subscription_id", "company_webhook_2"),))],
    # announcements: the coordinator to any cohort, lecturers to the cohorts they teach
    "coordinator.announcements": [Route("GET", COORDINATOR), Route("POST", COORDINATOR)],
    "lecturer.announcements": [Route("GET", LECTURER), Route("POST", LECTURER)],
    "participant.announcements": [Route("GET", PARTICIPANT)],
    # materials: kept by the module's lecturers and the coordinators, released to the
    # cohort's participants (a company contact sees none)
    "lecturer.material_overview": [Route("GET", LECTURER)],
    "lecturer.materials": [Route("GET", TEACHER), Route("POST", TEACHER)],
    "lecturer.materials_reuse": [Route("POST", TEACHER)],
    "lecturer.material_replace": [Route("POST", TEACHER)],
    "lecturer.material_withdraw": [Route("POST", TEACHER)],
    "lecturer.material_version": [Route("GET", TEACHER, (("version", "version"),))],
    "lecturer.course_material": [Route("GET", LECTURER)],
    "coordinator.cohort_materials": [Route("GET", COORDINATOR)],
    "coordinator.materials": [Route("GET", COORDINATOR), Route("POST", COORDINATOR)],
    "coordinator.materials_reuse": [Route("POST", COORDINATOR)],
    "coordinator.material_replace": [Route("POST", COORDINATOR)],
    "coordinator.material_withdraw": [Route("POST", COORDINATOR)],
    "coordinator.material_version": [Route("GET", COORDINATOR, (("version", "version"),))],
    "coordinator.course_material": [Route("GET", COORDINATOR)],
    "participant.materials": [Route("GET", PARTICIPANT)],
    "participant.module": [Route("GET", OWN_PARTICIPANT)],
    "participant.material_download": [Route("GET", OWN_PARTICIPANT)],
    "participant.module_zip": [Route("GET", OWN_PARTICIPANT)],
    "participant.course_material_download": [Route("GET", PARTICIPANT)],
    # module evaluation: answered by the cohort's participants, results for the module's
    # lecturers and the coordinators only (a company contact never)
    "participant.evaluation": [Route("GET", OWN_PARTICIPANT, (("module_id", "open_module"),)),
                               Route("POST", OWN_PARTICIPANT, (("module_id", "open_module"),))],
    "lecturer.evaluations": [Route("GET", LECTURER)],
    "lecturer.evaluation_results": [Route("GET", TEACHER)],
    "lecturer.evaluation_pdf": [Route("GET", TEACHER)],
    "lecturer.evaluation_csv": [Route("GET", TEACHER)],
    "coordinator.evaluations": [Route("GET", COORDINATOR)],
    "coordinator.evaluation_remind": [Route("POST", COORDINATOR)],
    "coordinator.evaluation_results": [Route("GET", COORDINATOR)],
    "coordinator.evaluation_pdf": [Route("GET", COORDINATOR)],
    "coordinator.evaluation_csv": [Route("GET", COORDINATOR)],
    # privacy: everyone asks about their own data; the coordination decides
    "public.privacy_notice": [Route("GET", EVERYONE)],
    "public.erasure_request": [Route("POST", LOGGED_IN)],
    "coordinator.privacy": [Route("GET", COORDINATOR)],
    "coordinator.person": [Route("GET", COORDINATOR)],
    "coordinator.person_erase": [Route("POST", COORDINATOR)],
    "coordinator.erasure_refuse": [Route("POST", COORDINATOR)],
    "public.data_export": [Route("POST", LOGGED_IN)],
    "public.data_download": [Route("GET", OWN_EXPORT)],
    "coordinator.person_export": [Route("POST", COORDINATOR)],
    "coordinator.export_download": [Route("GET", COORDINATOR)],
}

# URL arguments that name an object of cohort A ("this cohort").
DEFAULT_PARAMS = {
    "cohort_id": "cohort", "meeting_id": "meeting", "enrollment_id": "enrollment",
    "block_id": "block", "company_id": "company", "course_id": "course",
    "user_id": "lecturer", "assignment_id": "assignment", "submission_id": "submission",
    "notice_id": "notice", "certificate_id": "certificate", "list_id": "status_list",
    "job_id": "job",
    "module_id": "evaluated_module", "material_id": "material",
    "course_material_id": "course_material",
    "request_id": "erasure_request", "export_id": "data_export",
}


@pytest.fixture
def world(app, course_dir):
    return build_matrix_world(course_dir)


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
    covered |= {(endpoint, r.method) for endpoint, items in API_MATRIX.items() for r in items}
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

    people, objects = world
    client = app.test_client()
    if role != "anonymous":
        login(client, people[role])
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

    people, objects = world
    client = app.test_client()
    login(client, people["other_lecturer"])
    existing = client.get(f"/meetings/{objects['meeting']}")
    missing = client.get("/meetings/987654")
    assert existing.status_code == missing.status_code == 404


@pytest.mark.parametrize("role", ["anonymous", "coordinator", "participant", "lecturer"])
def test_every_state_changing_route_refuses_a_request_without_csrf_token(app, world, role):

    people, objects = world
    client = app.test_client()
    if role != "anonymous":
        login(client, people[role])
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        for rule in app.url_map.iter_rules():
            if rule.endpoint in API_MATRIX:
                continue  # no cookies there: test_the_api_never_reads_the_session_cookie
            for method in rule.methods & {"POST", "PUT", "PATCH", "DELETE"}:
                route = next((r for r in MATRIX.get(rule.endpoint, []) if r.method == method),
                             Route(method, EVERYONE))
                response = client.open(_url(app, rule.endpoint, route, objects),
                                       method=method, data={})
                assert response.status_code == 400, f"{method} {rule.endpoint} as {role}"
                assert "<html" in response.get_data(as_text=True)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


# --------------------------------------------------------------------------- the API (#18)
# Each token kind x each endpoint x an object of its own company (A) and of another (B).
# A company token reaches its contact's cohorts and reads status-level data only (403 where
# its scope does not go, before any id is looked up); a coordinator's "read" token reads
# everything; a "write" token also imports participants and schedules meetings. Without a
# token every operation answers 401; the description of the API is public.

STATUS, UNIVERSITY, WRITE, PUBLIC = "status", "university", "write", "public"


@dataclass(frozen=True)
class ApiRoute:
    method: str
    reach: str
    sides: tuple[str, ...] = ("own", "other")  # ("own",): its ids name no company's object
    body: str | None = None  # a name in API_BODIES


API_MATRIX: dict[str, list[ApiRoute]] = {
    "api_docs.spec": [ApiRoute("GET", PUBLIC, ("own",))],
    "api_docs.docs": [ApiRoute("GET", PUBLIC, ("own",))],
    "api_docs.static": [ApiRoute("GET", PUBLIC, ("own",))],
    "api_v1.token_info": [ApiRoute("GET", STATUS, ("own",))],
    "api_v1.courses": [ApiRoute("GET", STATUS, ("own",))],
    # (both companies' cohorts take the one bundled course)
    "api_v1.course": [ApiRoute("GET", STATUS, ("own",))],
    "api_v1.cohorts": [ApiRoute("GET", STATUS, ("own",))],
    "api_v1.cohort": [ApiRoute("GET", STATUS)],
    "api_v1.cohort_meetings": [ApiRoute("GET", STATUS)],
    "api_v1.create_meeting": [ApiRoute("POST", WRITE, body="meeting")],
    "api_v1.participants": [ApiRoute("GET", STATUS)],
    "api_v1.import_participants": [ApiRoute("POST", WRITE, body="participants")],
    "api_v1.participant": [ApiRoute("GET", STATUS)],
    "api_v1.participant_attendance": [ApiRoute("GET", UNIVERSITY)],
    "api_v1.meeting_attendance": [ApiRoute("GET", UNIVERSITY)],
    "api_v1.certificates": [ApiRoute("GET", UNIVERSITY, ("own",))],
    "api_v1.certificate": [ApiRoute("GET", UNIVERSITY)],
    "api_v1.certificate_pdf": [ApiRoute("GET", UNIVERSITY)],
    "api_v1.certificate_credential": [ApiRoute("GET", UNIVERSITY, ("own",))],
}
API_PARAMS = {"cohort_id": "cohort", "enrollment_id": "enrollment", "meeting_id": "meeting",
              "certificate_id": "certificate", "course_id": "course",
              "filename": "swagger_css"}


def api_bodies(kind: str, side: str) -> dict[str, dict]:
    return {
        "participants": {"participants": [{"email": f"neu-{kind}-{side}@example.org",
                                           "first_name": "Neu", "last_name": "Person"}]},
        "meeting": {"module_number": 1, "starts_at": "2030-01-10T09:00:00+01:00",
                    "ends_at": "2030-01-10T17:00:00+01:00"},
    }


def api_expected(route: ApiRoute, kind: str, side: str) -> int:
    ok = 201 if route.method == "POST" else 200
    if route.reach == PUBLIC:
        return 200
    if kind == "none":
        return 401
    if kind == "company":
        if route.reach in (UNIVERSITY, WRITE):
            return 403
        return ok if side == "own" else 404
    if kind == "read" and route.reach == WRITE:
        return 403
    return ok


def api_url(app, endpoint: str, values: dict) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    with app.test_request_context():
        return url_for(endpoint, **{arg: values[API_PARAMS[arg]] for arg in rule.arguments})


@pytest.fixture
def api_world(app, course_dir):
    from tests.api.world import build_api_world

    return build_api_world(course_dir)


@pytest.mark.parametrize("kind", ["none", "company", "read", "write"])
def test_api_access_matrix(app, api_world, kind):
    from tests.api.world import bearer

    client = app.test_client()
    headers = bearer(api_world.tokens.get(kind))
    own = {**api_world.objects, "swagger_css": "css/swagger-ui.css"}
    other = {**own, **api_world.other}
    for endpoint, routes in sorted(API_MATRIX.items()):
        for route in routes:
            for side in route.sides:
                url = api_url(app, endpoint, own if side == "own" else other)
                body = api_bodies(kind, side)[route.body] if route.body else None
                response = client.open(url, method=route.method, json=body, headers=headers)
                expected = api_expected(route, kind, side)
                where = f"{route.method} {endpoint} ({side}) with a {kind} token"
                assert response.status_code == expected, (
                    f"{where}: {response.status_code} {response.get_data(as_text=True)[:300]}")
                if expected >= 400:
                    assert response.mimetype == "application/problem+json", where
