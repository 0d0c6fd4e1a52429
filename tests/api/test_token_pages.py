"""The API token pages of coordinators and company contacts (#18): a token is shown once,
listed by name and key id afterwards, revoked by who may; hostile names stay text."""

from __future__ import annotations

import re

import sqlalchemy as sa

from lms.audit.models import AuditEvent
from lms.extensions import db
from lms.integrations.models import ApiToken, TokenScope
from tests.api.world import bearer, build_api_world
from tests.helpers import login

TOKEN = re.compile(r"lms_[A-Za-z0-9_-]{8}_[A-Za-z0-9_-]{20,}")


def _client(app, user):
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    return client


def test_a_coordinator_makes_a_token_that_is_shown_once(app, course_dir):
    world = build_api_world(course_dir)
    client = _client(app, world.people["coordinator"])
    page = client.post("/coordination/api-tokens",
                       data={"name": "Campus <script>x</script>", "lifetime": "180",
                             "scope": "write"}).get_data(as_text=True)
    [token] = set(TOKEN.findall(page))
    assert "Campus &lt;script&gt;x&lt;/script&gt;" in page and "<script>x" not in page
    answer = app.test_client().get("/api/v1/token", headers=bearer(token)).json
    assert answer["scope"] == "write" and answer["writes"] is True
    again = client.get("/coordination/api-tokens").get_data(as_text=True)
    assert not TOKEN.search(again)  # only the key id: lms_<key id>_…
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.name.like("Campus%")))
    assert f"lms_{row.key_id}_…" in again


def test_a_company_contact_makes_only_company_tokens(app, course_dir):
    world = build_api_world(course_dir)
    client = _client(app, world.people["contact"])
    page = client.post("/company/api-tokens", data={"name": "HR-System", "lifetime": "30",
                                                    "scope": "write"}).get_data(as_text=True)
    [token] = set(TOKEN.findall(page))
    assert app.test_client().get("/api/v1/token", headers=bearer(token)).json["scope"] \
        == TokenScope.COMPANY.value


def test_a_refused_name_stores_nothing(app, course_dir):
    world = build_api_world(course_dir)
    client = _client(app, world.people["coordinator"])
    before = db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken))
    for name in ("", "   ", "x" * 81):
        page = client.post("/coordination/api-tokens",
                           data={"name": name, "lifetime": "30", "scope": "read"})
        assert page.status_code == 200 and not TOKEN.search(page.get_data(as_text=True))
    for lifetime in ("7", "abc"):
        client.post("/coordination/api-tokens",
                    data={"name": "X", "lifetime": lifetime, "scope": "read"})
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == before


def test_revoking_is_for_who_may_and_is_audited(app, course_dir):
    world = build_api_world(course_dir)
    tokens = {row.name: row for row in db.session.scalars(sa.select(ApiToken))}
    contact = _client(app, world.people["contact"])
    # a contact reaches neither the university's tokens nor another's
    assert contact.post(f"/company/api-tokens/{tokens['Archiv'].id}/revoke").status_code == 404
    coordinator = _client(app, world.people["coordinator"])
    assert coordinator.post(
        f"/coordination/api-tokens/{tokens['HR'].id}/revoke").status_code == 404
    response = contact.post(f"/company/api-tokens/{tokens['HR'].id}/revoke")
    assert response.status_code == 302
    assert app.test_client().get("/api/v1/token",
                                 headers=bearer(world.tokens["company"])).status_code == 401
    assert coordinator.post(
        f"/coordination/api-tokens/{tokens['Archiv'].id}/revoke").status_code == 302
    assert app.test_client().get("/api/v1/token",
                                 headers=bearer(world.tokens["read"])).status_code == 401
    assert app.test_client().get("/api/v1/token",
                                 headers=bearer(world.tokens["write"])).status_code == 200
    events = db.session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.action == "api_token.revoked")).all()
    assert len(events) == 2
    listed = coordinator.get("/coordination/api-tokens").get_data(as_text=True)
    assert "widerrufen am" in listed or "revoked on" in listed
