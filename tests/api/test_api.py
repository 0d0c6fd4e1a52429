"""The JSON API (#18): tokens, problem details, ETags, cursors, reach, writes."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import url_for

from lms.audit.models import AuditEvent
from lms.db import utcnow
from lms.extensions import db
from lms.integrations.models import ApiToken, TokenScope
from lms.integrations.operations import IntegrationError, create_api_token, revoke_api_token
from lms.integrations.queries import hash_api_token
from tests.api.world import add_certificate, bearer, build_api_world

PROBLEM = "application/problem+json"


@pytest.fixture
def world(app, course_dir):
    return build_api_world(course_dir)


def test_a_token_is_stored_only_as_its_hash_and_audited(app, world):
    token = world.tokens["read"]
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.name == "Archiv"))
    assert row.token_hash == hash_api_token(token) and token not in (row.token_hash, row.key_id)
    assert token.startswith(f"lms_{row.key_id}_") and len(token) > 50
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert "api_token.created" in actions


@pytest.mark.parametrize("spoil", ["revoked", "expired", "wrong_secret", "role_lost",
                                   "inactive", "not_bearer"])
def test_a_token_that_cannot_act_answers_401(app, world, spoil):
    client = app.test_client()
    token = world.tokens["read"]
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.name == "Archiv"))
    assert client.get("/api/v1/cohorts", headers=bearer(token)).status_code == 200
    headers = bearer(token)
    if spoil == "revoked":
        revoke_api_token(row, by=world.people["coordinator"])
    elif spoil == "expired":
        row.created_at = utcnow() - timedelta(days=31)
        row.expires_at = utcnow() - timedelta(seconds=1)
    elif spoil == "wrong_secret":
        headers = bearer(token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"))
    elif spoil == "role_lost":
        from lms.accounts.models import UserRole

        db.session.execute(sa.delete(UserRole).where(UserRole.user_id == row.user_id))
    elif spoil == "inactive":
        row.user.is_active_account = False
    elif spoil == "not_bearer":
        headers = {"Authorization": f"Basic {token}"}
    db.session.commit()
    response = client.get("/api/v1/cohorts", headers=headers)
    assert response.status_code == 401
    assert response.mimetype == PROBLEM
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_api_never_reads_the_session_cookie(app, world):
    """A logged-in browser is no key to the API (it is exempt from CSRF checks)."""
    from tests.helpers import login

    client = app.test_client()
    assert login(client, world.people["coordinator"].email).status_code == 302
    assert client.get("/api/v1/cohorts").status_code == 401
    assert client.post(f"/api/v1/cohorts/{world.objects['cohort']}/meetings",
                       json={}).status_code == 401


def test_only_the_right_roles_make_tokens(app, world):
    with pytest.raises(IntegrationError):
        create_api_token(world.people["contact"], "X", TokenScope.READ, 30)
    with pytest.raises(IntegrationError):
        create_api_token(world.people["coordinator"], "X", TokenScope.COMPANY, 30)
    with pytest.raises(IntegrationError):
        create_api_token(world.people["coordinator"], "X", TokenScope.READ, 7)
    with pytest.raises(IntegrationError):
        create_api_token(world.people["coordinator"], "  ", TokenScope.READ, 30)


def test_reads_carry_an_etag_and_answer_304(app, world):
    client = app.test_client()
    headers = bearer(world.tokens["read"])
    url = f"/api/v1/cohorts/{world.objects['cohort']}"
    first = client.get(url, headers=headers)
    etag = first.headers["ETag"]
    again = client.get(url, headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304 and not again.data
    assert "private" in first.headers["Cache-Control"]
    other = client.get(url, headers={**headers, "If-None-Match": '"something-else"'})
    assert other.status_code == 200


def test_problems_speak_the_callers_language(app, world):
    client = app.test_client()
    german = client.get("/api/v1/nowhere", headers=bearer(world.tokens["read"]))
    english = client.get("/api/v1/nowhere", headers={**bearer(world.tokens["read"]),
                                                    "Accept-Language": "en"})
    assert german.status_code == english.status_code == 404
    assert german.mimetype == english.mimetype == PROBLEM
    assert german.json["title"] != english.json["title"]
    assert german.headers["Content-Language"] == "de"
    assert english.json["status"] == 404 and english.json["instance"] == "/api/v1/nowhere"
    refused = client.delete("/api/v1/cohorts", headers=bearer(world.tokens["read"]))
    assert refused.status_code == 405 and refused.mimetype == PROBLEM
    assert "GET" in refused.headers["Allow"]
    invalid = client.get("/api/v1/certificates?limit=0", headers={
        **bearer(world.tokens["read"]), "Accept-Language": "en"})
    assert invalid.status_code == 422 and invalid.mimetype == PROBLEM
    assert invalid.json["errors"][0]["code"] == "greater_than_equal"
    assert invalid.json["errors"][0]["detail"] == "At least 1."


def test_the_rate_limit_answers_429_as_a_problem(app, world):
    app.config["LMS_API_RATE_LIMIT"] = "3/minute"
    try:
        client = app.test_client()
        headers = bearer(world.tokens["read"])
        codes = [client.get("/api/v1/token", headers=headers).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        response = client.get("/api/v1/token", headers=headers)
        assert response.mimetype == PROBLEM and int(response.headers["Retry-After"]) >= 1
        # another token has its own count
        assert client.get("/api/v1/token", headers=bearer(world.tokens["write"])
                          ).status_code == 200
    finally:
        app.config["LMS_API_RATE_LIMIT"] = "600/minute"


def test_certificates_come_in_cursor_pages(app, world):
    from lms.cohorts.models import Enrollment

    enrollment = db.session.get(Enrollment, world.objects["enrollment"])
    for number in range(5):
        add_certificate(enrollment, f"SMM-2025-{number:04d}", revoked=True)
    db.session.commit()
    client = app.test_client()
    headers = bearer(world.tokens["read"])
    seen, cursor = [], None
    while True:
        query = f"?limit=2&cursor={cursor}" if cursor else "?limit=2"
        page = client.get(f"/api/v1/certificates{query}", headers=headers).json
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 7
    first = client.get("/api/v1/certificates?limit=2", headers=headers).json
    tampered = first["next_cursor"][:-2] + "xx"
    assert client.get(f"/api/v1/certificates?cursor={tampered}",
                      headers=headers).status_code == 422
    since = "2000-01-01T00:00:00Z"
    assert client.get(f"/api/v1/certificates?issued_since={since}&cursor="
                      f"{first['next_cursor']}", headers=headers).status_code == 422
    future = client.get("/api/v1/certificates?issued_since=2999-01-01T00:00:00%2B01:00",
                        headers=headers).json
    assert future == {"items": [], "next_cursor": None}


def test_a_company_token_reads_status_only(app, world):
    client = app.test_client()
    headers = bearer(world.tokens["company"])
    cohort = world.objects["cohort"]
    items = client.get(f"/api/v1/cohorts/{cohort}/participants", headers=headers).json["items"]
    assert items and set(items[0]) == {"enrollment_id", "first_name", "last_name", "standing",
                                       "standing_label"}
    listed = client.get("/api/v1/cohorts", headers=headers).json["items"]
    assert [c["id"] for c in listed] == [cohort]


def test_another_companys_id_in_every_id_parameter_answers_404(app, world):
    """mod_attendance #916: an id of another company's object, in any id parameter of any
    operation (walking the API's URL map), is not there: 404. For the company token in
    every parameter of the operations its scope allows; for every token where one id is
    checked through another (a participant of another cohort, under one's own)."""
    from itertools import product

    from tests.security.test_access_matrix import API_MATRIX, API_PARAMS, UNIVERSITY, WRITE

    client = app.test_client()
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api_v1.") or not rule.arguments:
            continue
        [route] = API_MATRIX[rule.endpoint]
        names = sorted(rule.arguments)
        for choice in product(("own", "other"), repeat=len(names)):
            if "other" not in choice:
                continue
            values = {name: (world.other if side == "other" else world.objects)[API_PARAMS[name]]
                      for name, side in zip(names, choice, strict=True)}
            with app.test_request_context():
                url = url_for(rule.endpoint, **values)
            kinds = ["read", "write"] if "own" in choice else []
            if route.reach not in (UNIVERSITY, WRITE) and "course_id" not in names:
                kinds.append("company")
            if route.reach == WRITE:
                kinds = [k for k in kinds if k == "write"]
            for kind in kinds:
                method = route.method
                response = client.open(url, method=method, headers=bearer(world.tokens[kind]),
                                       json={} if method == "POST" else None)
                assert response.status_code == 404, f"{method} {url} with {kind}"
                assert response.mimetype == PROBLEM
                checked += 1
    assert checked >= 10


def test_importing_participants_is_all_or_nothing(app, world):
    from lms.cohorts.models import Enrollment

    client = app.test_client()
    headers = bearer(world.tokens["write"])
    cohort = world.objects["cohort"]
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Enrollment))
    bad = {"participants": [
        {"email": "gut@example.org", "first_name": "Gut", "last_name": "Person"},
        {"email": "kein-at-zeichen", "first_name": "Schlecht", "last_name": "Person"}]}
    response = client.post(f"/api/v1/cohorts/{cohort}/participants", json=bad,
                           headers={**headers, "Accept-Language": "en"})
    assert response.status_code == 422 and response.mimetype == PROBLEM
    assert response.json["type"] == "urn:lms:problem:roster-rejected"
    assert [e["location"] for e in response.json["errors"]] == ["body.participants.1"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Enrollment)) == before
    good = {"participants": [bad["participants"][0],
                             {"email": "zwei@example.org", "first_name": "Zwei",
                              "last_name": "Person", "title_form": "female",
                              "language": "en"}]}
    response = client.post(f"/api/v1/cohorts/{cohort}/participants", json=good,
                           headers=headers)
    assert response.status_code == 201, response.json
    assert response.json["invited"] == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Enrollment)) == before + 2
    events = list(db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "api.participants_imported")))
    assert len(events) == 1 and events[0].after["key_id"]


def test_scheduling_a_meeting(app, world):
    from lms.schedule.models import Meeting

    client = app.test_client()
    headers = bearer(world.tokens["write"])
    url = f"/api/v1/cohorts/{world.objects['cohort']}/meetings"
    body = {"module_number": 2, "starts_at": "2030-03-29T09:00:00+01:00",
            "ends_at": "2030-03-29T17:00:00+02:00", "title": "Praxistag",
            "lecturer_emails": [world.people["lecturer"].email]}
    response = client.post(url, json=body, headers=headers)
    assert response.status_code == 201, response.json
    meeting = db.session.get(Meeting, response.json["id"])
    assert (meeting.ends_at - meeting.starts_at) == timedelta(hours=7)  # the clocks moved
    assert [u.email for u in meeting.lecturers] == [world.people["lecturer"].email]
    for wrong, where in [({"module_number": 99}, "body.module_number"),
                         ({"lecturer_emails": ["nobody@example.org"]}, "body.lecturer_emails.0"),
                         ({"ends_at": "2030-03-29T08:00:00+01:00"}, "body"),
                         ({"starts_at": "2030-03-29T09:00:00"}, "starts_at")]:
        refused = client.post(url, json={**body, **wrong}, headers=headers)
        assert refused.status_code == 422, wrong
        assert refused.mimetype == PROBLEM
        assert any(e["location"].endswith(where) or e["location"] == where
                   for e in refused.json.get("errors", [])), refused.json
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Meeting).where(
        Meeting.title == "Praxistag")) == 1


def test_the_description_is_openapi_3_1_and_every_operation_needs_a_token(app):
    client = app.test_client()
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.1")
    operations = [op for path in spec["paths"].values() for op in path.values()]
    assert len(operations) == 16
    assert all(op["security"] == [{"bearer": []}] for op in operations)
    assert all("401" in op["responses"] and "429" in op["responses"] for op in operations)


def test_the_docs_page_serves_its_assets_itself(app):
    client = app.test_client()
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "https://" not in page.split("<body>")[0]
    for asset in ("css/swagger-ui.css", "js/swagger-ui-bundle.js"):
        assert client.get(f"/api/v1/docs/assets/{asset}").status_code == 200


def test_guessing_is_slowed_per_address_but_never_locks_a_working_token_out(app, world):
    client = app.test_client()
    codes = [client.get("/api/v1/token", headers=bearer("lms_abcdefgh_guess")).status_code
             for _ in range(61)]
    assert codes[:60] == [401] * 60 and codes[60] == 429
    assert client.get("/api/v1/token").status_code == 429
    assert client.get("/api/v1/token", headers=bearer(world.tokens["read"])).status_code == 200


def test_routes_added_to_the_app_itself_stay_flasks(app):
    """(flask-openapi3's app class would validate them as API operations and drop their
    URL arguments.)"""
    from lms import create_app

    other = create_app({"LMS_INSTANCE_PATH": app.instance_path, "TESTING": True,
                        "LMS_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"]})

    @other.get("/test-only/echo/<int:number>")
    def echo(number: int) -> str:
        return str(number)

    assert other.test_client().get("/test-only/echo/7").get_data(as_text=True) == "7"


def test_the_largest_id_names_nothing_in_any_operation(app, world):
    """(A body that does not fit is refused first, 422: it says nothing about the id.)"""
    from lms.web import MAX_ID
    from tests.security.test_access_matrix import API_MATRIX, api_bodies

    client = app.test_client()
    wrong = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api_v1.") or not rule.arguments:
            continue
        with app.test_request_context():
            url = url_for(rule.endpoint, **dict.fromkeys(rule.arguments, MAX_ID))
        for method in sorted(rule.methods & {"GET", "POST"}):
            [route] = API_MATRIX[rule.endpoint]
            body = api_bodies("write", "own")[route.body] if route.body else None
            response = client.open(url, method=method, headers=bearer(world.tokens["write"]),
                                   json=body)
            if response.status_code != 404:
                wrong.append(f"{method} {url}: {response.status_code}")
    assert not wrong, wrong
